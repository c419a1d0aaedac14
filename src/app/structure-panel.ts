import { namesInGroup, type HologramStore } from '../state';
import { STRUCTURE_GROUPS, type ClassInfo } from '../segmentation/manifest';

const GROUP_LABELS = { bone: 'Bones', vessel: 'Vessels', organ: 'Organs' } as const;

/**
 * The desktop structure list: per-structure visibility and opacity, whole-group toggles. It writes
 * the HologramStore only; the scene follows the store.
 */
export class StructurePanel {
  private readonly rows = new Map<string, { checkbox: HTMLInputElement; slider: HTMLInputElement; volume: HTMLElement; li: HTMLLIElement }>();
  private readonly groupButtons = new Map<string, HTMLButtonElement>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly list: HTMLUListElement,
    private readonly groups: HTMLElement,
    private readonly store: HologramStore,
    private readonly classes: readonly ClassInfo[],
  ) {
    list.replaceChildren();
    groups.replaceChildren();
    for (const group of STRUCTURE_GROUPS) {
      if (!classes.some((c) => c.group === group)) continue;
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = GROUP_LABELS[group];
      button.dataset.group = group;
      button.addEventListener('click', () => {
        const names = namesInGroup(classes, group).filter((n) => this.rows.has(n));
        const anyVisible = names.some((n) => store.getState().shared.structures[n]?.visible);
        store.dispatch({ type: 'structure/setVisible', names, visible: !anyVisible });
      });
      groups.append(button);
      this.groupButtons.set(group, button);
    }
    this.unsubscribe = store.subscribe((s, p) => {
      if (s.shared.structures !== p.shared.structures) this.render();
    });
  }

  /** Shows a row for a structure once its mesh exists. */
  addStructure(name: string, volumeMl?: number): void {
    const info = this.classes.find((c) => c.name === name);
    if (!info || this.rows.has(name)) return;
    const li = document.createElement('li');
    li.dataset.structure = name;
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    checkbox.setAttribute('aria-label', `Show ${info.label}`);
    checkbox.addEventListener('change', () => {
      const current = this.store.getState().shared.structures[name];
      if (current) this.store.dispatch({ type: 'structure/setVisible', names: [name], visible: !current.visible });
    });
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = info.color;
    const label = document.createElement('span');
    label.textContent = info.label;
    const slider = document.createElement('input');
    slider.type = 'range';
    slider.min = '0';
    slider.max = '1';
    slider.step = '0.05';
    slider.setAttribute('aria-label', `${info.label} opacity`);
    slider.addEventListener('input', () => this.store.dispatch({ type: 'structure/setOpacity', name, opacity: Number(slider.value) }));
    const volume = document.createElement('span');
    volume.className = 'volume';
    li.append(checkbox, swatch, label, slider, volume);
    // keep the manifest's order
    const order = this.classes.findIndex((c) => c.name === name);
    const after = [...this.list.children].find((el) => this.classes.findIndex((c) => c.name === (el as HTMLElement).dataset.structure) > order);
    this.list.insertBefore(li, after ?? null);
    this.rows.set(name, { checkbox, slider, volume, li });
    this.setVolume(name, volumeMl);
    this.render();
  }

  setVolume(name: string, volumeMl?: number): void {
    const row = this.rows.get(name);
    if (row && volumeMl !== undefined) row.volume.textContent = `${volumeMl.toFixed(1)} mL`;
  }

  clear(): void {
    this.rows.clear();
    this.list.replaceChildren();
  }

  dispose(): void {
    this.unsubscribe();
  }

  private render(): void {
    const state = this.store.getState().shared;
    for (const [name, row] of this.rows) {
      const s = state.structures[name];
      if (!s) continue;
      row.checkbox.checked = s.visible;
      row.slider.value = String(s.opacity);
    }
    for (const [group, button] of this.groupButtons) {
      const names = namesInGroup(this.classes, group as ClassInfo['group']).filter((n) => this.rows.has(n));
      button.setAttribute('aria-pressed', String(names.some((n) => state.structures[n]?.visible)));
      button.disabled = names.length === 0;
    }
  }
}
