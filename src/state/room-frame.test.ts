import { describe, expect, it } from 'vitest';
import { applyRigid, composeRigid, invertRigid, worldPose } from './pose';
import { calibrationForPlacement, calibrationToFollow, deviceToDevice, fitLandmarks, landmarkResidual, landmarksInRoom, roomFrameFromLandmarks, yawOf, yawQuat } from './room-frame';
import type { RigidTransform, Vec3 } from './types';

const close = (a: readonly number[], b: readonly number[], digits = 9) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], digits));

describe('room frame from pinched landmarks', () => {
  it('puts the origin on landmark 1, +x toward landmark 2 across the floor, +y up', () => {
    // landmark 2 is 2 m toward world −z and 30 cm higher: the frame's +x is world −z, a quarter turn
    const frame = roomFrameFromLandmarks([[1, 0.8, 2], [1, 1.1, 0]]);
    close(frame.position, [1, 0.8, 2]);
    close(applyRigid(frame, [1, 0, 0]), [1, 0.8, 1]); // 1 m along room +x
    close(applyRigid(frame, [0, 1, 0]), [1, 1.8, 2]); // room up is world up
    close(applyRigid(frame, [0, 0, 1]), [2, 0.8, 2]); // +z = x × y: world +x here
  });

  it('refuses landmarks it cannot orient on', () => {
    expect(() => roomFrameFromLandmarks([[0, 0, 0]])).toThrow(/2 or 3 landmarks, got 1/);
    expect(() => roomFrameFromLandmarks([[0, 0, 0], [0.01, 0.5, 0.01]])).toThrow(/1\.4 cm apart/);
    expect(() => roomFrameFromLandmarks([[0, 0, 0], [Number.NaN, 0, 0]])).toThrow(/landmark 2 is not a finite point/);
  });

  it('two headsets with different tracking origins place the shared pose on the same physical spot', () => {
    const table: Vec3[] = [[0.4, 0.75, -1], [1.6, 0.75, -1], [1.6, 0.75, -0.3]]; // in a reference "physical" frame
    // each headset's world is the physical frame turned and shifted (its own tracking origin)
    const worldA: RigidTransform = { position: [0.3, 0, -0.2], rotation: yawQuat(0.4) };
    const worldB: RigidTransform = { position: [-2, 0, 1.5], rotation: yawQuat(-2.1) };
    const seenBy = (w: RigidTransform) => table.map((p) => applyRigid(invertRigid(w), p));
    const calA = roomFrameFromLandmarks(seenBy(worldA));
    const calB = roomFrameFromLandmarks(seenBy(worldB));
    const shared = { position: [0.5, 0.2, 0.3] as Vec3, rotation: yawQuat(1) as [number, number, number, number], scale: 0.001 };
    const physicalA = applyRigid(worldA, worldPose(calA, shared).position);
    const physicalB = applyRigid(worldB, worldPose(calB, shared).position);
    close(physicalA, physicalB, 9);
    // and B's world maps into A's through the two calibrations
    close(applyRigid(deviceToDevice(calA, calB), seenBy(worldB)[2]), seenBy(worldA)[2], 9);
  });
});

describe('residual between two devices’ landmark pinches', () => {
  it('is zero for the same landmarks seen from a turned, shifted world, and finds that turn', () => {
    const a: Vec3[] = [[0, 0.7, 0], [1, 0.7, 0], [1, 0.7, 0.5]];
    const move: RigidTransform = { position: [0.2, 0.01, -3], rotation: yawQuat(0.7) };
    const b = a.map((p) => applyRigid(move, p));
    const fit = fitLandmarks(a, b);
    expect(fit.rmsMm).toBeCloseTo(0, 6);
    close(fit.transform.rotation, move.rotation);
    close(fit.transform.position, move.position);
  });

  it('reports the pinching error that no turn or shift can explain (analytic RMS)', () => {
    const a: Vec3[] = [[0, 0.7, 0], [1, 0.7, 0], [1, 0.7, 0.5]];
    const h = 0.004; // landmark 1 pinched 4 mm high, landmark 2 4 mm low, landmark 3 right: the mean shift is 0
    const b: Vec3[] = [[0, 0.7 + h, 0], [1, 0.7 - h, 0], [1, 0.7, 0.5]];
    const fit = fitLandmarks(a, b);
    expect(fit.rmsMm).toBeCloseTo(Math.sqrt((2 * 4 * 4) / 3), 6);
    expect(fit.maxMm).toBeCloseTo(4, 6);
  });
});

describe('landmarks in the room frame and the residual members share', () => {
  it('landmark 1 is the room origin, landmark 2 lies on room +x, whatever the tracking origin', () => {
    const world: RigidTransform = { position: [-1.2, 0, 0.4], rotation: yawQuat(2.3) };
    const physical: Vec3[] = [[0.4, 0.75, -1], [1.6, 0.8, -1], [1.6, 0.75, -0.3]];
    const seen = physical.map((p) => applyRigid(invertRigid(world), p));
    const room = landmarksInRoom(roomFrameFromLandmarks(seen), seen);
    close(room[0], [0, 0, 0]);
    close(room[1], [1.2, 0.05, 0]);
    // landmark 3: 1.2 m along the edge, then 0.7 m across it (toward room +z)
    close(room[2], [1.2, 0, 0.7]);
  });

  it('is the landmark fit over the landmarks both members pinched, and nothing with fewer than two', () => {
    const a: Vec3[] = [[0, 0.7, 0], [1, 0.7, 0], [1, 0.7, 0.5]];
    const b: Vec3[] = [[0, 0.704, 0], [1, 0.696, 0]];
    const r = landmarkResidual(a, b)!;
    expect(r.landmarks).toBe(2);
    // two points: the best shift splits the 8 mm height disagreement, 4 mm left on each
    expect(r.rmsMm).toBeCloseTo(4, 6);
    expect(r.maxMm).toBeCloseTo(4, 6);
    expect(landmarkResidual(a, [[0, 0, 0]])).toBeNull();
  });
});

describe('a remote member places their own copy', () => {
  it('the calibration shows the shared pose at the chosen place and heading, a turn about the vertical only', () => {
    const shared = { position: [0.3, 1.1, -0.2] as Vec3, rotation: composeRigid({ position: [0, 0, 0], rotation: yawQuat(0.5) }, { position: [0, 0, 0], rotation: [Math.sin(0.2), 0, 0, Math.cos(0.2)] }).rotation, scale: 0.001 };
    const target: RigidTransform = { position: [2, 0.9, 4], rotation: yawQuat(-1.1) };
    const cal = calibrationForPlacement(shared, target);
    const shown = worldPose(cal, shared);
    close(shown.position, target.position);
    expect(yawOf(shown.rotation)).toBeCloseTo(-1.1, 9);
    // gravity stays gravity: room up is world up
    close(applyRigid({ position: [0, 0, 0], rotation: cal.rotation }, [0, 1, 0]), [0, 1, 0]);
  });

  it('reads the heading of a pure turn back', () => {
    for (const a of [-3, -1, 0, 0.4, 2.9]) expect(yawOf(yawQuat(a))).toBeCloseTo(a, 9);
  });
});

describe('a remote member follows the presenter', () => {
  // the member's calibration: a turn of 0.7 rad and a shift (their own copy somewhere in their room)
  const calibration: RigidTransform = { position: [1.5, 0.1, -2], rotation: yawQuat(0.7) };
  const pivotRoom: Vec3 = [0.2, 0.9, 0.4];
  const bearingAndReach = (p: Vec3, pivot: Vec3) => ({ bearing: Math.atan2(p[0] - pivot[0], p[2] - pivot[2]), reach: Math.hypot(p[0] - pivot[0], p[2] - pivot[2]), height: p[1] - pivot[1] });

  it('turns the copy about its pivot so the presenter stands in the viewer\'s direction; heights, distances and the pivot stay', () => {
    const presenterRoom: Vec3 = [1.0, 1.7, 0.4]; // 0.8 m to the room's +x of the pivot
    const viewerWorld: Vec3 = [0.4, 1.6, -3.5];
    const next = calibrationToFollow(calibration, pivotRoom, presenterRoom, viewerWorld, 0.1)!;
    const pivotBefore = applyRigid(calibration, pivotRoom);
    close(applyRigid(next, pivotRoom), pivotBefore);
    const seen = bearingAndReach(applyRigid(next, presenterRoom), pivotBefore);
    const viewer = bearingAndReach(viewerWorld, pivotBefore);
    expect(seen.bearing).toBeCloseTo(viewer.bearing, 9);
    expect(seen.reach).toBeCloseTo(0.8, 9); // the presenter's distance from the hologram, not the viewer's
    expect(seen.height).toBeCloseTo(0.8, 9);
    // still a turn about the vertical: gravity stays gravity
    close(applyRigid({ position: [0, 0, 0], rotation: next.rotation }, [0, 1, 0]), [0, 1, 0]);
    // following again from there changes nothing
    expect(calibrationToFollow(next, pivotRoom, presenterRoom, viewerWorld, 0.1)).toBeNull();
  });

  it('snaps only beyond the minimum turn, the short way round, and not for a head straight above the pivot', () => {
    const pivot = applyRigid(calibration, pivotRoom);
    const presenterRoom: Vec3 = [0.2, 1.7, 1.4]; // 1 m along the room's +z
    const presenterBearing = bearingAndReach(applyRigid(calibration, presenterRoom), pivot).bearing;
    const viewerAt = (angle: number): Vec3 => [pivot[0] + Math.sin(presenterBearing + angle), 1.6, pivot[2] + Math.cos(presenterBearing + angle)];
    expect(calibrationToFollow(calibration, pivotRoom, presenterRoom, viewerAt(0.3), 0.35)).toBeNull();
    const turned = calibrationToFollow(calibration, pivotRoom, presenterRoom, viewerAt(-3), 0.35)!;
    // −3 rad the short way: the yaw of the calibration changes by −3, not by 2π − 3
    expect(Math.atan2(Math.sin(yawOf(turned.rotation) - 0.7), Math.cos(yawOf(turned.rotation) - 0.7))).toBeCloseTo(-3, 9);
    expect(calibrationToFollow(calibration, pivotRoom, [0.2, 2.5, 0.4], viewerAt(2), 0.1)).toBeNull();
  });
});
