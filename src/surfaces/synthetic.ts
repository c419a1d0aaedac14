/**
 * Synthetic label maps with known geometry, for the analytic tests and the benchmark.
 */

import { IDENTITY_DIRECTION, type Grid, type LabelMap } from '../volume/types';

type GridGeometry = Partial<Pick<Grid, 'spacing' | 'origin' | 'direction'>>;

function emptyLabelMap(dims: [number, number, number], geometry: GridGeometry = {}): LabelMap {
  return {
    dims,
    spacing: geometry.spacing ?? [1, 1, 1],
    origin: geometry.origin ?? [0, 0, 0],
    direction: geometry.direction ?? [...IDENTITY_DIRECTION],
    data: new Uint8Array(dims[0] * dims[1] * dims[2]),
  };
}

/**
 * A ball of radius `radiusMm` (physical, so it is round whatever the spacing) centred in the grid,
 * labelled `id`; a voxel is inside when its centre is.
 */
export function sphereLabelMap(
  dims: [number, number, number],
  radiusMm: number,
  geometry: GridGeometry = {},
  id = 1,
): LabelMap {
  const labels = emptyLabelMap(dims, geometry);
  const [sx, sy, sz] = labels.spacing;
  const [cx, cy, cz] = [(dims[0] - 1) / 2, (dims[1] - 1) / 2, (dims[2] - 1) / 2];
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++) {
        const x = (i - cx) * sx, y = (j - cy) * sy, z = (k - cz) * sz;
        if (x * x + y * y + z * z <= radiusMm * radiusMm) labels.data[i + dims[0] * (j + dims[1] * k)] = id;
      }
    }
  }
  return labels;
}

/** A torus (ring radius R, tube radius r, mm) around the grid's k axis, labelled `id`. */
export function torusLabelMap(
  dims: [number, number, number],
  ringRadiusMm: number,
  tubeRadiusMm: number,
  geometry: GridGeometry = {},
  id = 1,
): LabelMap {
  const labels = emptyLabelMap(dims, geometry);
  const [sx, sy, sz] = labels.spacing;
  const [cx, cy, cz] = [(dims[0] - 1) / 2, (dims[1] - 1) / 2, (dims[2] - 1) / 2];
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++) {
        const x = (i - cx) * sx, y = (j - cy) * sy, z = (k - cz) * sz;
        const q = Math.hypot(x, y) - ringRadiusMm;
        if (q * q + z * z <= tubeRadiusMm * tubeRadiusMm) labels.data[i + dims[0] * (j + dims[1] * k)] = id;
      }
    }
  }
  return labels;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A torso-like phantom with `classes` structures (ids 1..classes) on a grid of `dims` voxels:
 * a large "body organ" ellipsoid, a spine-like column of vertebra blocks, two winding "vessels",
 * a ring, and randomly placed ellipsoids, plus speckle noise (isolated voxels, which the speck
 * filter removes). Deterministic for a given seed.
 */
export function phantomLabelMap(
  dims: [number, number, number] = [200, 200, 250],
  classes = 11,
  geometry: GridGeometry = { spacing: [1.5, 1.5, 1.5] },
  seed = 1,
): LabelMap {
  const labels = emptyLabelMap(dims, geometry);
  const [nx, ny, nz] = dims;
  const data = labels.data;
  const rand = random(seed);
  const set = (i: number, j: number, k: number, id: number) => {
    if (i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz) data[i + nx * (j + ny * k)] = id;
  };
  const ellipsoid = (c: number[], r: number[], id: number) => {
    for (let k = Math.max(0, Math.floor(c[2] - r[2])); k <= Math.min(nz - 1, Math.ceil(c[2] + r[2])); k++) {
      for (let j = Math.max(0, Math.floor(c[1] - r[1])); j <= Math.min(ny - 1, Math.ceil(c[1] + r[1])); j++) {
        for (let i = Math.max(0, Math.floor(c[0] - r[0])); i <= Math.min(nx - 1, Math.ceil(c[0] + r[0])); i++) {
          const x = (i - c[0]) / r[0], y = (j - c[1]) / r[1], z = (k - c[2]) / r[2];
          if (x * x + y * y + z * z <= 1) set(i, j, k, id);
        }
      }
    }
  };
  const tube = (path: (t: number) => number[], radius: number, id: number) => {
    const steps = nz * 4;
    for (let s = 0; s <= steps; s++) {
      const p = path(s / steps);
      const r = Math.ceil(radius);
      for (let dk = -r; dk <= r; dk++) for (let dj = -r; dj <= r; dj++) for (let di = -r; di <= r; di++) {
        if (di * di + dj * dj + dk * dk <= radius * radius) set(Math.round(p[0] + di), Math.round(p[1] + dj), Math.round(p[2] + dk), id);
      }
    }
  };
  let id = 1;
  // 1: a large organ.
  if (id <= classes) ellipsoid([nx * 0.55, ny * 0.45, nz * 0.6], [nx * 0.22, ny * 0.18, nz * 0.15], id++);
  // 2: a spine: a column of blocks with gaps.
  if (id <= classes) {
    const spine = id++;
    for (let k = Math.floor(nz * 0.05); k < nz * 0.95; k++) {
      if (k % 12 >= 10) continue;
      ellipsoid([nx * 0.5, ny * 0.75, k], [nx * 0.06, ny * 0.05, 0.6], spine);
    }
  }
  // 3, 4: winding vessels.
  if (id <= classes) tube((t) => [nx * 0.45 + nx * 0.05 * Math.sin(t * 9), ny * 0.6, nz * (0.02 + 0.96 * t)], 3.5, id++);
  if (id <= classes) tube((t) => [nx * 0.58 + nx * 0.04 * Math.cos(t * 7), ny * 0.62 + ny * 0.03 * Math.sin(t * 5), nz * (0.05 + 0.9 * t)], 2.5, id++);
  // 5: a ring (genus 1).
  if (id <= classes) {
    const ring = id++;
    const c = [nx * 0.3, ny * 0.35, nz * 0.3];
    tube((t) => [c[0] + nx * 0.1 * Math.cos(2 * Math.PI * t), c[1] + ny * 0.1 * Math.sin(2 * Math.PI * t), c[2]], 4, ring);
  }
  // The rest: random ellipsoids.
  while (id <= classes) {
    const c = [nx * (0.2 + 0.6 * rand()), ny * (0.2 + 0.6 * rand()), nz * (0.15 + 0.7 * rand())];
    const r = [nx * (0.04 + 0.08 * rand()), ny * (0.04 + 0.08 * rand()), nz * (0.03 + 0.08 * rand())];
    ellipsoid(c, r, id++);
  }
  // Speckle: isolated voxels of random classes.
  const specks = Math.floor((nx * ny * nz) / 20000);
  for (let s = 0; s < specks; s++) {
    set(Math.floor(rand() * nx), Math.floor(rand() * ny), Math.floor(rand() * nz), 1 + Math.floor(rand() * classes));
  }
  return labels;
}
