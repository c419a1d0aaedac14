/**
 * The one serializable model of everything a user sees of the hologram. The scene observes it; XR
 * gestures and the desktop panel change it through the actions below; team sessions will sync exactly
 * this object. Plain JSON only: no class instances, no typed arrays, no patient identity.
 */

export type Vec3 = [number, number, number];
/** Unit quaternion [x, y, z, w]. */
export type Quat = [number, number, number, number];

export interface StructureState {
  visible: boolean;
  /** 0..1 */
  opacity: number;
}

/** Where the hologram stands in the world (metres), its rotation and its size. */
export interface Pose {
  /** World position of the hologram's centre, m. */
  position: Vec3;
  rotation: Quat;
  /** World metres per patient millimetre: 0.001 is true size (1:1). */
  scale: number;
}

/** A cut: keeps the half-space where normal · p ≤ offset (p in patient LPS mm). */
export interface ClipPlaneState {
  id: string;
  /** Unit normal in patient LPS. */
  normal: Vec3;
  /** mm */
  offset: number;
  /** Show the CT (MPR) on the cut face. */
  showSlice: boolean;
}

export interface Measurement {
  id: string;
  /** End points in patient LPS mm. */
  a: Vec3;
  b: Vec3;
}

export type SliceWindow = 'soft-tissue' | 'bone';

export interface HologramState {
  /** Keyed by class name from the model manifest. */
  structures: Record<string, StructureState>;
  pose: Pose;
  /** At most MAX_CLIP_PLANES. */
  clipPlanes: ClipPlaneState[];
  measurements: Measurement[];
  sliceWindow: SliceWindow;
}

export const MAX_CLIP_PLANES = 3;

export const DEFAULT_POSE: Pose = { position: [0, 0, 0], rotation: [0, 0, 0, 1], scale: 0.001 };

export function initialState(structures: Array<{ name: string; opacity: number }>): HologramState {
  return {
    structures: Object.fromEntries(structures.map((s) => [s.name, { visible: true, opacity: s.opacity }])),
    pose: { ...DEFAULT_POSE, position: [...DEFAULT_POSE.position], rotation: [...DEFAULT_POSE.rotation] },
    clipPlanes: [],
    measurements: [],
    sliceWindow: 'soft-tissue',
  };
}

export type Listener = (state: HologramState, previous: HologramState) => void;

/** A minimal observable store over an immutable HologramState. */
export interface HologramStore {
  getState(): HologramState;
  /** Applies a pure update; listeners run only when the state object changes. */
  update(action: (state: HologramState) => HologramState): void;
  subscribe(listener: Listener): () => void;
}

export function createHologramStore(initial: HologramState): HologramStore {
  let state = initial;
  const listeners = new Set<Listener>();
  return {
    getState: () => state,
    update(action) {
      const previous = state;
      const next = action(state);
      if (next === previous) return;
      state = next;
      for (const listener of [...listeners]) listener(state, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
