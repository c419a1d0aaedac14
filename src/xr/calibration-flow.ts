import { landmarksInRoom, roomFrameFromLandmarks, type RigidTransform, type Vec3 } from '../state';

/**
 * The "Calibrate room" steps in the headset, pure: the member pinches landmark 1, 2 and optionally 3
 * (two corners of the table, then a third point), in this device's world; after two the frame is
 * known, a third adds a check for the residual between members. Each step is a new value; the
 * controller (room-calibration.ts) draws it and routes pinches and menu actions here.
 */
export type CalibrationFlow =
  | { phase: 'idle' }
  | { phase: 'pinching'; points: readonly Vec3[]; error?: string }
  | { phase: 'done'; points: readonly Vec3[]; calibration: RigidTransform; landmarks: Vec3[] };

export const MAX_LANDMARKS = 3;

/** What each landmark is, in the order every member pinches them. */
export const LANDMARK_HINTS = ['the first corner of the table', 'the second corner of the table (same edge)', 'a third point (another corner), or Done'] as const;

export const IDLE: CalibrationFlow = Object.freeze({ phase: 'idle' });

export function startCalibration(): CalibrationFlow {
  return { phase: 'pinching', points: [] };
}

/**
 * A pinch while calibrating. Landmark 2 must be far enough from landmark 1 across the floor to give
 * the room its direction: refused with the reason (pinch it again). The third finishes.
 */
export function addLandmark(flow: CalibrationFlow, point: Vec3): CalibrationFlow {
  if (flow.phase !== 'pinching') return flow;
  const points = [...flow.points, [point[0], point[1], point[2]] as Vec3];
  if (points.length >= 2) {
    try {
      roomFrameFromLandmarks(points.slice(0, 2));
    } catch (error) {
      return { phase: 'pinching', points: flow.points, error: error instanceof Error ? error.message : String(error) };
    }
  }
  return points.length >= MAX_LANDMARKS ? finishCalibration({ phase: 'pinching', points }) : { phase: 'pinching', points };
}

/** Takes the landmark pinched last back (redo it). */
export function undoLandmark(flow: CalibrationFlow): CalibrationFlow {
  if (flow.phase !== 'pinching' || !flow.points.length) return flow;
  return { phase: 'pinching', points: flow.points.slice(0, -1) };
}

/** Done with the landmarks pinched so far (two or three): the calibration and the landmarks in its room frame. */
export function finishCalibration(flow: CalibrationFlow): CalibrationFlow {
  if (flow.phase !== 'pinching' || flow.points.length < 2) return flow;
  const calibration = roomFrameFromLandmarks(flow.points);
  return { phase: 'done', points: flow.points, calibration, landmarks: landmarksInRoom(calibration, flow.points) };
}

/** The line the member reads: which landmark is next, or the refusal of the last pinch. */
export function calibrationPrompt(flow: CalibrationFlow): string {
  if (flow.phase === 'idle') return '';
  if (flow.phase === 'done') return `Room calibrated with ${flow.points.length} landmarks`;
  const next = flow.points.length;
  const step = `Pinch landmark ${next + 1}: ${LANDMARK_HINTS[next]}`;
  return flow.error ? `${flow.error}. ${step}` : step;
}
