import { identityTransform, type Cut, type LocalState, type Pose, type RigidTransform, type Tool, type Vec3 } from './types';

/** Changes to one device's own state (never synced). */
export type LocalCommand =
  | { type: 'tool/set'; tool: Tool }
  | { type: 'measure/pending'; point: Vec3 | null }
  | { type: 'hover/set'; name: string | null }
  | { type: 'placing/set'; placing: boolean }
  /** Room frame → this device's world; anchor drift and tracking corrections land here, never in the shared pose. */
  | { type: 'calibration/set'; calibration: RigidTransform }
  /** The room-frame landmarks of this device's calibration (null: not calibrated by landmarks). */
  | { type: 'calibration/landmarks'; landmarks: Vec3[] | null }
  | { type: 'anchor/set'; handle: string | null }
  /** The room-frame pose being dragged (shown at once; committed to the shared state throttled). */
  | { type: 'drag/pose'; pose: Pose | null }
  /** A cut being dragged, or null when its drag ends. */
  | { type: 'drag/cut'; id: string; cut: Cut | null };

/** The one "no cut dragged" object: views see an unchanged list when a drag ends. */
const NO_DRAGGED_CUTS: Record<string, Cut> = Object.freeze({}) as Record<string, Cut>;

export function initialLocalState(): LocalState {
  return { tool: 'move', pendingPoint: null, hover: null, placing: false, calibration: identityTransform(), landmarks: null, anchorHandle: null, drag: { pose: null, cuts: NO_DRAGGED_CUTS } };
}

/** The pure reducer of local commands: the same object when nothing changes. */
export function applyLocalCommand(s: LocalState, c: LocalCommand): LocalState {
  switch (c.type) {
    case 'tool/set':
      // a new tool drops the measurement in progress
      return s.tool === c.tool ? s : { ...s, tool: c.tool, pendingPoint: null };
    case 'measure/pending':
      return s.pendingPoint === c.point ? s : { ...s, pendingPoint: c.point };
    case 'hover/set':
      return s.hover === c.name ? s : { ...s, hover: c.name };
    case 'placing/set':
      return s.placing === c.placing ? s : { ...s, placing: c.placing };
    case 'calibration/set':
      return { ...s, calibration: { position: [...c.calibration.position], rotation: [...c.calibration.rotation] } };
    case 'calibration/landmarks':
      return s.landmarks === c.landmarks ? s : { ...s, landmarks: c.landmarks && c.landmarks.map((p) => [...p] as Vec3) };
    case 'anchor/set':
      return s.anchorHandle === c.handle ? s : { ...s, anchorHandle: c.handle };
    case 'drag/pose':
      return s.drag.pose === c.pose ? s : { ...s, drag: { ...s.drag, pose: c.pose } };
    case 'drag/cut': {
      if (c.cut) return { ...s, drag: { ...s.drag, cuts: { ...s.drag.cuts, [c.id]: c.cut } } };
      if (!(c.id in s.drag.cuts)) return s;
      const { [c.id]: _ended, ...cuts } = s.drag.cuts;
      return { ...s, drag: { ...s.drag, cuts: Object.keys(cuts).length ? cuts : NO_DRAGGED_CUTS } };
    }
  }
}
