import type { Command } from './shared-state';
import {
  LIMITS, MAX_CUTS, SCHEMA_VERSION, SLICE_WINDOW_NAMES, type Cut, type Measurement, type Pose, type Quat, type SharedState, type SliceWindow,
  type StructureState, type Vec3,
} from './types';

/**
 * Parsers for state and commands from outside this device (another member, a stored document, a
 * server): every number finite, normals and rotations unit, strings, sizes and counts bounded, no
 * unknown key. A failure throws StateValidationError naming the field and the reason.
 */
export class StateValidationError extends Error {
  constructor(readonly field: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`${field}: ${reason}`, options);
    this.name = 'StateValidationError';
  }
}

const UNIT_TOLERANCE = 1e-3;
const ID = /^[A-Za-z0-9_.:-]+$/;

type Obj = Record<string, unknown>;

function fail(field: string, reason: string): never {
  throw new StateValidationError(field, reason);
}

function object(v: unknown, field: string, keys: readonly string[], optional: readonly string[] = []): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, `expected an object, got ${describe(v)}`);
  const o = v as Obj;
  for (const k of Object.keys(o)) if (!keys.includes(k) && !optional.includes(k)) fail(`${field}.${k}`, 'unknown key');
  for (const k of keys) if (!(k in o)) fail(`${field}.${k}`, 'missing');
  return o;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v === 'string' ? `a string of ${v.length} characters` : typeof v;
}

function finite(v: unknown, field: string, bound = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, `expected a finite number, got ${typeof v === 'number' ? v : describe(v)}`);
  if (Math.abs(v) > bound) fail(field, `${v} is beyond ±${bound}`);
  return v;
}

function boolean(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') fail(field, `expected true or false, got ${describe(v)}`);
  return v;
}

function text(v: unknown, field: string, max: number, pattern?: RegExp): string {
  if (typeof v !== 'string') fail(field, `expected a string, got ${describe(v)}`);
  if (v.length > max) fail(field, `longer than ${max} characters`);
  if (pattern && !pattern.test(v)) fail(field, `"${v}" has characters other than ${pattern.source}`);
  return v;
}

export function parseId(v: unknown, field: string): string {
  return text(v, field, LIMITS.idLength, ID);
}

function tuple(v: unknown, field: string, length: number, bound: number): number[] {
  if (!Array.isArray(v) || v.length !== length) fail(field, `expected ${length} numbers, got ${describe(v)}`);
  return v.map((x, i) => finite(x, `${field}[${i}]`, bound));
}

export function parseVec3(v: unknown, field: string, bound: number = LIMITS.coordinateMm): Vec3 {
  return tuple(v, field, 3, bound) as Vec3;
}

function unit(v: number[], field: string): void {
  const n = Math.hypot(...v);
  if (Math.abs(n - 1) > UNIT_TOLERANCE) fail(field, `expected unit length, got ${n.toPrecision(4)}`);
}

export function parseQuat(v: unknown, field: string): Quat {
  const q = tuple(v, field, 4, 1 + UNIT_TOLERANCE);
  unit(q, field);
  return q as Quat;
}

function scale(v: unknown, field: string): number {
  const s = finite(v, field);
  if (s < LIMITS.minScale || s > LIMITS.maxScale) fail(field, `${s} m/mm is outside ${LIMITS.minScale}..${LIMITS.maxScale}`);
  return s;
}

export function parsePose(v: unknown, field: string): Pose {
  const o = object(v, field, ['position', 'rotation', 'scale']);
  return { position: parseVec3(o.position, `${field}.position`, LIMITS.positionM), rotation: parseQuat(o.rotation, `${field}.rotation`), scale: scale(o.scale, `${field}.scale`) };
}

function parsePartialPose(v: unknown, field: string): Partial<Pose> {
  const o = object(v, field, [], ['position', 'rotation', 'scale']);
  const pose: Partial<Pose> = {};
  if (o.position !== undefined) pose.position = parseVec3(o.position, `${field}.position`, LIMITS.positionM);
  if (o.rotation !== undefined) pose.rotation = parseQuat(o.rotation, `${field}.rotation`);
  if (o.scale !== undefined) pose.scale = scale(o.scale, `${field}.scale`);
  return pose;
}

export function parseStructure(v: unknown, field: string): StructureState {
  const o = object(v, field, ['visible', 'opacity']);
  const opacity = finite(o.opacity, `${field}.opacity`);
  if (opacity < 0 || opacity > 1) fail(`${field}.opacity`, `${opacity} is outside 0..1`);
  return { visible: boolean(o.visible, `${field}.visible`), opacity };
}

export function parseCut(v: unknown, field: string): Cut {
  const o = object(v, field, ['normal', 'offset', 'showSlice'], ['createdBy']);
  const normal = parseVec3(o.normal, `${field}.normal`, 1 + UNIT_TOLERANCE);
  unit(normal, `${field}.normal`);
  const cut: Cut = { normal, offset: finite(o.offset, `${field}.offset`, LIMITS.coordinateMm), showSlice: boolean(o.showSlice, `${field}.showSlice`) };
  if (o.createdBy !== undefined) cut.createdBy = parseId(o.createdBy, `${field}.createdBy`);
  return cut;
}

export function parseMeasurement(v: unknown, field: string): Measurement {
  const o = object(v, field, ['a', 'b']);
  return { a: parseVec3(o.a, `${field}.a`), b: parseVec3(o.b, `${field}.b`) };
}

export function parseSliceWindow(v: unknown, field: string): SliceWindow {
  if (!SLICE_WINDOW_NAMES.includes(v as SliceWindow)) fail(field, `expected one of ${SLICE_WINDOW_NAMES.join(', ')}, got ${JSON.stringify(v)?.slice(0, 40)}`);
  return v as SliceWindow;
}

export function parsePresenter(v: unknown, field: string): string | null {
  return v === null ? null : parseId(v, field);
}

export function parseCaseId(v: unknown, field: string): string {
  // "<sha256>:<model name>": the model's name may have spaces and brackets; no control characters
  return text(v, field, LIMITS.caseIdLength, /^[\x20-\x7e]*$/);
}

function structureName(v: unknown, field: string): string {
  return text(v, field, LIMITS.nameLength, ID);
}

function record<T>(v: unknown, field: string, max: number, key: (k: string, f: string) => string, entry: (v: unknown, f: string) => T): Record<string, T> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, `expected an object keyed by id, got ${describe(v)}`);
  const keys = Object.keys(v);
  if (keys.length > max) fail(field, `${keys.length} entries, at most ${max}`);
  const out: Record<string, T> = {};
  for (const k of keys) out[key(k, `${field} key`)] = entry((v as Obj)[k], `${field}.${k}`);
  return out;
}

/** A whole shared state from outside (a snapshot, a stored document). */
export function parseSharedState(v: unknown, field = 'state'): SharedState {
  const o = object(v, field, ['schema', 'caseId', 'structures', 'cuts', 'measurements', 'sliceWindow', 'pivot', 'pose', 'presenter']);
  if (o.schema !== SCHEMA_VERSION) fail(`${field}.schema`, `version ${JSON.stringify(o.schema)}, this HoloCT reads ${SCHEMA_VERSION}`);
  return {
    schema: SCHEMA_VERSION,
    caseId: parseCaseId(o.caseId, `${field}.caseId`),
    structures: record(o.structures, `${field}.structures`, LIMITS.structures, structureName, parseStructure),
    cuts: record(o.cuts, `${field}.cuts`, MAX_CUTS, parseId, parseCut),
    measurements: record(o.measurements, `${field}.measurements`, LIMITS.measurements, parseId, parseMeasurement),
    sliceWindow: parseSliceWindow(o.sliceWindow, `${field}.sliceWindow`),
    pivot: parseVec3(o.pivot, `${field}.pivot`),
    pose: parsePose(o.pose, `${field}.pose`),
    presenter: parsePresenter(o.presenter, `${field}.presenter`),
  };
}

/** A command from outside (a member's message, a log being replayed). */
export function parseCommand(v: unknown, field = 'command'): Command {
  const head = object(v, field, ['type'], ['names', 'visible', 'name', 'opacity', 'id', 'cut', 'replaces', 'show', 'measurement', 'pose', 'pivot', 'window', 'presenter', 'caseId', 'structures']);
  const type = head.type;
  const expect = (keys: string[]) => object(v, field, ['type', ...keys]);
  switch (type) {
    case 'case/open': {
      const o = expect(['caseId', 'structures']);
      return { type, caseId: parseCaseId(o.caseId, `${field}.caseId`), structures: record(o.structures, `${field}.structures`, LIMITS.structures, structureName, parseStructure) };
    }
    case 'case/identify':
      return { type, caseId: parseCaseId(expect(['caseId']).caseId, `${field}.caseId`) };
    case 'structure/setVisible': {
      const o = expect(['names', 'visible']);
      if (!Array.isArray(o.names) || o.names.length > LIMITS.structures) fail(`${field}.names`, `expected at most ${LIMITS.structures} names, got ${describe(o.names)}`);
      return { type, names: o.names.map((n, i) => structureName(n, `${field}.names[${i}]`)), visible: boolean(o.visible, `${field}.visible`) };
    }
    case 'structure/setOpacity': {
      const o = expect(['name', 'opacity']);
      return { type, name: structureName(o.name, `${field}.name`), opacity: finite(o.opacity, `${field}.opacity`) };
    }
    case 'cut/upsert': {
      const o = object(v, field, ['type', 'id', 'cut'], ['replaces']);
      const command: Command = { type, id: parseId(o.id, `${field}.id`), cut: parseCut(o.cut, `${field}.cut`) };
      if (o.replaces !== undefined) command.replaces = parseId(o.replaces, `${field}.replaces`);
      return command;
    }
    case 'cut/remove':
    case 'measurement/remove':
      return { type, id: parseId(expect(['id']).id, `${field}.id`) };
    case 'cuts/clear':
    case 'measurements/clear':
      expect([]);
      return { type };
    case 'cuts/setShowSlice':
      return { type, show: boolean(expect(['show']).show, `${field}.show`) };
    case 'measurement/add': {
      const o = expect(['id', 'measurement']);
      return { type, id: parseId(o.id, `${field}.id`), measurement: parseMeasurement(o.measurement, `${field}.measurement`) };
    }
    case 'pose/set':
      return { type, pose: parsePartialPose(expect(['pose']).pose, `${field}.pose`) };
    case 'pivot/set':
      return { type, pivot: parseVec3(expect(['pivot']).pivot, `${field}.pivot`) };
    case 'sliceWindow/set':
      return { type, window: parseSliceWindow(expect(['window']).window, `${field}.window`) };
    case 'presenter/set':
      return { type, presenter: parsePresenter(expect(['presenter']).presenter, `${field}.presenter`) };
    default:
      return fail(`${field}.type`, `unknown command ${JSON.stringify(type)?.slice(0, 40)}`);
  }
}
