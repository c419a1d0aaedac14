import { describe, expect, it } from 'vitest';
import { TeamMenu, type XRTeamLink } from './team-menu';

function link(presenter: string | undefined, active = true): XRTeamLink & { on: boolean } {
  const l = { on: false, active: () => active, presenter: () => presenter, following: () => l.on, setFollowing: (on: boolean) => { l.on = on; } };
  return l;
}

describe('the headset menu\'s team section', () => {
  it('shows the presenter, and Follow only to a member with their own copy; the button toggles following', () => {
    const team = link('Dr Lee');
    let ownCopy = true;
    const menu = new TeamMenu({ team: () => team, ownCopy: () => ownCopy });
    expect(menu.menuRows()).toEqual([{ title: 'Presenting: Dr Lee' }, [{ id: 'team:follow', label: 'Follow presenter', active: false }]]);
    expect(menu.runAction('team:follow')).toBe(true);
    expect(team.on).toBe(true);
    expect(menu.menuRows()[1]).toEqual([{ id: 'team:follow', label: 'Stop following', active: true }]);
    ownCopy = false; // calibrated to the room: one physical hologram, nothing to turn
    expect(menu.menuRows()).toEqual([{ title: 'Presenting: Dr Lee' }]);
    expect(menu.runAction('room:calibrate')).toBe(false);
  });

  it('is empty alone, out of a session, or when nobody else presents', () => {
    expect(new TeamMenu({ team: () => undefined, ownCopy: () => true }).menuRows()).toEqual([]);
    expect(new TeamMenu({ team: () => link('Dr Lee', false), ownCopy: () => true }).menuRows()).toEqual([]);
    expect(new TeamMenu({ team: () => link(undefined), ownCopy: () => true }).menuRows()).toEqual([]);
  });
});
