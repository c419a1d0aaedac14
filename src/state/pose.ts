import type { Pose, Quat, RigidTransform, Vec3 } from './types';

/**
 * Rigid-frame algebra on plain arrays (no Babylon: the state room imports nothing). The hologram is
 * rendered at `worldPose(calibration, roomPose)`: the shared pose lives in the room frame and each
 * device maps the room into its own world with its calibration. Tracking corrections change the
 * calibration only, so one headset's drift never moves anyone else's hologram.
 */

/** Hamilton product a ⊗ b (apply b, then a). */
export function multiplyQuat(a: Readonly<Quat>, b: Readonly<Quat>): Quat {
  const [ax, ay, az, aw] = a;
  const [bx, by, bz, bw] = b;
  return [
    aw * bx + ax * bw + ay * bz - az * by,
    aw * by - ax * bz + ay * bw + az * bx,
    aw * bz + ax * by - ay * bx + az * bw,
    aw * bw - ax * bx - ay * by - az * bz,
  ];
}

export function conjugateQuat(q: Readonly<Quat>): Quat {
  return [-q[0], -q[1], -q[2], q[3]];
}

export function normalizeQuat(q: Readonly<Quat>): Quat {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  if (!(n > 0)) throw new Error('a rotation needs a non-zero quaternion');
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

/** v rotated by the unit quaternion q. */
export function rotateVec(q: Readonly<Quat>, v: Readonly<Vec3>): Vec3 {
  const [x, y, z, w] = q;
  // t = 2 q.xyz × v; v' = v + w t + q.xyz × t
  const tx = 2 * (y * v[2] - z * v[1]);
  const ty = 2 * (z * v[0] - x * v[2]);
  const tz = 2 * (x * v[1] - y * v[0]);
  return [v[0] + w * tx + (y * tz - z * ty), v[1] + w * ty + (z * tx - x * tz), v[2] + w * tz + (x * ty - y * tx)];
}

/** a ∘ b: first b, then a (a point p maps to a(b(p))). */
export function composeRigid(a: Readonly<RigidTransform>, b: Readonly<RigidTransform>): RigidTransform {
  const p = rotateVec(a.rotation, b.position);
  return { position: [p[0] + a.position[0], p[1] + a.position[1], p[2] + a.position[2]], rotation: normalizeQuat(multiplyQuat(a.rotation, b.rotation)) };
}

export function invertRigid(t: Readonly<RigidTransform>): RigidTransform {
  const rotation = conjugateQuat(t.rotation);
  const p = rotateVec(rotation, t.position);
  return { position: [-p[0], -p[1], -p[2]], rotation };
}

export function applyRigid(t: Readonly<RigidTransform>, p: Readonly<Vec3>): Vec3 {
  const r = rotateVec(t.rotation, p);
  return [r[0] + t.position[0], r[1] + t.position[1], r[2] + t.position[2]];
}

/** Where a device renders the hologram: its calibration (room → world) after the room-frame pose. */
export function worldPose(calibration: Readonly<RigidTransform>, roomPose: Readonly<Pose>): Pose {
  if (isIdentity(calibration)) return roomPose as Pose;
  return { ...composeRigid(calibration, roomPose), scale: roomPose.scale };
}

/** The room-frame pose that this device's calibration renders at `world` (inverse of worldPose). */
export function roomPose(calibration: Readonly<RigidTransform>, world: Readonly<Pose>): Pose {
  if (isIdentity(calibration)) return world as Pose;
  return { ...composeRigid(invertRigid(calibration), world), scale: world.scale };
}

export function isIdentity(t: Readonly<RigidTransform>): boolean {
  const [x, y, z, w] = t.rotation;
  return t.position[0] === 0 && t.position[1] === 0 && t.position[2] === 0 && x === 0 && y === 0 && z === 0 && w === 1;
}
