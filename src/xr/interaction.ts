import '@babylonjs/core/Culling/ray'; // side effect: scene picking with rays
import { Matrix, Vector3 } from '@babylonjs/core/Maths/math.vector';
import { Ray } from '@babylonjs/core/Culling/ray.core';
import { Observable } from '@babylonjs/core/Misc/observable';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh';
import type { Scene } from '@babylonjs/core/scene';
import type { MeasureView } from '../scene/measure-view';
import type { HologramView } from '../scene/hologram-view';
import type { PlaneHandles } from '../scene/plane-handles';
import type { TextLabel } from '../scene/text-label';
import { STRUCTURE_GROUPS, type ClassInfo, type StructureGroup } from '../segmentation/manifest';
import {
  addMeasurement, namesInGroup, PLANE_PRESETS, removeClipPlane, removeMeasurement, setOpacity, setPose, setSliceWindow, setVisible,
  toggleVisible, upsertClipPlane,
} from '../state/actions';
import type { HologramState, HologramStore, Vec3 } from '../state/hologram-state';
import { indexToPatientAffine, invertAffine, type Affine } from '../volume/geometry';
import type { LabelMap } from '../volume/types';
import type { Effector } from './effector';
import { marchLabels, type LabelRayHit, type LabelRayOptions } from './label-ray';
import {
  beginTwoHand, dragPlaneOffset, grabStart, grabUpdate, insideBox, isPalmUp, planeFromHand, poseFromState, poseToState, rayBox, raySphere,
  twoHandStart, twoHandUpdate, workPose, type RigidPose,
} from './gestures';
import type { MenuItem, MenuRow, XRMenuPanel } from './menu';

export type XRTool = 'move' | 'measure' | 'cut';

/** Menu actions the interaction does not own (the session does: placement, anchors, leaving XR). */
export type SessionAction = 'place' | 'reset' | 'exit';

export interface HologramInteractionOptions {
  store: HologramStore;
  view: HologramView;
  /** The model's classes (labels, groups, colors). */
  classes: readonly ClassInfo[];
  handles: PlaneHandles;
  measures: MeasureView;
  nearMenu: XRMenuPanel;
  /** Shown above the left palm while it faces up. */
  handMenu?: XRMenuPanel;
  /** Label for the structure under the ray or gaze. */
  hoverLabel?: TextLabel;
  /** The viewer's head (world), kept current by the session. */
  head: RigidPose;
  /** How far outside the hologram's box a hand still grabs it, m (default 0.03). */
  nearMargin?: number;
  /** Frames between two hover picks (default 6: ~12 Hz at 72 Hz). */
  hoverEvery?: number;
  /** The segmentation on the CT grid: rays find structures in it (fast, cut- and visibility-aware). */
  labels?: LabelMap;
}

const GROUP_LABELS: Record<StructureGroup, string> = { bone: 'Bones', vessel: 'Vessels', organ: 'Organs' };
const PRESETS = ['axial', 'coronal', 'sagittal'] as const;
const FREE_PLANE = 'free';

/**
 * What hands, controllers and pointers do to the hologram, following Babylon's XR feature pattern
 * (options, observables, dispose), driven by `update()` once per XR frame. Every change goes through
 * the state's actions; the views follow the store.
 *
 * - pinch on a menu button (or point a ray at it and select): the button's action;
 * - pinch a plane handle and drag: the cut moves along its normal;
 * - tool "move": pinch inside the hologram (or ray-select it) and move the hand: it follows (move +
 *   rotate); pinch with the second hand too: two-hand scale and turn;
 * - tool "measure": pinch a point, then another: a measurement in patient mm;
 * - tool "cut": pinch and turn the hand: a free plane through the pinch point, normal to the palm.
 *
 * Per frame it allocates nothing except the new state objects of a gesture's `store.update` (the state
 * is immutable JSON by design). Rays find structures by marching the label map (hover, far measuring),
 * not by triangle picking; without a label map, a far measurement falls back to Babylon's picking.
 */
export class HologramInteraction {
  readonly onToolChangedObservable = new Observable<XRTool>();
  readonly onSessionActionObservable = new Observable<SessionAction>();
  readonly onMeasurementAddedObservable = new Observable<string>();
  /** A press that nothing else took while `placing` is true: the session places the hologram. */
  readonly onPlacePressObservable = new Observable<Effector>();
  /** Hover/gaze: the structure name under the ray, or null. */
  readonly onHoverObservable = new Observable<string | null>();
  /** True while the hologram waits for a placement press. */
  placing = false;
  effectors: Effector[] = [];
  private toolValue: XRTool = 'move';
  private pendingPoint: Vec3 | null = null;
  private readonly two = twoHandStart();
  private twoHand: [Effector, Effector] | null = null;
  private readonly work = workPose();
  private readonly worldMin = new Vector3();
  private readonly worldMax = new Vector3();
  private readonly inverse = new Matrix();
  private readonly tmp = new Vector3();
  private readonly tmp2 = new Vector3();
  private readonly corner = new Vector3();
  private readonly ray = new Ray(Vector3.Zero(), Vector3.Forward(), 10);
  private frame = 0;
  private hovered: string | null = null;
  private labels?: LabelMap;
  private labelToIndex?: Affine;
  private readonly classNames = new Map<number, string>();
  private readonly rayOrigin: Vec3 = [0, 0, 0];
  private readonly rayDirection: Vec3 = [0, 0, 0];
  private readonly labelHit: LabelRayHit = { distance: 0, classId: 0 };
  private readonly marchOptions: LabelRayOptions = {
    maxDistance: 0,
    accept: (id) => {
      const name = this.classNames.get(id);
      return !!name && !!this.options.store.getState().structures[name]?.visible && !!this.options.view.getStructureMesh(name);
    },
  };
  private readonly unsubscribe: () => void;
  private readonly nearMenuObserver;
  private readonly handMenuObserver;

  constructor(readonly scene: Scene, private readonly options: HologramInteractionOptions) {
    this.unsubscribe = options.store.subscribe((s, p) => {
      if (s.structures !== p.structures || s.clipPlanes !== p.clipPlanes || s.sliceWindow !== p.sliceWindow || s.measurements !== p.measurements) {
        this.invalidateMenus();
      }
    });
    for (const c of options.classes) this.classNames.set(c.id, c.name);
    if (options.labels) this.setLabels(options.labels);
    this.nearMenuObserver = options.nearMenu.onSelectObservable.add((item) => this.runAction(item.id));
    this.handMenuObserver = options.handMenu?.onSelectObservable.add((item) => this.runAction(item.id));
  }

  /** The label map rays search (arrives with the segmentation). */
  setLabels(labels: LabelMap | undefined): void {
    this.labels = labels;
    this.labelToIndex = labels && invertAffine(indexToPatientAffine(labels));
  }

  get tool(): XRTool {
    return this.toolValue;
  }

  setTool(tool: XRTool): void {
    if (tool === this.toolValue) return;
    this.toolValue = tool;
    this.pendingPoint = null;
    this.options.measures.setPending(null);
    this.invalidateMenus();
    this.onToolChangedObservable.notifyObservers(tool);
  }

  /** The menus' rows changed (new structures, new state). */
  invalidateMenus(): void {
    this.options.nearMenu.invalidate();
    this.options.handMenu?.invalidate();
  }

  /** Rows of the near menu: every feature. */
  nearMenuRows(): MenuRow[] {
    const s = this.options.store.getState();
    const rows: MenuRow[] = [...this.commonRows(s), { title: 'Structures' }];
    const present = this.options.view.structureNames;
    const classes = this.options.classes.filter((c) => present.includes(c.name));
    for (let i = 0; i < classes.length; i += 2) {
      const row: MenuItem[] = [];
      for (const c of classes.slice(i, i + 2)) {
        const st = s.structures[c.name];
        row.push(
          { id: `vis:${c.name}`, label: c.label, active: st?.visible, color: c.color, weight: 3 },
          { id: `op-:${c.name}`, label: '−', weight: 0.8 },
          { id: `op+:${c.name}`, label: '+', weight: 0.8 },
        );
      }
      rows.push(row);
    }
    rows.push({ title: 'Session' }, [
      { id: 'measure:clear', label: `Clear measurements (${s.measurements.length})`, disabled: !s.measurements.length, weight: 2 },
      { id: 'exit', label: 'Leave XR' },
    ]);
    return rows;
  }

  /** Rows of the hand menu: the quick ones. */
  handMenuRows(): MenuRow[] {
    return this.commonRows(this.options.store.getState());
  }

  private commonRows(s: HologramState): MenuRow[] {
    const present = this.options.view.structureNames;
    const planes = new Set(s.clipPlanes.map((p) => p.id));
    return [
      { title: 'Tool' },
      [
        { id: 'tool:move', label: 'Move', active: this.toolValue === 'move' },
        { id: 'tool:measure', label: 'Measure', active: this.toolValue === 'measure' },
        { id: 'tool:cut', label: 'Free cut', active: this.toolValue === 'cut' },
      ],
      { title: 'Cuts' },
      [
        ...PRESETS.map((p) => ({ id: `cut:${p}`, label: p[0].toUpperCase() + p.slice(1), active: planes.has(p) })),
        { id: 'cut:clear', label: 'No cuts', disabled: !s.clipPlanes.length },
      ],
      [
        { id: 'window:soft-tissue', label: 'Soft tissue', active: s.sliceWindow === 'soft-tissue' },
        { id: 'window:bone', label: 'Bone', active: s.sliceWindow === 'bone' },
        { id: 'slices:toggle', label: 'CT on cuts', active: s.clipPlanes.some((p) => p.showSlice), disabled: !s.clipPlanes.length },
      ],
      { title: 'Hologram' },
      [
        { id: 'place', label: this.placing ? 'Placing…' : 'Place', active: this.placing },
        { id: 'true-size', label: 'True size', active: Math.abs(s.pose.scale - 0.001) < 1e-9 },
        { id: 'reset', label: 'Reset' },
      ],
      STRUCTURE_GROUPS.filter((g) => this.options.classes.some((c) => c.group === g)).map((g) => {
        const names = namesInGroup(this.options.classes, g).filter((n) => present.includes(n));
        return { id: `group:${g}`, label: GROUP_LABELS[g], active: names.some((n) => s.structures[n]?.visible), disabled: !names.length };
      }),
    ];
  }

  /** Runs a menu action by id (also the API the tests and the desktop can use). */
  runAction(id: string): void {
    const { store, view, classes } = this.options;
    const [kind, arg] = id.split(/:(.*)/s, 2);
    const s = store.getState();
    switch (kind) {
      case 'tool':
        this.setTool(arg as XRTool);
        return;
      case 'cut': {
        if (arg === 'clear') {
          for (const p of s.clipPlanes) store.update(removeClipPlane(p.id));
          return;
        }
        const preset = arg as (typeof PRESETS)[number];
        if (s.clipPlanes.some((p) => p.id === preset)) {
          store.update(removeClipPlane(preset));
          return;
        }
        const normal = PLANE_PRESETS[preset];
        const c = view.centerMm;
        store.update(upsertClipPlane({ id: preset, normal, offset: c[0] * normal[0] + c[1] * normal[1] + c[2] * normal[2], showSlice: true }));
        return;
      }
      case 'window':
        store.update(setSliceWindow(arg as HologramState['sliceWindow']));
        return;
      case 'slices': {
        const show = !s.clipPlanes.some((p) => p.showSlice);
        for (const p of s.clipPlanes) store.update(upsertClipPlane({ ...p, showSlice: show }));
        return;
      }
      case 'true-size':
        store.update(setPose({ scale: 0.001 }));
        return;
      case 'group': {
        const names = namesInGroup(classes, arg as StructureGroup).filter((n) => view.structureNames.includes(n));
        store.update(setVisible(names, !names.some((n) => s.structures[n]?.visible)));
        return;
      }
      case 'vis':
        store.update(toggleVisible(arg));
        return;
      case 'op-':
      case 'op+': {
        // to the next quarter up or down (0.6 → 0.5 or 0.75)
        const q = (s.structures[arg]?.opacity ?? 1) * 4;
        store.update(setOpacity(arg, (kind === 'op+' ? Math.floor(q + 1 + 1e-9) : Math.ceil(q - 1 - 1e-9)) / 4));
        return;
      }
      case 'measure':
        for (const m of s.measurements) store.update(removeMeasurement(m.id));
        return;
      case 'place':
      case 'reset':
      case 'exit':
        this.onSessionActionObservable.notifyObservers(kind);
        return;
      default:
        throw new Error(`XR menu: unknown action "${id}"`);
    }
  }

  /** One XR frame: presses, drags, releases, hover. */
  update(): void {
    this.frame++;
    for (const e of this.effectors) {
      if (e.pressEdge) {
        e.pressEdge = false;
        if (e.tracked) this.onPress(e);
      }
    }
    // releases before drags: the frame that ends a pinch already has the fingers opening, which must not
    // move what was held
    for (const e of this.effectors) {
      if (e.releaseEdge || (!e.tracked && e.grab.mode !== 'none')) {
        e.releaseEdge = false;
        this.onRelease(e);
      }
    }
    this.updateDrags();
    this.updateMenus();
    if (this.frame % (this.options.hoverEvery ?? 6) === 0) this.updateHover();
  }

  dispose(): void {
    this.unsubscribe();
    this.options.nearMenu.onSelectObservable.remove(this.nearMenuObserver);
    if (this.handMenuObserver) this.options.handMenu?.onSelectObservable.remove(this.handMenuObserver);
    this.onToolChangedObservable.clear();
    this.onSessionActionObservable.clear();
    this.onMeasurementAddedObservable.clear();
    this.onPlacePressObservable.clear();
    this.onHoverObservable.clear();
  }

  // ---- presses ------------------------------------------------------------------------------

  private onPress(e: Effector): void {
    if (this.pressMenu(e)) return;
    if (this.placing) {
      this.onPlacePressObservable.notifyObservers(e);
      return;
    }
    if (this.pressHandle(e)) return;
    this.refreshWorldBox();
    if (this.toolValue === 'measure') {
      this.pressMeasure(e);
      return;
    }
    if (this.toolValue === 'cut') {
      e.grab.mode = 'cut';
      this.updateFreeCut(e);
      return;
    }
    this.pressHologram(e);
  }

  private pressMenu(e: Effector): boolean {
    for (const menu of [this.options.handMenu, this.options.nearMenu]) {
      if (!menu?.visible) continue;
      // the hand that carries the hand menu does not press it
      if (menu === this.options.handMenu && e.handedness === 'left' && e.kind === 'hand') continue;
      menu.updateFrame();
      if (e.near) {
        const item = menu.nearHit(e.position);
        if (item !== null) {
          if (item) menu.select(item);
          e.grab.mode = 'menu';
          return true;
        }
      }
      const hit = menu.rayHit(e.rayOrigin, e.rayDirection);
      if (hit.distance >= 0) {
        if (hit.item) menu.select(hit.item);
        e.grab.mode = 'menu';
        return true;
      }
    }
    return false;
  }

  private pressHandle(e: Effector): boolean {
    const handles = this.options.handles;
    let best: string | null = null;
    let bestDistance = Infinity;
    let far = 0;
    for (const h of handles.all.values()) {
      if (!h.mesh.isEnabled()) continue;
      if (e.near) {
        const d = Vector3.Distance(e.position, h.world);
        if (d < handles.radius * 1.8 && d < bestDistance) {
          best = h.id;
          bestDistance = d;
          far = 0;
        }
      }
      const t = raySphere(e.rayOrigin, e.rayDirection, h.world, handles.radius * 1.4);
      if (t >= 0 && best === null && t < bestDistance) {
        best = h.id;
        bestDistance = t;
        far = Math.max(t, 1e-3);
      }
    }
    if (best === null) return false;
    const plane = this.options.store.getState().clipPlanes.find((p) => p.id === best);
    if (!plane) return false;
    e.grab.mode = 'plane';
    e.grab.planeId = best;
    e.grab.startOffset = plane.offset;
    e.grab.rayDistance = far;
    this.grabPointPatient(e, e.grab.startPatient);
    return true;
  }

  private pressHologram(e: Effector): void {
    let distance = 0;
    if (!(e.near && insideBox(e.position, this.worldMin, this.worldMax, this.options.nearMargin ?? 0.03))) {
      const t = rayBox(e.rayOrigin, e.rayDirection, this.worldMin, this.worldMax);
      if (t < 0) return;
      distance = Math.max(t, 1e-3);
    }
    e.grab.mode = 'hologram';
    e.grab.rayDistance = distance;
    const other = this.effectors.find((o) => o !== e && o.grab.mode === 'hologram');
    if (other) {
      this.twoHand = [other, e];
      this.grabPoint(other, this.tmp);
      this.grabPoint(e, this.tmp2);
      beginTwoHand(this.tmp, this.tmp2, poseFromState(this.options.store.getState().pose, this.work), this.two);
      return;
    }
    this.beginOneHand(e);
  }

  private beginOneHand(e: Effector): void {
    poseFromState(this.options.store.getState().pose, this.work);
    if (e.grab.rayDistance > 0) {
      // a far grab holds the hologram at the ray's grab point, turning with the pointer
      this.grabPoint(e, this.tmp);
      const saved = this.tmp2.copyFrom(e.position);
      e.position.copyFrom(this.tmp);
      grabStart(e, this.work, e.grab.relative);
      e.position.copyFrom(saved);
    } else {
      grabStart(e, this.work, e.grab.relative);
    }
  }

  private pressMeasure(e: Effector): void {
    const point = this.measurePoint(e);
    if (!point) return;
    if (!this.pendingPoint) {
      this.pendingPoint = point;
      this.options.measures.setPending(point);
      return;
    }
    const id = `m${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
    this.options.store.update(addMeasurement({ id, a: this.pendingPoint, b: point }));
    this.pendingPoint = null;
    this.options.measures.setPending(null);
    this.onMeasurementAddedObservable.notifyObservers(id);
  }

  /** Patient point for a measurement: the pinch point itself when inside the hologram, else the surface the ray hits. */
  private measurePoint(e: Effector): Vec3 | null {
    this.worldToPatientMatrix();
    if (e.near && insideBox(e.position, this.worldMin, this.worldMax, 0.005)) {
      Vector3.TransformCoordinatesToRef(e.position, this.inverse, this.tmp);
      return [this.tmp.x, this.tmp.y, this.tmp.z];
    }
    if (this.labels) {
      if (!this.marchRay(e.rayOrigin, e.rayDirection)) return null;
      const d = this.labelHit.distance;
      return [this.rayOrigin[0] + this.rayDirection[0] * d, this.rayOrigin[1] + this.rayDirection[1] * d, this.rayOrigin[2] + this.rayDirection[2] * d];
    }
    const hit = this.pickStructure(e.rayOrigin, e.rayDirection);
    if (!hit) return null;
    Vector3.TransformCoordinatesToRef(hit.point, this.inverse, this.tmp);
    return [this.tmp.x, this.tmp.y, this.tmp.z];
  }

  /**
   * Marches a world ray through the label map (patient space): fills `labelHit` (distance in mm along
   * the patient ray in `rayOrigin`/`rayDirection`). No allocation.
   */
  private marchRay(origin: Vector3, direction: Vector3): boolean {
    if (!this.labels) return false;
    this.worldToPatientMatrix();
    Vector3.TransformCoordinatesToRef(origin, this.inverse, this.corner);
    this.rayOrigin[0] = this.corner.x; this.rayOrigin[1] = this.corner.y; this.rayOrigin[2] = this.corner.z;
    Vector3.TransformNormalToRef(direction, this.inverse, this.corner);
    const mmPerM = this.corner.length();
    this.corner.scaleInPlace(1 / mmPerM);
    this.rayDirection[0] = this.corner.x; this.rayDirection[1] = this.corner.y; this.rayDirection[2] = this.corner.z;
    this.marchOptions.maxDistance = 3 * mmPerM; // 3 m of ray
    this.marchOptions.planes = this.options.store.getState().clipPlanes;
    this.marchOptions.patientToIndex = this.labelToIndex;
    return marchLabels(this.labels, this.rayOrigin, this.rayDirection, this.marchOptions, this.labelHit);
  }

  // ---- drags --------------------------------------------------------------------------------

  private updateDrags(): void {
    const { store } = this.options;
    if (this.twoHand) {
      const [a, b] = this.twoHand;
      this.grabPoint(a, this.tmp);
      this.grabPoint(b, this.tmp2);
      store.update(setPose(poseToState(twoHandUpdate(this.two, this.tmp, this.tmp2, this.work))));
    }
    for (const e of this.effectors) {
      if (!e.tracked) continue;
      switch (e.grab.mode) {
        case 'hologram':
          if (this.twoHand) break;
          if (e.grab.rayDistance > 0) {
            this.grabPoint(e, this.tmp);
            const saved = this.tmp2.copyFrom(e.position);
            e.position.copyFrom(this.tmp);
            grabUpdate(e, e.grab.relative, this.work);
            e.position.copyFrom(saved);
          } else {
            grabUpdate(e, e.grab.relative, this.work);
          }
          this.work.scale = store.getState().pose.scale;
          store.update(setPose(poseToState(this.work)));
          break;
        case 'plane': {
          const plane = store.getState().clipPlanes.find((p) => p.id === e.grab.planeId);
          if (!plane) {
            e.grab.mode = 'none';
            break;
          }
          this.grabPointPatient(e, this.corner);
          const offset = dragPlaneOffset(e.grab.startOffset, plane.normal, e.grab.startPatient, this.corner);
          if (offset !== plane.offset) store.update(upsertClipPlane({ ...plane, offset }));
          break;
        }
        case 'cut':
          this.updateFreeCut(e);
          break;
        default:
          break;
      }
    }
  }

  private updateFreeCut(e: Effector): void {
    this.worldToPatientMatrix();
    const offset = planeFromHand(e.position, e.palmNormal, this.inverse, this.tmp);
    const normal: Vec3 = [this.tmp.x, this.tmp.y, this.tmp.z];
    const current = this.options.store.getState().clipPlanes.find((p) => p.id === FREE_PLANE);
    if (current && current.offset === offset && current.normal.every((v, i) => v === normal[i])) return;
    this.options.store.update(upsertClipPlane({ id: FREE_PLANE, normal, offset, showSlice: current?.showSlice ?? true }));
  }

  private onRelease(e: Effector): void {
    const mode = e.grab.mode;
    e.grab.mode = 'none';
    if (mode === 'hologram' && this.twoHand?.includes(e)) {
      const other = this.twoHand[0] === e ? this.twoHand[1] : this.twoHand[0];
      this.twoHand = null;
      if (other.grab.mode === 'hologram') this.beginOneHand(other);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** The effector's grab point: the hand/controller itself, or its ray's point at the grab distance. */
  private grabPoint(e: Effector, out: Vector3): Vector3 {
    if (e.grab.rayDistance > 0) return e.rayDirection.scaleToRef(e.grab.rayDistance, out).addInPlace(e.rayOrigin);
    return out.copyFrom(e.position);
  }

  private grabPointPatient(e: Effector, out: Vector3): Vector3 {
    this.worldToPatientMatrix();
    this.grabPoint(e, this.tmp2);
    return Vector3.TransformCoordinatesToRef(this.tmp2, this.inverse, out);
  }

  private worldToPatientMatrix(): Matrix {
    this.options.view.poseNode.computeWorldMatrix(true);
    this.options.view.patientNode.computeWorldMatrix(true).invertToRef(this.inverse);
    return this.inverse;
  }

  /** World axis-aligned box of the hologram's patient bounds. */
  private refreshWorldBox(): void {
    const bounds = this.options.view.patientBounds();
    this.worldMin.set(Infinity, Infinity, Infinity);
    this.worldMax.set(-Infinity, -Infinity, -Infinity);
    if (!bounds) return;
    const world = this.options.view.patientNode.computeWorldMatrix(true);
    for (let i = 0; i < 8; i++) {
      this.corner.set(i & 1 ? bounds.max.x : bounds.min.x, i & 2 ? bounds.max.y : bounds.min.y, i & 4 ? bounds.max.z : bounds.min.z);
      Vector3.TransformCoordinatesToRef(this.corner, world, this.tmp);
      this.worldMin.minimizeInPlace(this.tmp);
      this.worldMax.maximizeInPlace(this.tmp);
    }
  }

  /**
   * The first structure surface along a ray that is not cut away (Babylon's picking ignores clip
   * planes, so hits on the removed side are skipped). World point, or null.
   */
  pickStructure(origin: Vector3, direction: Vector3): { point: Vector3; mesh: AbstractMesh } | null {
    this.ray.origin.copyFrom(origin);
    this.ray.direction.copyFrom(direction);
    this.ray.length = 20;
    const hits = this.scene.multiPickWithRay(this.ray, (m) => m.isEnabled() && m.isVisible && !!m.metadata?.structure) ?? [];
    hits.sort((a, b) => a.distance - b.distance);
    const planes = this.options.store.getState().clipPlanes;
    this.worldToPatientMatrix();
    for (const h of hits) {
      if (!h.hit || !h.pickedPoint || !h.pickedMesh) continue;
      Vector3.TransformCoordinatesToRef(h.pickedPoint, this.inverse, this.tmp);
      const kept = planes.every((p) => p.normal[0] * this.tmp.x + p.normal[1] * this.tmp.y + p.normal[2] * this.tmp.z <= p.offset + 1e-3);
      if (kept) return { point: h.pickedPoint, mesh: h.pickedMesh };
    }
    return null;
  }

  private updateMenus(): void {
    const hand = this.options.handMenu;
    if (hand) {
      let left: Effector | undefined;
      for (const e of this.effectors) if (e.kind === 'hand' && e.handedness === 'left' && e.tracked) { left = e; break; }
      const show = !!left && isPalmUp(left.palmNormal) && left.grab.mode === 'none';
      if (show && left) {
        // float the menu above the palm, turned to the head (yaw only)
        const root = hand.root;
        root.position.copyFrom(left.position).addInPlaceFromFloats(left.palmNormal.x * 0.12, left.palmNormal.y * 0.12 + 0.05, left.palmNormal.z * 0.12);
        const head = this.options.head.position;
        root.rotation.set(0, Math.atan2(root.position.x - head.x, root.position.z - head.z), 0);
      }
      if (show !== hand.visible) hand.setVisible(show);
      this.hoverMenu(hand);
    }
    this.hoverMenu(this.options.nearMenu);
  }

  /** Hover highlight for the rays and fingertips at a menu. */
  private hoverMenu(menu: XRMenuPanel): void {
    if (!menu.visible) return;
    menu.updateFrame();
    let id: string | null = null;
    for (const e of this.effectors) {
      if (!e.tracked || (menu === this.options.handMenu && e.kind === 'hand' && e.handedness === 'left')) continue;
      const near = e.near ? menu.nearHit(e.position) : null;
      const item = near ?? menu.rayHit(e.rayOrigin, e.rayDirection).item;
      if (item) {
        id = item.id;
        break;
      }
    }
    menu.setHovered(id);
  }

  /** The structure under the first free ray (or the head's gaze): its name on a label. */
  private updateHover(): void {
    const label = this.options.hoverLabel;
    let e: Effector | undefined;
    for (const x of this.effectors) if (x.tracked && x.grab.mode === 'none' && x.kind !== 'gaze') { e = x; break; }
    const origin = e ? e.rayOrigin : this.options.head.position;
    const direction = e ? e.rayDirection : this.tmp2.set(0, 0, 1).rotateByQuaternionToRef(this.options.head.rotation, this.tmp2);
    let name: string | null = null;
    if (this.marchRay(origin, direction)) {
      name = this.classNames.get(this.labelHit.classId) ?? null;
      if (label && name) {
        const d = this.labelHit.distance;
        this.tmp.set(this.rayOrigin[0] + this.rayDirection[0] * d, this.rayOrigin[1] + this.rayDirection[1] * d, this.rayOrigin[2] + this.rayDirection[2] * d);
        Vector3.TransformCoordinatesToRef(this.tmp, this.options.view.patientNode.getWorldMatrix(), label.mesh.position);
        label.mesh.position.y += 0.03;
      }
    }
    if (label) {
      if (name) label.setText(this.options.classes.find((c) => c.name === name)?.label ?? name);
      if (label.mesh.isEnabled() !== !!name) label.mesh.setEnabled(!!name);
    }
    if (name !== this.hovered) {
      this.hovered = name;
      this.onHoverObservable.notifyObservers(name);
    }
  }

  get hoveredStructure(): string | null {
    return this.hovered;
  }

  get pendingMeasurePoint(): Vec3 | null {
    return this.pendingPoint;
  }
}
