/**
 * Connected components (6-connected) without a per-voxel id array: a component is found again from
 * its seed when it must change, and the scanline fill below relabels a region in place, so a
 * 512²×300 CT needs one byte per voxel of working memory, not four. This keeps post-processing
 * within a few hundred MB in a browser worker.
 */
import type { Dims } from './morphology';

export interface Component {
  /** Index of the component's first voxel in scan order. */
  seed: number;
  size: number;
}

/** A growable stack of voxel indices; pass one to successive fills to reuse its memory. */
export class IndexStack {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  pop(): number {
    return this.data[--this.length];
  }
}

export interface FillResult {
  /** Voxels relabelled. */
  size: number;
  /** Sum of `values` over them (0 without `values`). */
  sum: number;
  /** Sum of the squares of `values` over them (0 without `values`). */
  sumSquares: number;
}

export interface FillOptions {
  /** Sum these values (e.g. HU, same grid) over the region. */
  values?: ArrayLike<number>;
  /** Index in `values` of the grid's first voxel (a slice of a volume: its first voxel's index). */
  valuesOffset?: number;
  /** Scratch stack to reuse between fills. */
  stack?: IndexStack;
}

/**
 * Relabels, in place, the 6-connected region of voxels equal to `from` that contains `seed`, to
 * `to` (≠ `from`). A scanline fill: each popped seed fills its whole run along i, then pushes one
 * seed per run of `from` in the four neighbouring rows (j ± 1, k ± 1), so the stack holds runs, not
 * voxels. Returns the region's size (0 when `seed` is not `from`).
 */
export function fillRegion(data: Uint8Array, dims: Dims, seed: number, from: number, to: number, options: FillOptions = {}): FillResult {
  if (from === to) throw new RangeError(`fillRegion: from and to are both ${from}`);
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  const values = options.values;
  const offset = options.valuesOffset ?? 0;
  const stack = options.stack ?? new IndexStack();
  stack.length = 0;
  let size = 0, sum = 0, sumSquares = 0;
  if (data[seed] !== from) return { size, sum, sumSquares };
  stack.push(seed);
  while (stack.length > 0) {
    const n = stack.pop();
    if (data[n] !== from) continue; // filled since it was pushed
    const row = n - (n % nx);
    let lo = n, hi = n;
    while (lo > row && data[lo - 1] === from) lo--;
    while (hi < row + nx - 1 && data[hi + 1] === from) hi++;
    for (let m = lo; m <= hi; m++) data[m] = to;
    size += hi - lo + 1;
    if (values) for (let m = lo; m <= hi; m++) { const v = values[m + offset]; sum += v; sumSquares += v * v; }
    const j = (row / nx) % ny;
    const k = (row - j * nx) / slice;
    // the same run in the four neighbouring rows: one seed per run of `from` found there
    for (let side = 0; side < 4; side++) {
      let step: number;
      if (side === 0) { if (j === 0) continue; step = -nx; }
      else if (side === 1) { if (j === ny - 1) continue; step = nx; }
      else if (side === 2) { if (k === 0) continue; step = -slice; }
      else { if (k === nz - 1) continue; step = slice; }
      let inRun = false;
      for (let m = lo + step, end = hi + step; m <= end; m++) {
        if (data[m] === from) {
          if (!inRun) { stack.push(m); inRun = true; }
        } else inRun = false;
      }
    }
  }
  return { size, sum, sumSquares };
}

/**
 * Floods the 6-connected region of voxels where `inside(n)` holds, from `seed`, calling `visit` once
 * per voxel. `mark` (one byte per voxel) records visited voxels and must be 0 on the region.
 * Generic and slow (two calls per voxel): hot paths use `fillRegion`.
 */
export function floodRegion(dims: Dims, seed: number, inside: (n: number) => boolean, mark: Uint8Array, visit: (n: number) => void): number {
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  const stack = new IndexStack();
  stack.push(seed);
  mark[seed] = 1;
  let size = 0;
  while (stack.length > 0) {
    const n = stack.pop();
    visit(n);
    size++;
    const i = n % nx;
    const j = ((n - i) / nx) % ny;
    const k = (n - i - j * nx) / slice;
    let m: number;
    if (i > 0 && !mark[(m = n - 1)] && inside(m)) { mark[m] = 1; stack.push(m); }
    if (i < nx - 1 && !mark[(m = n + 1)] && inside(m)) { mark[m] = 1; stack.push(m); }
    if (j > 0 && !mark[(m = n - nx)] && inside(m)) { mark[m] = 1; stack.push(m); }
    if (j < ny - 1 && !mark[(m = n + nx)] && inside(m)) { mark[m] = 1; stack.push(m); }
    if (k > 0 && !mark[(m = n - slice)] && inside(m)) { mark[m] = 1; stack.push(m); }
    if (k < nz - 1 && !mark[(m = n + slice)] && inside(m)) { mark[m] = 1; stack.push(m); }
  }
  return size;
}

/** The 6-connected components of the voxels equal to `value` in `mask`, in scan order of their seeds. */
export function findComponents(mask: Uint8Array, dims: Dims, value = 1): Component[] {
  const work = mask.slice();
  const other = value === 0 ? 1 : 0;
  const stack = new IndexStack();
  const out: Component[] = [];
  for (let n = 0; n < work.length; n++) {
    if (work[n] !== value) continue;
    out.push({ seed: n, size: fillRegion(work, dims, n, value, other, { stack }).size });
  }
  return out;
}

/** Marks a found component in place (labels below it only). */
const FOUND_BIT = 128;

/**
 * The components of each non-zero label of a label array, grouped by label, largest first. `data`
 * is unchanged on return; while it runs, found components carry the top bit (labels below 128), so
 * no copy of the labels is needed; labels from 128 up fall back to a copy.
 */
export function componentsByLabel(data: Uint8Array, dims: Dims): Map<number, Component[]> {
  let high = false;
  for (let n = 0; n < data.length; n++) if (data[n] >= FOUND_BIT) { high = true; break; }
  // on a copy, found components are set to 0: the scan skips them, and other labels never match 0
  const work = high ? data.slice() : data;
  const stack = new IndexStack();
  const byLabel = new Map<number, Component[]>();
  for (let n = 0; n < work.length; n++) {
    const label = work[n];
    if (label === 0 || (!high && label >= FOUND_BIT)) continue;
    const { size } = fillRegion(work, dims, n, label, high ? 0 : label | FOUND_BIT, { stack });
    const list = byLabel.get(label) ?? [];
    list.push({ seed: n, size });
    byLabel.set(label, list);
  }
  if (!high) for (let n = 0; n < data.length; n++) data[n] &= FOUND_BIT - 1;
  for (const list of byLabel.values()) list.sort((a, b) => b.size - a.size || a.seed - b.seed);
  return byLabel;
}
