/**
 * The hologram's state, split in two:
 * - `SharedState`: what every member of a session sees (the case, structures, cuts, measurements, the
 *   hologram's pose in the ROOM frame, the presenter). Plain JSON, synced through the Yjs document
 *   (see yjs-binding.ts), changed only by `Command`s (shared-state.ts).
 * - `LocalState`: what one device sees or does (tool, pending point, hover, placing, this device's
 *   room-frame calibration, its anchor, live drags). Never leaves the device.
 * Nothing here holds patient identity: the case id is a hash of the voxels plus the model's id.
 */

export type Vec3 = [number, number, number];
/** Unit quaternion [x, y, z, w]. */
export type Quat = [number, number, number, number];

/** Version of the SharedState layout; a document with another version is not read. */
export const SCHEMA_VERSION = 1;
/** At most this many cuts at once (the scene has 3 clip-plane slots per material for them). */
export const MAX_CUTS = 3;
/** Bounds that keep a shared document small and a hostile one harmless. */
export const LIMITS = {
  idLength: 64,
  nameLength: 64,
  caseIdLength: 200,
  structures: 256,
  measurements: 200,
  /** mm: far beyond any body, small enough to stay exact in float math. */
  coordinateMm: 1e5,
  /** m: positions in a room. */
  positionM: 1e3,
  /** m per mm: 0.001 is true size. */
  minScale: 1e-5,
  maxScale: 0.1,
} as const;

export interface StructureState {
  visible: boolean;
  /** 0..1 */
  opacity: number;
}

/** A cut: keeps the half-space where normal · p ≤ offset (p in patient LPS mm). */
export interface Cut {
  /** Unit normal in patient LPS. */
  normal: Vec3;
  /** mm */
  offset: number;
  /** Show the CT (MPR) on the cut face. */
  showSlice: boolean;
  /** Member who made it (team sessions). */
  createdBy?: string;
}

/** A cut with its id, as views list them. */
export interface CutEntry extends Cut {
  id: string;
}

export interface Measurement {
  /** End points in patient LPS mm. */
  a: Vec3;
  b: Vec3;
}

export interface MeasurementEntry extends Measurement {
  id: string;
}

export type SliceWindow = 'soft-tissue' | 'bone';
export const SLICE_WINDOW_NAMES: readonly SliceWindow[] = ['soft-tissue', 'bone'];

/** A rigid transform (position m, rotation) from one frame into another. */
export interface RigidTransform {
  position: Vec3;
  rotation: Quat;
}

/** Where the hologram stands (in the room frame when shared, in a device's world when rendered). */
export interface Pose extends RigidTransform {
  /** Position of the hologram's pivot, m. */
  position: Vec3;
  rotation: Quat;
  /** Metres per patient millimetre: 0.001 is true size (1:1). */
  scale: number;
}

export interface SharedState {
  schema: typeof SCHEMA_VERSION;
  /** What is on show: the volume's voxelSha256 and the model's id ("<sha256>:<model>"); '' before a case. */
  caseId: string;
  /** Keyed by class name from the model manifest. */
  structures: Record<string, StructureState>;
  /** Keyed by cut id; at most MAX_CUTS. */
  cuts: Record<string, Cut>;
  /** Keyed by measurement id. */
  measurements: Record<string, Measurement>;
  sliceWindow: SliceWindow;
  /** The patient point the hologram turns about and that `pose.position` places, LPS mm. */
  pivot: Vec3;
  /** The hologram's pose in the room frame. */
  pose: Pose;
  /** The member presenting, or null. */
  presenter: string | null;
}

export type Tool = 'move' | 'measure' | 'cut';

/** What is being dragged on this device and not yet committed to the shared state in full. */
export interface LiveDrags {
  /** The pose being dragged, room frame. */
  pose: Pose | null;
  /** Cuts being dragged, by id. */
  cuts: Record<string, Cut>;
}

export interface LocalState {
  tool: Tool;
  /** First point of a measurement in progress, patient mm. */
  pendingPoint: Vec3 | null;
  /** Structure under the ray or gaze. */
  hover: string | null;
  /** The hologram waits for a placement press. */
  placing: boolean;
  /** Room frame → this device's world (identity until calibrated). */
  calibration: RigidTransform;
  /**
   * This device's landmark pinches in the room frame they defined (2 or 3, in order), null until it
   * calibrated by landmarks. A device without them places its own copy (its calibration follows its
   * placement); one with them moves the shared pose.
   */
  landmarks: Vec3[] | null;
  /** The persistent handle of the anchor that pins the room frame on this device, when there is one. */
  anchorHandle: string | null;
  drag: LiveDrags;
}

/** Everything a device renders: the shared part and its own. */
export interface HologramState {
  shared: SharedState;
  local: LocalState;
}

export function identityTransform(): RigidTransform {
  return { position: [0, 0, 0], rotation: [0, 0, 0, 1] };
}
