import '@babylonjs/core/Culling/ray'; // side effect: scene picking with rays
import { Matrix, Vector3 } from '@babylonjs/core/Maths/math.vector';
import { Ray } from '@babylonjs/core/Culling/ray.core';
import { Observable } from '@babylonjs/core/Misc/observable';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh';
import type { Scene } from '@babylonjs/core/scene';
import type { HologramView } from '../scene/hologram-view';
import type { PlaneHandles } from '../scene/plane-handles';
import type { TextLabel } from '../scene/text-label';
import type { ClassInfo, StructureGroup } from '../segmentation/manifest';
import {
  createThrottledCommitter, findCut, namesInGroup, PLANE_PRESETS, roomPose, viewCuts, viewWorldPose, type Cut,
  type HologramStore, type Pose, type SliceWindow, type ThrottledCommitter, type Tool, type Vec3, upsertCutCommand,
} from '../state';
import { indexToPatientAffine, invertAffine, type Affine } from '../volume/geometry';
import type { ScopeCheck } from '../segmentation/scope';
import type { LabelMap } from '../volume/types';
import type { Effector } from './effector';
import { marchLabels, type LabelRayHit, type LabelRayOptions } from './label-ray';
import {
  beginTwoHand, dragPlaneOffset, grabStart, grabUpdate, insideBox, isPalmUp, planeFromHand, poseFromState, poseToState, rayBox, raySphere,
  twoHandStart, twoHandUpdate, workPose, type RigidPose,
} from './gestures';
import type { MenuRow, XRMenuPanel } from './menu';
import { nearMenuRows, PRESETS, quickMenuRows, type MenuContext } from './menu-rows';

export type XRTool = Tool;

/** Menu actions the interaction does not own (the session does: placement, anchors, leaving XR). */
export type SessionAction = 'place' | 'reset' | 'exit';

/** A feature that adds near-menu rows, actions and press handling to the interaction (the room calibration). */
export interface InteractionExtension {
  /** Rows shown in the near menu, before its Session section. */
  menuRows(): MenuRow[];
  /** Runs an action of its own rows; false when the id is not its own. */
  runAction(id: string): boolean;
  /** Takes a press that no menu took (before placing, handles and tools); true when it did. */
  capturePress(e: Effector): boolean;
}

export interface HologramInteractionOptions {
  store: HologramStore;
  view: HologramView;
  /** The model's classes (labels, groups, colors). */
  classes: readonly ClassInfo[];
  handles: PlaneHandles;
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
  /** The series checked against the model's scope (arrives with the segmentation): out of scope, both menus say so first. */
  scope?: ScopeCheck;
  /** Sections of their own (room calibration, team), in menu order. */
  extensions?: readonly InteractionExtension[];
}

const FREE_PLANE = 'free';

/**
 * What hands, controllers and pointers do to the hologram, following Babylon's XR feature pattern
 * (options, observables, dispose), driven by `update()` once per XR frame. Every change goes through
 * the state's commands; the views follow the store. The tool, the pending point, hover and placing
 * are this device's local state. A drag shows every frame as a local live drag and reaches the shared
 * state throttled (10 Hz), with its final value on release.
 *
 * - pinch on a menu button (or point a ray at it and select): the button's action;
 * - pinch a plane handle and drag: the cut moves along its normal;
 * - tool "move": pinch inside the hologram (or ray-select it) and move the hand: it follows (move +
 *   rotate); pinch with the second hand too: two-hand scale and turn;
 * - tool "measure": pinch a point, then another: a measurement in patient mm;
 * - tool "cut": pinch and turn the hand: a free plane through the pinch point, normal to the palm.
 *
 * Per frame it allocates nothing except the new state objects of a gesture's live drag (the state
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
  effectors: Effector[] = [];
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
  private readonly poseCommits: ThrottledCommitter<Pose>;
  private readonly cutCommits = new Map<string, ThrottledCommitter<Cut>>();
  private labels?: LabelMap;
  private scope?: ScopeCheck;
  private labelToIndex?: Affine;
  private readonly classNames = new Map<number, string>();
  private readonly rayOrigin: Vec3 = [0, 0, 0];
  private readonly rayDirection: Vec3 = [0, 0, 0];
  private readonly labelHit: LabelRayHit = { distance: 0, classId: 0 };
  private readonly marchOptions: LabelRayOptions = {
    maxDistance: 0,
    accept: (id) => {
      const name = this.classNames.get(id);
      return !!name && !!this.options.store.getState().shared.structures[name]?.visible && !!this.options.view.getStructureMesh(name);
    },
  };
  private readonly unsubscribe: () => void;
  private readonly nearMenuObserver;
  private readonly handMenuObserver;

  constructor(readonly scene: Scene, private readonly options: HologramInteractionOptions) {
    this.unsubscribe = options.store.subscribe((s, p) => {
      const a = s.shared, b = p.shared;
      if (a.structures !== b.structures || a.cuts !== b.cuts || a.sliceWindow !== b.sliceWindow || a.measurements !== b.measurements || a.pose.scale !== b.pose.scale) {
        this.invalidateMenus();
      }
    });
    this.poseCommits = createThrottledCommitter((pose: Pose) => options.store.dispatch({ type: 'pose/set', pose }));
    for (const c of options.classes) this.classNames.set(c.id, c.name);
    if (options.labels) this.setLabels(options.labels);
    this.scope = options.scope;
    this.nearMenuObserver = options.nearMenu.onSelectObservable.add((item) => this.runAction(item.id));
    this.handMenuObserver = options.handMenu?.onSelectObservable.add((item) => this.runAction(item.id));
  }

  /** The label map rays search (arrives with the segmentation). */
  setLabels(labels: LabelMap | undefined): void {
    this.labels = labels;
    this.labelToIndex = labels && invertAffine(indexToPatientAffine(labels));
  }

  /** The series' scope check (arrives with the segmentation). */
  setScope(scope: ScopeCheck | undefined): void {
    this.scope = scope;
    this.invalidateMenus();
  }

  get tool(): XRTool {
    return this.options.store.getState().local.tool;
  }

  /** True while the hologram waits for a placement press. */
  get placing(): boolean {
    return this.options.store.getState().local.placing;
  }

  set placing(placing: boolean) {
    this.options.store.dispatchLocal({ type: 'placing/set', placing });
  }

  setTool(tool: XRTool): void {
    if (tool === this.tool) return;
    this.options.store.dispatchLocal({ type: 'tool/set', tool });
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
    return nearMenuRows(this.options.store.getState(), this.menuContext(), (this.options.extensions ?? []).flatMap((x) => x.menuRows()));
  }

  /** Rows of the hand menu: the quick ones. */
  handMenuRows(): MenuRow[] {
    return quickMenuRows(this.options.store.getState(), this.menuContext());
  }

  private menuContext(): MenuContext {
    return { classes: this.options.classes, present: this.options.view.structureNames, scope: this.scope };
  }

  /** Runs a menu action by id (also the API the tests and the desktop can use). */
  runAction(id: string): void {
    const { store, view, classes } = this.options;
    const [kind, arg] = id.split(/:(.*)/s, 2);
    const s = store.getState().shared;
    switch (kind) {
      case 'tool':
        this.setTool(arg as XRTool);
        return;
      case 'cut': {
        if (arg === 'clear') {
          store.dispatch({ type: 'cuts/clear' });
          return;
        }
        const preset = arg as (typeof PRESETS)[number];
        if (preset in s.cuts) {
          store.dispatch({ type: 'cut/remove', id: preset });
          return;
        }
        const normal = PLANE_PRESETS[preset];
        const c = view.centerMm;
        this.commitCut(preset, { normal, offset: c[0] * normal[0] + c[1] * normal[1] + c[2] * normal[2], showSlice: true });
        return;
      }
      case 'window':
        store.dispatch({ type: 'sliceWindow/set', window: arg as SliceWindow });
        return;
      case 'slices':
        store.dispatch({ type: 'cuts/setShowSlice', show: !Object.values(s.cuts).some((p) => p.showSlice) });
        return;
      case 'true-size':
        store.dispatch({ type: 'pose/set', pose: { scale: 0.001 } });
        return;
      case 'group': {
        const names = namesInGroup(classes, arg as StructureGroup).filter((n) => view.structureNames.includes(n));
        store.dispatch({ type: 'structure/setVisible', names, visible: !names.some((n) => s.structures[n]?.visible) });
        return;
      }
      case 'vis':
        if (s.structures[arg]) store.dispatch({ type: 'structure/setVisible', names: [arg], visible: !s.structures[arg].visible });
        return;
      case 'op-':
      case 'op+': {
        // to the next quarter up or down (0.6 → 0.5 or 0.75)
        const q = (s.structures[arg]?.opacity ?? 1) * 4;
        store.dispatch({ type: 'structure/setOpacity', name: arg, opacity: (kind === 'op+' ? Math.floor(q + 1 + 1e-9) : Math.ceil(q - 1 - 1e-9)) / 4 });
        return;
      }
      case 'measure':
        store.dispatch({ type: 'measurements/clear' });
        return;
      case 'place':
      case 'reset':
      case 'exit':
        this.onSessionActionObservable.notifyObservers(kind);
        return;
      default:
        if (this.options.extensions?.some((x) => x.runAction(id))) return;
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

  /**
   * Adds or changes a cut in the shared state. A new cut when MAX_CUTS are on asks, in the same
   * command, to remove the oldest (the rule the single-user app always had, now explicit).
   */
  private commitCut(id: string, cut: Cut): void {
    this.options.store.dispatch(upsertCutCommand(this.options.store.getState().shared, id, cut));
  }

  /** A cut being dragged: shown at once on this device, committed throttled. */
  private dragCut(id: string, cut: Cut): void {
    this.options.store.dispatchLocal({ type: 'drag/cut', id, cut });
    let commits = this.cutCommits.get(id);
    if (!commits) this.cutCommits.set(id, (commits = createThrottledCommitter((value: Cut) => this.commitCut(id, value))));
    commits.push(cut);
  }

  private endCutDrag(id: string): void {
    this.cutCommits.get(id)?.flush();
    this.cutCommits.delete(id);
    this.options.store.dispatchLocal({ type: 'drag/cut', id, cut: null });
  }

  /** The hologram being moved (world pose): shown at once, committed throttled in the room frame. */
  private dragPose(world: Pose): void {
    const pose = roomPose(this.options.store.getState().local.calibration, world);
    this.options.store.dispatchLocal({ type: 'drag/pose', pose });
    this.poseCommits.push(pose);
  }

  private endPoseDrag(): void {
    this.poseCommits.flush();
    this.options.store.dispatchLocal({ type: 'drag/pose', pose: null });
  }

  dispose(): void {
    // a drag cut short (session ended, case replaced) leaves its last value in the shared state
    for (const id of [...this.cutCommits.keys()]) this.endCutDrag(id);
    if (this.options.store.getState().local.drag.pose) this.endPoseDrag();
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
    if (this.options.extensions?.some((x) => x.capturePress(e))) return;
    if (this.placing) {
      this.onPlacePressObservable.notifyObservers(e);
      return;
    }
    if (this.pressHandle(e)) return;
    this.refreshWorldBox();
    const tool = this.tool;
    if (tool === 'measure') {
      this.pressMeasure(e);
      return;
    }
    if (tool === 'cut') {
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
    const plane = findCut(this.options.store.getState(), best);
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
      beginTwoHand(this.tmp, this.tmp2, poseFromState(viewWorldPose(this.options.store.getState()), this.work), this.two);
      return;
    }
    this.beginOneHand(e);
  }

  private beginOneHand(e: Effector): void {
    poseFromState(viewWorldPose(this.options.store.getState()), this.work);
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
    const { store } = this.options;
    const pending = store.getState().local.pendingPoint;
    if (!pending) {
      store.dispatchLocal({ type: 'measure/pending', point });
      return;
    }
    const id = store.ids.next();
    store.dispatch({ type: 'measurement/add', id, measurement: { a: pending, b: point } });
    store.dispatchLocal({ type: 'measure/pending', point: null });
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
    this.marchOptions.planes = viewCuts(this.options.store.getState());
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
      this.dragPose(poseToState(twoHandUpdate(this.two, this.tmp, this.tmp2, this.work)));
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
          this.work.scale = viewWorldPose(store.getState()).scale;
          this.dragPose(poseToState(this.work));
          break;
        case 'plane': {
          const plane = findCut(store.getState(), e.grab.planeId);
          if (!plane) {
            e.grab.mode = 'none';
            this.endCutDrag(e.grab.planeId);
            break;
          }
          this.grabPointPatient(e, this.corner);
          const offset = dragPlaneOffset(e.grab.startOffset, plane.normal, e.grab.startPatient, this.corner);
          if (offset !== plane.offset) this.dragCut(plane.id, { normal: plane.normal, offset, showSlice: plane.showSlice });
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
    const current = findCut(this.options.store.getState(), FREE_PLANE);
    if (current && current.offset === offset && current.normal.every((v, i) => v === normal[i])) return;
    this.dragCut(FREE_PLANE, { normal, offset, showSlice: current?.showSlice ?? true });
  }

  private onRelease(e: Effector): void {
    const mode = e.grab.mode;
    e.grab.mode = 'none';
    if (mode === 'hologram' && this.twoHand?.includes(e)) {
      const other = this.twoHand[0] === e ? this.twoHand[1] : this.twoHand[0];
      this.twoHand = null;
      if (other.grab.mode === 'hologram') this.beginOneHand(other);
    }
    if (mode === 'hologram' && !this.effectors.some((o) => o.grab.mode === 'hologram')) this.endPoseDrag();
    if (mode === 'plane' && !this.effectors.some((o) => o.grab.mode === 'plane' && o.grab.planeId === e.grab.planeId)) this.endCutDrag(e.grab.planeId);
    if (mode === 'cut' && !this.effectors.some((o) => o.grab.mode === 'cut')) this.endCutDrag(FREE_PLANE);
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
    const planes = viewCuts(this.options.store.getState());
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
    if (name !== this.hoveredStructure) {
      this.options.store.dispatchLocal({ type: 'hover/set', name });
      this.onHoverObservable.notifyObservers(name);
    }
  }

  get hoveredStructure(): string | null {
    return this.options.store.getState().local.hover;
  }

  get pendingMeasurePoint(): Vec3 | null {
    return this.options.store.getState().local.pendingPoint;
  }
}
