import type { Effector } from './effector';
import type { InteractionExtension } from './interaction';
import type { MenuRow } from './menu';

/** What the headset needs of a team session (the app connects it; none when alone). */
export interface XRTeamLink {
  /** This device is in a team session now. */
  active(): boolean;
  /** The presenter's name when another member presents, else undefined. */
  presenter(): string | undefined;
  following(): boolean;
  setFollowing(on: boolean): void;
}

/**
 * The near menu's team section: who presents, and (for a member who shows their own copy, i.e. not
 * calibrated to the room) "Follow presenter", which turns that copy so the presenter's side faces
 * them. Members calibrated to the same room share one physical hologram: they walk, nothing turns.
 */
export class TeamMenu implements InteractionExtension {
  constructor(private readonly options: { team: () => XRTeamLink | undefined; ownCopy: () => boolean }) {}

  menuRows(): MenuRow[] {
    const team = this.options.team();
    const name = team?.active() ? team.presenter() : undefined;
    if (!team || name === undefined) return [];
    const rows: MenuRow[] = [{ title: `Presenting: ${name}` }];
    if (this.options.ownCopy()) rows.push([{ id: 'team:follow', label: team.following() ? 'Stop following' : 'Follow presenter', active: team.following() }]);
    return rows;
  }

  runAction(id: string): boolean {
    if (id !== 'team:follow') return false;
    const team = this.options.team();
    team?.setFollowing(!team.following());
    return true;
  }

  capturePress(_e: Effector): boolean {
    return false;
  }
}
