/**
 * One series → one HU `Volume`, decoding slice by slice into the final Int16Array.
 *
 * Memory stays bounded: besides the caller's file bytes and the output, at most two decoded source
 * slices (Float32 HU) and one parsed data set per file in a small cache are alive at a time.
 */
import type { DataSet } from 'dicom-parser';
import { defaultCodecRegistry } from './codecs/registry';
import { parseDataSet, reasonOf } from './header';
import { decodeFrameToInt16, decodeRawFrame, rawToHu } from './pixels';
import { buildStacks, type Stack, type StackFrame } from './series';
import { DicomImportError, type DicomInputFile, type LoadedSeries, type LoadSeriesOptions } from './types';

/** HU written where a tilt-corrected grid has no source slice (outside the scanned slab). */
export const FILL_HU = -1024;

function findStack(stacks: Stack[], seriesId: string): Stack | undefined {
  const exact = stacks.find((s) => s.id === seriesId);
  if (exact) return exact;
  // A bare SeriesInstanceUID picks the best-scoring stack of that series.
  return stacks.filter((s) => s.summary.seriesInstanceUID === seriesId).sort((a, b) => b.summary.score - a.summary.score)[0];
}

function toInt16(src: Float32Array, dst: Int16Array, offset: number): void {
  for (let i = 0; i < src.length; i++) {
    const v = Math.round(src[i]);
    dst[offset + i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}

/**
 * dst (outCols×outRows) (+)= weight × src sampled at (i + dx, j + dy), bilinear; FILL_HU outside src.
 */
function sampleShifted(
  src: Float32Array,
  cols: number,
  rows: number,
  dx: number,
  dy: number,
  dst: Float32Array,
  outCols: number,
  outRows: number,
  weight: number,
  accumulate: boolean,
): void {
  const ix = Math.floor(dx + 1e-9);
  let fx = dx - ix;
  if (fx < 1e-6) fx = 0;
  const iy = Math.floor(dy + 1e-9);
  let fy = dy - iy;
  if (fy < 1e-6) fy = 0;
  for (let j = 0; j < outRows; j++) {
    const r0 = j + iy;
    const rowOk = r0 >= 0 && (r0 < rows - 1 || (r0 === rows - 1 && fy === 0));
    const o = j * outCols;
    for (let i = 0; i < outCols; i++) {
      const c0 = i + ix;
      let value = FILL_HU;
      if (rowOk && c0 >= 0 && (c0 < cols - 1 || (c0 === cols - 1 && fx === 0))) {
        const p = r0 * cols + c0;
        if (fx === 0 && fy === 0) value = src[p];
        else if (fy === 0) value = src[p] + fx * (src[p + 1] - src[p]);
        else if (fx === 0) value = src[p] + fy * (src[p + cols] - src[p]);
        else {
          const top = src[p] + fx * (src[p + 1] - src[p]);
          const bottom = src[p + cols] + fx * (src[p + cols + 1] - src[p + cols]);
          value = top + fy * (bottom - top);
        }
      }
      dst[o + i] = accumulate ? dst[o + i] + weight * value : weight * value;
    }
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Decode a series into a HU volume in LPS.
 *
 * `seriesId` is a {@link SeriesSummary.id} from {@link scanDicomFiles} over the same files (or a bare
 * SeriesInstanceUID, which picks that series' best stack). Rejects with a DicomImportError naming the
 * file or series and the reason; with the signal's reason when aborted.
 *
 * Geometry: origin = centre of the first voxel of the sorted stack (grown towards negative i/j
 * when tilt correction needs room), direction columns = row cosine, column cosine, slice normal.
 * Data: Int16Array HU, rounded to the nearest integer (see {@link LoadedSeries.volume}).
 */
export async function loadSeriesVolume(files: DicomInputFile[], seriesId: string, options: LoadSeriesOptions = {}): Promise<LoadedSeries> {
  const codecs = options.codecs ?? defaultCodecRegistry();
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const { stacks } = buildStacks(files, codecs);
  const stack = findStack(stacks, seriesId);
  if (!stack) throw new DicomImportError(`series ${seriesId}: not found among the ${files.length} files given`);
  const { summary, plan } = stack;
  const label = `series ${summary.description ? `"${summary.description}" ` : ''}(${summary.id})`;
  if (!summary.loadable || !plan) throw new DicomImportError(`${label}: ${summary.refusal ?? 'cannot be loaded'}`);

  const [outCols, outRows, outSlices] = plan.grid.dims;
  const voxels = outCols * outRows * outSlices;
  let data: Int16Array;
  try {
    data = new Int16Array(voxels);
  } catch (error) {
    throw new DicomImportError(`${label}: not enough memory for ${outCols}×${outRows}×${outSlices} voxels`, { cause: error });
  }
  const sourceFrames = plan.order.map((i) => stack.planFrames[i]);
  const srcCols = sourceFrames[0].header.columns;
  const srcRows = sourceFrames[0].header.rows;

  // Source slices each output slice needs, in order; count them for progress.
  const needed = new Set<number>();
  for (const r of plan.recipes) {
    needed.add(r.source);
    if (r.weight > 0) needed.add(r.source + 1);
  }
  const total = needed.size;
  let done = 0;

  // Small caches: parsed data sets (multi-frame files hold many slices) and decoded HU slices.
  const dataSets = new Map<number, DataSet>();
  const dataSetOf = (fileIndex: number): DataSet => {
    let ds = dataSets.get(fileIndex);
    if (!ds) {
      ds = parseDataSet(files[fileIndex]);
      dataSets.set(fileIndex, ds);
      if (dataSets.size > 2) dataSets.delete(dataSets.keys().next().value as number);
    }
    return ds;
  };
  const wrapped = (sf: StackFrame, error: unknown): Error => {
    if (error instanceof DicomImportError) return error;
    const frameText = sf.header.numberOfFrames > 1 ? ` frame ${sf.frame.frame + 1}` : '';
    return new DicomImportError(
      `${files[sf.file].name}${frameText}: cannot decode pixel data (${codecs.describe(sf.header.transferSyntaxUID)}): ${reasonOf(error)}`,
      { cause: error, fileName: files[sf.file].name },
    );
  };
  const progressed = async () => {
    done++;
    onProgress?.(done, total);
    if (done % 16 === 0) await yieldToEventLoop();
  };
  const slices = new Map<number, Float32Array>();
  const decodeSource = async (k: number): Promise<Float32Array> => {
    const cached = slices.get(k);
    if (cached) return cached;
    signal?.throwIfAborted();
    const sf: StackFrame = sourceFrames[k];
    const hu = new Float32Array(srcCols * srcRows);
    try {
      const raw = await decodeRawFrame(dataSetOf(sf.file), sf.header, sf.frame.frame, codecs);
      rawToHu(raw, sf.header, sf.frame, hu);
    } catch (error) {
      throw wrapped(sf, error);
    }
    // Keep only the slices the next recipes can still use (this one and the one before).
    for (const key of slices.keys()) if (key < k - 1) slices.delete(key);
    slices.set(k, hu);
    await progressed();
    return hu;
  };
  /** A slice that needs no resampling: decoded in one pass from the file bytes into the volume. */
  const decodeDirect = async (k: number, offset: number): Promise<void> => {
    signal?.throwIfAborted();
    const sf: StackFrame = sourceFrames[k];
    try {
      await decodeFrameToInt16(dataSetOf(sf.file), sf.header, sf.frame, sf.frame.frame, codecs, data, offset);
    } catch (error) {
      throw wrapped(sf, error);
    }
    await progressed();
  };

  const plane = outCols * outRows;
  const blend = plan.direct ? undefined : new Float32Array(plane);
  for (let k = 0; k < outSlices; k++) {
    const recipe = plan.recipes[k];
    if (plan.direct || !blend) {
      await decodeDirect(recipe.source, k * plane);
      continue;
    }
    const a = await decodeSource(recipe.source);
    const [dxA, dyA] = plan.shifts[recipe.source];
    sampleShifted(a, srcCols, srcRows, dxA, dyA, blend, outCols, outRows, 1 - recipe.weight, false);
    if (recipe.weight > 0) {
      const b = await decodeSource(recipe.source + 1);
      const [dxB, dyB] = plan.shifts[recipe.source + 1];
      sampleShifted(b, srcCols, srcRows, dxB, dyB, blend, outCols, outRows, recipe.weight, true);
    }
    toInt16(blend, data, k * plane);
  }
  signal?.throwIfAborted();

  const firstHeader = sourceFrames[0].header;
  return {
    volume: {
      dims: [...plan.grid.dims],
      spacing: [...plan.grid.spacing],
      origin: [...plan.grid.origin],
      direction: [...plan.grid.direction],
      data,
    },
    notes: [...summary.notes],
    // LOCAL DISPLAY ONLY: never copied into the volume, the notes or the summary.
    patient: { name: firstHeader.patientName, id: firstHeader.patientId },
    summary,
  };
}
