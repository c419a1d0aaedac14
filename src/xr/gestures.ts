import { Matrix, Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector';
import type { Pose, Vec3 } from '../state';

/**
 * The maths of the hand gestures, in Babylon's world space (left-handed, metres). Pure functions on
 * caller-owned objects: nothing here allocates, so they can run every frame.
 */

/** Limits of the hologram's size: 1:5 to 5:1 of true size, in world metres per patient millimetre. */
export const MIN_SCALE = 0.0002;
export const MAX_SCALE = 0.005;

/** A rigid pose (hand, controller, hologram) as reusable Babylon objects. */
export interface RigidPose {
  position: Vector3;
  rotation: Quaternion;
}

export function rigidPose(): RigidPose {
  return { position: new Vector3(), rotation: new Quaternion() };
}

/** Mutable copy of a state pose, so per-frame code can update it without allocating. */
export interface WorkPose extends RigidPose {
  scale: number;
}

export function workPose(): WorkPose {
  return { position: new Vector3(), rotation: new Quaternion(), scale: 0.001 };
}

export function poseFromState(pose: Readonly<Pose>, out: WorkPose): WorkPose {
  out.position.set(pose.position[0], pose.position[1], pose.position[2]);
  out.rotation.set(pose.rotation[0], pose.rotation[1], pose.rotation[2], pose.rotation[3]);
  out.scale = pose.scale;
  return out;
}

/** A new plain state pose from a work pose (the only allocation: the state is immutable JSON). */
export function poseToState(p: WorkPose): Pose {
  const q = p.rotation;
  const n = Math.hypot(q.x, q.y, q.z, q.w) || 1;
  return { position: [p.position.x, p.position.y, p.position.z], rotation: [q.x / n, q.y / n, q.z / n, q.w / n], scale: p.scale };
}

const tmpQ = new Quaternion();
const tmpQ2 = new Quaternion();
const tmpV = new Vector3();
const tmpV2 = new Vector3();

/**
 * One-hand grab. At the grab's start: the hologram's pose in the hand's frame (`relative`). Each frame
 * after: the hologram follows the hand rigidly (move and rotate), its scale unchanged.
 */
export function grabStart(hand: RigidPose, hologram: RigidPose, relative: RigidPose): RigidPose {
  Quaternion.InverseToRef(hand.rotation, tmpQ);
  hologram.position.subtractToRef(hand.position, tmpV);
  tmpV.rotateByQuaternionToRef(tmpQ, relative.position);
  tmpQ.multiplyToRef(hologram.rotation, relative.rotation);
  return relative;
}

export function grabUpdate(hand: RigidPose, relative: RigidPose, out: RigidPose): RigidPose {
  relative.position.rotateByQuaternionToRef(hand.rotation, tmpV);
  hand.position.addToRef(tmpV, out.position);
  hand.rotation.multiplyToRef(relative.rotation, out.rotation);
  out.rotation.normalize();
  return out;
}

/** What a two-hand gesture remembers from its start. */
export interface TwoHandStart {
  a: Vector3;
  b: Vector3;
  pose: WorkPose;
}

export function twoHandStart(): TwoHandStart {
  return { a: new Vector3(), b: new Vector3(), pose: workPose() };
}

export function beginTwoHand(a: Vector3, b: Vector3, pose: WorkPose, out: TwoHandStart): TwoHandStart {
  out.a.copyFrom(a);
  out.b.copyFrom(b);
  out.pose.position.copyFrom(pose.position);
  out.pose.rotation.copyFrom(pose.rotation);
  out.pose.scale = pose.scale;
  return out;
}

/**
 * Two-hand scale: the size follows the distance between the hands (clamped to MIN_SCALE..MAX_SCALE),
 * the hologram turns about the vertical with the line between the hands, and the point between the
 * hands keeps its place on the hologram.
 */
export function twoHandUpdate(start: TwoHandStart, a: Vector3, b: Vector3, out: WorkPose): WorkPose {
  const d0 = Vector3.Distance(start.a, start.b);
  const d = Vector3.Distance(a, b);
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, d0 > 1e-4 ? (start.pose.scale * d) / d0 : start.pose.scale));
  const k = scale / start.pose.scale;
  // yaw: the horizontal direction between the hands, then and now
  const yaw0 = Math.atan2(start.b.x - start.a.x, start.b.z - start.a.z);
  const yaw1 = Math.atan2(b.x - a.x, b.z - a.z);
  const horizontal = Math.hypot(b.x - a.x, b.z - a.z) > 0.02 && Math.hypot(start.b.x - start.a.x, start.b.z - start.a.z) > 0.02;
  Quaternion.RotationAxisToRef(Vector3.UpReadOnly, horizontal ? yaw1 - yaw0 : 0, tmpQ2);
  // mid0 → pose0 offset, turned and scaled, from mid
  start.a.addToRef(start.b, tmpV).scaleInPlace(0.5);
  start.pose.position.subtractToRef(tmpV, tmpV2);
  tmpV2.rotateByQuaternionToRef(tmpQ2, tmpV2).scaleInPlace(k);
  a.addToRef(b, tmpV).scaleInPlace(0.5);
  tmpV.addToRef(tmpV2, out.position);
  tmpQ2.multiplyToRef(start.pose.rotation, out.rotation);
  out.rotation.normalize();
  out.scale = scale;
  return out;
}

/**
 * Dragging a cut plane's handle: the plane moves along its own normal by the hand's travel projected
 * on it, in patient mm (so it is right at any hologram scale).
 */
export function dragPlaneOffset(startOffset: number, normal: Readonly<Vec3>, startPatient: Vector3, nowPatient: Vector3): number {
  return startOffset +
    normal[0] * (nowPatient.x - startPatient.x) + normal[1] * (nowPatient.y - startPatient.y) + normal[2] * (nowPatient.z - startPatient.z);
}

/** World point → patient LPS mm, with the inverse of the patient→world matrix (kept by the caller). */
export function worldToPatientToRef(world: Vector3, worldToPatient: Matrix, out: Vector3): Vector3 {
  return Vector3.TransformCoordinatesToRef(world, worldToPatient, out);
}

/**
 * A free cut from the hand's pose: the plane through the pinch point whose normal is the palm's
 * normal, in patient space (normal unit, LPS; offset mm). Directions map by the inverse matrix's linear
 * part; the patient→world map is a similarity (rotation, uniform scale, axis swap), so that is also
 * the normal's map once normalized.
 */
export function planeFromHand(point: Vector3, palmNormal: Vector3, worldToPatient: Matrix, outNormal: Vector3): number {
  Vector3.TransformNormalToRef(palmNormal, worldToPatient, outNormal);
  outNormal.normalize();
  Vector3.TransformCoordinatesToRef(point, worldToPatient, tmpV);
  return Vector3.Dot(outNormal, tmpV);
}

/** Palm facing up (for the hand menu): the palm normal within ~50° of world up. */
export function isPalmUp(palmNormal: Vector3, threshold = 0.65): boolean {
  return palmNormal.y > threshold * palmNormal.length();
}

/**
 * Distance along a ray to a sphere (or -1). Ray direction unit. Used for plane handles and joint hits
 * without Babylon's picking (which allocates).
 */
export function raySphere(origin: Vector3, direction: Vector3, center: Vector3, radius: number): number {
  const ox = origin.x - center.x, oy = origin.y - center.y, oz = origin.z - center.z;
  const b = ox * direction.x + oy * direction.y + oz * direction.z;
  const c = ox * ox + oy * oy + oz * oz - radius * radius;
  const disc = b * b - c;
  if (disc < 0) return -1;
  const s = Math.sqrt(disc);
  const t0 = -b - s;
  if (t0 >= 0) return t0;
  const t1 = -b + s;
  return t1 >= 0 ? 0 : -1; // origin inside: hit at once
}

/**
 * Ray against a rectangle in a plane (centre, unit axes `right` and `up`, half sizes): the distance
 * along the ray and the hit's local coordinates in 0..1 (u to the right, v downwards), or -1.
 */
export function rayRect(origin: Vector3, direction: Vector3, center: Vector3, right: Vector3, up: Vector3, halfWidth: number, halfHeight: number, uv: { u: number; v: number }): number {
  // normal = right × up (either side is fine)
  const nx = right.y * up.z - right.z * up.y, ny = right.z * up.x - right.x * up.z, nz = right.x * up.y - right.y * up.x;
  const denom = direction.x * nx + direction.y * ny + direction.z * nz;
  if (Math.abs(denom) < 1e-9) return -1;
  const t = ((center.x - origin.x) * nx + (center.y - origin.y) * ny + (center.z - origin.z) * nz) / denom;
  if (t < 0) return -1;
  return pointOnRect(origin.x + direction.x * t - center.x, origin.y + direction.y * t - center.y, origin.z + direction.z * t - center.z, right, up, halfWidth, halfHeight, uv) ? t : -1;
}

/**
 * A point near a rectangle (within `depth` of its plane and inside it): its local 0..1 coordinates, or
 * false. For pinching a menu button with the hand itself.
 */
export function pointNearRect(point: Vector3, center: Vector3, right: Vector3, up: Vector3, halfWidth: number, halfHeight: number, depth: number, uv: { u: number; v: number }): boolean {
  const dx = point.x - center.x, dy = point.y - center.y, dz = point.z - center.z;
  const nx = right.y * up.z - right.z * up.y, ny = right.z * up.x - right.x * up.z, nz = right.x * up.y - right.y * up.x;
  if (Math.abs(dx * nx + dy * ny + dz * nz) > depth) return false;
  return pointOnRect(dx, dy, dz, right, up, halfWidth, halfHeight, uv);
}

function pointOnRect(dx: number, dy: number, dz: number, right: Vector3, up: Vector3, halfWidth: number, halfHeight: number, uv: { u: number; v: number }): boolean {
  const x = dx * right.x + dy * right.y + dz * right.z;
  const y = dx * up.x + dy * up.y + dz * up.z;
  if (Math.abs(x) > halfWidth || Math.abs(y) > halfHeight) return false;
  uv.u = (x + halfWidth) / (2 * halfWidth);
  uv.v = (halfHeight - y) / (2 * halfHeight);
  return true;
}

/** Ray against an axis-aligned box: entry distance (0 when inside) or -1. */
export function rayBox(origin: Vector3, direction: Vector3, min: Vector3, max: Vector3): number {
  let t0 = 0, t1 = Infinity;
  for (let a = 0; a < 3; a++) {
    const o = a === 0 ? origin.x : a === 1 ? origin.y : origin.z;
    const d = a === 0 ? direction.x : a === 1 ? direction.y : direction.z;
    const lo = a === 0 ? min.x : a === 1 ? min.y : min.z;
    const hi = a === 0 ? max.x : a === 1 ? max.y : max.z;
    if (Math.abs(d) < 1e-12) {
      if (o < lo || o > hi) return -1;
      continue;
    }
    let ta = (lo - o) / d, tb = (hi - o) / d;
    if (ta > tb) { const t = ta; ta = tb; tb = t; }
    t0 = Math.max(t0, ta);
    t1 = Math.min(t1, tb);
    if (t0 > t1) return -1;
  }
  return t0;
}

/** Is a point inside an axis-aligned box grown by `margin`? */
export function insideBox(p: Vector3, min: Vector3, max: Vector3, margin: number): boolean {
  return p.x >= min.x - margin && p.y >= min.y - margin && p.z >= min.z - margin &&
    p.x <= max.x + margin && p.y <= max.y + margin && p.z <= max.z + margin;
}

/**
 * Where to put the hologram in front of a viewer: `distance` ahead along the horizontal gaze, `drop`
 * below the eyes, turned to face the viewer (its front, patient anterior, towards them).
 */
export function placeInFront(eye: Vector3, forward: Vector3, distance: number, drop: number, out: RigidPose): RigidPose {
  let fx = forward.x, fz = forward.z;
  const len = Math.hypot(fx, fz);
  if (len < 1e-6) { fx = 0; fz = 1; } else { fx /= len; fz /= len; }
  out.position.set(eye.x + fx * distance, eye.y - drop, eye.z + fz * distance);
  // the hologram frame faces −z: turn it so −z points back at the viewer
  Quaternion.RotationAxisToRef(Vector3.UpReadOnly, Math.atan2(fx, fz), out.rotation);
  return out;
}
