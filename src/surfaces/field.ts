/**
 * From a label map to the scalar field that marching tetrahedra contours: per-class bounding boxes
 * (one pass over the labels for all classes) and the class mask, cropped, padded and smoothed by a
 * small separable Gaussian, streamed one z-layer at a time.
 */

import type { LabelMap } from '../volume/types';
import type { FieldLayers, LayerRect } from './marchingTetrahedra';

export interface ClassStats {
  /** Voxels per class id (index 0..255). */
  voxels: Float64Array;
  /**
   * Voxel faces between a class and anything else, per class id: proportional to the size of its
   * surface, so a good predictor of its full-resolution triangle count.
   */
  boundaryFaces: Float64Array;
  /** Inclusive voxel bounding box per class id: [i0, j0, k0, i1, j1, k1] at 6*id; i0 > i1 when absent. */
  boxes: Int32Array;
}

/** One pass over the label map: voxel counts, boundary faces and bounding boxes of every class. */
export function classStats(labels: LabelMap): ClassStats {
  const [nx, ny, nz] = labels.dims;
  const data = labels.data;
  const voxels = new Float64Array(256);
  const boundaryFaces = new Float64Array(256);
  const boxes = new Int32Array(256 * 6);
  for (let id = 0; id < 256; id++) {
    boxes[id * 6] = boxes[id * 6 + 1] = boxes[id * 6 + 2] = 2147483647;
    boxes[id * 6 + 3] = boxes[id * 6 + 4] = boxes[id * 6 + 5] = -1;
  }
  const plane = nx * ny;
  // Per-slice and per-row extents are tracked with counts to avoid per-voxel box updates.
  const rowMinX = new Int32Array(256);
  const rowMaxX = new Int32Array(256);
  const rowSeen = new Uint8Array(256);
  const seenIds: number[] = [];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = k * plane + j * nx;
      for (let i = 0; i < nx; i++) {
        const v = data[row + i];
        // Faces with the +x, +y, +z neighbours (and the grid border, which counts as "else").
        const vx = i + 1 < nx ? data[row + i + 1] : 0;
        const vy = j + 1 < ny ? data[row + i + nx] : 0;
        const vz = k + 1 < nz ? data[row + i + plane] : 0;
        if (v !== vx) { boundaryFaces[v]++; boundaryFaces[vx]++; }
        if (v !== vy) { boundaryFaces[v]++; boundaryFaces[vy]++; }
        if (v !== vz) { boundaryFaces[v]++; boundaryFaces[vz]++; }
        if (v === 0) continue;
        voxels[v]++;
        if (!rowSeen[v]) {
          rowSeen[v] = 1;
          seenIds.push(v);
          rowMinX[v] = i;
        }
        rowMaxX[v] = i;
      }
      for (const id of seenIds) {
        const b = id * 6;
        if (rowMinX[id] < boxes[b]) boxes[b] = rowMinX[id];
        if (rowMaxX[id] > boxes[b + 3]) boxes[b + 3] = rowMaxX[id];
        if (j < boxes[b + 1]) boxes[b + 1] = j;
        if (j > boxes[b + 4]) boxes[b + 4] = j;
        if (k < boxes[b + 2]) boxes[b + 2] = k;
        if (k > boxes[b + 5]) boxes[b + 5] = k;
        rowSeen[id] = 0;
      }
      seenIds.length = 0;
      // The -x, -y, -z grid borders: faces of border voxels with the outside.
      if (nx > 0) {
        const first = data[row];
        if (first !== 0) boundaryFaces[first]++;
      }
    }
  }
  for (let k = 0; k < nz; k++) for (let i = 0; i < nx; i++) { const v = data[k * plane + i]; if (v !== 0) boundaryFaces[v]++; }
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) { const v = data[j * nx + i]; if (v !== 0) boundaryFaces[v]++; }
  boundaryFaces[0] = 0;
  return { voxels, boundaryFaces, boxes };
}

/** Normalized 1-D Gaussian weights for radius ceil(3σ) (σ in voxels); [1] for σ = 0. */
export function gaussianKernel(sigma: number): Float32Array {
  if (!(sigma > 0)) return Float32Array.of(1);
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const w = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let d = -radius; d <= radius; d++) {
    const v = Math.exp((-d * d) / (2 * sigma * sigma));
    w[d + radius] = v;
    sum += v;
  }
  for (let i = 0; i < w.length; i++) w[i] /= sum;
  return w;
}

export interface MaskCrop {
  /** Lattice sizes of the padded crop. */
  nx: number;
  ny: number;
  nz: number;
  /** Grid index of the crop's lattice point (0, 0, 0); may be negative (padding outside the grid). */
  offset: [number, number, number];
}

/**
 * The padded crop around a class's voxel box: padding = kernel radius + 1, so the smoothed mask is
 * exactly 0 on the crop's outer layers and the iso-surface is closed even where the structure
 * touches the grid border (it is capped half a voxel outside the scanned field).
 */
export function maskCrop(box: ArrayLike<number>, kernelRadius: number): MaskCrop {
  const pad = kernelRadius + 1;
  return {
    nx: box[3] - box[0] + 1 + 2 * pad,
    ny: box[4] - box[1] + 1 + 2 * pad,
    nz: box[5] - box[2] + 1 + 2 * pad,
    offset: [box[0] - pad, box[1] - pad, box[2] - pad],
  };
}

interface XYLayer {
  data: Float32Array;
  /** Inclusive rectangle outside which `data` is 0. */
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * Streams the class mask of `labels` (1 where label = classId) over `crop`, smoothed by the
 * separable kernel `weights` along i, j and k. Memory: (2r + 4) layers of the crop. Each layer
 * reports the rectangle where it can be non-zero, so a class whose box is large (a speck far away
 * stretches it) costs little beyond a scan of its labels.
 */
export interface MaskFieldOptions {
  /**
   * Keep every voxel centre on its own side of the iso value: labelled centres at least
   * iso + margin, others at most iso − margin (0 < margin ≤ 0.5; undefined = no constraint).
   * The surface then has the topology of the binary mask (no thin part vanishes, no gap closes)
   * and crosses each lattice edge between (iso − margin … iso + margin)-interpolated bounds; the
   * smoothing only moves vertices along their edges.
   */
  constraintMargin?: number;
  /** Iso value the constraint refers to. Default 0.5. */
  iso?: number;
}

export function smoothedMaskLayers(
  labels: LabelMap,
  classId: number,
  crop: MaskCrop,
  weights: Float32Array,
  options: MaskFieldOptions = {},
): FieldLayers {
  const [gx, gy, gz] = labels.dims;
  const data = labels.data;
  const { nx, ny, nz } = crop;
  const [ox, oy, oz] = crop.offset;
  const plane = nx * ny;
  const r = (weights.length - 1) / 2;
  const ringSize = 2 * r + 1;
  // xy-smoothed mask layers for z - r .. z + r, indexed by layer mod ringSize; null = all zero.
  const ring: (XYLayer | null)[] = new Array(ringSize).fill(null);
  const spare: Float32Array[] = [];
  const mask = new Uint8Array(plane);
  const tmp = new Float32Array(plane);
  const rowMin = new Int32Array(ny);
  const rowMax = new Int32Array(ny);
  let nextLayer = 0;
  const margin = options.constraintMargin;
  const iso = options.iso ?? 0.5;
  const high = iso + (margin ?? 0);
  const low = iso - (margin ?? 0);

  /**
   * Clamps layer z inside rectangle (x0..x1, y0..y1) to the labels: labelled points ≥ high, others
   * ≤ low. Outside the rectangle the field is 0 and the labels hold no voxel of the class.
   */
  const constrain = (z: number, out: Float32Array, x0: number, x1: number, y0: number, y1: number) => {
    const k = z + oz;
    const inGrid = k >= 0 && k < gz;
    for (let y = y0; y <= y1; y++) {
      const j = y + oy;
      const rowInGrid = inGrid && j >= 0 && j < gy;
      const row = y * nx;
      const src = k * gx * gy + j * gx + ox;
      for (let x = x0; x <= x1; x++) {
        const i = x + ox;
        const labelled = rowInGrid && i >= 0 && i < gx && data[src + x] === classId;
        const v = out[row + x];
        if (labelled) {
          if (v < high) out[row + x] = high;
        } else if (v > low) {
          out[row + x] = low;
        }
      }
    }
  };

  /** xy-smoothed mask of crop layer z, or null if the class has no voxel there. */
  const xyLayer = (z: number): XYLayer | null => {
    const k = z + oz;
    if (k < 0 || k >= gz) return null;
    const j0 = Math.max(0, -oy), j1 = Math.min(ny, gy - oy);
    const i0 = Math.max(0, -ox), i1 = Math.min(nx, gx - ox);
    let ya = ny, yb = -1, xa = nx, xb = -1;
    for (let y = j0; y < j1; y++) {
      const src = k * gx * gy + (y + oy) * gx + ox;
      const dst = y * nx;
      let lo = -1, hi = -1;
      for (let x = i0; x < i1; x++) {
        if (data[src + x] === classId) {
          mask[dst + x] = 1;
          if (lo < 0) lo = x;
          hi = x;
        }
      }
      rowMin[y] = lo;
      rowMax[y] = hi;
      if (lo >= 0) {
        if (y < ya) ya = y;
        yb = y;
        if (lo < xa) xa = lo;
        if (hi > xb) xb = hi;
      }
    }
    if (yb < 0) return null;
    const out = spare.pop() ?? new Float32Array(plane);
    out.fill(0);
    const rect = { data: out, x0: Math.max(0, xa - r), x1: Math.min(nx - 1, xb + r), y0: Math.max(0, ya - r), y1: Math.min(ny - 1, yb + r) };
    // Along x, scattering each mask voxel into its neighbours; clears the mask as it goes.
    for (let y = ya; y <= yb; y++) {
      if (rowMin[y] < 0) continue;
      const row = y * nx;
      const lo = Math.max(0, rowMin[y] - r), hi = Math.min(nx - 1, rowMax[y] + r);
      for (let x = lo; x <= hi; x++) tmp[row + x] = 0;
      for (let x = rowMin[y]; x <= rowMax[y]; x++) {
        if (mask[row + x] === 0) continue;
        mask[row + x] = 0;
        const a = Math.max(0, x - r), b = Math.min(nx - 1, x + r);
        for (let xx = a; xx <= b; xx++) tmp[row + xx] += weights[xx - x + r];
      }
    }
    // Along y, scattering each row into its neighbours.
    for (let y = ya; y <= yb; y++) {
      if (rowMin[y] < 0) continue;
      const row = y * nx;
      const lo = Math.max(0, rowMin[y] - r), hi = Math.min(nx - 1, rowMax[y] + r);
      const a = Math.max(0, y - r), b = Math.min(ny - 1, y + r);
      for (let yy = a; yy <= b; yy++) {
        const w = weights[yy - y + r];
        const dst = yy * nx;
        for (let x = lo; x <= hi; x++) out[dst + x] += w * tmp[row + x];
      }
    }
    return rect;
  };

  return {
    nx,
    ny,
    nz,
    layer(z: number, out: Float32Array): LayerRect | null {
      // Bring layers up to z + r into the ring.
      while (nextLayer <= z + r) {
        const slot = nextLayer % ringSize;
        const old = ring[slot];
        if (old) spare.push(old.data);
        ring[slot] = nextLayer < nz ? xyLayer(nextLayer) : null;
        nextLayer++;
      }
      out.fill(0);
      let x0 = nx, x1 = -1, y0 = ny, y1 = -1;
      for (let d = -r; d <= r; d++) {
        const zz = z + d;
        if (zz < 0 || zz >= nz) continue;
        const layer = ring[zz % ringSize];
        if (!layer) continue;
        const w = weights[d + r];
        const src = layer.data;
        for (let y = layer.y0; y <= layer.y1; y++) {
          const row = y * nx;
          for (let x = row + layer.x0, end = row + layer.x1; x <= end; x++) out[x] += w * src[x];
        }
        if (layer.x0 < x0) x0 = layer.x0;
        if (layer.x1 > x1) x1 = layer.x1;
        if (layer.y0 < y0) y0 = layer.y0;
        if (layer.y1 > y1) y1 = layer.y1;
      }
      if (margin !== undefined) constrain(z, out, x0, x1, y0, y1);
      return x1 < 0 ? null : { x0, x1, y0, y1 };
    },
  };
}
