/**
 * Public types of the DICOM room: Part 10 bytes → series → `Volume`.
 *
 * Everything here is plain data so that it crosses a worker boundary unchanged. Compute code in
 * src/dicom imports no DOM and no Node API: the caller reads the files and hands over bytes.
 *
 * PRIVACY: patient identity (PatientName, PatientID) appears in exactly one place, the `patient`
 * field of {@link LoadedSeries}, for local display only. It is never written into a `Volume`, a
 * {@link SeriesSummary}, a note or a {@link SkippedFile}: those may be exported or shared.
 */
import type { Volume } from '../volume/types';

/** One file as the caller read it (from a folder, a drop, a PACS). `name` is for messages only. */
export interface DicomInputFile {
  /** A display name or relative path, used in messages and notes. Never a patient identifier. */
  name: string;
  /** The whole file, DICOM Part 10 (128-byte preamble + "DICM") or a bare data set. */
  bytes: Uint8Array;
}

/** Orientation of a stack, from its slice normal's dominant LPS axis (oblique past 30° off it). */
export type OrientationLabel = 'axial' | 'coronal' | 'sagittal' | 'oblique';

/**
 * One stack of images that can become one `Volume`: files of one SeriesInstanceUID that share
 * frame of reference, orientation, matrix, pixel spacing and image type. Contains no patient
 * identity and may be exported (CLI `info --json`, reports).
 */
export interface SeriesSummary {
  /**
   * Key to pass to {@link loadSeriesVolume}: the SeriesInstanceUID, with a `#2`, `#3`… suffix when
   * one UID held several stacks that HoloCT had to split.
   */
  id: string;
  /** The DICOM SeriesInstanceUID (0020,000E). */
  seriesInstanceUID: string;
  /** SeriesDescription (0008,103E), '' when absent. */
  description: string;
  /** SeriesNumber (0020,0011), when present. */
  seriesNumber?: number;
  /** Modality (0008,0060), e.g. 'CT'. */
  modality: string;
  /** SOP Class UID of the images (CT Image Storage, Enhanced CT Image Storage, …). */
  sopClassUID: string;
  /** ImageType / FrameType values, e.g. ['ORIGINAL', 'PRIMARY', 'AXIAL']. */
  imageType: string[];
  /** Number of files that contribute images. */
  fileCount: number;
  /** Number of image frames (slices) before duplicates are dropped. */
  sliceCount: number;
  /**
   * Grid of the volume {@link loadSeriesVolume} returns (after duplicate removal, tilt correction
   * and resampling to uniform spacing): columns, rows, slices. Absent when the geometry is unknown.
   */
  dims?: [number, number, number];
  /** Voxel spacing of that grid in mm along i (columns), j (rows), k (slices). */
  spacing?: [number, number, number];
  /** SliceThickness (0018,0050) in mm, when present (the nominal reconstructed thickness). */
  sliceThickness?: number;
  orientation?: OrientationLabel;
  /** Angle in degrees between the slice normal and the direction the slices are stacked in. */
  tiltDegrees?: number;
  /** ConvolutionKernel (0018,1210), e.g. 'B30f', joined with '\\' when multi-valued. */
  convolutionKernel?: string;
  /** BodyPartExamined (0018,0015) as the scanner wrote it, e.g. 'HEAD', 'CHEST', 'PARTIALBODY'; absent when not given. */
  bodyPart?: string;
  /** StudyDescription (0008,1030) and ProtocolName (0018,1030), when given: free text naming the examination ("CT HEAD W/O"), read for the region when Body Part Examined names none. */
  studyDescription?: string;
  protocolName?: string;
  /** Distinct transfer syntax UIDs of the files. */
  transferSyntaxes: string[];
  /** Human-readable facts a user should see (tilt, gaps, duplicates, resampling, refusals). */
  notes: string[];
  /** True when {@link loadSeriesVolume} can build a volume (it may still fail on damaged pixel data). */
  loadable: boolean;
  /** Why it cannot be loaded, when `loadable` is false. */
  refusal?: string;
  /** True for a CT volume worth segmenting: loadable, CT, Hounsfield units, at least 2 slices. */
  segmentable: boolean;
  /** Ranking used by {@link pickBestSeries}: higher is a better axial CT for segmentation. */
  score: number;
}

/** A file that is not part of any series, with the reason (non-DICOM, SR, localizer, …). */
export interface SkippedFile {
  name: string;
  reason: string;
}

/** Result of scanning a folder's files (headers only, no pixel decoding). */
export interface ScanResult {
  series: SeriesSummary[];
  skipped: SkippedFile[];
}

/**
 * Patient identity for LOCAL DISPLAY ONLY. Never put it into a Volume, notes, summaries, exports,
 * shared state or logs.
 */
export interface LocalPatientIdentity {
  name?: string;
  id?: string;
}

export interface LoadSeriesOptions {
  /** Called after each decoded source frame: `done` of `total` frames. */
  onProgress?: (done: number, total: number) => void;
  /** Aborts the load; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Pixel codecs; defaults to {@link createCodecRegistry}() (Node resolves wasm by itself). */
  codecs?: import('./codecs/registry').CodecRegistry;
}

export interface LoadedSeries {
  /**
   * HU volume in LPS. `data` is always an Int16Array of HU, rounded to the nearest integer and
   * clamped to [-32768, 32767] (values from a non-integer rescale slope or from resampling are rounded).
   */
  volume: Volume & { data: Int16Array };
  /** What was done to the data (duplicates dropped, gaps, resampling, tilt correction, lossy codec). */
  notes: string[];
  /** LOCAL DISPLAY ONLY: never export, share or log. */
  patient: LocalPatientIdentity;
  summary: SeriesSummary;
}

/**
 * A DICOM input HoloCT cannot use. `message` names the file (or series) and the reason and is fit to
 * show to a user; `cause` keeps the underlying error for debugging.
 */
export class DicomImportError extends Error {
  /** The file (display name) the error is about, when it is about one file. */
  readonly fileName?: string;

  constructor(message: string, options?: { cause?: unknown; fileName?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DicomImportError';
    this.fileName = options?.fileName;
  }
}
