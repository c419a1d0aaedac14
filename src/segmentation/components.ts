/**
 * Connected components (6-connected) without a per-voxel id array: one byte per voxel marks what was
 * visited, and a component is found again from its seed when it must change. This keeps a 512²×300
 * CT within a few hundred MB in a browser worker.
 */
import type { Dims } from './morphology';

export interface Component {
  /** Index of the component's first voxel in scan order. */
  seed: number;
  size: number;
}

/** A growable stack of voxel indices. */
class IndexStack {
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

/**
 * Floods the 6-connected region of voxels where `inside(n)` holds, from `seed`, calling `visit` once
 * per voxel. `mark` (one byte per voxel) records visited voxels and must be 0 on the region.
 */
export function floodRegion(dims: Dims, seed: number, inside: (n: number) => boolean, mark: Uint8Array, visit: (n: number) => void): number {
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  const stack = new IndexStack();
  stack.push(seed);
  mark[seed] = 1;
  let size = 0;
  // Neighbours inline (no closure per voxel): this loop runs over every voxel of a CT several times.
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

/** The 6-connected components of voxels where `inside(n)` holds, in scan order of their seeds. */
export function findComponents(dims: Dims, inside: (n: number) => boolean): Component[] {
  const total = dims[0] * dims[1] * dims[2];
  const mark = new Uint8Array(total);
  const out: Component[] = [];
  for (let n = 0; n < total; n++) {
    if (mark[n] || !inside(n)) continue;
    out.push({ seed: n, size: floodRegion(dims, n, inside, mark, () => {}) });
  }
  return out;
}

/** The components of each non-zero label of a label array, grouped by label, largest first. */
export function componentsByLabel(data: Uint8Array, dims: Dims): Map<number, Component[]> {
  const total = data.length;
  const mark = new Uint8Array(total);
  const byLabel = new Map<number, Component[]>();
  for (let n = 0; n < total; n++) {
    const label = data[n];
    if (label === 0 || mark[n]) continue;
    const size = floodRegion(dims, n, (m) => data[m] === label, mark, () => {});
    const list = byLabel.get(label) ?? [];
    list.push({ seed: n, size });
    byLabel.set(label, list);
  }
  for (const list of byLabel.values()) list.sort((a, b) => b.size - a.size || a.seed - b.seed);
  return byLabel;
}
