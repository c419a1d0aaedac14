import { Matrix, Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector';
import { Ray } from '@babylonjs/core/Culling/ray';
import type { Scene } from '@babylonjs/core/scene';
import type { TransformNode } from '@babylonjs/core/Meshes/transformNode';
import type { PresenceState, Vec3 } from '../team/presence';
import type { Effector } from '../xr/effector';

export interface PresenceSamplerOptions {
  /** The room frame in this device's world (calibration, issue 8 §4); identity when absent. */
  roomNode?: TransformNode;
  /** The headset's inputs while in XR (hands, controllers); none on the desktop. */
  effectors(): readonly Effector[] | undefined;
  /** The desktop pointer is over the canvas (its ray is shown to others only then). */
  pointerInside(): boolean;
}

type Sample = Omit<PresenceState, 'v' | 'color' | 'name'>;

const DESKTOP_RAY_M = 1.5;

/**
 * Reads where this device is and points, in the room frame: the active camera (headset or desktop
 * orbit camera) as the head; hands and controllers from the XR effectors; the pointer ray from the
 * XR input that is pressed (else the right hand), or on the desktop from the mouse. Temporaries are
 * kept between samples; the sample itself is a small fresh object (≤ 30 per second).
 */
export class PresenceSampler {
  private readonly toRoom = new Matrix();
  private readonly p = new Vector3();
  private readonly d = new Vector3();
  private readonly q = new Quaternion();
  private readonly roomInverse = new Quaternion();
  private readonly ray = new Ray(new Vector3(), new Vector3(0, 0, 1), 1);

  constructor(private readonly scene: Scene, private readonly options: PresenceSamplerOptions) {}

  sample(): Sample | undefined {
    const camera = this.scene.activeCamera;
    if (!camera) return undefined;
    const room = this.options.roomNode;
    if (room) room.getWorldMatrix().invertToRef(this.toRoom);
    else Matrix.IdentityToRef(this.toRoom);
    const effectors = this.options.effectors();
    const out: Sample = { device: effectors ? 'headset' : 'desktop' };

    camera.computeWorldMatrix();
    // head: camera position and orientation, world → room
    Vector3.TransformCoordinatesToRef(camera.globalPosition, this.toRoom, this.p);
    this.q.copyFrom(camera.absoluteRotation);
    if (room) {
      room.absoluteRotationQuaternion.conjugateToRef(this.roomInverse);
      this.roomInverse.multiplyToRef(this.q, this.q);
    }
    out.head = { p: vec(this.p), q: [this.q.x, this.q.y, this.q.z, this.q.w] };

    if (effectors) {
      const left: Vec3[] = [], right: Vec3[] = [];
      let pointer: Effector | undefined;
      for (const e of effectors) {
        if (!e.tracked) continue;
        Vector3.TransformCoordinatesToRef(e.position, this.toRoom, this.p);
        if (e.handedness === 'left') left.push(vec(this.p));
        else if (e.handedness === 'right') right.push(vec(this.p));
        pointer = pressedFirst(pointer, e);
      }
      if (left.length || right.length) out.hands = { ...(left.length ? { left } : {}), ...(right.length ? { right } : {}) };
      if (pointer) {
        Vector3.TransformCoordinatesToRef(pointer.rayOrigin, this.toRoom, this.p);
        Vector3.TransformNormalToRef(pointer.rayDirection, this.toRoom, this.d);
        this.d.normalize();
        out.ray = { origin: vec(this.p), direction: vec(this.d), length: 0.8, active: pointer.pressed };
      }
    } else if (this.options.pointerInside()) {
      this.scene.createPickingRayToRef(this.scene.pointerX, this.scene.pointerY, null, this.ray, camera);
      Vector3.TransformCoordinatesToRef(this.ray.origin, this.toRoom, this.p);
      Vector3.TransformNormalToRef(this.ray.direction, this.toRoom, this.d);
      this.d.normalize();
      // start the ray a little in front of the eye so others see where it comes from
      out.ray = { origin: [this.p.x + this.d.x * 0.1, this.p.y + this.d.y * 0.1, this.p.z + this.d.z * 0.1], direction: vec(this.d), length: DESKTOP_RAY_M, active: false };
    }
    return out;
  }
}

/** A pressed input wins; otherwise the right one; otherwise the first seen. */
function pressedFirst(current: Effector | undefined, candidate: Effector): Effector {
  if (!current) return candidate;
  if (candidate.pressed && !current.pressed) return candidate;
  if (!current.pressed && candidate.handedness === 'right' && current.handedness !== 'right') return candidate;
  return current;
}

function vec(v: Vector3): Vec3 {
  return [v.x, v.y, v.z];
}
