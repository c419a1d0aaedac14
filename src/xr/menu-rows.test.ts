import { describe, expect, it } from 'vitest';
import type { ClassInfo } from '../segmentation/manifest';
import { createHologramStore, initialSharedState } from '../state';
import type { MenuItem, MenuRow } from './menu';
import { nearMenuRows, quickMenuRows } from './menu-rows';

const CLASSES: ClassInfo[] = [
  { id: 1, name: 'bone', label: 'Bone', group: 'bone', color: '#e8dcc0', opacity: 1, sourceNames: [] },
  { id: 2, name: 'arteries', label: 'Arteries', group: 'vessel', color: '#d62828', opacity: 1, sourceNames: [] },
  { id: 3, name: 'liver', label: 'Liver', group: 'organ', color: '#9c4a32', opacity: 0.6, sourceNames: [] },
];

const items = (rows: MenuRow[]): MenuItem[] => rows.flatMap((r) => (Array.isArray(r) ? r : []));
const item = (rows: MenuRow[], id: string) => items(rows).find((i) => i.id === id);
const titles = (rows: MenuRow[]) => rows.flatMap((r) => (Array.isArray(r) ? [] : [r.title]));

describe('XR menu rows', () => {
  const store = createHologramStore({ shared: initialSharedState(CLASSES) });

  it('offers a group only when one of its structures was found, and a structure row per structure found', () => {
    const rows = nearMenuRows(store.getState(), { classes: CLASSES, present: ['bone', 'liver'] });
    expect(item(rows, 'group:vessel')?.disabled).toBe(true);
    expect(item(rows, 'group:bone')?.disabled).toBe(false);
    expect(items(rows).filter((i) => i.id.startsWith('vis:')).map((i) => i.id)).toEqual(['vis:bone', 'vis:liver']);
  });

  it('follows the state: a cut on shows its preset active and enables "No cuts"', () => {
    const s = createHologramStore({ shared: initialSharedState(CLASSES) });
    expect(item(quickMenuRows(s.getState(), { classes: CLASSES, present: [] }), 'cut:clear')?.disabled).toBe(true);
    s.dispatch({ type: 'cut/upsert', id: 'axial', cut: { normal: [0, 0, 1], offset: 10, showSlice: true } });
    const rows = quickMenuRows(s.getState(), { classes: CLASSES, present: [] });
    expect(item(rows, 'cut:axial')?.active).toBe(true);
    expect(item(rows, 'cut:clear')?.disabled).toBe(false);
  });

  it('puts the extensions\' rows just before the Session section', () => {
    const rows = nearMenuRows(store.getState(), { classes: CLASSES, present: [] }, [{ title: 'Room' }]);
    expect(titles(rows).slice(-2)).toEqual(['Room', 'Session']);
  });

  it('opens with the scope warning only when the series is outside the scope', () => {
    const out = quickMenuRows(store.getState(), { classes: CLASSES, present: [], scope: { bodyPart: 'HEAD', inScope: false, note: 'n' } });
    expect(out[0]).toEqual({ title: 'Labels not reliable' });
    const inScope = quickMenuRows(store.getState(), { classes: CLASSES, present: [], scope: { bodyPart: 'CHEST', inScope: true } });
    expect(inScope[0]).toEqual({ title: 'Tool' });
  });
});
