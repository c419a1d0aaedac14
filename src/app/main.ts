import * as Comlink from 'comlink';
import type { DicomInputFile } from '../dicom/types';
import { HologramView, worldBoundingRadius } from '../scene/hologram-view';
import { createDesktopScene } from '../scene/scene-setup';
import type { ClassInfo } from '../segmentation/manifest';
import { createHologramStore, initialState, type HologramStore } from '../state/hologram-state';
import type { SurfaceMesh } from '../surfaces/types';
import type { Volume } from '../volume/types';
import { startPipelineWorker } from '../worker/client';
import type { BackendPreference, InitResult, SegmentResult, WindowResult, WorkerProgress } from '../worker/protocol';
import { detectImmersiveMode } from '../xr/xr-session';
import { readDataTransfer, readFileList } from './files';
import { PacsPanel } from './pacs-panel';
import { StructurePanel } from './structure-panel';
import { XRBridge } from './xr-bridge';

const SAMPLE_URL = '/assets/sample/ct_3mm.nii.gz';
const MANIFEST_URL = '/models/holoct-seg.json';
const STAGE_LABELS: Record<WorkerProgress['stage'], string> = {
  read: 'Reading files', decode: 'Decoding images', resample: 'Resampling for the model', inference: 'Segmenting',
  postprocess: 'Cleaning labels', restore: 'Mapping labels to the CT', surfaces: 'Building surfaces',
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What the page shows now; replaced only when a new case has fully loaded. */
interface CaseState {
  store: HologramStore;
  view: HologramView;
  panel: StructurePanel;
  volume?: Volume;
  result?: SegmentResult;
}

class HoloCTApp {
  private readonly desktop = createDesktopScene($<HTMLCanvasElement>('view'));
  private readonly worker = startPipelineWorker();
  /** Cut handles, MPR slices, measurements, the desktop cut panel and the headset session. */
  private readonly xr = new XRBridge(this.desktop, $('cuts'));
  private model?: InitResult;
  private current?: CaseState;
  private busy = false;
  private readonly params = new URLSearchParams(location.search);

  async start(): Promise<void> {
    this.bindInputs();
    void this.setupXR();
    $('attribution').innerHTML =
      'Sample CT: TotalSegmentator dataset, Wasserthal et al., Radiology: AI 2023, ' +
      '<a href="https://creativecommons.org/licenses/by/4.0/" target="_blank" rel="noopener">CC BY 4.0</a>. ' +
      'Images stay on this device.';
    try {
      this.showProgress({ stage: 'read', fraction: 0, detail: 'loading the model' });
      const backend = (this.params.get('backend') as BackendPreference | null) ?? 'auto';
      this.model = await this.worker.api.init({ manifestUrl: MANIFEST_URL, backend });
      $('model-status').textContent = `Model ${this.model.manifest.name} on ${this.model.backend.toUpperCase()}` +
        (this.model.fallbackReason ? ` — ${this.model.fallbackReason}` : '');
    } catch (error) {
      this.showError(`Could not load the segmentation model: ${message(error)}`);
      return;
    } finally {
      this.hideProgress();
    }
    if (this.params.get('sample') !== 'none') await this.openSample();
  }

  private async openSample(): Promise<void> {
    try {
      const response = await fetch(SAMPLE_URL);
      if (!response.ok) throw new Error(`${SAMPLE_URL}: HTTP ${response.status}`);
      await this.open([{ name: 'ct_3mm.nii.gz', bytes: new Uint8Array(await response.arrayBuffer()) }]);
    } catch (error) {
      this.showError(`Could not open the sample CT: ${message(error)}`);
    }
  }

  private bindInputs(): void {
    const folder = $<HTMLInputElement>('open-folder');
    const files = $<HTMLInputElement>('open-files');
    for (const input of [folder, files]) {
      input.addEventListener('change', async () => {
        if (input.files?.length) await this.open(await readFileList(input.files));
        input.value = '';
      });
    }
    $('open-sample').addEventListener('click', () => void this.openSample());
    const overlay = $('drop-overlay');
    window.addEventListener('dragover', (e) => { e.preventDefault(); overlay.hidden = false; });
    window.addEventListener('dragleave', (e) => { if (!e.relatedTarget) overlay.hidden = true; });
    window.addEventListener('drop', async (e) => {
      e.preventDefault();
      overlay.hidden = true;
      if (e.dataTransfer) await this.open(await readDataTransfer(e.dataTransfer));
    });
    $<HTMLSelectElement>('series-select').addEventListener('change', (e) => {
      void this.segment((e.target as HTMLSelectElement).value);
    });
  }

  /** One normalized window through the loaded model, in the worker (backend checks); the patch is handed over. */
  runWindow(patch: Float32Array): Promise<WindowResult> {
    return this.worker.api.runWindow(Comlink.transfer(patch, [patch.buffer as ArrayBuffer]));
  }

  /** Opens files: the current hologram stays until the new one is ready; errors leave it in place. */
  async open(files: DicomInputFile[]): Promise<void> {
    if (!this.model) {
      this.showError('The segmentation model is not loaded yet: open the CT again in a moment.');
      return;
    }
    if (this.busy) {
      this.showError('A CT is being segmented: wait for it to finish, then open the next one.');
      return;
    }
    this.clearError();
    try {
      this.showProgress({ stage: 'read', fraction: 0 });
      const transfer = files.map((f) => f.bytes.buffer as ArrayBuffer).filter((b, i, all) => all.indexOf(b) === i);
      const opened = await this.worker.api.open(Comlink.transfer(files, transfer));
      const select = $<HTMLSelectElement>('series-select');
      select.replaceChildren();
      const series = opened.scan?.series ?? [];
      $('series').hidden = series.length < 2;
      for (const s of series) {
        const option = new Option(`${s.description || s.seriesInstanceUID} — ${s.dims?.join('×') ?? '?'}${s.segmentable ? '' : ' (not a CT volume)'}`, s.id);
        option.disabled = !s.loadable;
        select.add(option);
      }
      await this.segment();
    } catch (error) {
      this.showError(message(error));
      this.hideProgress();
    }
  }

  private async segment(seriesId?: string): Promise<void> {
    if (!this.model) return;
    this.busy = true;
    const classes = this.model.manifest.classes;
    const next = this.newCase(classes);
    const pending: SurfaceMesh[] = [];
    let framed = false;
    try {
      const result = await this.worker.api.segment(
        { seriesId },
        Comlink.proxy((p: WorkerProgress) => this.showProgress(p)),
        Comlink.proxy((mesh: SurfaceMesh) => {
          // Each mesh appears as soon as it is ready: the first one replaces the previous case.
          if (!framed) {
            this.replaceCase(next);
            framed = true;
          }
          pending.push(mesh);
          next.view.addSurface(mesh);
          next.panel.addStructure(mesh.name, mesh.volumeMl);
          this.frame(next);
        }),
      );
      if (!framed) this.replaceCase(next);
      next.volume = result.volume;
      this.xr.setVolume(next.store, result.volume, result.labels);
      next.result = result;
      for (const s of result.report.structures) next.panel.setVolume(s.name, s.surfaceVolumeMl || undefined);
      $('case').textContent = `${result.source}${result.patient?.name ? ` — ${result.patient.name}` : ''}`;
      const notes = $('notes');
      notes.replaceChildren(...[...result.report.notes, ...result.notes].slice(0, 20).map((n) => Object.assign(document.createElement('li'), { textContent: n })));
      $('backend').textContent = `Segmented on ${result.report.backend.toUpperCase()} (${result.report.windows} windows, ` +
        `${(result.report.timingsMs.inference / 1000).toFixed(1)} s) · ${result.report.totalTriangles.toLocaleString()} triangles, ${result.report.drawCalls} draw calls`;
      this.hideProgress();
      document.body.dataset.hologram = 'ready';
    } catch (error) {
      if (!framed) next.view.dispose();
      this.showError(message(error));
    } finally {
      this.busy = false;
      this.hideProgress();
    }
  }

  private newCase(classes: ClassInfo[]): CaseState {
    const store = createHologramStore(initialState(classes));
    store.subscribe(() => this.desktop.requestRender());
    const view = new HologramView(this.desktop.scene, { store, classes, center: [0, 0, 0] });
    view.patientNode.setEnabled(false);
    const panel = new StructurePanel($('structure-list'), $('groups'), store, classes);
    return { store, view, panel };
  }

  private replaceCase(next: CaseState): void {
    if (this.current && this.current !== next) {
      this.current.view.dispose();
      this.current.panel.dispose();
    }
    this.current = next;
    next.view.patientNode.setEnabled(true);
    (window as unknown as { __holoct?: unknown }).__holoct = { store: next.store, view: next.view, scene: this.desktop.scene, app: this };
    this.xr.showCase({ store: next.store, view: next.view, classes: this.model?.manifest.classes ?? [] });
  }

  /** Centres the hologram on its meshes and points the camera at it. */
  private frame(c: CaseState): void {
    const meshes = c.view.structureNames.map((n) => c.view.getStructureMesh(n)!).filter(Boolean);
    if (!meshes.length) return;
    // Re-centre the patient frame on the bone/organ bounds so the hologram turns about its middle.
    const bounds = meshes.map((m) => m.getBoundingInfo().boundingBox);
    const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
    for (const b of bounds) for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a], b.minimum.asArray()[a]);
      max[a] = Math.max(max[a], b.maximum.asArray()[a]);
    }
    const center: [number, number, number] = [(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2];
    c.view.recenter(center);
    const { radius } = worldBoundingRadius(meshes);
    this.desktop.camera.setTarget(c.view.poseNode.position.clone());
    this.desktop.camera.radius = Math.max(0.3, radius * 2.6);
    this.desktop.requestRender();
  }

  private async setupXR(): Promise<void> {
    const button = $<HTMLButtonElement>('enter-xr');
    const status = $('xr-status');
    const mode = await detectImmersiveMode();
    if (!mode) {
      status.textContent = 'No immersive WebXR here: open this page in the headset browser (see README).';
      return;
    }
    button.disabled = false;
    button.textContent = mode === 'immersive-ar' ? 'Enter XR (passthrough)' : 'Enter VR';
    button.addEventListener('click', async () => {
      try {
        await this.xr.enterAsync(mode);
      } catch (error) {
        this.showError(`Could not enter XR: ${message(error)}`);
      }
    });
  }

  private showProgress(p: WorkerProgress): void {
    const box = $('progress');
    box.hidden = false;
    (box.querySelector('.fill') as HTMLElement).style.width = `${Math.round(p.fraction * 100)}%`;
    (box.querySelector('.label') as HTMLElement).textContent =
      `${STAGE_LABELS[p.stage]} ${Math.round(p.fraction * 100)}%${p.detail ? ` — ${p.detail}` : ''}`;
    box.dataset.stage = p.stage;
  }

  private hideProgress(): void {
    $('progress').hidden = true;
  }

  private showError(text: string): void {
    const box = $('error');
    box.hidden = false;
    box.textContent = text;
  }

  private clearError(): void {
    $('error').hidden = true;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const app = new HoloCTApp();
// Test hook: tests/e2e/webgpu.test.ts runs one window on the loaded model (no patient data passes).
(window as unknown as { __holoctModel?: unknown }).__holoctModel = { runWindow: (patch: Float32Array) => app.runWindow(patch) };
new PacsPanel($('pacs'), { load: (files) => app.open(files) });
void app.start();
