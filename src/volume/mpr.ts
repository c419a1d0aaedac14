import { gridCorners, indexToPatientAffine, invertAffine, type Affine } from './geometry';
import type { Grid, Vec3, Volume } from './types';

/**
 * Multiplanar reconstruction (MPR): the CT resampled on an arbitrary plane, for the cut faces of the
 * hologram. Pure functions over typed arrays; no rendering here.
 */

/** A regular grid of pixels on a plane in patient space. */
export interface SlicePlane {
  /** LPS mm of the centre of pixel (0, 0). */
  origin: Vec3;
  /** Unit LPS vector along a row (pixel x grows along it). */
  u: Vec3;
  /** Unit LPS vector down the columns (pixel y grows along it); u × v is the plane normal. */
  v: Vec3;
  /** Pixel size, mm (square pixels). */
  spacing: number;
  /** Pixels per row. */
  width: number;
  /** Rows. */
  height: number;
}

export interface SlicePlaneOptions {
  /** Largest width or height in pixels (default 512): the pixel size grows to keep the slice within it. */
  maxSize?: number;
  /** Pixel size, mm (default: the volume's finest voxel spacing). */
  spacing?: number;
  /**
   * Size the slice to hold the volume's footprint in every orientation (a square as wide as the
   * volume's diagonal), so that a plane turning freely keeps one pixel grid size.
   */
  anyOrientation?: boolean;
}

/**
 * Display axes for the three anatomical planes, by the patient axis the plane is most normal to
 * (radiological convention: patient left on the image's right, anterior on the left in sagittal,
 * superior at the top).
 */
const DISPLAY_AXES: ReadonlyArray<{ u: Vec3; v: Vec3 }> = [
  { u: [0, 1, 0], v: [0, 0, -1] }, // normal ≈ L: sagittal
  { u: [1, 0, 0], v: [0, 0, -1] }, // normal ≈ P: coronal
  { u: [1, 0, 0], v: [0, 1, 0] }, // normal ≈ S: axial
];

function dot(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function unit(a: Readonly<Vec3>, what: string): Vec3 {
  const n = Math.hypot(a[0], a[1], a[2]);
  if (!(n > 1e-12)) throw new Error(`MPR: ${what} has zero length`);
  return [a[0] / n, a[1] / n, a[2] / n];
}

/** `a` without its component along unit vector `n`. */
function reject(a: Readonly<Vec3>, n: Readonly<Vec3>): Vec3 {
  const d = dot(a, n);
  return [a[0] - d * n[0], a[1] - d * n[1], a[2] - d * n[2]];
}

/** The slice's in-plane display axes (u along rows, v down the columns) for a plane normal. */
export function sliceAxes(normal: Readonly<Vec3>): { u: Vec3; v: Vec3; normal: Vec3 } {
  const n = unit(normal, 'the plane normal');
  const axis = [0, 1, 2].reduce((best, a) => (Math.abs(n[a]) > Math.abs(n[best]) ? a : best), 0);
  const u = unit(reject(DISPLAY_AXES[axis].u, n), 'the slice row axis');
  const v = unit(reject(reject(DISPLAY_AXES[axis].v, n), u), 'the slice column axis');
  return { u, v, normal: n };
}

/**
 * The pixel grid on the plane {p : normal · p = offset} (LPS mm) that covers the whole volume.
 *
 * Its in-plane axes depend on the normal only, and its extent on the volume's corners projected onto
 * them, so moving the plane along its normal keeps the slice's size: a texture made for one offset
 * serves every offset. Pixel centres sit on the projection of a voxel centre, so an axis-aligned
 * slice through a voxel layer samples the voxels themselves.
 */
export function slicePlaneFor(grid: Grid, normal: Readonly<Vec3>, offset: number, options: SlicePlaneOptions = {}): SlicePlane {
  const { u, v, normal: n } = sliceAxes(normal);
  // the volume's footprint on the plane: its voxel boxes' corners, i.e. centres widened by half a voxel
  const m = indexToPatientAffine(grid);
  const [di, dj, dk] = grid.dims;
  let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
  for (const i of [-0.5, di - 0.5]) for (const j of [-0.5, dj - 0.5]) for (const k of [-0.5, dk - 0.5]) {
    const p: Vec3 = [
      m[0] * i + m[1] * j + m[2] * k + m[3],
      m[4] * i + m[5] * j + m[6] * k + m[7],
      m[8] * i + m[9] * j + m[10] * k + m[11],
    ];
    const pu = dot(p, u), pv = dot(p, v);
    minU = Math.min(minU, pu); maxU = Math.max(maxU, pu);
    minV = Math.min(minV, pv); maxV = Math.max(maxV, pv);
  }
  if (options.anyOrientation) {
    const middle = [0, 1, 2].map((r) => m[r * 4] * (di - 1) / 2 + m[r * 4 + 1] * (dj - 1) / 2 + m[r * 4 + 2] * (dk - 1) / 2 + m[r * 4 + 3]) as Vec3;
    const half = Math.hypot(di * grid.spacing[0], dj * grid.spacing[1], dk * grid.spacing[2]) / 2;
    const mu = dot(middle, u), mv = dot(middle, v);
    minU = mu - half; maxU = mu + half; minV = mv - half; maxV = mv + half;
  }
  const maxSize = options.maxSize ?? 512;
  let spacing = options.spacing ?? Math.min(...grid.spacing);
  spacing = Math.max(spacing, (maxU - minU) / (maxSize - 1), (maxV - minV) / (maxSize - 1));
  // anchor the pixel lattice on the voxel centre nearest the volume's middle
  const middle = gridCorners(grid).reduce<Vec3>((c, p) => [c[0] + p[0] / 8, c[1] + p[1] / 8, c[2] + p[2] / 8], [0, 0, 0]);
  const inv = invertAffine(m);
  const ijk = [0, 1, 2].map((r) => Math.round(inv[r * 4] * middle[0] + inv[r * 4 + 1] * middle[1] + inv[r * 4 + 2] * middle[2] + inv[r * 4 + 3]));
  const a = [0, 1, 2].map((r) => m[r * 4] * ijk[0] + m[r * 4 + 1] * ijk[1] + m[r * 4 + 2] * ijk[2] + m[r * 4 + 3]) as Vec3;
  const au = dot(a, u), av = dot(a, v);
  // first pixel: the lattice pixel whose box holds the footprint's low edge; then enough pixels to its high edge
  const startU = au + Math.floor((minU - au) / spacing + 0.5) * spacing;
  const startV = av + Math.floor((minV - av) / spacing + 0.5) * spacing;
  // a free plane's size does not depend on where the lattice falls
  const fixed = options.anyOrientation ? Math.min(maxSize, Math.ceil((maxU - minU) / spacing) + 1) : 0;
  const width = fixed || Math.min(maxSize, Math.floor((maxU - startU) / spacing + 0.5) + 1);
  const height = fixed || Math.min(maxSize, Math.floor((maxV - startV) / spacing + 0.5) + 1);
  const shift = offset - dot(a, n);
  const o: Vec3 = [
    a[0] + (startU - au) * u[0] + (startV - av) * v[0] + shift * n[0],
    a[1] + (startU - au) * u[1] + (startV - av) * v[1] + shift * n[1],
    a[2] + (startU - au) * u[2] + (startV - av) * v[2] + shift * n[2],
  ];
  return { origin: o, u, v, spacing, width, height };
}

/** The same slice moved along its normal to a new offset (no allocation of pixels; same size). */
export function moveSlicePlane(plane: SlicePlane, normal: Readonly<Vec3>, offset: number, out: SlicePlane = { ...plane, origin: [0, 0, 0] }): SlicePlane {
  const d = offset - dot(plane.origin, normal);
  out.origin[0] = plane.origin[0] + d * normal[0];
  out.origin[1] = plane.origin[1] + d * normal[1];
  out.origin[2] = plane.origin[2] + d * normal[2];
  if (out !== plane) {
    out.u = plane.u; out.v = plane.v; out.spacing = plane.spacing; out.width = plane.width; out.height = plane.height;
  }
  return out;
}

/** Patient LPS mm of pixel (x, y)'s centre. */
export function slicePixelToPatient(plane: SlicePlane, x: number, y: number, out: Vec3 = [0, 0, 0]): Vec3 {
  const { origin: o, u, v, spacing: s } = plane;
  out[0] = o[0] + (x * u[0] + y * v[0]) * s;
  out[1] = o[1] + (x * u[1] + y * v[1]) * s;
  out[2] = o[2] + (x * u[2] + y * v[2]) * s;
  return out;
}

/** Pixel coordinates (continuous) of a patient point projected onto the slice. */
export function patientToSlicePixel(plane: SlicePlane, p: Readonly<Vec3>): [number, number] {
  const d: Vec3 = [p[0] - plane.origin[0], p[1] - plane.origin[1], p[2] - plane.origin[2]];
  return [dot(d, plane.u) / plane.spacing, dot(d, plane.v) / plane.spacing];
}

export interface ResampleSliceOptions {
  /** Output buffer of width × height HU, reused between calls (allocated when absent). */
  out?: Float32Array;
  /** The volume's patient → voxel index affine, when the caller keeps it between calls. */
  patientToIndex?: Affine;
  /** Value for pixels outside the volume (default NaN, which `windowSlice` makes transparent). */
  outside?: number;
}

/**
 * Trilinear HU on the plane's pixel centres. A pixel is inside when it falls within the volume's voxel
 * boxes (half a voxel beyond the outer centres, where the edge voxels are repeated).
 */
export function resampleSlice(volume: Volume, plane: SlicePlane, options: ResampleSliceOptions = {}): Float32Array {
  const { width, height } = plane;
  const out = options.out ?? new Float32Array(width * height);
  if (out.length < width * height) throw new Error(`MPR: output buffer holds ${out.length} pixels, the slice needs ${width * height}`);
  const outside = options.outside ?? Number.NaN;
  const [sx, sy, sz] = volume.dims;
  const sxy = sx * sy;
  const src = volume.data;
  const inv = options.patientToIndex ?? invertAffine(indexToPatientAffine(volume));
  const s = plane.spacing;
  // voxel index of pixel (0, 0) and its steps per pixel along x and y
  const o = plane.origin;
  const ox = inv[0] * o[0] + inv[1] * o[1] + inv[2] * o[2] + inv[3];
  const oy = inv[4] * o[0] + inv[5] * o[1] + inv[6] * o[2] + inv[7];
  const oz = inv[8] * o[0] + inv[9] * o[1] + inv[10] * o[2] + inv[11];
  const { u, v } = plane;
  const ux = (inv[0] * u[0] + inv[1] * u[1] + inv[2] * u[2]) * s;
  const uy = (inv[4] * u[0] + inv[5] * u[1] + inv[6] * u[2]) * s;
  const uz = (inv[8] * u[0] + inv[9] * u[1] + inv[10] * u[2]) * s;
  const vx = (inv[0] * v[0] + inv[1] * v[1] + inv[2] * v[2]) * s;
  const vy = (inv[4] * v[0] + inv[5] * v[1] + inv[6] * v[2]) * s;
  const vz = (inv[8] * v[0] + inv[9] * v[1] + inv[10] * v[2]) * s;
  const eps = 1e-6;
  const mx = sx - 1, my = sy - 1, mz = sz - 1;
  // neighbour offsets; a single voxel layer along an axis interpolates within it only
  const dxo = sx > 1 ? 1 : 0, dyo = sy > 1 ? sx : 0, dzo = sz > 1 ? sxy : 0;
  const row = ROW_SCRATCH;
  let n = 0;
  for (let py = 0; py < height; py++, n += width) {
    const x = ox + py * vx, y = oy + py * vy, z = oz + py * vz;
    // Pixels of this row inside the volume's footprint, and within them the run whose 8 neighbours
    // all exist (strict interior: no clamping, no bounds checks in the hot loop).
    row[0] = 0; row[1] = width - 1; row[2] = 0; row[3] = width - 1;
    clipRun(x, ux, -0.5 - eps, sx - 0.5 + eps, 1e-4, mx - 1e-4, row);
    clipRun(y, uy, -0.5 - eps, sy - 0.5 + eps, 1e-4, my - 1e-4, row);
    clipRun(z, uz, -0.5 - eps, sz - 0.5 + eps, 1e-4, mz - 1e-4, row);
    const first = row[0], last = row[1];
    if (first > last) {
      out.fill(outside, n, n + width);
      continue;
    }
    const fastFirst = Math.max(row[2], first), fastLast = Math.min(row[3], last);
    out.fill(outside, n, n + first);
    out.fill(outside, n + last + 1, n + width);
    for (let px = first; px <= last; px++) {
      if (px === fastFirst && fastFirst <= fastLast) {
        // hot loop: strictly inside
        let cx = x + px * ux, cy = y + px * uy, cz = z + px * uz;
        for (; px <= fastLast; px++, cx += ux, cy += uy, cz += uz) {
          const x0 = cx | 0, y0 = cy | 0, z0 = cz | 0;
          const fx = cx - x0, fy = cy - y0, fz = cz - z0;
          const b = x0 + y0 * sx + z0 * sxy;
          const a0 = src[b], a1 = src[b + 1], a2 = src[b + sx], a3 = src[b + sx + 1];
          const b0 = src[b + sxy], b1 = src[b + sxy + 1], b2 = src[b + sxy + sx], b3 = src[b + sxy + sx + 1];
          const c00 = a0 + (a1 - a0) * fx, c10 = a2 + (a3 - a2) * fx;
          const c01 = b0 + (b1 - b0) * fx, c11 = b2 + (b3 - b2) * fx;
          const c0 = c00 + (c10 - c00) * fy, c1 = c01 + (c11 - c01) * fy;
          out[n + px] = c0 + (c1 - c0) * fz;
        }
        px--;
        continue;
      }
      // the half-voxel rim: edge voxels repeat
      const cx = x + px * ux, cy = y + px * uy, cz = z + px * uz;
      const xc = cx < 0 ? 0 : cx > mx ? mx : cx;
      const yc = cy < 0 ? 0 : cy > my ? my : cy;
      const zc = cz < 0 ? 0 : cz > mz ? mz : cz;
      let x0 = xc | 0, y0 = yc | 0, z0 = zc | 0;
      if (x0 === mx && mx > 0) x0 = mx - 1;
      if (y0 === my && my > 0) y0 = my - 1;
      if (z0 === mz && mz > 0) z0 = mz - 1;
      const fx = xc - x0, fy = yc - y0, fz = zc - z0;
      const b = x0 + y0 * sx + z0 * sxy;
      const c00 = src[b] + (src[b + dxo] - src[b]) * fx;
      const c10 = src[b + dyo] + (src[b + dyo + dxo] - src[b + dyo]) * fx;
      const c01 = src[b + dzo] + (src[b + dzo + dxo] - src[b + dzo]) * fx;
      const c11 = src[b + dzo + dyo] + (src[b + dzo + dyo + dxo] - src[b + dzo + dyo]) * fx;
      const c0 = c00 + (c10 - c00) * fy;
      const c1 = c01 + (c11 - c01) * fy;
      out[n + px] = c0 + (c1 - c0) * fz;
    }
  }
  return out;
}

const ROW_SCRATCH = new Float64Array(4);

/**
 * Narrows the pixel runs of a row where start + px·step lies in [lo, hi] (run `row[0..1]`) and in
 * [fastLo, fastHi] (run `row[2..3]`), px integer.
 */
function clipRun(start: number, step: number, lo: number, hi: number, fastLo: number, fastHi: number, row: Float64Array): void {
  if (step === 0) {
    if (start < lo || start > hi) { row[0] = 1; row[1] = 0; }
    if (start < fastLo || start > fastHi) { row[2] = 1; row[3] = 0; }
    return;
  }
  let a = (lo - start) / step, b = (hi - start) / step;
  if (a > b) { const t = a; a = b; b = t; }
  row[0] = Math.max(row[0], Math.ceil(a));
  row[1] = Math.min(row[1], Math.floor(b));
  if (fastLo > fastHi) { row[2] = 1; row[3] = 0; return; }
  let c = (fastLo - start) / step, d = (fastHi - start) / step;
  if (c > d) { const t = c; c = d; d = t; }
  row[2] = Math.max(row[2], Math.ceil(c));
  row[3] = Math.min(row[3], Math.floor(d));
}

/**
 * A half-resolution slice (each pixel standing for a 2×2 block, same first pixel) blown up onto the
 * full grid: the preview a moving cut shows. Works for any element type (HU, masks, RGBA words).
 */
export function expandHalf<T extends Float32Array | Uint8Array | Uint32Array>(coarse: T, coarseWidth: number, out: T, width: number, height: number): T {
  for (let y = 0; y < height; y++) {
    const row = (y >> 1) * coarseWidth;
    for (let x = 0, n = y * width; x < width; x++, n++) out[n] = coarse[row + (x >> 1)];
  }
  return out;
}

/** Every other pixel of every other row: a full slice down to its half-resolution grid. */
export function subsampleHalf<T extends Float32Array | Uint8Array>(full: T, width: number, height: number, out: T): T {
  const cw = Math.ceil(width / 2);
  for (let y = 0, cy = 0; y < height; y += 2, cy++) {
    for (let x = 0, n = cy * cw; x < width; x += 2, n++) out[n] = full[x + y * width];
  }
  return out;
}

/** The half-resolution grid of a slice: same first pixel centre and axes, twice the pixel size. */
export function halfSlicePlane(plane: SlicePlane): SlicePlane {
  return { ...plane, origin: [...plane.origin] as Vec3, spacing: plane.spacing * 2, width: Math.ceil(plane.width / 2), height: Math.ceil(plane.height / 2) };
}

/** A display window: HU level (centre) and width. */
export interface HuWindow {
  width: number;
  level: number;
}

/** The two windows of the cut faces. */
export const SLICE_WINDOWS = {
  bone: { width: 1500, level: 300 },
  'soft-tissue': { width: 400, level: 40 },
} as const satisfies Record<string, HuWindow>;

/** Grey value 0..255 of a HU under a window (linear ramp over [level − width/2, level + width/2]). */
export function windowGrey(hu: number, window: HuWindow): number {
  const g = ((hu - (window.level - window.width / 2)) * 255) / window.width;
  return g <= 0 ? 0 : g >= 255 ? 255 : (g + 0.5) | 0;
}

/**
 * Marks the air around the body: pixels below `thresholdHu` (or outside the volume) connected to the
 * slice's border (4-neighbours). Air inside the body (lungs, bowel gas) stays unmarked. So the cut
 * shows the patient, not a black square, while the lungs keep their CT. `mask` (width·height bytes:
 * 1 = outside air) and `stack` (width·height ints) are reused between calls.
 */
export function markOutsideAir(hu: Float32Array, width: number, height: number, thresholdHu: number, mask: Uint8Array, stack: Int32Array): Uint8Array {
  const count = width * height;
  mask.fill(0, 0, count);
  let top = 0;
  const seed = (i: number) => {
    const h = hu[i];
    if (mask[i] === 0 && !(h >= thresholdHu)) {
      mask[i] = 1;
      stack[top++] = i;
    }
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed(x + (height - 1) * width);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  while (top > 0) {
    const i = stack[--top];
    const x = i % width;
    if (x > 0) seed(i - 1);
    if (x < width - 1) seed(i + 1);
    if (i >= width) seed(i - width);
    if (i < count - width) seed(i + width);
  }
  return mask;
}

/**
 * HU → RGBA bytes (grey, opaque; NaN = outside the volume → transparent; `transparent[i]` = 1 → also
 * transparent, e.g. the air around the body), `out` reused between calls. Row y of the slice is row y of
 * the bytes.
 */
export function windowSlice(hu: Float32Array, window: HuWindow, out?: Uint8Array, count = hu.length, transparent?: Uint8Array): Uint8Array {
  const rgba = out ?? new Uint8Array(count * 4);
  if (rgba.length < count * 4) throw new Error(`MPR: RGBA buffer holds ${rgba.length / 4} pixels, the slice needs ${count}`);
  if (rgba.byteOffset % 4 !== 0) throw new Error('MPR: the RGBA buffer must start on a 4-byte boundary');
  // one 32-bit write per pixel: bytes R, G, B, A = g, g, g, 255 (little-endian, as every browser is)
  const words = new Uint32Array(rgba.buffer, rgba.byteOffset, count);
  const low = window.level - window.width / 2;
  const width = window.width;
  for (let i = 0; i < count; i++) {
    const h = hu[i];
    if (h !== h || (transparent !== undefined && transparent[i] === 1)) {
      words[i] = 0;
      continue;
    }
    const g = ((h - low) * 255) / width;
    const b = g <= 0 ? 0 : g >= 255 ? 255 : (g + 0.5) | 0;
    words[i] = 0xff000000 | (b << 16) | (b << 8) | b;
  }
  return rgba;
}
