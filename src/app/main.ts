import * as Comlink from 'comlink';
import type { DicomInputFile } from '../dicom/types';
import { HologramView, worldBoundingRadius } from '../scene/hologram-view';
import { createDesktopScene } from '../scene/scene-setup';
import type { ClassInfo } from '../segmentation/manifest';
import { createHologramStore, initialSharedState, viewCuts, type HologramStore } from '../state';
import type { SurfaceMesh } from '../surfaces/types';
import type { OpenedCase } from '../team/case-package';
import type { Volume } from '../volume/types';
import { startPipelineWorker } from '../worker/client';
import type { BackendPreference, InitResult, SegmentResult, WindowResult, WorkerProgress } from '../worker/protocol';
import { detectImmersiveMode } from '../xr/xr-session';
import { caseIdOfVolume } from './case-id';
import { caseNotes, showCaseNotes } from './case-notes';
import { ExportMenu, type ExportSource } from './export-menu';
import { fileBuffers, readDataTransfer, readFileList } from './files';
import { PacsPanel } from './pacs-panel';
import { SegSendPanel } from './seg-send';
import type { PacsOrigin } from './pacs-panel';
import type { PacsConnection } from '../pacs/index';
import { StructurePanel } from './structure-panel';
import { publishTestApi, TEST_HOOKS } from './test-hooks';
import { residualSummary } from '../team/room-residual';
import { TeamController, type TeamAppHooks } from './team-controller';
import { teamHooks } from './team-hooks';
import { TeamPanel } from './team-panel';
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
  /** The classes its labels use (a joiner has them from the host's package, not from a model of its own). */
  classes: readonly ClassInfo[];
  volume?: Volume;
  result?: SegmentResult;
  /** The structures' meshes as received (patient LPS mm), for exports. */
  meshes: SurfaceMesh[];
  /** The PACS series it was segmented from, if any. */
  origin?: PacsOrigin;
}

/** The export menu's view of a case: its meshes, what is shown, the cuts in effect. */
function exportSource(c: CaseState): ExportSource {
  return {
    meshes: () => c.meshes,
    isVisible: (name) => c.store.getState().shared.structures[name]?.visible ?? false,
    cutPlanes: () => viewCuts(c.store.getState()).map(({ normal, offset }) => ({ normal, offset })),
  };

}

class HoloCTApp {
  private readonly desktop = createDesktopScene($<HTMLCanvasElement>('view'));
  /** Told when another case replaces the one on show (a team session shares one case). */
  private onCaseReplaced?: () => void;
  private readonly worker = startPipelineWorker();
  /** Cut handles, MPR slices, measurements, the desktop cut panel and the headset session. */
  private readonly xr = new XRBridge(this.desktop, $('cuts'));
  private model?: InitResult;
  private exportMenu?: ExportMenu;
  private current?: CaseState;
  private busy = false;
  private readonly params = new URLSearchParams(location.search);
  /** The PACS study the opened files came from (a SEG can go back there), if they did. */
  private origin?: PacsOrigin;
  /** The PACS a team member may take a shared case's CT from (the PACS panel's server). */
  private pacsConnection?: () => PacsConnection;
  private readonly segSend = new SegSendPanel(sectionAfter('pacs', 'seg-send'), {
    buildSeg: () => {
      const labels = this.current?.result?.labels;
      if (!labels) return Promise.reject(new Error('no segmentation on show'));
      return this.worker.api.exportSeg(labels);
    },
  });

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
      this.exportMenu = new ExportMenu($('export'), { classes: this.model.manifest.classes, model: this.model.manifest.name });
      $('model-status').textContent = `Model ${this.model.manifest.name} on ${this.model.backend.toUpperCase()}` +
        (this.model.fallbackReason ? ` — ${this.model.fallbackReason}` : '');
    } catch (error) {
      this.showError(`Could not load the segmentation model: ${message(error)}`);
      return;
    } finally {
      this.hideProgress();
    }
    // a team join link brings the host's case: no sample to segment first
    if (this.params.get('sample') !== 'none' && !this.params.has('room')) await this.openSample();
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
  async open(files: DicomInputFile[], origin?: PacsOrigin): Promise<void> {
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
      const opened = await this.worker.api.open(Comlink.transfer(files, fileBuffers(files)));
      this.origin = origin;
      this.segSend.setTarget(undefined); // until these files are segmented
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
    const modelId = this.model.manifest.name;
    const next = this.newCase(classes);
    const pending = next.meshes;
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
      next.meshes = pending;
      // the case id (voxel hash + model) tells a team the same case from another one
      void caseIdOfVolume(result.volume, modelId).then(
        (caseId) => next.store.dispatch({ type: 'case/identify', caseId }),
        () => undefined, // no WebCrypto (not a secure origin): the case stays unidentified, alone it needs no id
      );
      this.xr.setVolume(next.store, result.volume, result.labels, result.report.scope);
      next.result = result;
      for (const s of result.report.structures) next.panel.setVolume(s.name, s.surfaceVolumeMl || undefined);
      $('case').textContent = `${result.source}${result.patient?.name ? ` — ${result.patient.name}` : ''}`;
      showCaseNotes($('scope-warning'), $('notes'), caseNotes(result.report.scope, [...result.report.notes, ...result.notes]));
      $('backend').textContent = `Segmented on ${result.report.backend.toUpperCase()} (${result.report.windows} windows, ` +
        `${(result.report.timingsMs.inference / 1000).toFixed(1)} s) · ${result.report.totalTriangles.toLocaleString()} triangles, ${result.report.drawCalls} draw calls`;
      this.hideProgress();
      this.segSend.setTarget(this.origin);
      next.origin = this.origin;
      document.body.dataset.hologram = 'ready';
    } catch (error) {
      if (!framed) next.view.dispose();
      this.showError(message(error));
    } finally {
      this.busy = false;
      this.hideProgress();
    }
  }

  /** A team member may take a shared case's CT from this PACS (the PACS panel's server). */
  usePacs(connection: () => PacsConnection): void {
    this.pacsConnection = connection;
  }

  /** What a team session needs of the app (src/app/team-hooks.ts). */
  teamHooks(): TeamAppHooks {
    return teamHooks({
      desktop: this.desktop,
      holo: this.xr.holo,
      current: () => this.current,
      model: () => this.model && { name: this.model.manifest.name, classes: this.model.manifest.classes },
      showSharedCase: (opened) => this.showSharedCase(opened),
      onCaseReplaced: (listener) => (this.onCaseReplaced = listener),
      pacsConnection: () => this.pacsConnection?.(),
      readVolume: (files) => this.worker.api.readVolume(Comlink.transfer(files, fileBuffers(files))),
    });
  }

  /**
   * The headset follows the team session: a device not calibrated by landmarks places its own copy
   * while in a session, and the menu shows the residual between members' landmarks, who presents,
   * and Follow for a member with their own copy.
   */
  connectTeam(team: TeamController): void {
    this.xr.holo.team = {
      active: () => team.view.phase === 'hosting' || team.view.phase === 'member',
      presenter: () => team.presenterName(),
      following: () => team.view.following,
      setFollowing: (on) => team.setFollowing(on),
    };
    team.onChange((view) => this.xr.holo.teamChanged(residualSummary(view.residuals)));
  }

  /** A team session's case (from the host's package) replaces the one on show. */
  private showSharedCase(opened: OpenedCase): void {
    if (this.busy) throw new Error('A CT is being segmented on this device: wait for it to finish, then join again.');
    const next = this.newCase(opened.classes);
    this.replaceCase(next);
    for (const mesh of opened.meshes) {
      next.view.addSurface(mesh);
      next.panel.addStructure(mesh.name, mesh.volumeMl);
    }
    Object.assign(next, { volume: opened.volume, meshes: opened.meshes });
    this.frame(next);
    this.xr.setVolume(next.store, opened.volume, opened.labels, opened.scope);
    $('case').textContent = 'Case shared by the team session';
    showCaseNotes($('scope-warning'), $('notes'), caseNotes(opened.scope, []));
    document.body.dataset.hologram = 'ready';
  }

  private newCase(classes: ClassInfo[]): CaseState {
    const store = createHologramStore({ shared: initialSharedState(classes) });
    store.subscribe(() => this.desktop.requestRender());
    const view = new HologramView(this.desktop.scene, { store, classes });
    view.patientNode.setEnabled(false);
    const panel = new StructurePanel($('structure-list'), $('groups'), store, classes);
    return { store, view, panel, classes, meshes: [] };
  }

  private replaceCase(next: CaseState): void {
    if (this.current && this.current !== next) {
      this.current.view.dispose();
      this.current.panel.dispose();
    }
    const replaced = this.current !== undefined && this.current !== next;
    this.current = next;
    if (replaced) {
      // the notes and the scope warning were the case's that left; the new case's come with its result
      showCaseNotes($('scope-warning'), $('notes'), caseNotes(undefined, []));
      this.onCaseReplaced?.();
    }
    next.view.patientNode.setEnabled(true);
    if (TEST_HOOKS) publishTestApi({ store: next.store, view: next.view, scene: this.desktop.scene, xr: this.xr });
    this.xr.showCase({ store: next.store, view: next.view, classes: next.classes });
    this.exportMenu?.setSource(exportSource(next));
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
    c.store.dispatch({ type: 'pivot/set', pivot: center });
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

/** A new <section id> right after the element with id `afterId` (for panels index.html does not list). */
function sectionAfter(afterId: string, id: string): HTMLElement {
  const section = Object.assign(document.createElement('section'), { id });
  $(afterId).after(section);
  return section;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const app = new HoloCTApp();
if (TEST_HOOKS) publishTestApi({ runWindow: (patch) => app.runWindow(patch) });
const pacs = new PacsPanel($('pacs'), { load: (files, origin) => app.open(files, origin) });
app.usePacs(() => pacs.connection());
const team = new TeamController(app.teamHooks());
new TeamPanel($('team'), team);
app.connectTeam(team);
void app.start();
