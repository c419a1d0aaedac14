import type { HologramView } from '../scene/hologram-view';
import { MeasureView } from '../scene/measure-view';
import { PlaneHandles } from '../scene/plane-handles';
import type { DesktopScene } from '../scene/scene-setup';
import { SliceView } from '../scene/slice-view';
import type { ClassInfo } from '../segmentation/manifest';
import type { ScopeCheck } from '../segmentation/scope';
import type { HologramStore } from '../state';
import type { LabelMap, Volume } from '../volume/types';
import { HoloXR, type ImmersiveMode, type XRCase } from '../xr/xr-session';
import { CutPanel } from './cut-panel';

interface CaseOverlays extends XRCase {
  slices?: SliceView;
  cutPanel: CutPanel;
  unsubscribe: () => void;
}

/**
 * Wires a case's overlays (cut handles, MPR slices, measurements, the desktop cut panel) to the
 * scene, and the headset session to the case on show. A test build exposes it as `window.__holoct.xr`.
 */
export class XRBridge {
  readonly holo: HoloXR;
  current?: CaseOverlays;

  constructor(private readonly desktop: DesktopScene, private readonly cutsRoot: HTMLElement) {
    this.holo = new HoloXR(desktop.scene, { getCase: () => this.current, desktopCamera: desktop.camera });
    this.holo.onSessionEndedObservable.add(() => desktop.requestRender());
  }

  /** A new case replaced the previous one on screen. */
  showCase(c: { store: HologramStore; view: HologramView; classes: readonly ClassInfo[] }): void {
    if (this.current?.store === c.store) return;
    this.disposeOverlays();
    const scene = this.desktop.scene;
    const handles = new PlaneHandles(scene, { store: c.store, view: c.view });
    handles.setEnabled(this.holo.inXR);
    const measures = new MeasureView(scene, { store: c.store, view: c.view });
    this.cutsRoot.hidden = false;
    const cutPanel = new CutPanel(this.cutsRoot, c.store, () => c.view.centerMm);
    c.view.onStructureAddedObservable.add(() => handles.refresh());
    // the desktop renders on demand: cuts, slices and measurements change with the state
    const unsubscribe = c.store.subscribe(() => this.desktop.requestRender());
    this.current = { ...c, handles, measures, cutPanel, unsubscribe };
    this.holo.caseChanged();
  }

  /** The case's CT and labels are in: its cuts can show the CT (MPR), rays find structures, the menus say when the series is outside the model's scope. */
  setVolume(store: HologramStore, volume: Volume, labels?: LabelMap, scope?: ScopeCheck): void {
    const c = this.current;
    if (!c || c.store !== store) return;
    c.labels = labels;
    c.scope = scope;
    this.holo.interaction?.setLabels(labels);
    this.holo.interaction?.setScope(scope);
    c.slices?.dispose();
    c.slices = new SliceView(this.desktop.scene, { store, view: c.view, volume });
    c.cutPanel.setGrid(volume);
    this.desktop.requestRender();
  }

  async enterAsync(mode: ImmersiveMode): Promise<void> {
    await this.holo.enterAsync(mode);
  }

  private disposeOverlays(): void {
    const c = this.current;
    if (!c) return;
    c.unsubscribe();
    c.slices?.dispose();
    c.handles.dispose();
    c.measures.dispose();
    c.cutPanel.dispose();
    this.current = undefined;
  }
}
