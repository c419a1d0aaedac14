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

export interface PipelineWorkerApi {
  init(request: InitRequest): Promise<InitResult>;
  /** Keeps the files in the worker and scans them (headers only). Replaces earlier files. */
  open(files: DicomInputFile[]): Promise<OpenResult>;
  /** Runs the whole pipeline on the opened files; meshes stream through onMesh as they are ready. */
  segment(
    request: SegmentRequest,
    onProgress: (progress: WorkerProgress) => void,
    onMesh: (mesh: SurfaceMesh) => void,
  ): Promise<SegmentResult>;
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
