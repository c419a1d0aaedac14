import { Color3 } from '@babylonjs/core/Maths/math.color';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { DynamicTexture } from '@babylonjs/core/Materials/Textures/dynamicTexture';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder';
import { Mesh } from '@babylonjs/core/Meshes/mesh';
import { Observable } from '@babylonjs/core/Misc/observable';
import type { Scene } from '@babylonjs/core/scene';
import { pointNearRect, rayRect } from './gestures';

/**
 * Menus in the headset: a panel of buttons drawn into one canvas texture on one plane (one draw call,
 * no downloaded assets: Babylon's MRTK controls load theirs from a CDN, which HoloCT's cross-origin
 * isolation and self-hosting rule out). Layout and hit testing are pure; the panel redraws only when
 * its content or hover changes.
 */

export interface MenuItem {
  /** Action id, e.g. "cut:axial", "vis:liver". */
  id: string;
  label: string;
  /** Drawn as on (a toggle that is on, the current tool). */
  active?: boolean;
  disabled?: boolean;
  /** Drawn as a warning (amber, outlined): a row that tells, not a button; never hit. */
  warning?: boolean;
  /** Swatch color "#rrggbb" (structures). */
  color?: string;
  /** Relative width in its row (default 1). */
  weight?: number;
}

/** A row of buttons, or a section title. */
export type MenuRow = MenuItem[] | { title: string };

export interface MenuCell {
  item: MenuItem;
  /** Rectangle in panel fractions: x, y from the top-left, w, h. */
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface MenuLayout {
  cells: MenuCell[];
  titles: Array<{ title: string; y: number; h: number }>;
  /** Height in row units (a title row counts 0.6). */
  units: number;
}

const TITLE_UNITS = 0.6;
const GAP = 0.012;

export function layoutMenu(rows: readonly MenuRow[]): MenuLayout {
  const units = rows.reduce((n, r) => n + (Array.isArray(r) ? 1 : TITLE_UNITS), 0) || 1;
  const cells: MenuCell[] = [];
  const titles: MenuLayout['titles'] = [];
  let y = 0;
  for (const row of rows) {
    if (!Array.isArray(row)) {
      titles.push({ title: row.title, y: y / units, h: TITLE_UNITS / units });
      y += TITLE_UNITS;
      continue;
    }
    const total = row.reduce((n, i) => n + (i.weight ?? 1), 0);
    let x = 0;
    for (const item of row) {
      const w = (item.weight ?? 1) / total;
      cells.push({ item, x: x + GAP / 2, y: (y + 0.06) / units, w: w - GAP, h: 0.88 / units });
      x += w;
    }
    y += 1;
  }
  return { cells, titles, units };
}

/** The enabled item under panel coordinates (u right, v down, 0..1), if any: a disabled or warning row is never hit. */
export function hitMenu(layout: MenuLayout, u: number, v: number): MenuItem | undefined {
  for (const c of layout.cells) {
    if (u >= c.x && u <= c.x + c.w && v >= c.y && v <= c.y + c.h) return c.item.disabled || c.item.warning ? undefined : c.item;
  }
  return undefined;
}

export interface XRMenuPanelOptions {
  /** Panel width, m. */
  width: number;
  /** Height of one row of buttons, m. */
  rowHeight: number;
  /** The rows to show now (called when the panel is invalidated). */
  rows: () => MenuRow[];
  /** Texture pixels across (default 1024). */
  pixelsWide?: number;
}

/** A panel in the world; the interaction routes pinches and rays to it. */
export class XRMenuPanel {
  /** An item was pressed (pinch or ray select). */
  readonly onSelectObservable = new Observable<MenuItem>();
  readonly root: Mesh;
  private mesh?: Mesh;
  private texture?: DynamicTexture;
  private readonly material: StandardMaterial;
  private layout: MenuLayout = { cells: [], titles: [], units: 1 };
  private hovered: string | null = null;
  private dirty = true;
  private height = 0;
  /** World frame of the panel (kept up to date by `updateFrame`). */
  readonly center = new Vector3();
  readonly right = new Vector3(1, 0, 0);
  readonly up = new Vector3(0, 1, 0);
  private readonly uv = { u: 0, v: 0 };
  private readonly hit: { item: MenuItem | undefined; distance: number } = { item: undefined, distance: -1 };

  constructor(readonly scene: Scene, readonly name: string, private readonly options: XRMenuPanelOptions) {
    this.root = new Mesh(`${name}:root`, scene);
    this.root.isPickable = false;
    this.material = new StandardMaterial(`${name}:material`, scene);
    this.material.emissiveColor = Color3.White();
    this.material.disableLighting = true;
    this.material.backFaceCulling = false;
    this.material.useAlphaFromDiffuseTexture = true;
  }

  get visible(): boolean {
    return this.root.isEnabled();
  }

  setVisible(visible: boolean): void {
    if (visible && this.dirty) this.redraw();
    this.root.setEnabled(visible);
  }

  /** The rows changed (state, tool): redraw before the panel is next seen. */
  invalidate(): void {
    this.dirty = true;
    if (this.visible) this.redraw();
  }

  get items(): MenuItem[] {
    return this.layout.cells.map((c) => c.item);
  }

  /** World position of an item's centre (for tests and for pointing at it). */
  itemCenter(id: string, out = new Vector3()): Vector3 | null {
    const cell = this.layout.cells.find((c) => c.item.id === id);
    if (!cell) return null;
    this.updateFrame();
    const w = this.options.width, h = this.height;
    const x = (cell.x + cell.w / 2 - 0.5) * w;
    const y = (0.5 - (cell.y + cell.h / 2)) * h;
    out.copyFrom(this.center).addInPlace(this.right.scale(x)).addInPlace(this.up.scale(y));
    return out;
  }

  /** Recomputes the world frame from the root's transform (no allocation). */
  updateFrame(): void {
    const m = this.root.computeWorldMatrix(true);
    m.getTranslationToRef(this.center);
    Vector3.TransformNormalFromFloatsToRef(1, 0, 0, m, this.right);
    this.right.normalize();
    Vector3.TransformNormalFromFloatsToRef(0, 1, 0, m, this.up);
    this.up.normalize();
  }

  /** The item a ray points at, and its distance (or -1). The result object is reused between calls. */
  rayHit(origin: Vector3, direction: Vector3): { item: MenuItem | undefined; distance: number } {
    const hit = this.hit;
    hit.item = undefined;
    hit.distance = -1;
    if (!this.visible) return hit;
    const t = rayRect(origin, direction, this.center, this.right, this.up, this.options.width / 2, this.height / 2, this.uv);
    if (t < 0) return hit;
    hit.item = hitMenu(this.layout, this.uv.u, this.uv.v);
    hit.distance = t;
    return hit;
  }

  /** The item a fingertip/pinch point is at (within `depth` m of the panel), if any. */
  nearHit(point: Vector3, depth = 0.03): MenuItem | undefined | null {
    if (!this.visible) return null;
    if (!pointNearRect(point, this.center, this.right, this.up, this.options.width / 2, this.height / 2, depth, this.uv)) return null;
    return hitMenu(this.layout, this.uv.u, this.uv.v);
  }

  setHovered(id: string | null): void {
    if (id === this.hovered) return;
    this.hovered = id;
    this.dirty = true;
    if (this.visible) this.redraw();
  }

  select(item: MenuItem): void {
    this.onSelectObservable.notifyObservers(item);
  }

  dispose(): void {
    this.mesh?.dispose();
    this.texture?.dispose();
    this.material.dispose();
    this.root.dispose();
    this.onSelectObservable.clear();
  }

  private redraw(): void {
    this.dirty = false;
    this.layout = layoutMenu(this.options.rows());
    const height = this.layout.units * this.options.rowHeight;
    const pxW = this.options.pixelsWide ?? 1024;
    const pxH = Math.max(16, Math.round((pxW * height) / this.options.width));
    if (!this.mesh || Math.abs(height - this.height) > 1e-9) {
      this.mesh?.dispose();
      this.texture?.dispose();
      this.height = height;
      this.mesh = CreatePlane(`${this.name}:panel`, { width: this.options.width, height, sideOrientation: Mesh.DOUBLESIDE }, this.scene);
      this.mesh.parent = this.root;
      this.mesh.isPickable = false;
      this.mesh.renderingGroupId = 1;
      this.texture = new DynamicTexture(`${this.name}:texture`, { width: pxW, height: pxH }, this.scene, true);
      this.texture.hasAlpha = true;
      this.material.diffuseTexture = this.texture;
      this.mesh.material = this.material;
    }
    const texture = this.texture!;
    const ctx = texture.getContext() as CanvasRenderingContext2D;
    const { width: W, height: H } = texture.getSize();
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = 'rgba(13, 17, 23, 0.88)';
    ctx.beginPath();
    ctx.roundRect(0, 0, W, H, 24);
    ctx.fill();
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const rowPx = H / this.layout.units;
    for (const t of this.layout.titles) {
      ctx.fillStyle = '#8b949e';
      ctx.font = `600 ${Math.round(rowPx * 0.32)}px system-ui, sans-serif`;
      ctx.textAlign = 'left';
      ctx.fillText(t.title.toUpperCase(), W * 0.02, (t.y + t.h * 0.55) * H);
      ctx.textAlign = 'center';
    }
    for (const c of this.layout.cells) {
      const x = c.x * W, y = c.y * H, w = c.w * W, h = c.h * H;
      const { item } = c;
      ctx.fillStyle = item.warning ? '#3d2a00' : item.disabled ? '#161b22' : item.active ? '#1f6feb' : item.id === this.hovered ? '#30363d' : '#21262d';
      ctx.beginPath();
      ctx.roundRect(x, y, w, h, h * 0.22);
      ctx.fill();
      if (item.id === this.hovered || item.warning) {
        ctx.strokeStyle = item.warning ? '#d29922' : '#58a6ff';
        ctx.lineWidth = 4;
        ctx.stroke();
      }
      let textX = x + w / 2;
      if (item.color) {
        ctx.fillStyle = item.color;
        ctx.fillRect(x + h * 0.25, y + h * 0.3, h * 0.4, h * 0.4);
        textX += h * 0.3;
      }
      ctx.fillStyle = item.warning ? '#f0b429' : item.disabled ? '#6e7681' : '#e6edf3';
      let size = Math.round(h * 0.42);
      ctx.font = `500 ${size}px system-ui, sans-serif`;
      const room = w - (item.color ? h * 0.9 : h * 0.3);
      while (ctx.measureText(item.label).width > room && size > 10) {
        size -= 2;
        ctx.font = `500 ${size}px system-ui, sans-serif`;
      }
      ctx.fillText(item.label, textX, y + h / 2);
    }
    texture.update(true);
  }
}
