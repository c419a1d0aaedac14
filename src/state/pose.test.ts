import { describe, expect, it } from 'vitest';
import { applyLocalCommand, initialLocalState } from './local-state';
import { applyRigid, composeRigid, invertRigid, roomPose, worldPose } from './pose';
import { initialSharedState } from './shared-state';
import { createHologramStore } from './store';
import type { Pose, Quat, RigidTransform } from './types';
import { viewWorldPose } from './view';

const yaw = (deg: number): Quat => [0, Math.sin((deg * Math.PI) / 360), 0, Math.cos((deg * Math.PI) / 360)];
const close = (a: readonly number[], b: readonly number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 12));

describe('room frame → world', () => {
  it('composes and inverts rigid transforms (analytic: a quarter turn about +y)', () => {
    const t: RigidTransform = { position: [1, 0, 0], rotation: yaw(90) };
    close(applyRigid(t, [0, 0, 1]), [2, 0, 0]); // +z turns to +x, then shifts by 1
    const back = composeRigid(invertRigid(t), t);
    close(back.position, [0, 0, 0]);
    close(back.rotation, [0, 0, 0, 1]);
  });

  it('renders the room-frame pose at calibration ∘ pose, and back', () => {
    const calibration: RigidTransform = { position: [0.5, 0, -2], rotation: yaw(180) };
    const room: Pose = { position: [1, 1, 0], rotation: yaw(90), scale: 0.002 };
    const world = worldPose(calibration, room);
    close(world.position, [-0.5, 1, -2]);
    close(world.rotation, yaw(270));
    expect(world.scale).toBe(0.002);
    const again = roomPose(calibration, world);
    close(again.position, room.position);
    close(again.rotation, room.rotation);
  });

  it('a tracking correction changes only this device\'s calibration, never the shared pose', () => {
    const store = createHologramStore({ shared: initialSharedState([]) });
    store.dispatch({ type: 'pose/set', pose: { position: [0, 1, -0.5] } });
    const shared = store.getState().shared;
    const other = { shared, local: initialLocalState() }; // a second headset with the same shared state
    // this headset's anchor drifts 2 cm along x: its calibration follows
    store.dispatchLocal({ type: 'calibration/set', calibration: { position: [0.02, 0, 0], rotation: [0, 0, 0, 1] } });
    expect(store.getState().shared).toBe(shared);
    close(viewWorldPose(store.getState()).position, [0.02, 1, -0.5]);
    close(viewWorldPose(other).position, [0, 1, -0.5]);
    // both keep the same shared (room) pose
    expect(applyLocalCommand(other.local, { type: 'calibration/set', calibration: { position: [0, 0, 0], rotation: [0, 0, 0, 1] } }).calibration.position).toEqual([0, 0, 0]);
  });
});
