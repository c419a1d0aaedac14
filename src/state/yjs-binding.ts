/**
 * Binds a HologramStore's SharedState to a Yjs document, both ways.
 *
 * Y.Doc layout, schema 1 (the sync server and the team client rely on it; a change of layout bumps
 * SCHEMA_VERSION in types.ts):
 *
 *   doc.getMap('meta')          schema: number (1), caseId: string ("<voxelSha256>:<model id>", '' before a case)
 *   doc.getMap('structures')    <class name> → { visible: boolean, opacity: number 0..1 }
 *   doc.getMap('cuts')          <cut id>     → { normal: [x, y, z] unit, patient LPS; offset: number mm;
 *                                                showSlice: boolean; createdBy?: string (member id) }
 *                                                keeps normal · p ≤ offset; at most MAX_CUTS (3) are shown
 *   doc.getMap('measurements')  <id>         → { a: [x, y, z], b: [x, y, z] } patient LPS mm
 *   doc.getMap('view')          sliceWindow: 'soft-tissue' | 'bone'
 *                               pivot: [x, y, z] patient LPS mm (the point the pose places)
 *                               pose: { position: [x, y, z] m, rotation: [x, y, z, w] unit, scale: m per mm }
 *                                     in the ROOM frame (each device maps it to its world with its calibration)
 *                               presenter: string | null (member id)
 *
 * Every value is a plain JSON value, replaced whole (never edited in place), so concurrent edits of
 * different entries merge and edits of one entry resolve last-writer-wins. Ids are "<clientId>-<n>"
 * (ids.ts) or the fixed preset ids ('axial', 'coronal', 'sagittal', 'free'). No patient identity.
 * Presence (heads, hands, live drags at frame rate) belongs on the awareness channel, not here.
 *
 * Local commands become one `doc.transact` each (origin: the binding). Remote transactions are read
 * back entry by entry through the validators: an invalid entry is dropped from the store and reported
 * through `onInvalid`; nothing is thrown into Yjs and the document is never rewritten by a reader.
 */
import * as Y from 'yjs';
import { sameCut, samePose, sameVec } from './shared-state';
import type { HologramStore } from './store';
import { LIMITS, MAX_CUTS, SCHEMA_VERSION, type Cut, type Measurement, type SharedState, type StructureState } from './types';
import {
  parseCaseId, parseCut, parseId, parseMeasurement, parsePose, parsePresenter, parseSliceWindow, parseStructure, parseVec3, StateValidationError,
} from './validate';

export type SharedMapName = 'meta' | 'structures' | 'cuts' | 'measurements' | 'view';
export const SHARED_MAP_NAMES: readonly SharedMapName[] = ['meta', 'structures', 'cuts', 'measurements', 'view'];

/** An entry of the document that was not read into the store, and why. */
export interface InvalidEntry {
  map: SharedMapName;
  key: string;
  reason: string;
}

export interface BindSharedStateOptions {
  /** Told about every entry a remote change brought that does not validate (it is dropped). */
  onInvalid(entry: InvalidEntry): void;
  /**
   * Which side wins when binding: 'document' (join: the store takes the document's state; an empty
   * document takes the store's) or 'store' (host: the document is overwritten with the store's state).
   * Default 'document'.
   */
  initial?: 'document' | 'store';
}

export interface SharedStateBinding {
  /** The transaction origin of the binding's own writes. */
  readonly origin: object;
  dispose(): void;
}

export function bindSharedState(doc: Y.Doc, store: HologramStore, options: BindSharedStateOptions): SharedStateBinding {
  const origin = { binding: 'holoct-shared-state' };
  const maps = sharedMaps(doc);
  const pull = () => {
    const read = readSharedState(doc, store.getState().shared, options.onInvalid);
    if (read) store.receiveShared(shareUnchanged(store.getState().shared, read));
  };
  if (options.initial !== 'store' && maps.meta.has('schema')) pull();
  else doc.transact(() => writeDiff(maps, null, store.getState().shared), origin);

  const unsubscribe = store.subscribe((state, previous, from) => {
    if (from !== 'local' || state.shared === previous.shared) return;
    doc.transact(() => writeDiff(maps, previous.shared, state.shared), origin);
    // the document may hold what the store refused (a 4th cut merged from two members): show what it has
    pull();
  });
  const watched = new Set<unknown>(Object.values(maps));
  const onTransaction = (tr: Y.Transaction) => {
    if (tr.origin === origin) return;
    for (const type of tr.changed.keys()) {
      if (watched.has(type)) {
        try {
          pull();
        } catch (error) {
          // a listener's or reporter's failure surfaces on its own, outside Yjs's transaction cleanup
          queueMicrotask(() => {
            throw error;
          });
        }
        return;
      }
    }
  };
  doc.on('afterTransaction', onTransaction);
  return {
    origin,
    dispose() {
      unsubscribe();
      doc.off('afterTransaction', onTransaction);
    },
  };
}

function sharedMaps(doc: Y.Doc): Record<SharedMapName, Y.Map<unknown>> {
  return Object.fromEntries(SHARED_MAP_NAMES.map((name) => [name, doc.getMap<unknown>(name)])) as Record<SharedMapName, Y.Map<unknown>>;
}

/**
 * The shared state a document holds, entry by entry: what does not validate is reported and left
 * out (a view field falls back to `fallback`'s). Null when the document is empty or of another schema.
 */
export function readSharedState(doc: Y.Doc, fallback: SharedState, onInvalid: (entry: InvalidEntry) => void): SharedState | null {
  const maps = sharedMaps(doc);
  const schema = maps.meta.get('schema');
  if (schema === undefined) return null;
  if (schema !== SCHEMA_VERSION) {
    onInvalid({ map: 'meta', key: 'schema', reason: `version ${JSON.stringify(schema)?.slice(0, 20)}, this HoloCT reads ${SCHEMA_VERSION}: document not read` });
    return null;
  }
  const field = <T>(map: SharedMapName, key: string, parse: (v: unknown, f: string) => T, otherwise: T): T => {
    try {
      return parse(maps[map].get(key), `${map}.${key}`);
    } catch (error) {
      onInvalid({ map, key, reason: reasonOf(error) });
      return otherwise;
    }
  };
  const entries = <T>(map: SharedMapName, max: number, parseKey: (k: string, f: string) => string, parse: (v: unknown, f: string) => T): Record<string, T> => {
    const out: Record<string, T> = {};
    let keys = [...maps[map].keys()];
    if (keys.length > max) {
      // more than allowed (concurrent adds by several members): the same ones are kept on every device
      const sorted = keys.slice().sort();
      for (const k of sorted.slice(max)) onInvalid({ map, key: k, reason: `more than ${max} entries: not shown` });
      const kept = new Set(sorted.slice(0, max));
      keys = keys.filter((k) => kept.has(k));
    }
    for (const k of keys) {
      try {
        out[parseKey(k, `${map} key`)] = parse(maps[map].get(k), `${map}.${k}`);
      } catch (error) {
        onInvalid({ map, key: k, reason: reasonOf(error) });
      }
    }
    return out;
  };
  const name = (k: string, f: string) => parseId(k, f);
  return {
    schema: SCHEMA_VERSION,
    caseId: field('meta', 'caseId', parseCaseId, fallback.caseId),
    structures: entries('structures', LIMITS.structures, name, parseStructure),
    cuts: entries('cuts', MAX_CUTS, parseId, parseCut),
    measurements: entries('measurements', LIMITS.measurements, parseId, parseMeasurement),
    sliceWindow: field('view', 'sliceWindow', parseSliceWindow, fallback.sliceWindow),
    pivot: field('view', 'pivot', parseVec3, fallback.pivot),
    pose: field('view', 'pose', parsePose, fallback.pose),
    presenter: field('view', 'presenter', parsePresenter, fallback.presenter),
  };
}

function reasonOf(error: unknown): string {
  return error instanceof StateValidationError ? error.message : `unreadable: ${error instanceof Error ? error.message : String(error)}`;
}

/** Writes what changed from `previous` to `next` (everything when previous is null); call inside a transaction. */
function writeDiff(maps: Record<SharedMapName, Y.Map<unknown>>, previous: SharedState | null, next: SharedState): void {
  if (!previous) for (const map of Object.values(maps)) map.clear();
  if (!previous) maps.meta.set('schema', next.schema);
  if (previous?.caseId !== next.caseId) maps.meta.set('caseId', next.caseId);
  writeRecord(maps.structures, previous?.structures, next.structures);
  writeRecord(maps.cuts, previous?.cuts, next.cuts);
  writeRecord(maps.measurements, previous?.measurements, next.measurements);
  if (previous?.sliceWindow !== next.sliceWindow) maps.view.set('sliceWindow', next.sliceWindow);
  if (previous?.pivot !== next.pivot) maps.view.set('pivot', [...next.pivot]);
  if (previous?.pose !== next.pose) maps.view.set('pose', JSON.parse(JSON.stringify(next.pose)));
  if (previous?.presenter !== next.presenter) maps.view.set('presenter', next.presenter);
}

function writeRecord<T extends object>(map: Y.Map<unknown>, previous: Record<string, T> | undefined, next: Record<string, T>): void {
  if (previous === next) return;
  for (const k of Object.keys(previous ?? {})) if (!(k in next)) map.delete(k);
  // plain copies: the document must not share objects with the store
  for (const [k, v] of Object.entries(next)) if (previous?.[k] !== v) map.set(k, JSON.parse(JSON.stringify(v)));
}

/** `next` with every part equal to `previous`'s replaced by previous's object (views compare by identity). */
export function shareUnchanged(previous: SharedState, next: SharedState): SharedState {
  const structures = shareRecord(previous.structures, next.structures, (a: StructureState, b) => a.visible === b.visible && a.opacity === b.opacity);
  const cuts = shareRecord(previous.cuts, next.cuts, (a: Cut, b) => sameCut(a, b));
  const measurements = shareRecord(previous.measurements, next.measurements, (a: Measurement, b) => sameVec(a.a, b.a) && sameVec(a.b, b.b));
  const pivot = sameVec(previous.pivot, next.pivot) ? previous.pivot : next.pivot;
  const pose = samePose(previous.pose, next.pose) ? previous.pose : next.pose;
  const same = structures === previous.structures && cuts === previous.cuts && measurements === previous.measurements && pivot === previous.pivot &&
    pose === previous.pose && previous.caseId === next.caseId && previous.sliceWindow === next.sliceWindow && previous.presenter === next.presenter;
  return same ? previous : { ...next, structures, cuts, measurements, pivot, pose };
}

function shareRecord<T>(previous: Record<string, T>, next: Record<string, T>, equal: (a: T, b: T) => boolean): Record<string, T> {
  const keys = Object.keys(next);
  const previousKeys = Object.keys(previous);
  let same = keys.length === previousKeys.length;
  const out: Record<string, T> = {};
  keys.forEach((k, i) => {
    const p = previous[k];
    if (p !== undefined && equal(p, next[k])) out[k] = p;
    else {
      out[k] = next[k];
      same = false;
    }
    // the order counts too (the oldest cut is the first)
    if (same && previousKeys[i] !== k) same = false;
  });
  return same ? previous : out;
}
