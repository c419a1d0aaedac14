import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { initialSharedState } from './shared-state';
import { createHologramStore, type HologramStore } from './store';
import { bindSharedState, type InvalidEntry } from './yjs-binding';

const classes = [{ name: 'bone', opacity: 1 }, { name: 'liver', opacity: 0.6 }];
const cut = (normal: [number, number, number], offset: number) => ({ normal, offset, showSlice: true });

/** A member: a document, a store bound to it, and what the binding reported. */
function member(name: string) {
  const doc = new Y.Doc();
  const store = createHologramStore({ shared: initialSharedState(classes, 'case:model') }, { clientId: String(doc.clientID) });
  const invalid: InvalidEntry[] = [];
  const binding = bindSharedState(doc, store, { onInvalid: (e) => invalid.push(e) });
  return { name, doc, store, invalid, binding };
}

type Member = ReturnType<typeof member>;

/** Sends each document's missing updates to the other (a reconnect, or a relay after concurrent edits). */
function sync(a: Member, b: Member): void {
  const toB = Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc));
  const toA = Y.encodeStateAsUpdate(b.doc, Y.encodeStateVector(a.doc));
  Y.applyUpdate(b.doc, toB, 'remote');
  Y.applyUpdate(a.doc, toA, 'remote');
}

const json = (store: HologramStore) => JSON.parse(JSON.stringify(store.getState().shared));

describe('Yjs binding', () => {
  it('lays the state out in the documented maps, one transaction per command', () => {
    const a = member('a');
    let transactions = 0;
    a.doc.on('afterTransaction', () => transactions++);
    a.store.dispatch({ type: 'cut/upsert', id: 'axial', cut: cut([0, 0, 1], 5) });
    a.store.dispatch({ type: 'cuts/setShowSlice', show: false });
    a.store.dispatchLocal({ type: 'tool/set', tool: 'measure' }); // local: not in the document
    expect(transactions).toBe(2);
    expect(a.doc.getMap('meta').toJSON()).toEqual({ schema: 1, caseId: 'case:model' });
    expect(a.doc.getMap('cuts').toJSON()).toEqual({ axial: { normal: [0, 0, 1], offset: 5, showSlice: false } });
    expect(a.doc.getMap('structures').get('liver')).toEqual({ visible: true, opacity: 0.6 });
    expect(Object.keys(a.doc.getMap('view').toJSON()).sort()).toEqual(['pivot', 'pose', 'presenter', 'sliceWindow']);
  });

  it('converges after two members edit different cuts at once', () => {
    const a = member('a');
    const b = member('b');
    sync(a, b);
    // both drag their own cut at once, many steps, before either hears of the other
    for (let step = 1; step <= 5; step++) {
      a.store.dispatch({ type: 'cut/upsert', id: 'axial', cut: cut([0, 0, 1], step) });
      b.store.dispatch({ type: 'cut/upsert', id: 'sagittal', cut: cut([1, 0, 0], -step) });
    }
    a.store.dispatch({ type: 'structure/setOpacity', name: 'liver', opacity: 0.3 });
    b.store.dispatch({ type: 'structure/setVisible', names: ['bone'], visible: false });
    b.store.dispatch({ type: 'measurement/add', id: b.store.ids.next(), measurement: { a: [0, 0, 0], b: [10, 0, 0] } });
    sync(a, b);
    expect(json(a.store)).toEqual(json(b.store));
    const s = a.store.getState().shared;
    expect([s.cuts.axial.offset, s.cuts.sagittal.offset, s.structures.liver.opacity, s.structures.bone.visible]).toEqual([5, -5, 0.3, false]);
    expect(Object.keys(s.measurements)).toEqual([`${b.doc.clientID}-1`]);
  });

  it('merges the edits of a member who was offline', () => {
    const a = member('a');
    const b = member('b');
    sync(a, b);
    // b goes offline and keeps working; a works too
    b.store.dispatch({ type: 'measurement/add', id: b.store.ids.next(), measurement: { a: [0, 0, 0], b: [0, 5, 0] } });
    b.store.dispatch({ type: 'pose/set', pose: { position: [0.2, 1, -0.4] } });
    b.store.dispatch({ type: 'sliceWindow/set', window: 'bone' });
    a.store.dispatch({ type: 'measurement/add', id: a.store.ids.next(), measurement: { a: [1, 0, 0], b: [1, 5, 0] } });
    a.store.dispatch({ type: 'cut/upsert', id: 'coronal', cut: cut([0, 1, 0], 12) });
    // back online
    sync(a, b);
    expect(json(a.store)).toEqual(json(b.store));
    const s = b.store.getState().shared;
    expect(Object.keys(s.measurements).length).toBe(2);
    expect([s.pose.position, s.sliceWindow, s.cuts.coronal.offset]).toEqual([[0.2, 1, -0.4], 'bone', 12]);
  });

  it('shows the same three cuts everywhere when two members each add a third at once', () => {
    const a = member('a');
    const b = member('b');
    a.store.dispatch({ type: 'cut/upsert', id: 'axial', cut: cut([0, 0, 1], 1) });
    a.store.dispatch({ type: 'cut/upsert', id: 'coronal', cut: cut([0, 1, 0], 1) });
    sync(a, b);
    a.store.dispatch({ type: 'cut/upsert', id: 'sagittal', cut: cut([1, 0, 0], 1) });
    b.store.dispatch({ type: 'cut/upsert', id: 'free', cut: cut([0, 0.6, 0.8], 1) });
    sync(a, b);
    const ids = (m: Member) => Object.keys(m.store.getState().shared.cuts).sort();
    expect(ids(a)).toEqual(['axial', 'coronal', 'free']);
    expect(ids(b)).toEqual(ids(a));
    expect(a.invalid.map((e) => [e.map, e.key])).toEqual([['cuts', 'sagittal']]);
    // removing one shows the fourth: everyone still agrees
    a.store.dispatch({ type: 'cut/remove', id: 'axial' });
    sync(a, b);
    expect(ids(a)).toEqual(['coronal', 'free', 'sagittal']);
    expect(ids(b)).toEqual(ids(a));
  });

  it('drops a malformed remote entry, reports it, and keeps syncing', () => {
    const a = member('a');
    const b = member('b');
    sync(a, b);
    // a hostile or broken client writes straight into the document
    const rogue = new Y.Doc();
    Y.applyUpdate(rogue, Y.encodeStateAsUpdate(a.doc));
    rogue.transact(() => {
      rogue.getMap('cuts').set('bad', { normal: [0, 0.6, 0.6], offset: 1, showSlice: true });
      rogue.getMap('measurements').set('m-1', { a: [0, 0, 0], b: [NaN, 0, 0] });
      rogue.getMap('structures').set('liver', { visible: 'yes', opacity: 0.5 });
      rogue.getMap('view').set('pose', { position: [0, 0], rotation: [0, 0, 0, 1], scale: 0.001 });
      rogue.getMap('cuts').set('fine', { normal: [1, 0, 0], offset: 4, showSlice: false });
    });
    Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(rogue, Y.encodeStateVector(a.doc)), 'remote');
    expect(a.invalid.map((e) => `${e.map}/${e.key}`).sort()).toEqual(['cuts/bad', 'measurements/m-1', 'structures/liver', 'view/pose']);
    expect(a.invalid.find((e) => e.key === 'bad')!.reason).toMatch(/cuts\.bad\.normal: expected unit length/);
    const s = a.store.getState().shared;
    expect(Object.keys(s.cuts)).toEqual(['fine']);
    expect(s.structures.liver).toBeUndefined();
    expect(s.pose.position).toEqual([0, 0, 0]); // the previous good pose stays
    // the document still works: a's and b's next edits flow
    a.store.dispatch({ type: 'cut/upsert', id: 'axial', cut: cut([0, 0, 1], 9) });
    sync(a, b);
    expect(b.store.getState().shared.cuts.axial.offset).toBe(9);
    expect(b.store.getState().shared.cuts.fine.offset).toBe(4);
  });

  it('a joiner takes the document; a host with "store" overwrites it', () => {
    const host = member('host');
    host.store.dispatch({ type: 'cut/upsert', id: 'axial', cut: cut([0, 0, 1], 3) });
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(host.doc));
    const joiner = createHologramStore({ shared: initialSharedState([]) });
    bindSharedState(doc, joiner, { onInvalid: () => undefined });
    expect(joiner.getState().shared.cuts.axial.offset).toBe(3);
    const newHost = createHologramStore({ shared: initialSharedState(classes, 'other:model') });
    const binding = bindSharedState(doc, newHost, { onInvalid: () => undefined, initial: 'store' });
    expect(doc.getMap('cuts').size).toBe(0);
    expect(doc.getMap('meta').get('caseId')).toBe('other:model');
    binding.dispose();
    newHost.dispatch({ type: 'sliceWindow/set', window: 'bone' });
    expect(doc.getMap('view').get('sliceWindow')).toBe('soft-tissue');
  });
});
