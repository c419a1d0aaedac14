import type { CodecRegistry } from '../dicom/codecs/registry';
import { loadSeriesVolume, pickBestSeries, scanDicomFiles } from '../dicom/index';
import { DicomImportError, type DicomInputFile, type LocalPatientIdentity, type ScanResult, type SeriesSummary } from '../dicom/types';
import { readNiftiVolume } from '../volume/nifti';
import type { Volume } from '../volume/types';

/** A CT ready for the pipeline, whatever it came from. */
export interface LoadedInput {
  volume: Volume;
  /** e.g. "DICOM series 'Abdomen 1.0 B30f' (512×512×300)" or the NIfTI file name. No patient identity. */
  source: string;
  /** What the importer did or noticed (tilt correction, gaps, skipped files). */
  notes: string[];
  /** The DICOM scan (all series found), when the input was DICOM. */
  scan?: ScanResult;
  /** The series that was loaded, when DICOM. */
  series?: SeriesSummary;
  /** LOCAL DISPLAY ONLY: never export, share or log. */
  patient?: LocalPatientIdentity;
}

export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}

export function isNiftiName(name: string): boolean {
  return /\.nii(\.gz)?$/i.test(name);
}

/** A NIfTI-1 file by name, or by content: "n+1" magic, or a gzip stream (DICOM is never gzipped as a whole). */
export function isNifti(file: DicomInputFile): boolean {
  const b = file.bytes;
  if (isNiftiName(file.name)) return true;
  if (b.length > 348 && b[344] === 0x6e && b[345] === 0x2b && b[346] === 0x31) return true;
  return b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;
}

export interface LoadInputOptions {
  /** Pick this DICOM series (SeriesSummary.id) instead of the best axial CT. */
  seriesId?: string;
  onProgress?: (stage: 'decode', fraction: number) => void;
  signal?: AbortSignal;
  codecs?: CodecRegistry;
}

/**
 * Files from a folder, a drop or a PACS → one CT volume. A single NIfTI file is read directly;
 * otherwise the files are scanned as DICOM and the chosen (or best) series is decoded.
 */
export async function loadInput(files: DicomInputFile[], options: LoadInputOptions = {}): Promise<LoadedInput> {
  if (files.length === 0) throw new InputError('no files were given');
  const nifti = files.filter(isNifti);
  if (nifti.length > 0) {
    if (nifti.length > 1) throw new InputError(`several NIfTI files were given (${nifti.map((f) => f.name).join(', ')}): open one at a time`);
    const volume = readNiftiVolume(nifti[0].bytes, nifti[0].name);
    const ignored = files.length - 1;
    return { volume, source: nifti[0].name, notes: ignored ? [`${ignored} other file(s) ignored: a NIfTI file was opened`] : [] };
  }
  const scan = scanDicomFiles(files);
  const notes = scan.skipped.map((s) => `skipped ${s.name}: ${s.reason}`);
  const series = options.seriesId ? scan.series.find((s) => s.id === options.seriesId) : pickBestSeries(scan.series);
  if (!series) {
    if (options.seriesId) throw new InputError(`series ${options.seriesId} is not among the ${scan.series.length} series found`);
    const reasons = [...scan.series.map((s) => `${s.description || s.seriesInstanceUID}: ${s.refusal ?? 'not a CT volume'}`), ...notes];
    throw new InputError(`no CT series that can be segmented was found in ${files.length} file(s)${reasons.length ? `:\n- ${reasons.slice(0, 12).join('\n- ')}` : ''}`);
  }
  if (!series.loadable) throw new InputError(`series ${series.description || series.id} cannot be loaded: ${series.refusal ?? 'unknown reason'}`);
  try {
    const loaded = await loadSeriesVolume(files, series.id, {
      codecs: options.codecs,
      signal: options.signal,
      onProgress: (done, total) => options.onProgress?.('decode', done / total),
    });
    const [x, y, z] = loaded.volume.dims;
    return {
      volume: loaded.volume,
      source: `DICOM series '${series.description || series.seriesInstanceUID}' (${x}×${y}×${z})`,
      notes: [...loaded.notes, ...notes],
      scan,
      series: loaded.summary,
      patient: loaded.patient,
    };
  } catch (error) {
    if (error instanceof DicomImportError || (error instanceof Error && error.name === 'AbortError')) throw error;
    throw new InputError(`could not load series ${series.description || series.id}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
