import { STRUCTURE_GROUPS, type ClassInfo, type StructureGroup } from '../segmentation/manifest';
import type { ScopeCheck } from '../segmentation/scope';
import { namesInGroup, viewCuts, viewMeasurements, viewWorldPose, type HologramState } from '../state';
import type { MenuItem, MenuRow } from './menu';

/** What the menus show beside the state: the model's classes, the structures found, the series' scope. */
export interface MenuContext {
  classes: readonly ClassInfo[];
  /** Names of the structures with a surface in this case. */
  present: readonly string[];
  scope?: ScopeCheck;
}

const GROUP_LABELS: Record<StructureGroup, string> = { bone: 'Bones', vessel: 'Vessels', organ: 'Organs' };
export const PRESETS = ['axial', 'coronal', 'sagittal'] as const;

/** The quick rows (the hand menu; the near menu starts with them): scope warning, tool, cuts, hologram, groups. */
export function quickMenuRows(s: HologramState, ctx: MenuContext): MenuRow[] {
  const { classes, present, scope } = ctx;
  const cuts = viewCuts(s);
  const planes = new Set(cuts.map((p) => p.id));
  const tool = s.local.tool;
  // a surgeon in the headset sees no report: a scan outside the model's scope is said on both menus, first
  const scopeRows: MenuRow[] = scope && !scope.inScope
    ? [{ title: 'Labels not reliable' }, [{ id: 'scope', label: `${scope.bodyPart}: outside the model's scope`, disabled: true, warning: true }]]
    : [];
  return [
    ...scopeRows,
    { title: 'Tool' },
    [
      { id: 'tool:move', label: 'Move', active: tool === 'move' },
      { id: 'tool:measure', label: 'Measure', active: tool === 'measure' },
      { id: 'tool:cut', label: 'Free cut', active: tool === 'cut' },
    ],
    { title: 'Cuts' },
    [
      ...PRESETS.map((p) => ({ id: `cut:${p}`, label: p[0].toUpperCase() + p.slice(1), active: planes.has(p) })),
      { id: 'cut:clear', label: 'No cuts', disabled: !cuts.length },
    ],
    [
      { id: 'window:soft-tissue', label: 'Soft tissue', active: s.shared.sliceWindow === 'soft-tissue' },
      { id: 'window:bone', label: 'Bone', active: s.shared.sliceWindow === 'bone' },
      { id: 'slices:toggle', label: 'CT on cuts', active: cuts.some((p) => p.showSlice), disabled: !cuts.length },
    ],
    { title: 'Hologram' },
    [
      { id: 'place', label: s.local.placing ? 'Placing…' : 'Place', active: s.local.placing },
      { id: 'true-size', label: 'True size', active: Math.abs(viewWorldPose(s).scale - 0.001) < 1e-9 },
      { id: 'reset', label: 'Reset' },
    ],
    STRUCTURE_GROUPS.filter((g) => classes.some((c) => c.group === g)).map((g) => {
      const names = namesInGroup(classes, g).filter((n) => present.includes(n));
      return { id: `group:${g}`, label: GROUP_LABELS[g], active: names.some((n) => s.shared.structures[n]?.visible), disabled: !names.length };
    }),
  ];
}

/** The near menu: the quick rows, each structure found (visibility, opacity), the extensions' rows, the session's. */
export function nearMenuRows(s: HologramState, ctx: MenuContext, extensionRows: readonly MenuRow[] = []): MenuRow[] {
  const rows: MenuRow[] = [...quickMenuRows(s, ctx), { title: 'Structures' }];
  const classes = ctx.classes.filter((c) => ctx.present.includes(c.name));
  for (let i = 0; i < classes.length; i += 2) {
    const row: MenuItem[] = [];
    for (const c of classes.slice(i, i + 2)) {
      const st = s.shared.structures[c.name];
      row.push(
        { id: `vis:${c.name}`, label: c.label, active: st?.visible, color: c.color, weight: 3 },
        { id: `op-:${c.name}`, label: '−', weight: 0.8 },
        { id: `op+:${c.name}`, label: '+', weight: 0.8 },
      );
    }
    rows.push(row);
  }
  rows.push(...extensionRows, { title: 'Session' }, [
    { id: 'measure:clear', label: `Clear measurements (${viewMeasurements(s).length})`, disabled: !viewMeasurements(s).length, weight: 2 },
    { id: 'exit', label: 'Leave XR' },
  ]);
  return rows;
}
