import { Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector';
import { rigidPose, type RigidPose } from './gestures';

export type { RigidPose };

/** How an input reaches the hologram. */
export type EffectorKind = 'hand' | 'controller' | 'transient' | 'gaze';

/** What an effector is doing now; one preallocated record per effector (nothing allocated per frame). */
export interface EffectorGrab {
  mode: 'none' | 'hologram' | 'plane' | 'cut' | 'menu';
  /** Hologram pose in the effector's frame (one-hand grab). */
  relative: RigidPose;
  /** Plane drag: which plane, its offset and the grab point in patient mm at the start. */
  planeId: string;
  startOffset: number;
  startPatient: Vector3;
  /** Far (ray) drags keep the grab point this far along the ray, m; 0 = near (the hand itself). */
  rayDistance: number;
}

/**
 * One input that can point, pinch and grab: a tracked hand (pinch point, palm), a controller (grip,
 * ray, trigger), a transient pointer (Vision Pro gaze-and-pinch) or a gaze ray with a select gesture
 * (HoloLens 2 air tap). The XR adapter writes its pose each frame and its press/release from the
 * session's select events; the interaction reads it. World space, metres.
 */
export class Effector {
  tracked = false;
  /** Grab point: the pinch point of a hand, the grip of a controller, the ray origin otherwise. */
  readonly position = new Vector3();
  readonly rotation = new Quaternion();
  readonly rayOrigin = new Vector3();
  /** Unit ray direction. */
  readonly rayDirection = new Vector3(0, 0, 1);
  /** Out of the palm (hands); the grip's −y for other inputs. */
  readonly palmNormal = new Vector3(0, -1, 0);
  /** The input can touch things with its grab point (hands, controllers), not only point at them. */
  near: boolean;
  pressed = false;
  /** A press/release happened since the interaction last looked (events come between frames). */
  pressEdge = false;
  releaseEdge = false;
  readonly grab: EffectorGrab = {
    mode: 'none', relative: rigidPose(), planeId: '', startOffset: 0, startPatient: new Vector3(), rayDistance: 0,
  };

  constructor(readonly id: string, readonly kind: EffectorKind, readonly handedness: 'left' | 'right' | 'none') {
    this.near = kind === 'hand' || kind === 'controller';
  }

  press(): void {
    if (this.pressed) return;
    this.pressed = true;
    this.pressEdge = true;
  }

  release(): void {
    if (!this.pressed) return;
    this.pressed = false;
    this.releaseEdge = true;
  }
}
