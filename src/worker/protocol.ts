import type { DicomInputFile, ScanResult } from '../dicom/types';
import type { PipelineProgress, PipelineReport } from '../pipeline/hologram';
import type { ModelManifest } from '../segmentation/manifest';
import type { Backend } from '../segmentation/session';
import type { SurfaceMesh } from '../surfaces/types';
import type { LabelMap, Volume } from '../volume/types';

/** The typed protocol between the app and its pipeline worker (exposed with comlink). */

export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

export interface InitRequest {
  /** URL of the model manifest; the .onnx is resolved relative to it. */
  manifestUrl: string;
  backend: BackendPreference;
}

export interface InitResult {
  manifest: ModelManifest;
  backend: Backend;
  /** Why a preferred backend was not used, e.g. "WebGPU unavailable: no adapter". */
  fallbackReason?: string;
}

export type InputStage = 'read' | 'decode';

export interface WorkerProgress {
  stage: InputStage | PipelineProgress['stage'];
  fraction: number;
  detail?: string;
}

export interface OpenResult {
  /** Source description (no patient identity). */
  kind: 'dicom' | 'nifti';
  scan?: ScanResult;
}

export interface SegmentRequest {
  /** DICOM series to segment (SeriesSummary.id); default: the best axial CT. */
  seriesId?: string;
}

export interface SegmentResult {
  /** The CT, for slices on cuts (transferred). */
  volume: Volume;
  /** Labels on the CT grid (transferred). */
  labels: LabelMap;
  report: PipelineReport;
  source: string;
  notes: string[];
  /** LOCAL DISPLAY ONLY. */
  patient?: { name?: string; id?: string };
}

/** A DICOM SEG of the last segmentation, and what the user must see before it is sent. */
export interface SegExport {
  /** DICOM Part 10 bytes (transferred). */
  bytes: Uint8Array;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  segments: { label: string; frames: number }[];
  /**
   * LOCAL DISPLAY ONLY: the study's patient and study module the SEG repeats (DICOM requires it),
   * as [label, value] lines to show before sending.
   */
  repeatedModule: Array<[string, string]>;
}

export interface PipelineWorkerApi {
  init(request: InitRequest): Promise<InitResult>;
  /** Keeps the files in the worker and scans them (headers only). Replaces earlier files. */
  open(files: DicomInputFile[]): Promise<OpenResult>;
  /** Decodes a DICOM series into its CT only (a team member taking the shared case's CT from the PACS); the open files stay. */
  readVolume(files: DicomInputFile[]): Promise<Volume>;
  /** Runs the whole pipeline on the opened files; meshes stream through onMesh as they are ready. */
  segment(
    request: SegmentRequest,
    onProgress: (progress: WorkerProgress) => void,
    onMesh: (mesh: SurfaceMesh) => void,
  ): Promise<SegmentResult>;
  /**
   * The labels (on the CT grid of the last segmentation) as a DICOM SEG of the opened DICOM series.
   * Rejects when the last input was not DICOM or its files lack the UIDs a SEG must reference.
   */
  exportSeg(labels: LabelMap): Promise<SegExport>;
  /** Cancels the running segmentation; its promise rejects with an AbortError. */
  cancel(): void;
  /**
   * Runs the loaded model on one normalized window (manifest.patchSize, x fastest): the backend
   * check, and how tests compare WebGPU with onnxruntime-node on the same input.
   */
  runWindow(patch: Float32Array): Promise<WindowResult>;
}

export interface WindowResult {
  labels: Uint8Array;
  backend: Backend;
  ms: number;
}
