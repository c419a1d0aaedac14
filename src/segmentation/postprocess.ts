import type { LabelMap } from '../volume/types';
import type { ClassInfo } from './manifest';

export const DEFAULT_MIN_COMPONENT_ML = 0.1;

/**
 * Labels 6-connected components of equal non-zero labels. Returns the component id per voxel
 * (-1 for background) and, per component, its label and voxel count.
 */
export function connectedComponents(labels: LabelMap): { ids: Int32Array; labelOf: number[]; sizes: number[] } {
  const [nx, ny, nz] = labels.dims;
  const data = labels.data;
  const ids = new Int32Array(data.length).fill(-1);
  const labelOf: number[] = [];
  const sizes: number[] = [];
  const stack = new Int32Array(data.length);
  const slice = nx * ny;
  for (let seed = 0; seed < data.length; seed++) {
    const label = data[seed];
    if (label === 0 || ids[seed] >= 0) continue;
    const id = labelOf.length;
    labelOf.push(label);
    let size = 0;
    let top = 0;
    stack[top++] = seed;
    ids[seed] = id;
    while (top > 0) {
      const n = stack[--top];
      size++;
      const i = n % nx;
      const j = Math.floor(n / nx) % ny;
      const k = Math.floor(n / slice);
      // six neighbours, each pushed once
      if (i > 0 && ids[n - 1] < 0 && data[n - 1] === label) { ids[n - 1] = id; stack[top++] = n - 1; }
      if (i < nx - 1 && ids[n + 1] < 0 && data[n + 1] === label) { ids[n + 1] = id; stack[top++] = n + 1; }
      if (j > 0 && ids[n - nx] < 0 && data[n - nx] === label) { ids[n - nx] = id; stack[top++] = n - nx; }
      if (j < ny - 1 && ids[n + nx] < 0 && data[n + nx] === label) { ids[n + nx] = id; stack[top++] = n + nx; }
      if (k > 0 && ids[n - slice] < 0 && data[n - slice] === label) { ids[n - slice] = id; stack[top++] = n - slice; }
      if (k < nz - 1 && ids[n + slice] < 0 && data[n + slice] === label) { ids[n + slice] = id; stack[top++] = n + slice; }
    }
    sizes.push(size);
  }
  return { ids, labelOf, sizes };
}

/**
 * Removes specks in place: components under each class's minComponentMl, and beyond its
 * maxComponents largest. Removed voxels become background. Returns the number of voxels removed.
 */
export function removeSmallComponents(labels: LabelMap, classes: readonly ClassInfo[]): number {
  const voxelMl = (labels.spacing[0] * labels.spacing[1] * labels.spacing[2]) / 1000;
  const { ids, labelOf, sizes } = connectedComponents(labels);
  const keep = new Uint8Array(sizes.length);
  const byClass = new Map<number, number[]>();
  labelOf.forEach((label, id) => {
    const list = byClass.get(label) ?? [];
    list.push(id);
    byClass.set(label, list);
  });
  for (const [label, components] of byClass) {
    const info = classes.find((c) => c.id === label);
    const minVoxels = (info?.minComponentMl ?? DEFAULT_MIN_COMPONENT_ML) / voxelMl;
    components.sort((a, b) => sizes[b] - sizes[a]);
    const limit = info?.maxComponents ?? Infinity;
    components.forEach((id, rank) => {
      keep[id] = rank < limit && sizes[id] >= minVoxels ? 1 : 0;
    });
  }
  let removed = 0;
  for (let n = 0; n < ids.length; n++) {
    const id = ids[n];
    if (id >= 0 && !keep[id]) {
      labels.data[n] = 0;
      removed++;
    }
  }
  return removed;
}
