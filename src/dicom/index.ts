/**
 * DICOM room: Part 10 bytes → series → HU `Volume` (LPS). No DOM, no Node API: runs in a worker,
 * in Node and in tests. See docs/dicom.md for what HoloCT accepts.
 */
export { DicomImportError } from './types';
export type {
  DicomInputFile,
  LoadedSeries,
  LoadSeriesOptions,
  LocalPatientIdentity,
  OrientationLabel,
  ScanResult,
  SeriesSummary,
  SkippedFile,
} from './types';
export { scanDicomFiles, pickBestSeries } from './series';
export { loadSeriesVolume, FILL_HU } from './load';
export { voxelSha256, sha256Hex, Sha256 } from './sha256';
export {
  createCodecRegistry,
  defaultCodecRegistry,
  TRANSFER_SYNTAX_NAMES,
  type CodecEnvironment,
  type CodecRegistry,
  type CodecRegistryOptions,
  type FrameSpec,
  type PixelCodec,
  type RawFrame,
} from './codecs/registry';
