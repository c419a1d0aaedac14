import { normalizeQuat } from './pose';
import { LIMITS, MAX_CUTS, SCHEMA_VERSION, type Cut, type Measurement, type Pose, type SharedState, type SliceWindow, type StructureState, type Vec3 } from './types';

/**
 * Every change to the shared state is one of these commands, applied by one pure reducer. A change
 * of several steps (clear the cuts, show the CT on every cut) is one command, so it is one transaction
 * in the shared document. Commands are plain JSON: they can be logged, validated (validate.ts) and
 * replayed.
 */
export type Command =
  /** A new case on show: its id and its structures; cuts and measurements start empty. */
  | { type: 'case/open'; caseId: string; structures: Record<string, StructureState> }
  /** The case on show got its id (hashing ends after the hologram is up): only while the id is ''. */
  | { type: 'case/identify'; caseId: string }
  | { type: 'structure/setVisible'; names: string[]; visible: boolean }
  /** Opacity is clamped to 0..1. */
  | { type: 'structure/setOpacity'; name: string; opacity: number }
  /**
   * Adds or changes a cut. A new cut beyond MAX_CUTS is rejected unless `replaces` names a cut to
   * remove in the same step (the UI decides which: nothing gives way silently).
   */
  | { type: 'cut/upsert'; id: string; cut: Cut; replaces?: string }
  | { type: 'cut/remove'; id: string }
  | { type: 'cuts/clear' }
  | { type: 'cuts/setShowSlice'; show: boolean }
  /** A measurement with a new id (ids are unique per client: ids.ts). */
  | { type: 'measurement/add'; id: string; measurement: Measurement }
  | { type: 'measurement/remove'; id: string }
  | { type: 'measurements/clear' }
  /** Sets the fields given of the room-frame pose. */
  | { type: 'pose/set'; pose: Partial<Pose> }
  | { type: 'pivot/set'; pivot: Vec3 }
  | { type: 'sliceWindow/set'; window: SliceWindow }
  | { type: 'presenter/set'; presenter: string | null };

export type CommandType = Command['type'];

/** What applying a command did: the next state (the same object when nothing changed) or why it was refused. */
export type CommandOutcome = { state: SharedState; rejected?: undefined } | { state: SharedState; rejected: string };

export const DEFAULT_POSE: Readonly<Pose> = { position: [0, 0, 0], rotation: [0, 0, 0, 1], scale: 0.001 };

export function initialSharedState(structures: ReadonlyArray<{ name: string; opacity: number }> = [], caseId = ''): SharedState {
  return {
    schema: SCHEMA_VERSION,
    caseId,
    structures: Object.fromEntries(structures.map((s) => [s.name, { visible: true, opacity: s.opacity }])),
    cuts: {},
    measurements: {},
    sliceWindow: 'soft-tissue',
    pivot: [0, 0, 0],
    pose: { position: [...DEFAULT_POSE.position], rotation: [...DEFAULT_POSE.rotation], scale: DEFAULT_POSE.scale },
    presenter: null,
  };
}

/** The id of a case: the volume's voxelSha256 and the model's id (the same CT under another model is another case). */
export function caseIdOf(voxelSha256: string, modelId: string): string {
  return `${voxelSha256}:${modelSlug(modelId)}`;
}

/** A model's name as it may stand in a case id (and a room's caseId on the server): [A-Za-z0-9._-]. */
export function modelSlug(model: string): string {
  return model.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'model';
}

/** The pure reducer: the next shared state, or the same object when the command changes nothing or is refused. */
export function applyCommand(state: SharedState, command: Command): SharedState {
  return reduceCommand(state, command).state;
}

/** As applyCommand, and says why a command was refused. */
export function reduceCommand(s: SharedState, c: Command): CommandOutcome {
  switch (c.type) {
    case 'case/open':
      if (s.caseId === c.caseId && sameKeys(s.structures, c.structures)) return { state: s };
      return { state: { ...initialSharedState([], c.caseId), structures: { ...c.structures }, pose: s.pose, presenter: s.presenter } };
    case 'case/identify':
      if (s.caseId === c.caseId) return { state: s };
      if (s.caseId !== '') return { state: s, rejected: `the case is already identified as "${s.caseId}": open the other case instead` };
      return { state: { ...s, caseId: c.caseId } };
    case 'structure/setVisible': {
      if (c.names.every((n) => !s.structures[n] || s.structures[n].visible === c.visible)) return { state: s };
      const structures = { ...s.structures };
      for (const n of c.names) if (structures[n]) structures[n] = { ...structures[n], visible: c.visible };
      return { state: { ...s, structures } };
    }
    case 'structure/setOpacity': {
      const current = s.structures[c.name];
      const opacity = Math.min(1, Math.max(0, c.opacity));
      if (!current) return { state: s, rejected: `no structure "${c.name}"` };
      if (current.opacity === opacity) return { state: s };
      return { state: { ...s, structures: { ...s.structures, [c.name]: { ...current, opacity } } } };
    }
    case 'cut/upsert': {
      const current = s.cuts[c.id];
      // a cut keeps its maker when someone else moves it
      const cut = cleanCut(current?.createdBy !== undefined ? { ...c.cut, createdBy: current.createdBy } : c.cut);
      if (current) {
        if (sameCut(current, cut)) return { state: s };
        return { state: { ...s, cuts: { ...s.cuts, [c.id]: cut } } };
      }
      const cuts = { ...s.cuts };
      if (c.replaces !== undefined && c.replaces !== c.id) delete cuts[c.replaces];
      if (Object.keys(cuts).length >= MAX_CUTS) {
        return { state: s, rejected: `at most ${MAX_CUTS} cuts: remove one first (or name it in "replaces")` };
      }
      cuts[c.id] = cut;
      return { state: { ...s, cuts } };
    }
    case 'cut/remove': {
      if (!(c.id in s.cuts)) return { state: s };
      const { [c.id]: _removed, ...cuts } = s.cuts;
      return { state: { ...s, cuts } };
    }
    case 'cuts/clear':
      return { state: Object.keys(s.cuts).length ? { ...s, cuts: {} } : s };
    case 'cuts/setShowSlice': {
      const ids = Object.keys(s.cuts).filter((id) => s.cuts[id].showSlice !== c.show);
      if (!ids.length) return { state: s };
      const cuts = { ...s.cuts };
      for (const id of ids) cuts[id] = { ...cuts[id], showSlice: c.show };
      return { state: { ...s, cuts } };
    }
    case 'measurement/add': {
      if (c.id in s.measurements) return { state: s, rejected: `measurement id "${c.id}" is taken` };
      if (Object.keys(s.measurements).length >= LIMITS.measurements) {
        return { state: s, rejected: `at most ${LIMITS.measurements} measurements: remove some first` };
      }
      const m: Measurement = { a: [...c.measurement.a], b: [...c.measurement.b] };
      return { state: { ...s, measurements: { ...s.measurements, [c.id]: m } } };
    }
    case 'measurement/remove': {
      if (!(c.id in s.measurements)) return { state: s };
      const { [c.id]: _removed, ...measurements } = s.measurements;
      return { state: { ...s, measurements } };
    }
    case 'measurements/clear':
      return { state: Object.keys(s.measurements).length ? { ...s, measurements: {} } : s };
    case 'pose/set': {
      const next: Pose = {
        position: c.pose.position ? [...c.pose.position] : s.pose.position,
        rotation: c.pose.rotation ? normalizeQuat(c.pose.rotation) : s.pose.rotation,
        scale: c.pose.scale ?? s.pose.scale,
      };
      if (!(next.scale > 0)) return { state: s, rejected: 'the pose needs a positive scale' };
      if (samePose(s.pose, next)) return { state: s };
      return { state: { ...s, pose: next } };
    }
    case 'pivot/set':
      return { state: sameVec(s.pivot, c.pivot) ? s : { ...s, pivot: [...c.pivot] } };
    case 'sliceWindow/set':
      return { state: s.sliceWindow === c.window ? s : { ...s, sliceWindow: c.window } };
    case 'presenter/set':
      return { state: s.presenter === c.presenter ? s : { ...s, presenter: c.presenter } };
  }
}

/**
 * The command a UI sends to add or change a cut where the single-user rule applies: when MAX_CUTS are
 * on and this is a new one, the oldest other cut is named in `replaces` (explicit, not silent).
 */
export function upsertCutCommand(s: Readonly<SharedState>, id: string, cut: Cut): Command {
  const ids = Object.keys(s.cuts);
  const replaces = !(id in s.cuts) && ids.length >= MAX_CUTS ? ids.find((other) => other !== id) : undefined;
  return replaces === undefined ? { type: 'cut/upsert', id, cut } : { type: 'cut/upsert', id, cut, replaces };
}

/** Distance between a measurement's points in patient mm: independent of the hologram's scale. */
export function measurementLengthMm(m: Readonly<Measurement>): number {
  return Math.hypot(m.b[0] - m.a[0], m.b[1] - m.a[1], m.b[2] - m.a[2]);
}

/** Axis-aligned presets in patient LPS: axial (S), coronal (P), sagittal (L). */
export const PLANE_PRESETS: Record<'axial' | 'coronal' | 'sagittal', Vec3> = {
  axial: [0, 0, 1],
  coronal: [0, 1, 0],
  sagittal: [1, 0, 0],
};

/** Names of the classes of a group, for group toggles. */
export function namesInGroup<G extends string>(classes: ReadonlyArray<{ name: string; group: G }>, group: G): string[] {
  return classes.filter((c) => c.group === group).map((c) => c.name);
}

function cleanCut(cut: Cut): Cut {
  const n = Math.hypot(cut.normal[0], cut.normal[1], cut.normal[2]);
  if (!(n > 0)) throw new Error('a cut needs a non-zero normal');
  const clean: Cut = { normal: [cut.normal[0] / n, cut.normal[1] / n, cut.normal[2] / n], offset: cut.offset, showSlice: cut.showSlice };
  if (cut.createdBy !== undefined) clean.createdBy = cut.createdBy;
  return clean;
}

export function sameVec(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function sameCut(a: Readonly<Cut>, b: Readonly<Cut>): boolean {
  return a.offset === b.offset && a.showSlice === b.showSlice && a.createdBy === b.createdBy && sameVec(a.normal, b.normal);
}

export function samePose(a: Readonly<Pose>, b: Readonly<Pose>): boolean {
  return a.scale === b.scale && sameVec(a.position, b.position) && sameVec(a.rotation, b.rotation);
}

function sameKeys(a: Record<string, StructureState>, b: Record<string, StructureState>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && a[k].visible === b[k].visible && a[k].opacity === b[k].opacity);
}
