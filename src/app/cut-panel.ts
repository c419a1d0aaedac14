import {
  createThrottledCommitter, findCut, measurementLengthMm, PLANE_PRESETS, upsertCutCommand, viewCuts, viewMeasurements, type Cut, type HologramStore,
  type SliceWindow, type ThrottledCommitter, type Vec3,
} from '../state';
import { gridBounds } from '../volume/geometry';
import type { Grid } from '../volume/types';

type Preset = keyof typeof PLANE_PRESETS;
const PRESETS: Preset[] = ['axial', 'coronal', 'sagittal'];
const AXIS: Record<Preset, number> = { sagittal: 0, coronal: 1, axial: 2 };
const NAMES: Record<Preset, string> = { axial: 'Axial', coronal: 'Coronal', sagittal: 'Sagittal' };

/**
 * The desktop's way to the headset's cuts and measurements: axial/coronal/sagittal cuts with a slider
 * each (stepping through the CT's voxel layers), the CT on the cut, its window, and the measurements
 * made in XR with a remove button. Writes the store only: a slider being dragged is a live drag on
 * this device, committed to the shared state throttled and in full when it is let go.
 */
export class CutPanel {
  private readonly unsubscribe: () => void;
  private readonly rows = new Map<Preset, { toggle: HTMLInputElement; slider: HTMLInputElement; value: HTMLElement }>();
  private readonly windowSelect: HTMLSelectElement;
  private readonly slices: HTMLInputElement;
  private readonly measurements: HTMLUListElement;
  private range: Record<Preset, { min: number; max: number; step: number }>;
  private readonly sliderCommits = new Map<Preset, ThrottledCommitter<Cut>>();

  constructor(private readonly root: HTMLElement, private readonly store: HologramStore, private readonly center: () => Vec3) {
    root.replaceChildren();
    this.range = { axial: { min: -200, max: 200, step: 1 }, coronal: { min: -200, max: 200, step: 1 }, sagittal: { min: -200, max: 200, step: 1 } };
    for (const preset of PRESETS) {
      const row = document.createElement('label');
      row.className = 'cut-row';
      row.dataset.cut = preset;
      const toggle = document.createElement('input');
      toggle.type = 'checkbox';
      toggle.setAttribute('aria-label', `${NAMES[preset]} cut`);
      const name = document.createElement('span');
      name.textContent = NAMES[preset];
      const slider = document.createElement('input');
      slider.type = 'range';
      slider.disabled = true;
      slider.setAttribute('aria-label', `${NAMES[preset]} cut position (mm)`);
      const value = document.createElement('span');
      value.className = 'cut-value';
      row.append(toggle, name, slider, value);
      root.append(row);
      toggle.addEventListener('change', () => {
        if (!toggle.checked) {
          store.dispatch({ type: 'cut/remove', id: preset });
          return;
        }
        const c = this.center();
        const r = this.range[preset];
        const at = Math.min(r.max, Math.max(r.min, r.min + Math.round((c[AXIS[preset]] - r.min) / r.step) * r.step));
        store.dispatch(upsertCutCommand(store.getState().shared, preset, { normal: PLANE_PRESETS[preset], offset: at, showSlice: this.slices.checked }));
      });
      slider.addEventListener('input', () => {
        const plane = findCut(store.getState(), preset);
        if (!plane) return;
        const cut: Cut = { normal: plane.normal, offset: Number(slider.value), showSlice: plane.showSlice };
        store.dispatchLocal({ type: 'drag/cut', id: preset, cut });
        let commits = this.sliderCommits.get(preset);
        if (!commits) {
          commits = createThrottledCommitter((value: Cut) => store.dispatch(upsertCutCommand(store.getState().shared, preset, value)));
          this.sliderCommits.set(preset, commits);
        }
        commits.push(cut);
      });
      // let go (or a key step): the final value, and the live drag ends
      slider.addEventListener('change', () => this.endSliderDrag(preset));
      this.rows.set(preset, { toggle, slider, value });
    }
    const options = document.createElement('div');
    options.className = 'cut-options';
    const slicesLabel = document.createElement('label');
    this.slices = document.createElement('input');
    this.slices.type = 'checkbox';
    this.slices.checked = true;
    this.slices.id = 'cut-show-ct';
    slicesLabel.append(this.slices, ' CT on cuts');
    this.slices.addEventListener('change', () => {
      // read once: each update re-renders the panel, and the box follows the state
      store.dispatch({ type: 'cuts/setShowSlice', show: this.slices.checked });
    });
    this.windowSelect = document.createElement('select');
    this.windowSelect.id = 'cut-window';
    this.windowSelect.setAttribute('aria-label', 'CT window');
    this.windowSelect.add(new Option('Soft tissue (W400/L40)', 'soft-tissue'));
    this.windowSelect.add(new Option('Bone (W1500/L300)', 'bone'));
    this.windowSelect.addEventListener('change', () => store.dispatch({ type: 'sliceWindow/set', window: this.windowSelect.value as SliceWindow }));
    options.append(slicesLabel, this.windowSelect);
    root.append(options);
    this.measurements = document.createElement('ul');
    this.measurements.id = 'measurements';
    root.append(this.measurements);
    this.unsubscribe = store.subscribe((s, p) => {
      if (viewCuts(s) !== viewCuts(p) || s.shared.measurements !== p.shared.measurements || s.shared.sliceWindow !== p.shared.sliceWindow) this.render();
    });
    this.render();
  }

  /** The sliders step through the CT's voxel layers along each patient axis (voxel centres, mm). */
  setGrid(grid: Grid): void {
    const { min, max } = gridBounds(grid);
    for (const preset of PRESETS) {
      const a = AXIS[preset];
      // the grid column most along this axis gives the layer spacing (axis-aligned CTs: exact voxel layers)
      let step = 1;
      for (let c = 0; c < 3; c++) if (Math.abs(grid.direction[c * 3 + a]) > 0.999) step = grid.spacing[c];
      this.range[preset] = { min: min[a], max: max[a], step };
    }
    this.render();
  }

  private endSliderDrag(preset: Preset): void {
    this.sliderCommits.get(preset)?.flush();
    this.sliderCommits.delete(preset);
    this.store.dispatchLocal({ type: 'drag/cut', id: preset, cut: null });
  }

  dispose(): void {
    for (const preset of [...this.sliderCommits.keys()]) this.endSliderDrag(preset);
    this.unsubscribe();
    this.root.replaceChildren();
  }

  private render(): void {
    const s = this.store.getState();
    const cuts = viewCuts(s);
    for (const preset of PRESETS) {
      const row = this.rows.get(preset)!;
      const plane = cuts.find((p) => p.id === preset);
      const r = this.range[preset];
      row.toggle.checked = !!plane;
      row.slider.disabled = !plane;
      row.slider.min = String(r.min);
      row.slider.max = String(r.max);
      row.slider.step = String(r.step);
      if (plane) row.slider.value = String(plane.offset);
      row.value.textContent = plane ? `${plane.offset.toFixed(1)} mm` : '';
    }
    if (cuts.length) this.slices.checked = cuts.some((p) => p.showSlice);
    this.windowSelect.value = s.shared.sliceWindow;
    this.measurements.replaceChildren(...viewMeasurements(s).map((m, i) => {
      const li = document.createElement('li');
      li.dataset.measurement = m.id;
      const text = document.createElement('span');
      text.textContent = `Measurement ${i + 1}: ${measurementLengthMm(m).toFixed(1)} mm`;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = 'Remove';
      remove.addEventListener('click', () => this.store.dispatch({ type: 'measurement/remove', id: m.id }));
      li.append(text, remove);
      return li;
    }));
  }
}
