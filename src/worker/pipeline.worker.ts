/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { browserCodecRegistry } from '../dicom/codecs/browser-wasm';
import { scanDicomFiles } from '../dicom/index';
import { version as holoctVersion } from '../../package.json';
import type { DicomInputFile } from '../dicom/types';
import { buildHologram } from '../pipeline/hologram';
import { isNifti, loadInput } from '../pipeline/input';
import { parseManifest, type ModelManifest } from '../segmentation/manifest';
import { outOfScopeBodyPart, type ScopeCheck } from '../segmentation/scope';
import type { SegmentationSession } from '../segmentation/session';
import { meshTransferables } from '../surfaces/types';
import { browserSurfaces } from './surface-pool';
import type { InitResult, OpenResult, PipelineWorkerApi, SegExport, SegmentResult, WindowResult, WorkerProgress } from './protocol';
import type { Volume } from '../volume/types';
import { createWebSession } from './web-session';

// The worker stays thin: it holds the session and the opened files, and runs the shared pipeline.
let model: { manifest: ModelManifest; session: SegmentationSession } | undefined;
let files: DicomInputFile[] = [];
/** The DICOM series of the last segmentation (undefined for NIfTI), for the SEG export. */
let segmentedSeriesId: string | undefined;
/** The segmented series checked against the model's scope: a SEG of a series outside it says so. */
let segmentedScope: ScopeCheck | undefined;
let controller: AbortController | undefined;
const codecs = browserCodecRegistry();

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  // A single-page server answers unknown paths with index.html: that is a missing file, not a model.
  if (response.headers.get('content-type')?.includes('text/html')) throw new Error(`${url}: not found (the server sent a web page)`);
  return new Uint8Array(await response.arrayBuffer());
}

const api: PipelineWorkerApi = {
  async init({ manifestUrl, backend }): Promise<InitResult> {
    const response = await fetch(manifestUrl);
    if (!response.ok) throw new Error(`model manifest ${manifestUrl}: HTTP ${response.status}`);
    const manifest = parseManifest(await response.json(), manifestUrl);
    const bytes = await fetchBytes(new URL(manifest.file, new URL(manifestUrl, self.location.href)).href);
    await model?.session.dispose();
    const { session, fallbackReason } = await createWebSession(bytes, manifest, backend);
    model = { manifest, session };
    return { manifest, backend: session.backend, fallbackReason };
  },

  async open(input): Promise<OpenResult> {
    files = input;
    segmentedSeriesId = undefined;
    segmentedScope = undefined;
    if (input.length === 1 && isNifti(input[0])) return { kind: 'nifti' };
    return { kind: 'dicom', scan: scanDicomFiles(input) };
  },

  async readVolume(input): Promise<Volume> {
    const { volume } = await loadInput(input, { codecs });
    return Comlink.transfer(volume, [volume.data.buffer as ArrayBuffer]);
  },

  async segment(request, onProgress, onMesh): Promise<SegmentResult> {
    if (!model) throw new Error('the model is not loaded yet');
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    // The callbacks are comlink proxies: each call is a message on its own port, which may arrive after
    // the result (another port). Awaiting the last call of each (ports are FIFO) before returning makes
    // every mesh and progress step reach the page first.
    let lastProgress: unknown, lastMesh: unknown;
    const progress = (p: WorkerProgress) => { lastProgress = onProgress(p); };
    const input = await loadInput(files, { seriesId: request.seriesId, signal, codecs, onProgress: (stage, fraction) => progress({ stage, fraction }) });
    const result = await buildHologram(input.volume, model, {
      signal,
      surfaces: browserSurfaces(),
      series: input.series,
      onProgress: progress,
      onMesh: (mesh) => { lastMesh = onMesh(Comlink.transfer(mesh, meshTransferables(mesh))); },
    });
    await Promise.all([lastProgress, lastMesh]);
    segmentedSeriesId = input.series?.id;
    segmentedScope = result.report.scope;
    const out: SegmentResult = {
      volume: input.volume,
      labels: result.labels,
      report: result.report,
      source: input.source,
      notes: input.notes,
      patient: input.patient,
    };
    return Comlink.transfer(out, [input.volume.data.buffer as ArrayBuffer, result.labels.data.buffer as ArrayBuffer]);
  },

  async exportSeg(labels): Promise<SegExport> {
    if (!model) throw new Error('the model is not loaded yet');
    if (!segmentedSeriesId) throw new Error('a DICOM SEG needs a segmented DICOM series (this case was not opened from DICOM files)');
    // dcmjs (~700 kB) loads only when a SEG is asked for, not with the worker.
    const { algorithmOf, describeStudyModule, readSegSource, writeSegmentation } = await import('../dicom-seg/index');
    const source = readSegSource(files, segmentedSeriesId, { codecs });
    const seg = writeSegmentation(labels, source, { classes: model.manifest.classes, algorithm: algorithmOf(model.manifest), softwareVersion: holoctVersion, outOfScope: outOfScopeBodyPart(segmentedScope) });
    const out: SegExport = {
      bytes: seg.bytes,
      studyInstanceUID: source.studyInstanceUID,
      seriesInstanceUID: seg.seriesInstanceUID,
      segments: seg.segments.map(({ label, frames }) => ({ label, frames })),
      repeatedModule: describeStudyModule(source.studyModule),
    };
    return Comlink.transfer(out, [seg.bytes.buffer as ArrayBuffer]);
  },

  cancel() {
    controller?.abort(new DOMException('Segmentation cancelled', 'AbortError'));
  },

  async runWindow(patch): Promise<WindowResult> {
    if (!model) throw new Error('the model is not loaded yet');
    const [x, y, z] = model.manifest.patchSize;
    if (patch.length !== x * y * z) throw new Error(`a window holds ${x}×${y}×${z} values, got ${patch.length}`);
    const t = performance.now();
    const labels = await model.session.run(patch, model.manifest.patchSize);
    const out: WindowResult = { labels, backend: model.session.backend, ms: performance.now() - t };
    return Comlink.transfer(out, [labels.buffer as ArrayBuffer]);
  },
};

Comlink.expose(api);
