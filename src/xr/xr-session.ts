import type { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera';
import { Color3 } from '@babylonjs/core/Maths/math.color';
import { Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { CreateTorus } from '@babylonjs/core/Meshes/Builders/torusBuilder';
import type { Mesh } from '@babylonjs/core/Meshes/mesh';
import { Observable, type Observer } from '@babylonjs/core/Misc/observable';
import type { Scene } from '@babylonjs/core/scene';
import { WebXRDefaultExperience } from '@babylonjs/core/XR/webXRDefaultExperience';
import { WebXRState } from '@babylonjs/core/XR/webXRTypes';
import { WebXRFeatureName } from '@babylonjs/core/XR/webXRFeaturesManager';
import { WebXRAnchorSystem, type IWebXRAnchor } from '@babylonjs/core/XR/features/WebXRAnchorSystem';
import { WebXRHitTest, type IWebXRHitResult } from '@babylonjs/core/XR/features/WebXRHitTest';
import type { WebXRHandTracking } from '@babylonjs/core/XR/features/WebXRHandTracking';
import type { HologramView } from '../scene/hologram-view';
import type { MeasureView } from '../scene/measure-view';
import type { PlaneHandles } from '../scene/plane-handles';
import { TextLabel } from '../scene/text-label';
import type { ClassInfo } from '../segmentation/manifest';
import type { ScopeCheck } from '../segmentation/scope';
import { calibrationForPlacement, calibrationToFollow, composeRigid, invertRigid, roomPose, viewRoomPose, viewWorldPose, type HologramStore, type Pose, type RigidTransform, type Vec3 } from '../state';
import type { LabelMap } from '../volume/types';
import { placeInFront, rigidPose } from './gestures';
import { HologramInteraction } from './interaction';
import { XRMenuPanel } from './menu';
import { RoomCalibration } from './room-calibration';
import { TeamMenu, type XRTeamLink } from './team-menu';
import { XRInputAdapter } from './xr-input';

export type ImmersiveMode = 'immersive-ar' | 'immersive-vr';

/** immersive-ar where offered (Quest passthrough, Android XR, Vision Pro), else immersive-vr, else none. */
export async function detectImmersiveMode(): Promise<ImmersiveMode | null> {
  const xr = (navigator as Navigator & { xr?: { isSessionSupported(mode: string): Promise<boolean> } }).xr;
  if (!xr) return null;
  for (const mode of ['immersive-ar', 'immersive-vr'] as const) {
    try {
      if (await xr.isSessionSupported(mode)) return mode;
    } catch {
      // a browser that throws here simply does not offer the mode
    }
  }
  return null;
}

/** What the headset works on: the case on show. */
export interface XRCase {
  store: HologramStore;
  view: HologramView;
  classes: readonly ClassInfo[];
  handles: PlaneHandles;
  measures: MeasureView;
  /** The segmentation on the CT grid, once it is in (rays find structures in it). */
  labels?: LabelMap;
  /** The series checked against the model's scope, once the segmentation is in. */
  scope?: ScopeCheck;
}

export interface HoloXROptions {
  /** The case on show now (the app replaces cases; the session rebinds). */
  getCase(): XRCase | undefined;
  /** The desktop camera, pointed back at the hologram when the session ends. */
  desktopCamera?: ArcRotateCamera;
  /** Where the persistent anchor's handle and the hologram's place relative to it are kept (default localStorage). */
  storage?: Storage | null;
  /** Key in `storage` (default "holoct.xr.anchor"). */
  storageKey?: string;
}

/** What HoloCT keeps between sessions to put the hologram back where it was (no patient data). */
interface SavedAnchor {
  handle: string;
  /** Hologram pose relative to the anchor. */
  position: [number, number, number];
  rotation: [number, number, number, number];
  scale: number;
  /** When the device was calibrated by landmarks: the room frame relative to the anchor, and the landmarks in it. */
  room?: RigidTransform & { landmarks: Vec3[] };
}

const ANCHOR_FEATURES = ['hit-test', 'anchors', 'hand-tracking', 'local-floor'];
/** Smallest turn of a followed copy: snaps, not a drifting world (comfort). */
const FOLLOW_SNAP_RAD = (20 * Math.PI) / 180;

/**
 * The headset session: Babylon's WebXR experience with no default UI, no teleport and no CDN assets
 * (hand meshes and controller models off: in passthrough the real hands are seen), hand tracking with
 * controllers as fallback, hit-test placement on a real surface, a WebXR anchor to pin the hologram
 * (persistent on Quest, feature-detected), the interaction and its menus. Leaving returns to the
 * desktop view with the same state (the state lives in the store, not here).
 *
 * The anchor pins this device's room frame (its calibration, local state), not the shared pose: when
 * tracking refines the anchor, only the calibration follows, so the hologram keeps its place on the
 * real table here and nobody else's hologram moves.
 */
export class HoloXR {
  readonly onSessionStartedObservable = new Observable<ImmersiveMode>();
  readonly onSessionEndedObservable = new Observable<void>();
  /** The hologram was placed (hit test or in front of the viewer). */
  readonly onPlacedObservable = new Observable<{ onSurface: boolean }>();
  readonly onAnchorObservable = new Observable<{ anchor: IWebXRAnchor; persistentHandle?: string; restored: boolean }>();
  experience?: WebXRDefaultExperience;
  interaction?: HologramInteraction;
  adapter?: XRInputAdapter;
  nearMenu?: XRMenuPanel;
  /** "Calibrate room": the landmark pinches that give this device the team's room frame. */
  calibration?: RoomCalibration;
  /**
   * The team session, when the app connects one. While it is active, a device that has not
   * calibrated by landmarks places its own copy: placing moves its calibration, never the team's pose.
   */
  team?: XRTeamLink;
  /** The residual between this device's landmarks and the other members', in words (the team sets it). */
  private roomReport?: string;
  private teamMenuKey?: string;
  handMenu?: XRMenuPanel;
  hoverLabel?: TextLabel;
  reticle?: Mesh;
  mode?: ImmersiveMode;
  /** The anchor pinning the hologram, and its persistent handle when the platform has them. */
  anchor?: IWebXRAnchor;
  persistentHandle?: string;
  /** Why the last anchor could not be made (for the status line and tests). */
  anchorError?: string;
  private lastHit?: IWebXRHitResult;
  private readonly head = rigidPose();
  /** The room frame in the anchor's frame: anchor⁻¹ ∘ calibration. */
  private roomInAnchor?: RigidTransform;
  private boundCase?: XRCase;
  private unsubscribeCase?: () => void;
  private frameObserver?: Observer<XRFrame>;
  private stateObserver?: Observer<WebXRState>;
  private readonly sessionObservers: Array<() => void> = [];
  private frame = 0;

  constructor(readonly scene: Scene, private readonly options: HoloXROptions) {}

  get inXR(): boolean {
    return this.experience?.baseExperience.state === WebXRState.IN_XR;
  }

  get hitTest(): WebXRHitTest | undefined {
    return this.experience?.baseExperience.featuresManager.getEnabledFeature(WebXRFeatureName.HIT_TEST) as WebXRHitTest | undefined;
  }

  get anchors(): WebXRAnchorSystem | undefined {
    return this.experience?.baseExperience.featuresManager.getEnabledFeature(WebXRFeatureName.ANCHOR_SYSTEM) as WebXRAnchorSystem | undefined;
  }

  /** Enters the immersive session. */
  async enterAsync(mode: ImmersiveMode): Promise<void> {
    const xr = (this.experience ??= await WebXRDefaultExperience.CreateAsync(this.scene, {
      disableDefaultUI: true,
      disableTeleportation: true,
      disablePointerSelection: true,
      disableNearInteraction: true,
      // hands: joints only (the default hand meshes come from a CDN; in passthrough the real hands show)
      handSupportOptions: { jointMeshes: { invisible: true }, handMeshes: { disableDefaultMeshes: true } },
      inputOptions: { doNotLoadControllerMeshes: true, disableOnlineControllerRepository: true },
      optionalFeatures: false,
    }));
    const features = xr.baseExperience.featuresManager;
    if (mode === 'immersive-ar') {
      if (!this.hitTest) features.enableFeature(WebXRHitTest.Name, 'latest', {}, true, false);
    } else if (this.hitTest) {
      features.disableFeature(WebXRHitTest.Name);
    }
    if (!this.anchors) features.enableFeature(WebXRAnchorSystem.Name, 'latest', { doNotRemoveAnchorsOnSessionEnded: false }, true, false);
    this.stateObserver ??= xr.baseExperience.onStateChangedObservable.add((state) => {
      if (state === WebXRState.IN_XR) this.onStarted();
      if (state === WebXRState.NOT_IN_XR) this.onEnded();
    });
    this.mode = mode;
    await xr.baseExperience.enterXRAsync(mode, 'local-floor', xr.renderTarget, { optionalFeatures: ANCHOR_FEATURES });
  }

  async exitAsync(): Promise<void> {
    if (this.inXR) await this.experience!.baseExperience.exitXRAsync();
  }

  /** A new case is on show: rebinds the interaction if a session runs. */
  caseChanged(): void {
    if (!this.inXR) return;
    this.unbind();
    this.bind();
  }

  /** Waits for a placement press (AR with hit test), showing the reticle where the gaze meets a surface. */
  startPlacing(): void {
    if (!this.interaction) return;
    this.interaction.placing = true;
    this.interaction.invalidateMenus();
  }

  /**
   * Places the hologram: on the surface under the reticle when there is one (standing on it), else in
   * front of the viewer; then pins it with an anchor where the platform has anchors.
   */
  async placeAsync(): Promise<void> {
    const c = this.boundCase;
    if (!c) return;
    const hit = this.lastHit;
    const pose = rigidPose();
    this.updateHead();
    const forward = new Vector3(0, 0, 1).applyRotationQuaternion(this.head.rotation);
    placeInFront(this.head.position, forward, 0.55, 0.45, pose);
    const bounds = c.view.patientBounds();
    const scale = viewWorldPose(c.store.getState()).scale;
    if (hit) {
      // stand it on the surface: its centre half its height (patient S extent) above the hit
      const halfHeight = bounds ? ((bounds.max.z - bounds.min.z) / 2) * scale : 0.2;
      pose.position.set(hit.position.x, hit.position.y + halfHeight + 0.005, hit.position.z);
      const toViewer = this.head.position.subtract(hit.position);
      Quaternion.RotationAxisToRef(Vector3.UpReadOnly, Math.atan2(-toViewer.x, -toViewer.z), pose.rotation);
    }
    if (this.interaction) {
      this.interaction.placing = false;
      this.interaction.invalidateMenus();
    }
    this.setWorldPose(c, pose.position, pose.rotation);
    this.placeNearMenu();
    this.onPlacedObservable.notifyObservers({ onSurface: !!hit });
    await this.pinAsync(hit, pose.position);
  }

  /** Pins the hologram where it is now with a new anchor (replacing the previous one). */
  async pinAsync(hit?: IWebXRHitResult, at?: Vector3): Promise<IWebXRAnchor | undefined> {
    const anchors = this.anchors;
    const c = this.boundCase;
    if (!anchors?.attached || !c) {
      this.anchorError = 'this session has no anchors';
      return undefined;
    }
    try {
      const previous = this.anchor;
      this.anchor = undefined;
      previous?.remove();
      const anchor = hit
        ? await anchors.addAnchorPointUsingHitTestResultAsync(hit)
        : await anchors.addAnchorAtPositionAndRotationAsync(at ?? new Vector3(...viewWorldPose(c.store.getState()).position), Quaternion.Identity(), true);
      this.adoptAnchor(anchor);
      this.anchorError = undefined;
      let handle: string | undefined;
      if (anchors.isPersistentAnchorSupported) {
        if (this.persistentHandle) await anchors.deletePersistentAnchorAsync(this.persistentHandle).catch(() => undefined);
        handle = await anchors.requestPersistentHandleAsync(anchor);
        this.persistentHandle = handle;
        c.store.dispatchLocal({ type: 'anchor/set', handle });
        this.saveAnchor();
      }
      this.onAnchorObservable.notifyObservers({ anchor, persistentHandle: handle, restored: false });
      return anchor;
    } catch (error) {
      this.anchorError = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  }

  /** The team session changed: the menu shows the residual report, the presenter and Follow. */
  teamChanged(roomReport: string | undefined): void {
    const menuKey = `${roomReport}|${this.team?.active()}|${this.team?.presenter()}|${this.team?.following()}`;
    this.roomReport = roomReport;
    if (menuKey === this.teamMenuKey) return;
    this.teamMenuKey = menuKey;
    this.interaction?.invalidateMenus();
  }

  dispose(): void {
    this.unbind();
    if (this.stateObserver) this.experience?.baseExperience.onStateChangedObservable.remove(this.stateObserver);
    this.experience?.dispose();
    this.onSessionStartedObservable.clear();
    this.onSessionEndedObservable.clear();
    this.onPlacedObservable.clear();
    this.onAnchorObservable.clear();
  }

  // ---- session lifecycle ----------------------------------------------------------------------

  private onStarted(): void {
    const xr = this.experience!;
    this.frame = 0;
    this.bind();
    const hitTest = this.hitTest;
    if (hitTest) {
      const o = hitTest.onHitTestResultObservable.add((results) => {
        this.lastHit = results[0];
      });
      this.sessionObservers.push(() => hitTest.onHitTestResultObservable.remove(o));
    }
    const anchors = this.anchors;
    if (anchors) {
      const o = anchors.onAnchorUpdatedObservable.add((a) => {
        if (a === this.anchor) this.followAnchor();
      });
      this.sessionObservers.push(() => anchors.onAnchorUpdatedObservable.remove(o));
    }
    this.frameObserver = xr.baseExperience.sessionManager.onXRFrameObservable.add(() => this.onFrame());
    this.onSessionStartedObservable.notifyObservers(this.mode!);
    void this.restoreOrPlace();
  }

  private onEnded(): void {
    this.saveAnchor();
    if (this.frameObserver) this.experience?.baseExperience.sessionManager.onXRFrameObservable.remove(this.frameObserver);
    this.frameObserver = undefined;
    for (const off of this.sessionObservers.splice(0)) off();
    this.lastHit = undefined;
    this.anchor = undefined;
    const c = this.boundCase;
    this.unbind();
    // back to the desktop: same state, the orbit camera aimed at the hologram wherever it now stands
    const camera = this.options.desktopCamera;
    if (c && camera) {
      const { position, scale } = viewWorldPose(c.store.getState());
      camera.setTarget(new Vector3(...position));
      const bounds = c.view.patientBounds();
      const size = bounds ? Vector3.Distance(bounds.min, bounds.max) * scale : 0.4;
      camera.radius = Math.min(camera.upperRadiusLimit ?? 5, Math.max(0.3, size * 1.4));
    }
    this.onSessionEndedObservable.notifyObservers();
  }

  private async restoreOrPlace(): Promise<void> {
    const c = this.boundCase;
    if (!c) return;
    const saved = this.loadAnchor();
    const anchors = this.anchors;
    if (saved && anchors?.attached && anchors.isPersistentAnchorSupported && anchors.persistentAnchors.includes(saved.handle)) {
      try {
        const anchor = await anchors.restorePersistentAnchorAsync(saved.handle);
        this.persistentHandle = saved.handle;
        c.store.dispatchLocal({ type: 'anchor/set', handle: saved.handle });
        // the hologram where it stood relative to the anchor, then the anchor pins the room frame
        this.anchor = anchor;
        const at = this.readAnchorPose();
        if (at && saved.room) {
          // a device calibrated by landmarks gets its room frame back; the shared pose stays the team's
          c.store.dispatchLocal({ type: 'calibration/set', calibration: composeRigid(at, saved.room) });
          c.store.dispatchLocal({ type: 'calibration/landmarks', landmarks: saved.room.landmarks });
        } else if (at) {
          const world = composeRigid(at, { position: saved.position, rotation: saved.rotation });
          // an own copy comes back at its place, without changing the team's scale
          this.setWorldPose(c, new Vector3(...world.position), new Quaternion(...world.rotation), this.placesOwnCopy(c) ? undefined : saved.scale);
        }
        this.adoptAnchor(anchor);
        this.placeNearMenu();
        this.onAnchorObservable.notifyObservers({ anchor, persistentHandle: saved.handle, restored: true });
        return;
      } catch (error) {
        this.anchorError = error instanceof Error ? error.message : String(error);
      }
    }
    // first, right in front of the viewer; then, with hit test, wait for a press on a real surface
    this.updateHead();
    const forward = new Vector3(0, 0, 1).applyRotationQuaternion(this.head.rotation);
    const pose = placeInFront(this.head.position, forward, 0.6, 0.35, rigidPose());
    this.setWorldPose(c, pose.position, pose.rotation);
    this.placeNearMenu();
    if (this.hitTest?.attached) this.startPlacing();
  }

  private bind(): void {
    const c = this.options.getCase();
    if (!c || !this.experience) return;
    this.boundCase = c;
    const xr = this.experience;
    this.hoverLabel = new TextLabel(this.scene, 'xr-hover-label', { width: 0.12, height: 0.03 });
    const near = (this.nearMenu = new XRMenuPanel(this.scene, 'xr-near-menu', { width: 0.28, rowHeight: 0.03, rows: () => this.interaction?.nearMenuRows() ?? [] }));
    const calibration = (this.calibration = new RoomCalibration(this.scene, {
      store: c.store, head: this.head,
      pin: async (at) => ((await this.pinAsync(undefined, at)) ? undefined : this.anchorError),
      changed: () => this.interaction?.invalidateMenus(),
      report: () => this.roomReport,
    }));
    const hand = (this.handMenu = new XRMenuPanel(this.scene, 'xr-hand-menu', { width: 0.2, rowHeight: 0.03, rows: () => this.interaction?.handMenuRows() ?? [] }));
    hand.setVisible(false);
    this.adapter = new XRInputAdapter({
      sessionManager: xr.baseExperience.sessionManager,
      input: xr.input,
      handTracking: xr.baseExperience.featuresManager.getEnabledFeature(WebXRFeatureName.HAND_TRACKING) as WebXRHandTracking | undefined,
    });
    const interaction = (this.interaction = new HologramInteraction(this.scene, {
      store: c.store, view: c.view, classes: c.classes, handles: c.handles,
      nearMenu: near, handMenu: hand, hoverLabel: this.hoverLabel, head: this.head, labels: c.labels, scope: c.scope,
      extensions: [calibration, new TeamMenu({ team: () => this.team, ownCopy: () => this.placesOwnCopy(c) })],
    }));
    interaction.effectors = this.adapter.effectors;
    interaction.onSessionActionObservable.add((action) => {
      if (action === 'exit') void this.exitAsync();
      if (action === 'place') this.startPlacing();
      if (action === 'reset') this.resetPose();
    });
    interaction.onPlacePressObservable.add(() => void this.placeAsync());
    c.handles.setEnabled(true);
    near.setVisible(true);
    this.reticle = CreateTorus('xr-reticle', { diameter: 0.12, thickness: 0.006, tessellation: 32 }, this.scene);
    const material = new StandardMaterial('xr-reticle-material', this.scene);
    material.emissiveColor = new Color3(0.35, 0.75, 1);
    material.disableLighting = true;
    this.reticle.material = material;
    this.reticle.isPickable = false;
    this.reticle.setEnabled(false);
    this.reticle.rotationQuaternion = new Quaternion();
    this.unsubscribeCase = c.store.subscribe((s, p) => {
      if (s.shared.structures !== p.shared.structures) interaction.invalidateMenus();
    });
  }

  private unbind(): void {
    this.unsubscribeCase?.();
    this.unsubscribeCase = undefined;
    this.interaction?.dispose();
    this.calibration?.dispose();
    this.adapter?.dispose();
    this.nearMenu?.dispose();
    this.handMenu?.dispose();
    this.hoverLabel?.dispose();
    this.reticle?.material?.dispose();
    this.reticle?.dispose();
    this.boundCase?.handles.setEnabled(false);
    this.interaction = this.calibration = this.adapter = this.nearMenu = this.handMenu = this.hoverLabel = this.reticle = undefined;
    this.boundCase = undefined;
  }

  private onFrame(): void {
    this.frame++;
    this.updateHead();
    this.adapter?.update();
    this.interaction?.update();
    const reticle = this.reticle;
    if (reticle) {
      const show = !!this.interaction?.placing && !!this.lastHit;
      if (show && this.lastHit) {
        reticle.position.copyFrom(this.lastHit.position);
        reticle.rotationQuaternion!.copyFrom(this.lastHit.rotationQuaternion);
      }
      if (reticle.isEnabled() !== show) reticle.setEnabled(show);
    }
    // the near menu comes back when it is far away or well out of view
    if (this.frame % 30 === 0 && this.nearMenu) {
      const m = this.nearMenu.root.position;
      const dx = m.x - this.head.position.x, dz = m.z - this.head.position.z;
      if (Math.hypot(dx, dz) > 1.6) this.placeNearMenu();
    }
  }

  private updateHead(): void {
    const camera = this.experience?.baseExperience.camera;
    if (!camera) return;
    this.head.position.copyFrom(camera.globalPosition);
    camera.absoluteRotation && this.head.rotation.copyFrom(camera.absoluteRotation);
  }

  /** The near menu: at arm's length, to the viewer's left and a little low, facing them. */
  private placeNearMenu(): void {
    const menu = this.nearMenu;
    if (!menu) return;
    this.updateHead();
    const forward = new Vector3(0, 0, 1).applyRotationQuaternion(this.head.rotation);
    const yaw = Math.atan2(forward.x, forward.z) - 0.6;
    menu.root.position.set(this.head.position.x + Math.sin(yaw) * 0.5, this.head.position.y - 0.2, this.head.position.z + Math.cos(yaw) * 0.5);
    menu.root.rotation.set(0, yaw, 0);
    menu.updateFrame();
  }

  private resetPose(): void {
    const c = this.boundCase;
    if (!c) return;
    this.updateHead();
    const forward = new Vector3(0, 0, 1).applyRotationQuaternion(this.head.rotation);
    const pose = placeInFront(this.head.position, forward, 0.6, 0.35, rigidPose());
    this.setWorldPose(c, pose.position, pose.rotation, 0.001);
  }

  /**
   * Puts the hologram at a place in this device's world: the shared pose gets the room-frame
   * equivalent. In a team session, a device not calibrated by landmarks (a member in another room, or
   * one who has not calibrated yet) places its own copy instead: its calibration moves so that the
   * team's pose shows here, and the others' avatars (room frame) stand around this copy.
   */
  private placesOwnCopy(c: XRCase): boolean {
    return !!this.team?.active() && !c.store.getState().local.landmarks;
  }

  /**
   * Following the presenter in the headset (the team calls it on each presence update while this
   * member follows). A member with their own copy sees it turned so the presenter's side faces them,
   * in snaps of at least 20° as the presenter walks round (a continuous turn of the world is
   * uncomfortable); a member calibrated to the room shares the physical hologram and nothing turns.
   */
  followPresenter(presenterHeadRoom: Vec3): void {
    const c = this.boundCase;
    if (!c || !this.placesOwnCopy(c)) return;
    // not while this member holds the hologram: the drag turns its world pose into a room pose through
    // the calibration every frame, so a turn now would move the team's shared pose
    if (c.store.getState().local.drag.pose || this.adapter?.effectors.some((e) => e.grab.mode !== 'none' && e.grab.mode !== 'menu')) return;
    this.updateHead();
    const s = c.store.getState();
    const viewer: Vec3 = [this.head.position.x, this.head.position.y, this.head.position.z];
    const next = calibrationToFollow(s.local.calibration, viewRoomPose(s).position, presenterHeadRoom, viewer, FOLLOW_SNAP_RAD);
    if (!next) return;
    c.store.dispatchLocal({ type: 'calibration/set', calibration: next });
    // the anchor keeps pinning the turned frame (else its next update would turn it back)
    if (this.anchor) this.adoptAnchor(this.anchor);
  }

  private setWorldPose(c: XRCase, position: Vector3, rotation: Quaternion, scale?: number): void {
    const s = c.store.getState();
    const world: Pose = { position: [position.x, position.y, position.z], rotation: [rotation.x, rotation.y, rotation.z, rotation.w], scale: scale ?? viewWorldPose(s).scale };
    if (this.placesOwnCopy(c)) {
      c.store.dispatchLocal({ type: 'calibration/set', calibration: calibrationForPlacement(viewRoomPose(s), world) });
      // an anchor of this copy keeps pinning the moved frame (else its next update would move it back)
      if (this.anchor) this.adoptAnchor(this.anchor);
      if (scale !== undefined) c.store.dispatch({ type: 'pose/set', pose: { scale } });
      return;
    }
    const room = roomPose(s.local.calibration, world);
    c.store.dispatch({ type: 'pose/set', pose: scale === undefined ? { position: room.position, rotation: room.rotation } : room });
  }

  // ---- anchors --------------------------------------------------------------------------------

  /** The anchor pins this device's room frame from now on. */
  private adoptAnchor(anchor: IWebXRAnchor): void {
    this.anchor = anchor;
    const c = this.boundCase;
    const at = this.readAnchorPose();
    this.roomInAnchor = c && at ? composeRigid(invertRigid(at), c.store.getState().local.calibration) : undefined;
  }

  /** The anchor's pose in this device's world, or null without one. */
  private readAnchorPose(): RigidTransform | null {
    const a = this.anchor;
    if (!a) return null;
    const position = new Vector3();
    const rotation = new Quaternion();
    a.transformationMatrix.decompose(undefined, rotation, position);
    return { position: [position.x, position.y, position.z], rotation: [rotation.x, rotation.y, rotation.z, rotation.w] };
  }

  /** The anchor moved (tracking refined it): this device's calibration follows; the shared pose does not change. */
  private followAnchor(): void {
    const c = this.boundCase;
    const at = this.readAnchorPose();
    if (!c || !at || !this.roomInAnchor) return;
    const next = composeRigid(at, this.roomInAnchor);
    const now = c.store.getState().local.calibration;
    const moved = Math.hypot(next.position[0] - now.position[0], next.position[1] - now.position[1], next.position[2] - now.position[2]);
    const turned = 1 - Math.abs(next.rotation.reduce((sum, v, i) => sum + v * now.rotation[i], 0));
    if (moved > 1e-4 || turned > 1e-8) c.store.dispatchLocal({ type: 'calibration/set', calibration: next });
  }

  private get storage(): Storage | null {
    if (this.options.storage !== undefined) return this.options.storage;
    try {
      return globalThis.localStorage ?? null;
    } catch {
      return null;
    }
  }

  private saveAnchor(): void {
    const c = this.boundCase;
    const at = this.readAnchorPose();
    if (!this.persistentHandle || !c || !this.storage || !at) return;
    // where the hologram stands on this device relative to the anchor
    const world = viewWorldPose(c.store.getState());
    const r = composeRigid(invertRigid(at), world);
    const saved: SavedAnchor = { handle: this.persistentHandle, position: r.position, rotation: r.rotation, scale: world.scale };
    const { landmarks } = c.store.getState().local;
    if (landmarks && this.roomInAnchor) saved.room = { ...this.roomInAnchor, landmarks };
    this.storage.setItem(this.options.storageKey ?? 'holoct.xr.anchor', JSON.stringify(saved));
  }

  private loadAnchor(): SavedAnchor | null {
    try {
      const text = this.storage?.getItem(this.options.storageKey ?? 'holoct.xr.anchor');
      const saved = text ? (JSON.parse(text) as SavedAnchor) : null;
      if (!saved || typeof saved.handle !== 'string' || saved.position?.length !== 3 || saved.rotation?.length !== 4) return null;
      const room = saved.room;
      // a damaged room record is dropped: the hologram's place still comes back
      if (room && !(room.position?.length === 3 && room.rotation?.length === 4 && Array.isArray(room.landmarks) && room.landmarks.length >= 2 && room.landmarks.length <= 3)) delete saved.room;
      return saved;
    } catch {
      return null;
    }
  }
}
