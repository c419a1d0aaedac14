/**
 * Binary morphology on 0/1 masks over a voxel grid (i fastest), with box structuring elements.
 * A box is separable, so each operation is three 1-D passes whatever the radius. Beyond the grid,
 * dilation sees nothing set and erosion sees nothing unset: anatomy cut by the field of view goes on
 * beyond it, so the scan's border neither grows nor eats a mask.
 */

export type Dims = readonly [number, number, number];
/** Half-widths of the box in voxels along i, j, k (0 = no change along that axis). */
export type Radius = readonly [number, number, number];

/** Half-widths in voxels of a box reaching `mm` along each axis (rounded down: never beyond mm). */
export function radiusInVoxels(mm: number, spacing: readonly [number, number, number]): [number, number, number] {
  return [Math.floor(mm / spacing[0] + 1e-6), Math.floor(mm / spacing[1] + 1e-6), Math.floor(mm / spacing[2] + 1e-6)];
}

/** One 1-D dilation pass along `axis`: out[v] = 1 when any voxel within ±r on that line is set. */
function dilateAxis(src: Uint8Array, dims: Dims, axis: 0 | 1 | 2, r: number): Uint8Array {
  if (r <= 0) return src.slice();
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(src.length);
  const len = dims[axis];
  const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
  const lines = (nx * ny * nz) / len;
  for (let line = 0; line < lines; line++) {
    // base index of this line: enumerate the two other axes
    let base: number;
    if (axis === 0) base = line * nx;
    else if (axis === 1) base = (line % nx) + Math.floor(line / nx) * nx * ny;
    else base = line;
    // distance to the last set voxel seen going forward, then backward
    let last = -Infinity;
    for (let t = 0; t < len; t++) {
      if (src[base + t * stride]) last = t;
      if (t - last <= r) out[base + t * stride] = 1;
    }
    last = Infinity;
    for (let t = len - 1; t >= 0; t--) {
      if (src[base + t * stride]) last = t;
      if (last - t <= r) out[base + t * stride] = 1;
    }
  }
  return out;
}

/** Dilation by a box of half-widths `radius` (voxels). Returns a new mask. */
export function dilateBox(mask: Uint8Array, dims: Dims, radius: Radius): Uint8Array {
  return dilateAxis(dilateAxis(dilateAxis(mask, dims, 0, radius[0]), dims, 1, radius[1]), dims, 2, radius[2]);
}

/** Erosion by a box of half-widths `radius` (voxels): the complement of dilating the complement. */
export function erodeBox(mask: Uint8Array, dims: Dims, radius: Radius): Uint8Array {
  const inverse = new Uint8Array(mask.length);
  for (let n = 0; n < mask.length; n++) inverse[n] = mask[n] ? 0 : 1;
  const grown = dilateBox(inverse, dims, radius);
  for (let n = 0; n < grown.length; n++) grown[n] = grown[n] ? 0 : 1;
  return grown;
}

/** One in-plane step of the 4-neighbour cross: out = mask or any of its i±1, j±1 neighbours. */
function dilateCrossStep(src: Uint8Array, dims: Dims): Uint8Array {
  const [nx, ny] = dims;
  const out = src.slice();
  for (let n = 0; n < src.length; n++) {
    if (!src[n]) continue;
    const i = n % nx, j = Math.floor(n / nx) % ny;
    if (i > 0) out[n - 1] = 1;
    if (i < nx - 1) out[n + 1] = 1;
    if (j > 0) out[n - nx] = 1;
    if (j < ny - 1) out[n + nx] = 1;
  }
  return out;
}

/**
 * In-plane dilation by an octagon reaching `radius` voxels along i and j: a box of half the radius
 * followed by cross steps for the rest. Close to a disk, so opening by it does not shave round
 * shapes (a box would cut the sides of anything round smaller than a few times its size).
 */
export function dilateOctagon(mask: Uint8Array, dims: Dims, radius: readonly [number, number]): Uint8Array {
  const box = [Math.floor(radius[0] / 2), Math.floor(radius[1] / 2), 0] as const;
  const steps = Math.min(radius[0] - box[0], radius[1] - box[1]);
  let out = dilateBox(mask, dims, box);
  for (let s = 0; s < steps; s++) out = dilateCrossStep(out, dims);
  return out;
}

/** In-plane erosion by the same octagon (the complement of dilating the complement). */
export function erodeOctagon(mask: Uint8Array, dims: Dims, radius: readonly [number, number]): Uint8Array {
  const inverse = new Uint8Array(mask.length);
  for (let n = 0; n < mask.length; n++) inverse[n] = mask[n] ? 0 : 1;
  const grown = dilateOctagon(inverse, dims, radius);
  for (let n = 0; n < grown.length; n++) grown[n] = grown[n] ? 0 : 1;
  return grown;
}
