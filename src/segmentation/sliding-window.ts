/**
 * Sliding-window inference over a normalized volume on the model's canonical grid.
 *
 * The model returns hard labels (ArgMax is inside the graph, which keeps WebGPU read-back small), so
 * overlapping windows are blended by a Gaussian-weighted vote: each window votes for its label at each
 * voxel with a weight that falls off towards the window's border, where predictions see less context.
 * Votes live in a rolling slab of one window depth, so memory stays bounded for long scans.
 *
 * A 2.5D model (a 2D network per axial slice that sees `context` neighbouring slices on each side,
 * edge slices repeated inside the window) labels a slice identically in every window that holds
 * its whole context, so along z windows step by that valid interior instead of overlapping; only
 * the valid slices of each window vote, with the in-plane Gaussian weight.
 */

export type Size3 = readonly [number, number, number];

/** Start offsets of windows along one axis: evenly spread, first at 0, last flush with the end. */
export function windowStarts(length: number, patch: number, overlap: number): number[] {
  if (length <= patch) return [0];
  const step = Math.max(1, Math.floor(patch * (1 - overlap)));
  const count = Math.ceil((length - patch) / step) + 1;
  const starts: number[] = [];
  for (let n = 0; n < count; n++) starts.push(Math.round((n * (length - patch)) / (count - 1)));
  return starts;
}

/**
 * Gaussian importance map (σ = patch/8 per axis, as nnU-Net), scaled to 1..255 integers.
 * Its minimum must stay above 0, or border voxels covered by a single window would get no vote.
 */
export function gaussianWeights(size: Size3): Uint8Array {
  const [px, py, pz] = size;
  const axis = (n: number) =>
    Float64Array.from({ length: n }, (_, i) => {
      const d = i - (n - 1) / 2;
      const sigma = n / 8;
      return Math.exp(-(d * d) / (2 * sigma * sigma));
    });
  const gx = axis(px), gy = axis(py), gz = axis(pz);
  const out = new Uint8Array(px * py * pz);
  let n = 0;
  for (let k = 0; k < pz; k++) for (let j = 0; j < py; j++) for (let i = 0; i < px; i++, n++) {
    out[n] = Math.max(1, Math.round(255 * gx[i] * gy[j] * gz[k]));
  }
  return out;
}

/**
 * Window starts along z for a 2.5D model with `context` slices on each side: consecutive windows
 * overlap by at least 2·context slices, so every slice lies in the valid interior of one of them
 * (or at the volume's ends, where the repeated edge slices are the model's own padding).
 */
export function sliceWindowStarts(length: number, patch: number, context: number): number[] {
  if (length <= patch) return [0];
  const valid = patch - 2 * context;
  if (!(Number.isInteger(context) && context >= 0 && valid >= 1)) {
    throw new Error(`a 2.5D context of ${context} slices leaves no valid slice in a ${patch}-slice window`);
  }
  const count = Math.ceil((length - patch) / valid) + 1;
  const starts: number[] = [];
  for (let n = 0; n < count; n++) starts.push(Math.round((n * (length - patch)) / (count - 1)));
  return starts;
}

/**
 * The slice context of a 2.5D model from its manifest's training record (`arch: "2.5d"`,
 * `context`: slices on each side), or undefined for a 3D model (z windows then overlap as in-plane).
 */
export function sliceContextOf(manifest: { training?: Record<string, unknown> }): number | undefined {
  const t = manifest.training;
  if (t?.arch !== '2.5d' || typeof t.context !== 'number' || !Number.isInteger(t.context) || t.context < 0) return undefined;
  return t.context;
}

export interface SlidingWindowOptions {
  patchSize: Size3;
  overlap: number;
  /** Number of classes including background (labels 0..classCount-1). */
  classCount: number;
  /** Value written into the patch outside the volume (the normalized padding HU). */
  padValue: number;
  /** 2.5D models: neighbouring slices each side the model sees per slice (see `sliceContextOf`); undefined = a 3D model. */
  sliceContext?: number;
  onWindow?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export type PatchPredictor = (patch: Float32Array, size: Size3) => Promise<Uint8Array>;

/** Copies a patch out of `volume` (dims `dims`) at `start`, padding outside. */
export function extractPatch(volume: Float32Array, dims: Size3, start: Size3, size: Size3, padValue: number, out: Float32Array): Float32Array {
  const [nx, ny, nz] = dims;
  const [px, py, pz] = size;
  const [x0, y0, z0] = start;
  out.fill(padValue);
  const copyX = Math.min(px, nx - x0);
  for (let k = 0; k < pz; k++) {
    const z = z0 + k;
    if (z >= nz) break;
    for (let j = 0; j < py; j++) {
      const y = y0 + j;
      if (y >= ny) break;
      const src = x0 + nx * (y + ny * z);
      out.set(volume.subarray(src, src + copyX), px * (j + py * k));
    }
  }
  return out;
}

/** Window starts along x, y and z. */
function windowGrid(dims: Size3, patch: Size3, overlap: number, sliceContext?: number): [number[], number[], number[]] {
  return [
    windowStarts(dims[0], patch[0], overlap),
    windowStarts(dims[1], patch[1], overlap),
    sliceContext === undefined ? windowStarts(dims[2], patch[2], overlap) : sliceWindowStarts(dims[2], patch[2], sliceContext),
  ];
}

export function countWindows(dims: Size3, patch: Size3, overlap: number, sliceContext?: number): number {
  return windowGrid(dims, patch, overlap, sliceContext).reduce((n, starts) => n * starts.length, 1);
}

/** Runs `predict` over every window and returns blended labels on the volume's grid. */
export async function slidingWindowSegment(
  volume: Float32Array,
  dims: Size3,
  predict: PatchPredictor,
  options: SlidingWindowOptions,
): Promise<Uint8Array> {
  const [nx, ny, nz] = dims;
  const { patchSize: patch, classCount } = options;
  const [px, py, pz] = patch;
  if (volume.length !== nx * ny * nz) throw new Error(`volume has ${volume.length} voxels, dims say ${nx * ny * nz}`);
  const context = options.sliceContext;
  const [xs, ys, zs] = windowGrid(dims, patch, options.overlap, context);
  const total = xs.length * ys.length * zs.length;
  // 2.5D: one in-plane weight for every valid slice (its predictions do not depend on the window's z).
  const weights = gaussianWeights(context === undefined ? patch : [px, py, 1]);
  const weightPlane = context === undefined ? px * py : 0;
  const labels = new Uint8Array(nx * ny * nz);
  const slice = nx * ny;
  // Votes for z in [slabStart, slabStart + pz): classCount planes of uint16 (≤ 8 overlapping windows × 255 fits).
  const slabDepth = Math.min(pz, nz);
  const votes = new Uint16Array(classCount * slice * slabDepth);
  let slabStart = 0;
  const patchBuffer = new Float32Array(px * py * pz);
  let done = 0;

  /** Writes the argmax of the votes of z slices [slabStart, until) to labels and shifts the slab. */
  const finalize = (until: number) => {
    for (let z = slabStart; z < until; z++) {
      const zl = z - slabStart;
      for (let n = 0; n < slice; n++) {
        let best = 0;
        let bestVotes = -1;
        for (let c = 0; c < classCount; c++) {
          const v = votes[(c * slabDepth + zl) * slice + n];
          if (v > bestVotes) { bestVotes = v; best = c; }
        }
        labels[z * slice + n] = best;
      }
    }
    const shift = until - slabStart;
    if (shift <= 0) return;
    for (let c = 0; c < classCount; c++) {
      const plane = votes.subarray(c * slabDepth * slice, (c + 1) * slabDepth * slice);
      plane.copyWithin(0, shift * slice);
      plane.fill(0, (slabDepth - shift) * slice);
    }
    slabStart = until;
  };

  for (const z0 of zs) {
    // Voxels below this window's start get no more votes: settle them before the slab moves.
    if (z0 > slabStart) finalize(z0);
    // Slices of this window that vote: all for a 3D model; for 2.5D those with their whole context
    // inside the window, or at the volume's ends.
    const kFrom = context === undefined || z0 === 0 ? 0 : context;
    const kTo = context === undefined || z0 + pz >= nz ? pz : pz - context;
    for (const y0 of ys) {
      for (const x0 of xs) {
        if (options.signal?.aborted) throw options.signal.reason ?? new DOMException('Segmentation cancelled', 'AbortError');
        extractPatch(volume, dims, [x0, y0, z0], patch, options.padValue, patchBuffer);
        const predicted = await predict(patchBuffer, patch);
        for (let k = kFrom; k < kTo && z0 + k < nz; k++) {
          const zl = z0 + k - slabStart;
          for (let j = 0; j < py && y0 + j < ny; j++) {
            const row = px * (j + py * k);
            const weightRow = px * j + weightPlane * k;
            const dst = (y0 + j) * nx + x0;
            for (let i = 0; i < px && x0 + i < nx; i++) {
              const c = predicted[row + i];
              if (c >= classCount) throw new Error(`model predicted class ${c}, but the manifest lists ${classCount - 1} classes`);
              votes[(c * slabDepth + zl) * slice + dst + i] += weights[weightRow + i];
            }
          }
        }
        options.onWindow?.(++done, total);
      }
    }
  }
  finalize(nz);
  return labels;
}
