/**
 * Anatomy as connected components: one liver, at most two kidneys, no specks of bone. Rules come per
 * class from the model manifest (`components`), so another model brings its own.
 */
import type { LabelMap } from '../volume/types';
import { componentsByLabel, fillRegion, floodRegion, IndexStack } from './components';

export interface ComponentRule {
  /** Keep at most this many components, largest first (unset: all). */
  max?: number;
  /** Drop components smaller than this, mL (unset: the options' default). */
  minMl?: number;
  /** A solid organ: fill background holes enclosed by it in each axial slice. */
  fillHoles?: boolean;
  /** Holes larger than this in an axial slice stay open, mm² (unset: any size). */
  maxHoleMm2?: number;
}

/**
 * What a dropped fragment becomes: background; the label that surrounds it most ('neighbour',
 * background included); or the structure it touches most ('adjacent', background only when it
 * touches no other structure).
 */
export type DropTarget = 'background' | 'neighbour' | 'adjacent';

export interface ComponentRulesOptions {
  dropTo: DropTarget;
  /** Minimum component size for classes whose rule sets none, mL. */
  defaultMinMl: number;
  /** Run the rules' hole filling (off to measure its effect). */
  fillHoles: boolean;
}

export interface ComponentRulesResult {
  droppedComponents: number;
  droppedVoxels: number;
  filledVoxels: number;
}

/** Applies each class's rule in place. Decisions are taken on the labels as they came in. */
export function applyComponentRules(labels: LabelMap, rules: ReadonlyMap<number, ComponentRule>, options: ComponentRulesOptions): ComponentRulesResult {
  const { dims, data } = labels;
  const voxelMl = (labels.spacing[0] * labels.spacing[1] * labels.spacing[2]) / 1000;
  const drop: Array<{ label: number; seed: number }> = [];
  for (const [label, components] of componentsByLabel(data, dims)) {
    const rule = rules.get(label) ?? {};
    const minVoxels = (rule.minMl ?? options.defaultMinMl) / voxelMl;
    components.forEach((c, rank) => {
      if ((rule.max !== undefined && rank >= rule.max) || c.size < minVoxels) drop.push({ label, seed: c.seed });
    });
  }
  let droppedVoxels = 0;
  if (options.dropTo === 'background') {
    // components of one label are disjoint, so each can go at once: nothing else changes what it is
    const stack = new IndexStack();
    for (const { label, seed } of drop) droppedVoxels += fillRegion(data, dims, seed, label, 0, { stack }).size;
  } else {
    droppedVoxels = dropToNeighbours(labels, drop, options.dropTo);
  }
  let filledVoxels = 0;
  if (options.fillHoles) {
    for (const [label, rule] of rules) if (rule.fillHoles) filledVoxels += fillHolesPerSlice(labels, label, { maxHoleMm2: rule.maxHoleMm2 });
  }
  return { droppedComponents: drop.length, droppedVoxels, filledVoxels };
}

/**
 * Gives each dropped fragment to the label that surrounds it most ('neighbour') or the structure it
 * touches most ('adjacent'). Targets are decided before any voxel changes, so the order of fragments
 * does not matter. Returns the voxels changed.
 */
function dropToNeighbours(labels: LabelMap, drop: Array<{ label: number; seed: number }>, dropTo: 'neighbour' | 'adjacent'): number {
  const { dims, data } = labels;
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  const mark = new Uint8Array(data.length);
  const changes: Array<{ voxels: number[]; target: number }> = [];
  for (const { label, seed } of drop) {
    const voxels: number[] = [];
    const around = new Map<number, number>();
    floodRegion(dims, seed, (m) => data[m] === label, mark, (n) => {
      voxels.push(n);
      const i = n % nx, j = ((n - i) / nx) % ny, k = (n - i - j * nx) / slice;
      for (const m of [i > 0 ? n - 1 : -1, i < nx - 1 ? n + 1 : -1, j > 0 ? n - nx : -1, j < ny - 1 ? n + nx : -1, k > 0 ? n - slice : -1, k < nz - 1 ? n + slice : -1]) {
        if (m >= 0 && data[m] !== label && (dropTo === 'neighbour' || data[m] !== 0)) around.set(data[m], (around.get(data[m]) ?? 0) + 1);
      }
    });
    let target = 0, best = -1;
    for (const [l, count] of around) if (count > best || (count === best && l < target)) { best = count; target = l; }
    changes.push({ voxels, target });
  }
  let changed = 0;
  for (const { voxels, target } of changes) {
    for (const n of voxels) data[n] = target;
    changed += voxels.length;
  }
  return changed;
}

/** What decides which holes are filled (every hole, without it). */
export interface HoleFilling {
  /** Holes larger than this in an axial slice stay open, mm² (unset: any size). */
  maxHoleMm2?: number;
  /** HU on the labels' grid, to measure each hole for `keepOpen`. */
  hu?: ArrayLike<number>;
  /** A hole this returns true for stays open (needs `hu`). */
  keepOpen?: (hole: HoleStats) => boolean;
  /** Only voxels set here are filled (the body, on the labels' grid). */
  inside?: Uint8Array;
}

/** One hole of one slice: its voxels (other structures inside included) and their HU. */
export interface HoleStats {
  voxels: number;
  meanHU: number;
  stdHU: number;
}

/**
 * Fills background voxels that `label` encloses within an axial slice (not reachable from the
 * slice's border without crossing `label`). Other structures inside (vessels in the liver) stay, and
 * count toward a hole's size and HU. Returns the number of voxels filled.
 */
export function fillHolesPerSlice(labels: LabelMap, label: number, filling: HoleFilling = {}): number {
  const [nx, ny, nz] = labels.dims;
  const slice = nx * ny;
  const dims2d = [nx, ny, 1] as const;
  const maxVoxels = (filling.maxHoleMm2 ?? Infinity) / (labels.spacing[0] * labels.spacing[1]);
  const { hu, keepOpen, inside } = filling;
  if (keepOpen && !hu) throw new Error('fillHolesPerSlice: keepOpen needs the HU');
  const decides = Number.isFinite(maxVoxels) || !!keepOpen;
  // per slice: 0 = `label`, OPEN = anything else; the border's region becomes REACHED; each hole is
  // measured as HOLE, then becomes FILL or (kept open) REACHED
  const open = new Uint8Array(slice);
  const stack = new IndexStack();
  const OPEN = 1, REACHED = 2, HOLE = 3, FILL = 4;
  let filled = 0;
  for (let k = 0; k < nz; k++) {
    const data = labels.data.subarray(k * slice, (k + 1) * slice);
    if (!data.includes(label)) continue;
    for (let n = 0; n < slice; n++) open[n] = data[n] === label ? 0 : OPEN;
    for (let i = 0; i < nx; i++) {
      fillRegion(open, dims2d, i, OPEN, REACHED, { stack });
      fillRegion(open, dims2d, i + (ny - 1) * nx, OPEN, REACHED, { stack });
    }
    for (let j = 0; j < ny; j++) {
      fillRegion(open, dims2d, j * nx, OPEN, REACHED, { stack });
      fillRegion(open, dims2d, j * nx + nx - 1, OPEN, REACHED, { stack });
    }
    if (decides) {
      for (let n = 0; n < slice; n++) {
        if (open[n] !== OPEN) continue;
        const { size, sum, sumSquares } = fillRegion(open, dims2d, n, OPEN, HOLE, { stack, values: hu, valuesOffset: k * slice });
        const meanHU = sum / size;
        const fill = size <= maxVoxels && !keepOpen?.({ voxels: size, meanHU, stdHU: Math.sqrt(Math.max(0, sumSquares / size - meanHU * meanHU)) });
        fillRegion(open, dims2d, n, HOLE, fill ? FILL : REACHED, { stack });
      }
    }
    const hole = decides ? FILL : OPEN;
    const body = inside?.subarray(k * slice, (k + 1) * slice);
    for (let n = 0; n < slice; n++) {
      if (open[n] === hole && data[n] === 0 && (!body || body[n])) { data[n] = label; filled++; }
    }
  }
  return filled;
}
