import { worldPose } from './pose';
import type { Cut, CutEntry, HologramState, MeasurementEntry, Pose } from './types';

/**
 * What a device shows, derived from { shared, local }: the shared cuts and pose with this device's
 * live drags over them, the pose in this device's world. Memoized on the inputs' identity, so views
 * can tell "changed" by `!==` as they do with the state itself.
 */

const cutLists = new WeakMap<object, WeakMap<object, readonly CutEntry[]>>();
const measurementLists = new WeakMap<object, readonly MeasurementEntry[]>();
const worldPoses = new WeakMap<object, WeakMap<object, Pose>>();

/** The cuts on show: shared ones in the order made, a live drag replacing its cut (a new one last). */
export function viewCuts(s: HologramState): readonly CutEntry[] {
  const shared = s.shared.cuts;
  const live = s.local.drag.cuts;
  let byDrag = cutLists.get(shared);
  if (!byDrag) cutLists.set(shared, (byDrag = new WeakMap()));
  let list = byDrag.get(live);
  if (!list) {
    const entry = (id: string, c: Cut): CutEntry => ({ id, ...c });
    const out = Object.keys(shared).map((id) => entry(id, live[id] ?? shared[id]));
    for (const id of Object.keys(live)) if (!(id in shared)) out.push(entry(id, live[id]));
    byDrag.set(live, (list = out));
  }
  return list;
}

export function findCut(s: HologramState, id: string): CutEntry | undefined {
  return viewCuts(s).find((c) => c.id === id);
}

export function viewMeasurements(s: HologramState): readonly MeasurementEntry[] {
  const shared = s.shared.measurements;
  let list = measurementLists.get(shared);
  if (!list) measurementLists.set(shared, (list = Object.keys(shared).map((id) => ({ id, ...shared[id] }))));
  return list;
}

/** The hologram's pose in the room frame as this device shows it (its live drag, else the shared one). */
export function viewRoomPose(s: HologramState): Pose {
  return s.local.drag.pose ?? s.shared.pose;
}

/** The hologram's pose in this device's world: calibration ∘ room pose. */
export function viewWorldPose(s: HologramState): Pose {
  const room = viewRoomPose(s);
  const calibration = s.local.calibration;
  let byPose = worldPoses.get(calibration);
  if (!byPose) worldPoses.set(calibration, (byPose = new WeakMap()));
  let pose = byPose.get(room);
  if (!pose) byPose.set(room, (pose = worldPose(calibration, room)));
  return pose;
}
