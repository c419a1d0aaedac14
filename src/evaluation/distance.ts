/**
 * Exact Euclidean distance transform in mm (Felzenszwalb & Huttenlocher, "Distance transforms of
 * sampled functions", Theory of Computing 8, 2012): one pass of the 1D lower envelope of parabolas
 * per axis, each with its own spacing. Used by the scorer's surface Dice (surface-dice.ts); kept
 * here, free of any label meaning, so it has its own analytic test.
 */

/**
 * Stands for "no mask voxel": finite, so the envelope's arithmetic has no Infinity − Infinity, and small
 * enough that squared distances of a scan (< 1e8 mm²) added to it keep their precision (about 1e-4).
 */
const FAR = 1e12;

/** Where the parabola rooted at sample q (at qMm) overtakes the one rooted at sample p (mm along the line). */
function intersection(g: Float64Array, p: number, q: number, spacing: number, qMm: number): number {
  const pMm = p * spacing;
  return (g[q] + qMm * qMm - (g[p] + pMm * pMm)) / (2 * (qMm - pMm));
}

/**
 * Squared distances along one line (in place on `f`, `n` samples `step` apart from `start`), given
 * squared distances `f` from the axes already passed; `spacing` in mm.
 */
function envelope1D(f: Float64Array, start: number, step: number, n: number, spacing: number, v: Int32Array, z: Float64Array, g: Float64Array): void {
  for (let q = 0; q < n; q++) g[q] = f[start + q * step];
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    const qMm = q * spacing;
    // where the parabola of q overtakes the lowest so far; z[0] = -Infinity ends the loop at k = 0
    let s = intersection(g, v[k], q, spacing, qMm);
    while (s <= z[k]) s = intersection(g, v[--k], q, spacing, qMm);
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    const qMm = q * spacing;
    while (z[k + 1] < qMm) k++;
    const d = qMm - v[k] * spacing;
    f[start + q * step] = d * d + g[v[k]];
  }
}

/**
 * Distance in mm from every voxel to the nearest voxel of `mask` (0 on the mask; Infinity where the
 * mask is empty). `dims` [nx, ny, nz], x fastest; `spacing` [sx, sy, sz] mm, axes taken as orthogonal.
 */
export function distanceToMaskMm(mask: Uint8Array, dims: readonly [number, number, number], spacing: readonly [number, number, number]): Float32Array {
  const [nx, ny, nz] = dims;
  if (mask.length !== nx * ny * nz) throw new Error(`mask has ${mask.length} voxels, dims ${dims.join('×')} hold ${nx * ny * nz}`);
  const f = new Float64Array(mask.length);
  for (let n = 0; n < mask.length; n++) f[n] = mask[n] ? 0 : FAR;
  const longest = Math.max(nx, ny, nz);
  const v = new Int32Array(longest);
  const z = new Float64Array(longest + 1);
  const g = new Float64Array(longest);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) envelope1D(f, (k * ny + j) * nx, 1, nx, spacing[0], v, z, g);
  for (let k = 0; k < nz; k++) for (let i = 0; i < nx; i++) envelope1D(f, k * nx * ny + i, nx, ny, spacing[1], v, z, g);
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) envelope1D(f, j * nx + i, nx * ny, nz, spacing[2], v, z, g);
  const out = new Float32Array(mask.length);
  for (let n = 0; n < f.length; n++) out[n] = f[n] >= FAR / 2 ? Infinity : Math.sqrt(f[n]);
  return out;
}
