import type { Grid, Mat3, Vec3 } from './types';

/**
 * 4×4 row-major matrix mapping voxel index (i, j, k, 1) to patient LPS mm.
 * Row-major so that m[r*4 + c] reads as written on paper.
 */
export type Affine = Float64Array;

export function indexToPatientAffine(grid: Grid): Affine {
  const { spacing: s, direction: d, origin: o } = grid;
  // column c of the 3×3 part = direction column c × spacing c
  return Float64Array.from([
    d[0] * s[0], d[3] * s[1], d[6] * s[2], o[0],
    d[1] * s[0], d[4] * s[1], d[7] * s[2], o[1],
    d[2] * s[0], d[5] * s[1], d[8] * s[2], o[2],
    0, 0, 0, 1,
  ]);
}

/** Inverse of an affine whose 3×3 part is invertible. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, , d, e, f, , g, h, i] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error('affine is singular');
  const r = new Float64Array(16);
  r[0] = (e * i - f * h) / det; r[1] = (c * h - b * i) / det; r[2] = (b * f - c * e) / det;
  r[4] = (f * g - d * i) / det; r[5] = (a * i - c * g) / det; r[6] = (c * d - a * f) / det;
  r[8] = (d * h - e * g) / det; r[9] = (b * g - a * h) / det; r[10] = (a * e - b * d) / det;
  for (let row = 0; row < 3; row++) {
    r[row * 4 + 3] = -(r[row * 4] * m[3] + r[row * 4 + 1] * m[7] + r[row * 4 + 2] * m[11]);
  }
  r[15] = 1;
  return r;
}

export function multiplyAffines(a: Affine, b: Affine): Affine {
  const r = new Float64Array(16);
  for (let row = 0; row < 4; row++) {
    for (let col = 0; col < 4; col++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += a[row * 4 + k] * b[k * 4 + col];
      r[row * 4 + col] = sum;
    }
  }
  return r;
}

export function applyAffine(m: Affine, p: Readonly<Vec3>, out: Vec3 = [0, 0, 0]): Vec3 {
  const x = p[0], y = p[1], z = p[2];
  out[0] = m[0] * x + m[1] * y + m[2] * z + m[3];
  out[1] = m[4] * x + m[5] * y + m[6] * z + m[7];
  out[2] = m[8] * x + m[9] * y + m[10] * z + m[11];
  return out;
}

export function indexToPatient(grid: Grid, ijk: Readonly<Vec3>): Vec3 {
  return applyAffine(indexToPatientAffine(grid), ijk);
}

export function patientToIndex(grid: Grid, lps: Readonly<Vec3>): Vec3 {
  return applyAffine(invertAffine(indexToPatientAffine(grid)), lps);
}

/** LPS ↔ RAS: negate x and y. As a matrix it is its own inverse. */
export const LPS_TO_RAS: Affine = Float64Array.from([-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

/** The NIfTI-style RAS affine of a grid (voxel index → RAS mm). */
export function rasAffine(grid: Grid): Affine {
  return multiplyAffines(LPS_TO_RAS, indexToPatientAffine(grid));
}

/**
 * Grid whose voxel → RAS mm mapping equals `ras` (a NIfTI sform/qform). Spacing is the column norms;
 * direction is the normalized columns, orthonormalized when a small shear from rounding is present.
 */
export function gridFromRasAffine(ras: Affine, dims: Vec3): Grid {
  const lps = multiplyAffines(LPS_TO_RAS, ras);
  const spacing: Vec3 = [0, 0, 0];
  const direction = new Array<number>(9).fill(0) as unknown as Mat3;
  for (let c = 0; c < 3; c++) {
    const col = [lps[c], lps[4 + c], lps[8 + c]];
    const norm = Math.hypot(col[0], col[1], col[2]);
    if (!(norm > 0)) throw new Error(`affine column ${c} has zero length`);
    spacing[c] = norm;
    for (let r = 0; r < 3; r++) direction[c * 3 + r] = col[r] / norm;
  }
  return { dims: [...dims] as Vec3, spacing, origin: [lps[3], lps[7], lps[11]], direction };
}

export function determinant3(d: Readonly<Mat3>): number {
  return (
    d[0] * (d[4] * d[8] - d[7] * d[5]) -
    d[3] * (d[1] * d[8] - d[7] * d[2]) +
    d[6] * (d[1] * d[5] - d[4] * d[2])
  );
}

/** The eight corner voxel centres of a grid in LPS mm. */
export function gridCorners(grid: Grid): Vec3[] {
  const m = indexToPatientAffine(grid);
  const [nx, ny, nz] = grid.dims;
  const corners: Vec3[] = [];
  for (const k of [0, nz - 1]) for (const j of [0, ny - 1]) for (const i of [0, nx - 1]) corners.push(applyAffine(m, [i, j, k]));
  return corners;
}

/** Axis-aligned LPS bounding box of the voxel centres of a grid. */
export function gridBounds(grid: Grid): { min: Vec3; max: Vec3 } {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const p of gridCorners(grid)) {
    for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a], p[a]);
      max[a] = Math.max(max[a], p[a]);
    }
  }
  return { min, max };
}

/** Three-letter orientation code of a grid's axes (the patient direction each index axis points to), e.g. "LPS", "RAS". */
export function orientationCode(direction: Readonly<Mat3>): string {
  const letters = [['L', 'R'], ['P', 'A'], ['S', 'I']];
  let code = '';
  for (let c = 0; c < 3; c++) {
    const col = [direction[c * 3], direction[c * 3 + 1], direction[c * 3 + 2]];
    let best = 0;
    for (let a = 1; a < 3; a++) if (Math.abs(col[a]) > Math.abs(col[best])) best = a;
    code += letters[best][col[best] >= 0 ? 0 : 1];
  }
  return code;
}

export function sameGeometry(a: Grid, b: Grid, toleranceMm = 1e-3): boolean {
  if (a.dims.some((n, i) => n !== b.dims[i])) return false;
  const ca = gridCorners(a);
  const cb = gridCorners(b);
  return ca.every((p, n) => Math.hypot(p[0] - cb[n][0], p[1] - cb[n][1], p[2] - cb[n][2]) <= toleranceMm);
}
