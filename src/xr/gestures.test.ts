import { describe, expect, it } from 'vitest';
import { Matrix, Quaternion, Vector3 } from '@babylonjs/core/Maths/math.vector';
import { patientToWorldMatrix } from '../scene/frames';
import {
  beginTwoHand, dragPlaneOffset, grabStart, grabUpdate, isPalmUp, MAX_SCALE, placeInFront, planeFromHand, pointNearRect, poseFromState,
  poseToState, rayBox, rayRect, raySphere, rigidPose, twoHandStart, twoHandUpdate, workPose,
} from './gestures';

const close = (a: Vector3, b: Vector3, digits = 6) => [a.x - b.x, a.y - b.y, a.z - b.z].forEach((d) => expect(d).toBeCloseTo(0, digits));

describe('one-hand grab', () => {
  it('carries the hologram rigidly with the hand: a point held in the hand stays in the hand', () => {
    const hand = rigidPose();
    hand.position.set(0.1, 1.2, 0.4);
    Quaternion.RotationYawPitchRollToRef(0.3, -0.2, 0.1, hand.rotation);
    const holo = rigidPose();
    holo.position.set(0.0, 1.0, 0.6);
    Quaternion.RotationYawPitchRollToRef(-0.5, 0, 0, holo.rotation);
    const rel = grabStart(hand, holo, rigidPose());
    // unchanged hand: unchanged hologram
    const out = grabUpdate(hand, rel, rigidPose());
    close(out.position, holo.position);
    expect(Math.abs(Quaternion.Dot(out.rotation, holo.rotation))).toBeCloseTo(1, 6);
    // hand moves 20 cm and turns 90° about up: the hologram turns with it about the hand
    const moved = rigidPose();
    moved.position.copyFrom(hand.position).addInPlaceFromFloats(0.2, 0, 0);
    Quaternion.RotationAxis(Vector3.Up(), Math.PI / 2).multiplyToRef(hand.rotation, moved.rotation);
    grabUpdate(moved, rel, out);
    const offset0 = holo.position.subtract(hand.position);
    const expected = moved.position.add(offset0.applyRotationQuaternion(Quaternion.RotationAxis(Vector3.Up(), Math.PI / 2)));
    close(out.position, expected);
    expect(Vector3.Distance(out.position, moved.position)).toBeCloseTo(Vector3.Distance(holo.position, hand.position), 6);
  });
});

describe('two-hand scale', () => {
  it('scales with the hands’ distance, keeps the point between the hands, turns about the vertical', () => {
    const pose = poseFromState({ position: [0, 1, 0.5], rotation: [0, 0, 0, 1], scale: 0.001 }, workPose());
    const start = beginTwoHand(new Vector3(-0.1, 1, 0.5), new Vector3(0.1, 1, 0.5), pose, twoHandStart());
    const out = workPose();
    // hands twice as far apart, same middle
    twoHandUpdate(start, new Vector3(-0.2, 1, 0.5), new Vector3(0.2, 1, 0.5), out);
    expect(out.scale).toBeCloseTo(0.002, 9);
    close(out.position, new Vector3(0, 1, 0.5));
    // the middle moves: the hologram follows; a point 10 cm right of the middle ends 20 cm right
    const off = beginTwoHand(new Vector3(0, 1, 0.5), new Vector3(0.2, 1, 0.5), pose, twoHandStart());
    twoHandUpdate(off, new Vector3(0, 1.1, 0.5), new Vector3(0.4, 1.1, 0.5), out);
    close(out.position, new Vector3(0, 1.1, 0.5)); // pose was 0.1 left of the middle → 0.2 left of the new middle (0.2)
    // hands turn 90° about up: the hologram turns 90°
    twoHandUpdate(start, new Vector3(0, 1, 0.4), new Vector3(0, 1, 0.6), out);
    // the hologram turned as the line between the hands did: from +x to +z
    close(new Vector3(1, 0, 0).applyRotationQuaternion(out.rotation), new Vector3(0, 0, 1));
    expect(out.scale).toBeCloseTo(0.001, 9);
  });

  it('clamps the size', () => {
    const pose = poseFromState({ position: [0, 1, 0.5], rotation: [0, 0, 0, 1], scale: 0.004 }, workPose());
    const start = beginTwoHand(new Vector3(-0.05, 1, 0.5), new Vector3(0.05, 1, 0.5), pose, twoHandStart());
    expect(twoHandUpdate(start, new Vector3(-1, 1, 0.5), new Vector3(1, 1, 0.5), workPose()).scale).toBe(MAX_SCALE);
  });

  it('round-trips a state pose with a normalized rotation', () => {
    const p = poseToState(poseFromState({ position: [1, 2, 3], rotation: [0, 0.6, 0, 0.8], scale: 0.002 }, workPose()));
    expect(p).toEqual({ position: [1, 2, 3], rotation: [0, 0.6, 0, 0.8], scale: 0.002 });
  });
});

describe('cut planes from hands', () => {
  const center: [number, number, number] = [10, -20, 300];
  const pose = { position: [0.1, 1.1, 0.6] as [number, number, number], rotation: [0, Math.sin(0.4), 0, Math.cos(0.4)] as [number, number, number, number], scale: 0.0025 };

  it('moves a handle’s plane by the hand’s travel along the normal, in patient mm at any scale', () => {
    const m = patientToWorldMatrix(center, pose);
    const inv = Matrix.Invert(m);
    const normal: [number, number, number] = [0, 0, 1];
    const a = Vector3.TransformCoordinates(new Vector3(10, -20, 300), m);
    // the hand moves 5 cm along the world image of patient S (= world up here), 1 cm sideways
    const b = a.add(new Vector3(0.01, 0.05, 0));
    const pa = Vector3.TransformCoordinates(a, inv), pb = Vector3.TransformCoordinates(b, inv);
    expect(dragPlaneOffset(300, normal, pa, pb)).toBeCloseTo(300 + 0.05 / 0.0025, 3); // 20 mm
  });

  it('sets a free plane through the pinch point with the palm’s normal, in patient space', () => {
    const m = patientToWorldMatrix(center, pose);
    const inv = Matrix.Invert(m);
    const point = Vector3.TransformCoordinates(new Vector3(30, -5, 280), m);
    // the palm faces world up = patient superior (the hologram stands the patient upright)
    const n = new Vector3();
    const offset = planeFromHand(point, new Vector3(0, 1, 0), inv, n);
    close(n, new Vector3(0, 0, 1), 5);
    expect(offset).toBeCloseTo(280, 2);
    // palm towards the viewer (world −z) while the hologram is turned 0.8 rad about up
    planeFromHand(point, new Vector3(0, 0, -1), inv, n);
    expect(n.length()).toBeCloseTo(1, 6);
    expect(n.z).toBeCloseTo(0, 5); // still a vertical plane: no superior component
  });

  it('knows a palm facing up', () => {
    expect(isPalmUp(new Vector3(0.1, 0.95, 0.1))).toBe(true);
    expect(isPalmUp(new Vector3(0, -1, 0))).toBe(false);
    expect(isPalmUp(new Vector3(1, 0.3, 0))).toBe(false);
  });
});

describe('hit tests without picking', () => {
  it('rays against spheres, rectangles and boxes; points near rectangles', () => {
    const o = new Vector3(0, 0, 0), d = new Vector3(0, 0, 1);
    expect(raySphere(o, d, new Vector3(0, 0, 2), 0.5)).toBeCloseTo(1.5, 9);
    expect(raySphere(o, d, new Vector3(1, 0, 2), 0.5)).toBe(-1);
    expect(raySphere(o, d, new Vector3(0, 0, 0.1), 0.5)).toBe(0);
    const uv = { u: 0, v: 0 };
    const t = rayRect(new Vector3(0.05, 0.05, 0), d, new Vector3(0, 0, 1), new Vector3(1, 0, 0), new Vector3(0, 1, 0), 0.1, 0.2, uv);
    expect(t).toBeCloseTo(1, 9);
    expect(uv.u).toBeCloseTo(0.75, 9);
    expect(uv.v).toBeCloseTo(0.375, 9); // v grows downwards
    expect(rayRect(new Vector3(0.5, 0, 0), d, new Vector3(0, 0, 1), new Vector3(1, 0, 0), new Vector3(0, 1, 0), 0.1, 0.2, uv)).toBe(-1);
    expect(pointNearRect(new Vector3(-0.05, 0.1, 1.01), new Vector3(0, 0, 1), new Vector3(1, 0, 0), new Vector3(0, 1, 0), 0.1, 0.2, 0.02, uv)).toBe(true);
    expect(uv.u).toBeCloseTo(0.25, 9);
    expect(pointNearRect(new Vector3(0, 0, 1.05), new Vector3(0, 0, 1), new Vector3(1, 0, 0), new Vector3(0, 1, 0), 0.1, 0.2, 0.02, uv)).toBe(false);
    expect(rayBox(o, d, new Vector3(-1, -1, 2), new Vector3(1, 1, 3))).toBeCloseTo(2, 9);
    expect(rayBox(o, d, new Vector3(-1, -1, -1), new Vector3(1, 1, 3))).toBe(0);
    expect(rayBox(o, new Vector3(0, 1, 0), new Vector3(-1, 2, 2), new Vector3(1, 3, 3))).toBe(-1);
  });

  it('places the hologram in front of the viewer, facing them', () => {
    const out = placeInFront(new Vector3(0, 1.6, 0), new Vector3(1, -0.3, 0), 0.6, 0.4, rigidPose());
    close(out.position, new Vector3(0.6, 1.2, 0));
    const front = new Vector3(0, 0, -1).applyRotationQuaternion(out.rotation);
    close(front, new Vector3(-1, 0, 0)); // anterior towards the viewer
  });
});
