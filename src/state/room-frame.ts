import { composeRigid, invertRigid, applyRigid } from './pose';
import type { Pose, Quat, RigidTransform, Vec3 } from './types';

/**
 * A shared room frame where WebXR has no shared anchor: every member pinches the same two or three
 * physical landmarks (two table corners, then a third point) in the same order. Each device's world is
 * gravity-aligned (WebXR's local-floor: +y up), so the frame is fixed by landmark 1 (origin) and the
 * horizontal direction to landmark 2 (+x); +y is up, +z = x × y (right-handed). Between two such worlds
 * only a turn about the vertical and a shift differ, which is what the residual fit allows.
 */

/** Rotation by `angle` (radians) about +y, as a unit quaternion. */
export function yawQuat(angle: number): Quat {
  return [0, Math.sin(angle / 2), 0, Math.cos(angle / 2)];
}

/**
 * The calibration (room frame → this device's world) from landmarks pinched in this device's world,
 * metres. Landmark 3, when given, does not change the frame: it is there for the residual check.
 */
export function roomFrameFromLandmarks(landmarks: readonly Vec3[]): RigidTransform {
  if (landmarks.length < 2 || landmarks.length > 3) throw new Error(`room frame: 2 or 3 landmarks, got ${landmarks.length}`);
  for (const [i, p] of landmarks.entries()) {
    if (p.length !== 3 || !p.every(Number.isFinite)) throw new Error(`room frame: landmark ${i + 1} is not a finite point`);
  }
  const [p1, p2] = landmarks;
  const dx = p2[0] - p1[0];
  const dz = p2[2] - p1[2];
  const horizontal = Math.hypot(dx, dz);
  if (horizontal < 0.05) throw new Error(`room frame: landmarks 1 and 2 are ${(horizontal * 100).toFixed(1)} cm apart across the floor; pinch two points at least 5 cm apart`);
  // +x of the room in this world is (cos θ, 0, −sin θ) for a turn θ about +y
  return { position: [p1[0], p1[1], p1[2]], rotation: yawQuat(Math.atan2(-dz, dx)) };
}

export interface LandmarkFit {
  /** Maps `from` points onto `to` points: a turn about the vertical and a shift. */
  transform: RigidTransform;
  /** Root mean square distance left after the fit, mm. */
  rmsMm: number;
  /** Largest distance left after the fit, mm. */
  maxMm: number;
}

/**
 * How well two devices' pinches of the same landmarks (each in its own gravity-aligned world, metres,
 * same order) agree: the best turn about the vertical plus shift from one set onto the other (closed
 * form, least squares) and the residual distances after it.
 */
export function fitLandmarks(from: readonly Vec3[], to: readonly Vec3[]): LandmarkFit {
  if (from.length !== to.length || from.length < 2) throw new Error(`landmark fit: two sets of the same size (≥ 2) needed, got ${from.length} and ${to.length}`);
  const n = from.length;
  const mean = (set: readonly Vec3[]): Vec3 => [0, 1, 2].map((a) => set.reduce((sum, p) => sum + p[a], 0) / n) as Vec3;
  const cf = mean(from);
  const ct = mean(to);
  // maximise Σ to_i · R(θ) from_i over θ (centred): θ = atan2(S, C)
  let c = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const fx = from[i][0] - cf[0], fz = from[i][2] - cf[2];
    const tx = to[i][0] - ct[0], tz = to[i][2] - ct[2];
    c += tx * fx + tz * fz;
    s += tx * fz - tz * fx;
  }
  const rotation = yawQuat(Math.atan2(s, c));
  const turned = applyRigid({ position: [0, 0, 0], rotation }, cf);
  const transform: RigidTransform = { position: [ct[0] - turned[0], ct[1] - turned[1], ct[2] - turned[2]], rotation };
  let sum = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const p = applyRigid(transform, from[i]);
    const d = Math.hypot(p[0] - to[i][0], p[1] - to[i][1], p[2] - to[i][2]);
    sum += d * d;
    max = Math.max(max, d);
  }
  return { transform, rmsMm: Math.sqrt(sum / n) * 1000, maxMm: max * 1000 };
}

/** The transform from device B's world into device A's, once both calibrated: cal_A ∘ cal_B⁻¹. */
export function deviceToDevice(calibrationA: RigidTransform, calibrationB: RigidTransform): RigidTransform {
  return composeRigid(calibrationA, invertRigid(calibrationB));
}

/** The turn about the vertical of a rotation (radians, as {@link yawQuat} takes it): the heading of its +x axis across the floor. */
export function yawOf(rotation: Readonly<Quat>): number {
  const x = applyRigid({ position: [0, 0, 0], rotation: [...rotation] as Quat }, [1, 0, 0]);
  if (Math.hypot(x[0], x[2]) > 1e-6) return Math.atan2(-x[2], x[0]);
  // +x straight up or down: the heading of +z instead (yawQuat(a) turns +z to (sin a, 0, cos a))
  const z = applyRigid({ position: [0, 0, 0], rotation: [...rotation] as Quat }, [0, 0, 1]);
  return Math.atan2(z[0], z[2]);
}

/**
 * A member who is not in the room puts their own copy of the hologram somewhere: the calibration
 * (room frame → their world) that shows the shared `roomPose` with its pivot at `target.position`,
 * turned about the vertical as `target` is. The shared pose does not change, and the calibration
 * stays a turn about the vertical plus a shift, so the others' avatars (room frame) stand upright
 * around this copy where they stand around theirs.
 */
export function calibrationForPlacement(roomPose: Readonly<Pose>, target: Readonly<RigidTransform>): RigidTransform {
  const rotation = yawQuat(yawOf(target.rotation) - yawOf(roomPose.rotation));
  const turned = applyRigid({ position: [0, 0, 0], rotation }, roomPose.position);
  return { position: [target.position[0] - turned[0], target.position[1] - turned[1], target.position[2] - turned[2]], rotation };
}

/** Landmarks pinched in this device's world, in the room frame they define (what a member shares for the residual). */
export function landmarksInRoom(calibration: Readonly<RigidTransform>, worldLandmarks: readonly Vec3[]): Vec3[] {
  const toRoom = invertRigid(calibration);
  return worldLandmarks.map((p) => applyRigid(toRoom, p));
}

/**
 * The residual between two members' pinches of the same landmarks (each in its own room frame or
 * world): the landmark fit over the landmarks both pinched (the first 2 or 3, same order). The room
 * frames themselves cannot show how far apart two devices put landmark 1 (each frame starts there),
 * so this is the disagreement in shape: distances and heights between the landmarks. Null when either
 * has fewer than two.
 */
export function landmarkResidual(a: readonly Vec3[], b: readonly Vec3[]): { rmsMm: number; maxMm: number; landmarks: number } | null {
  const n = Math.min(a.length, b.length, 3);
  if (n < 2) return null;
  const fit = fitLandmarks(a.slice(0, n), b.slice(0, n));
  return { rmsMm: fit.rmsMm, maxMm: fit.maxMm, landmarks: n };
}

/**
 * Following the presenter with one's own copy (a member in another room): the calibration that shows
 * the hologram from the presenter's side. The room frame turns about the vertical through the
 * hologram's pivot (`pivotRoom`) so that the presenter's head (room frame) lies in the viewer's
 * direction from the pivot (`viewerWorld`, this device's world); heights and distances do not
 * change, so the viewer is not moved, the hologram turns. Null when the two directions differ by
 * less than `minTurn` radians (turns come as snaps, not a continuous drift, for comfort) or either
 * head stands above the pivot.
 */
export function calibrationToFollow(calibration: Readonly<RigidTransform>, pivotRoom: Readonly<Vec3>, presenterRoom: Readonly<Vec3>, viewerWorld: Readonly<Vec3>, minTurn: number): RigidTransform | null {
  const pivot = applyRigid(calibration, pivotRoom);
  const presenter = applyRigid(calibration, presenterRoom);
  const bearing = (p: Readonly<Vec3>) => {
    const dx = p[0] - pivot[0], dz = p[2] - pivot[2];
    return Math.hypot(dx, dz) < 1e-3 ? null : Math.atan2(dx, dz);
  };
  const from = bearing(presenter), to = bearing(viewerWorld);
  if (from === null || to === null) return null;
  const turn = Math.atan2(Math.sin(to - from), Math.cos(to - from));
  if (Math.abs(turn) < minTurn) return null;
  // about the pivot: shift it to the origin, turn, shift back; then the old calibration before it
  const aboutPivot: RigidTransform = { position: [0, 0, 0], rotation: yawQuat(turn) };
  const turnedPivot = applyRigid(aboutPivot, pivot);
  aboutPivot.position = [pivot[0] - turnedPivot[0], pivot[1] - turnedPivot[1], pivot[2] - turnedPivot[2]];
  return composeRigid(aboutPivot, calibration);
}
