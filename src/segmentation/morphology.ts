/**
 * Binary morphology on 0/1 masks over a voxel grid (i fastest), with box and in-plane octagon
 * structuring elements. A box is separable, so each operation is three 1-D passes whatever the
 * radius. Beyond the grid, dilation sees nothing set and erosion sees nothing unset: anatomy cut by
 * the field of view goes on beyond it, so the scan's border neither grows nor eats a mask.
 *
 * The `…InPlace` kernels change the mask itself and use scratch memory of one slice: on a 512²×300
 * CT each full-volume copy is 79 MB, and post-processing runs while the CT and the labels are held.
 */

export type Dims = readonly [number, number, number];
/** Half-widths of the box in voxels along i, j, k (0 = no change along that axis). */
export type Radius = readonly [number, number, number];

/** Half-widths in voxels of a box reaching `mm` along each axis (rounded down: never beyond mm). */
export function radiusInVoxels(mm: number, spacing: readonly [number, number, number]): [number, number, number] {
  return [Math.floor(mm / spacing[0] + 1e-6), Math.floor(mm / spacing[1] + 1e-6), Math.floor(mm / spacing[2] + 1e-6)];
}

/** Dilation of each row of one slice along i by ±r (`src` → `dst`), by the distance to the last set voxel. */
function dilateRows(src: Uint8Array, dst: Uint8Array, nx: number, ny: number, r: number): void {
  for (let row = 0, end = nx * ny; row < end; row += nx) {
    let last = -r - 1;
    for (let i = 0; i < nx; i++) {
      if (src[row + i]) last = i;
      dst[row + i] = i - last <= r ? 1 : 0;
    }
    last = nx + r;
    for (let i = nx - 1; i >= 0; i--) {
      if (src[row + i]) last = i;
      if (last - i <= r) dst[row + i] = 1;
    }
  }
}

/**
 * Dilation of one slice along j by ±r (`src` → `dst`): a running count of set voxels over the
 * window of rows, updated a whole row at a time (contiguous loops, not strided columns).
 */
function dilateColumns(src: Uint8Array, dst: Uint8Array, count: Uint16Array, nx: number, ny: number, r: number): void {
  count.fill(0);
  for (let j = 0; j < Math.min(r, ny); j++) for (let i = 0, o = j * nx; i < nx; i++) count[i] += src[o + i];
  for (let j = 0; j < ny; j++) {
    if (j + r < ny) for (let i = 0, o = (j + r) * nx; i < nx; i++) count[i] += src[o + i];
    if (j - r - 1 >= 0) for (let i = 0, o = (j - r - 1) * nx; i < nx; i++) count[i] -= src[o + i];
    for (let i = 0, o = j * nx; i < nx; i++) dst[o + i] = count[i] > 0 ? 1 : 0;
  }
}

/** In-plane box dilation of one slice (`src` → `dst`, `tmp` scratch; all nx·ny). */
function dilateSliceBox(src: Uint8Array, dst: Uint8Array, tmp: Uint8Array, count: Uint16Array, nx: number, ny: number, rx: number, ry: number): void {
  if (rx > 0) dilateRows(src, tmp, nx, ny, rx);
  else tmp.set(src);
  if (ry > 0) dilateColumns(tmp, dst, count, nx, ny, ry);
  else dst.set(tmp);
}

/**
 * `steps` in-plane steps of the 4-neighbour cross on one slice, in place: the voxels within city-block
 * distance `steps` of the mask (a two-pass distance transform, exact for that metric; a path that
 * short never needs to leave the slice's rectangle). `dist` is scratch of nx·ny.
 */
function dilateSliceCross(mask: Uint8Array, dist: Uint16Array, nx: number, ny: number, steps: number): void {
  if (steps <= 0) return;
  const far = Math.min(steps, nx + ny) + 1; // no distance within the slice reaches nx + ny
  for (let j = 0, n = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++, n++) {
      if (mask[n]) { dist[n] = 0; continue; }
      let d = far;
      if (i > 0 && dist[n - 1] + 1 < d) d = dist[n - 1] + 1;
      if (j > 0 && dist[n - nx] + 1 < d) d = dist[n - nx] + 1;
      dist[n] = d;
    }
  }
  for (let j = ny - 1, n = nx * ny - 1; j >= 0; j--) {
    for (let i = nx - 1; i >= 0; i--, n--) {
      let d = dist[n];
      if (i < nx - 1 && dist[n + 1] + 1 < d) d = dist[n + 1] + 1;
      if (j < ny - 1 && dist[n + nx] + 1 < d) d = dist[n + nx] + 1;
      dist[n] = d;
      mask[n] = d <= steps ? 1 : 0;
    }
  }
}

/** out = 1 − mask, in place. */
function invertInPlace(mask: Uint8Array): void {
  for (let n = 0; n < mask.length; n++) mask[n] = mask[n] ? 0 : 1;
}

/**
 * Dilation of a 0/1 mask along k by ±r voxels, in place, with scratch of one slice: bit 0 keeps the
 * input while bit 1 collects the result, in two passes in scan order (cache-friendly, unlike walking
 * along k lines).
 */
export function dilateZInPlace(mask: Uint8Array, dims: Dims, r: number): void {
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  if (r <= 0 || nz === 1) return;
  const last = new Int32Array(slice);
  last.fill(-(r + 1));
  for (let k = 0, base = 0; k < nz; k++, base += slice) {
    for (let p = 0; p < slice; p++) {
      const v = mask[base + p];
      if (v & 1) last[p] = k;
      if (k - last[p] <= r) mask[base + p] = v | 2;
    }
  }
  last.fill(nz + r);
  for (let k = nz - 1, base = (nz - 1) * slice; k >= 0; k--, base -= slice) {
    for (let p = 0; p < slice; p++) {
      const v = mask[base + p];
      if (v & 1) last[p] = k;
      mask[base + p] = last[p] - k <= r || v & 2 ? 1 : 0;
    }
  }
}

/** Dilation by a box of half-widths `radius` (voxels), in place. */
export function dilateBoxInPlace(mask: Uint8Array, dims: Dims, radius: Radius): Uint8Array {
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  if (radius[0] > 0 || radius[1] > 0) {
    const src = new Uint8Array(slice), tmp = new Uint8Array(slice), count = new Uint16Array(nx);
    for (let k = 0; k < nz; k++) {
      const out = mask.subarray(k * slice, (k + 1) * slice);
      src.set(out);
      dilateSliceBox(src, out, tmp, count, nx, ny, radius[0], radius[1]);
    }
  }
  dilateZInPlace(mask, dims, radius[2]);
  return mask;
}

/** Erosion by a box of half-widths `radius` (voxels), in place: the complement of dilating the complement. */
export function erodeBoxInPlace(mask: Uint8Array, dims: Dims, radius: Radius): Uint8Array {
  invertInPlace(mask);
  dilateBoxInPlace(mask, dims, radius);
  invertInPlace(mask);
  return mask;
}

/** Dilation by a box of half-widths `radius` (voxels). Returns a new mask. */
export function dilateBox(mask: Uint8Array, dims: Dims, radius: Radius): Uint8Array {
  return dilateBoxInPlace(mask.slice(), dims, radius);
}

/** Erosion by a box of half-widths `radius` (voxels). Returns a new mask. */
export function erodeBox(mask: Uint8Array, dims: Dims, radius: Radius): Uint8Array {
  return erodeBoxInPlace(mask.slice(), dims, radius);
}

/**
 * In-plane dilation by an octagon reaching `radius` voxels along i and j, in place: a box of half
 * the radius followed by cross steps for the rest. Close to a disk, so opening by it does not shave
 * round shapes (a box would cut the sides of anything round smaller than a few times its size).
 */
export function dilateOctagonInPlace(mask: Uint8Array, dims: Dims, radius: readonly [number, number]): Uint8Array {
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  const box = [Math.floor(radius[0] / 2), Math.floor(radius[1] / 2)] as const;
  const steps = Math.min(radius[0] - box[0], radius[1] - box[1]);
  const src = new Uint8Array(slice), tmp = new Uint8Array(slice), count = new Uint16Array(nx), dist = new Uint16Array(slice);
  for (let k = 0; k < nz; k++) {
    const out = mask.subarray(k * slice, (k + 1) * slice);
    src.set(out);
    dilateSliceBox(src, out, tmp, count, nx, ny, box[0], box[1]);
    dilateSliceCross(out, dist, nx, ny, steps);
  }
  return mask;
}

/** In-plane erosion by the same octagon, in place (the complement of dilating the complement). */
export function erodeOctagonInPlace(mask: Uint8Array, dims: Dims, radius: readonly [number, number]): Uint8Array {
  invertInPlace(mask);
  dilateOctagonInPlace(mask, dims, radius);
  invertInPlace(mask);
  return mask;
}

/** In-plane dilation by an octagon (see `dilateOctagonInPlace`). Returns a new mask. */
export function dilateOctagon(mask: Uint8Array, dims: Dims, radius: readonly [number, number]): Uint8Array {
  return dilateOctagonInPlace(mask.slice(), dims, radius);
}

/** In-plane erosion by an octagon. Returns a new mask. */
export function erodeOctagon(mask: Uint8Array, dims: Dims, radius: readonly [number, number]): Uint8Array {
  return erodeOctagonInPlace(mask.slice(), dims, radius);
}
