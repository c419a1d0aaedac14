import { Color3 } from '@babylonjs/core/Maths/math.color';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder';
import type { Mesh } from '@babylonjs/core/Meshes/mesh';
import type { Scene } from '@babylonjs/core/scene';
import { TextLabel } from '../scene/text-label';
import { applyRigid, type HologramStore, type Vec3 } from '../state';
import { addLandmark, calibrationPrompt, finishCalibration, IDLE, MAX_LANDMARKS, startCalibration, undoLandmark, type CalibrationFlow } from './calibration-flow';
import type { Effector } from './effector';
import type { RigidPose } from './gestures';
import type { InteractionExtension } from './interaction';
import type { MenuRow } from './menu';

export interface RoomCalibrationOptions {
  store: HologramStore;
  /** The viewer's head (world), kept current by the session: the prompt floats in front of it. */
  head: RigidPose;
  /** Pins the new room frame with an anchor at `at` (the session's anchor); resolves to why it could not, or undefined. */
  pin(at: Vector3): Promise<string | undefined>;
  /** The menu rows changed: redraw the menus. */
  changed(): void;
  /** The residual between this device's landmarks and the other members', in words, when there is one. */
  report?(): string | undefined;
}

/** One colour per landmark, the same on every headset (the landmarks' order matters). */
const MARKER_COLORS = [new Color3(1, 0.3, 0.3), new Color3(0.3, 1, 0.4), new Color3(0.35, 0.6, 1)];

/**
 * "Calibrate room" in the headset (issue 8 §4): from the near menu the member pinches landmark 1, 2
 * and optionally 3; a marker shows each pinch, a prompt says which landmark is next. The frame
 * (roomFrameFromLandmarks) becomes this device's calibration and its landmarks (room frame) are kept
 * in the local state for the residual between members; the session's anchor then pins it (persistent
 * on Quest). Cancel keeps the previous calibration; Undo takes the last pinch back; calibrating again
 * replaces it. Pinches go here, before anything else but the menus, while the steps run.
 */
export class RoomCalibration implements InteractionExtension {
  flow: CalibrationFlow = IDLE;
  /** Why the last calibration could not be pinned by an anchor (it holds all the same, until tracking drifts). */
  pinError?: string;
  readonly prompt: TextLabel;
  private readonly markers: Mesh[] = [];
  private readonly material: StandardMaterial[] = [];
  private readonly unsubscribe: () => void;

  constructor(readonly scene: Scene, private readonly options: RoomCalibrationOptions) {
    this.prompt = new TextLabel(scene, 'xr-calibration-prompt', { width: 0.4, height: 0.045, pixelsWide: 1024 });
    this.prompt.mesh.setEnabled(false);
    for (let i = 0; i < MAX_LANDMARKS; i++) {
      const marker = CreateSphere(`xr-landmark-${i + 1}`, { diameter: 0.014, segments: 8 }, scene);
      const m = new StandardMaterial(`xr-landmark-${i + 1}:material`, scene);
      m.emissiveColor = MARKER_COLORS[i];
      m.disableLighting = true;
      marker.material = m;
      marker.isPickable = false;
      marker.renderingGroupId = 1;
      marker.setEnabled(false);
      this.markers.push(marker);
      this.material.push(m);
    }
    this.unsubscribe = options.store.subscribe((s, p) => {
      if (s.local.calibration !== p.local.calibration || s.local.landmarks !== p.local.landmarks) this.showMarkers();
    });
    this.showMarkers();
  }

  get calibrating(): boolean {
    return this.flow.phase === 'pinching';
  }

  menuRows(): MenuRow[] {
    const f = this.flow;
    if (f.phase === 'pinching') {
      return [
        { title: `Room: pinch landmark ${f.points.length + 1}${f.points.length >= 2 ? ' or Done' : ''}` },
        [
          { id: 'room:undo', label: 'Undo', disabled: !f.points.length },
          { id: 'room:done', label: 'Done', disabled: f.points.length < 2 },
          { id: 'room:cancel', label: 'Cancel' },
        ],
      ];
    }
    const landmarks = this.options.store.getState().local.landmarks;
    const report = landmarks ? this.options.report?.() : undefined;
    const status = landmarks ? `Room calibrated (${landmarks.length} landmarks)${this.pinError ? ', not anchored' : ''}` : 'Room';
    return [
      { title: status },
      ...(report ? [{ title: report }] : []),
      [{ id: 'room:calibrate', label: landmarks ? 'Calibrate room again' : 'Calibrate room' }],
    ];
  }

  runAction(id: string): boolean {
    switch (id) {
      case 'room:calibrate':
        // a placement waiting for a press would take the first landmark's pinch
        this.options.store.dispatchLocal({ type: 'placing/set', placing: false });
        this.step(startCalibration());
        return true;
      case 'room:undo':
        this.step(undoLandmark(this.flow));
        return true;
      case 'room:done':
        this.step(finishCalibration(this.flow));
        return true;
      case 'room:cancel':
        this.step(IDLE);
        return true;
      default:
        return false;
    }
  }

  capturePress(e: Effector): boolean {
    // the "calibrated" prompt stays until the next press, which goes on to do what it does
    if (this.flow.phase === 'done') this.step(IDLE);
    if (this.flow.phase !== 'pinching') return false;
    this.step(addLandmark(this.flow, [e.position.x, e.position.y, e.position.z]));
    return true;
  }

  dispose(): void {
    this.unsubscribe();
    for (const m of this.markers) m.dispose();
    for (const m of this.material) m.dispose();
    this.prompt.dispose();
  }

  private step(next: CalibrationFlow): void {
    this.flow = next;
    if (next.phase === 'done') this.apply(next);
    this.showPrompt();
    this.showMarkers();
    this.options.changed();
  }

  /** The new frame is this device's calibration from now on; the anchor pins it at landmark 1. */
  private apply(done: Extract<CalibrationFlow, { phase: 'done' }>): void {
    const { store } = this.options;
    store.dispatchLocal({ type: 'calibration/set', calibration: done.calibration });
    store.dispatchLocal({ type: 'calibration/landmarks', landmarks: done.landmarks });
    this.pinError = undefined;
    const at = new Vector3(...done.points[0]);
    void this.options.pin(at).then((why) => {
      this.pinError = why;
      this.options.changed();
    });
  }

  private showPrompt(): void {
    const text = calibrationPrompt(this.flow);
    const label = this.prompt.mesh;
    if (!text) {
      label.setEnabled(false);
      return;
    }
    this.prompt.setText(text);
    // in front of the viewer, a little above the line of sight
    const head = this.options.head;
    const forward = new Vector3(0, 0, 1).applyRotationQuaternion(head.rotation);
    forward.y = 0;
    if (forward.lengthSquared() < 1e-6) forward.set(0, 0, 1);
    forward.normalize();
    label.position.copyFrom(head.position).addInPlace(forward.scale(0.55));
    label.position.y += 0.12;
    label.setEnabled(true);
  }

  /** Markers on the landmarks being pinched, else on this device's calibrated landmarks (room frame → world). */
  private showMarkers(): void {
    const local = this.options.store.getState().local;
    const points: readonly Vec3[] = this.flow.phase === 'pinching' ? this.flow.points : (local.landmarks ?? []).map((p) => applyRigid(local.calibration, p));
    this.markers.forEach((m, i) => {
      const p = points[i];
      if (p) m.position.set(p[0], p[1], p[2]);
      if (m.isEnabled() !== !!p) m.setEnabled(!!p);
    });
  }
}
