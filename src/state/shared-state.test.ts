import { describe, expect, it, vi } from 'vitest';
import { createIdSource } from './ids';
import { applyLocalCommand, initialLocalState } from './local-state';
import { applyCommand, initialSharedState, measurementLengthMm, namesInGroup, reduceCommand, type Command } from './shared-state';
import { createHologramStore } from './store';
import { MAX_CUTS, type SharedState } from './types';
import { viewCuts, viewMeasurements, viewRoomPose, viewWorldPose } from './view';

const classes = [
  { name: 'bone', group: 'bone' as const, opacity: 1 },
  { name: 'arteries', group: 'vessel' as const, opacity: 1 },
  { name: 'veins', group: 'vessel' as const, opacity: 1 },
  { name: 'liver', group: 'organ' as const, opacity: 0.6 },
];
const cut = (z: number) => ({ normal: [0, 0, 2] as [number, number, number], offset: z, showSlice: true });
const run = (s: SharedState, ...commands: Command[]) => commands.reduce(applyCommand, s);

describe('shared state', () => {
  it('is plain JSON and round-trips through JSON', () => {
    const s = run(initialSharedState(classes, 'abc:model'), { type: 'cut/upsert', id: 'a', cut: cut(1) }, { type: 'measurement/add', id: 'm', measurement: { a: [0, 0, 0], b: [1, 2, 2] } });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.structures.liver).toEqual({ visible: true, opacity: 0.6 });
  });

  it('returns the same object when a command changes nothing', () => {
    const s = initialSharedState(classes);
    for (const c of [
      { type: 'structure/setVisible', names: ['liver'], visible: true },
      { type: 'structure/setOpacity', name: 'liver', opacity: 0.6 },
      { type: 'cut/remove', id: 'none' },
      { type: 'cuts/clear' },
      { type: 'measurements/clear' },
      { type: 'pose/set', pose: { scale: 0.001 } },
      { type: 'pivot/set', pivot: [0, 0, 0] },
      { type: 'sliceWindow/set', window: 'soft-tissue' },
      { type: 'presenter/set', presenter: null },
    ] as Command[]) expect(applyCommand(s, c)).toBe(s);
  });

  it('toggles a whole group in one command and clamps opacity', () => {
    let s = run(initialSharedState(classes), { type: 'structure/setVisible', names: namesInGroup(classes, 'vessel'), visible: false });
    expect([s.structures.arteries.visible, s.structures.veins.visible, s.structures.bone.visible]).toEqual([false, false, true]);
    s = run(s, { type: 'structure/setOpacity', name: 'liver', opacity: 3 });
    expect(s.structures.liver.opacity).toBe(1);
    expect(reduceCommand(s, { type: 'structure/setOpacity', name: 'nope', opacity: 1 }).rejected).toMatch(/no structure "nope"/);
  });

  it('refuses a cut beyond the limit unless the command names the one to replace; never evicts by itself', () => {
    let s = initialSharedState(classes);
    for (let n = 0; n < MAX_CUTS; n++) s = run(s, { type: 'cut/upsert', id: `p${n}`, cut: cut(n) });
    const refused = reduceCommand(s, { type: 'cut/upsert', id: 'p9', cut: cut(9) });
    expect(refused.rejected).toMatch(/at most 3 cuts/);
    expect(refused.state).toBe(s);
    s = run(s, { type: 'cut/upsert', id: 'p9', cut: cut(9), replaces: 'p1' });
    expect(Object.keys(s.cuts)).toEqual(['p0', 'p2', 'p9']);
    expect(s.cuts.p9.normal).toEqual([0, 0, 1]);
    // changing an existing cut needs no room and keeps its place and maker
    s = run(s, { type: 'cut/upsert', id: 'p0', cut: { ...cut(0), createdBy: 'x' } });
    s = run(s, { type: 'cut/upsert', id: 'p0', cut: { normal: [1, 0, 0], offset: 7, showSlice: false, createdBy: 'y' } });
    expect(s.cuts.p0).toEqual({ normal: [1, 0, 0], offset: 7, showSlice: false, createdBy: 'x' });
    expect(Object.keys(s.cuts)[0]).toBe('p0');
  });

  it('changes every cut in one command (one transaction)', () => {
    let s = run(initialSharedState(classes), { type: 'cut/upsert', id: 'a', cut: cut(1) }, { type: 'cut/upsert', id: 'b', cut: cut(2) });
    s = run(s, { type: 'cuts/setShowSlice', show: false });
    expect(Object.values(s.cuts).map((c) => c.showSlice)).toEqual([false, false]);
    s = run(s, { type: 'cuts/clear' });
    expect(s.cuts).toEqual({});
  });

  it('keys measurements by id and measures in patient millimetres', () => {
    let s = run(initialSharedState(classes), { type: 'measurement/add', id: 'm1', measurement: { a: [0, 0, 0], b: [30, 40, 0] } });
    expect(measurementLengthMm(s.measurements.m1)).toBe(50);
    expect(reduceCommand(s, { type: 'measurement/add', id: 'm1', measurement: { a: [0, 0, 0], b: [1, 0, 0] } }).rejected).toMatch(/taken/);
    s = run(s, { type: 'measurement/remove', id: 'm1' });
    expect(s.measurements).toEqual({});
  });

  it('sets the pose partly, normalizing the rotation; a new case keeps the pose and drops cuts', () => {
    let s = run(initialSharedState(classes, 'one'), { type: 'pose/set', pose: { position: [1, 2, 3], rotation: [0, 0, 0, 2] } }, { type: 'cut/upsert', id: 'a', cut: cut(1) });
    expect(s.pose).toEqual({ position: [1, 2, 3], rotation: [0, 0, 0, 1], scale: 0.001 });
    s = run(s, { type: 'case/open', caseId: 'two', structures: { bone: { visible: true, opacity: 1 } } });
    expect([s.caseId, Object.keys(s.structures), s.cuts, s.pose.position]).toEqual(['two', ['bone'], {}, [1, 2, 3]]);
  });

  it('identifies a case once, keeping what was done before the hash was ready', () => {
    let s = run(initialSharedState(classes), { type: 'cut/upsert', id: 'a', cut: cut(1) }, { type: 'case/identify', caseId: 'ab:m' });
    expect([s.caseId, Object.keys(s.cuts)]).toEqual(['ab:m', ['a']]);
    expect(reduceCommand(s, { type: 'case/identify', caseId: 'cd:m' }).rejected).toMatch(/already identified as "ab:m"/);
    s = run(s, { type: 'case/identify', caseId: 'ab:m' });
    expect(s.caseId).toBe('ab:m');
  });
});

describe('ids', () => {
  it('are the client id and a counter', () => {
    const a = createIdSource('17');
    const b = createIdSource('42');
    expect([a.next(), a.next(), b.next()]).toEqual(['17-1', '17-2', '42-1']);
    expect(() => createIdSource('bad id')).toThrow(/client id/);
  });
});

describe('local state and the store', () => {
  it('keeps the device state apart and drops a pending point with a new tool', () => {
    let l = applyLocalCommand(initialLocalState(), { type: 'measure/pending', point: [1, 2, 3] });
    l = applyLocalCommand(l, { type: 'tool/set', tool: 'cut' });
    expect([l.tool, l.pendingPoint]).toEqual(['cut', null]);
    expect(applyLocalCommand(l, { type: 'tool/set', tool: 'cut' })).toBe(l);
  });

  it('notifies on change only and reports refusals', () => {
    const store = createHologramStore({ shared: initialSharedState(classes) }, { clientId: 'c' });
    const listener = vi.fn();
    store.subscribe(listener);
    expect(store.dispatch({ type: 'structure/setVisible', names: ['liver'], visible: true })).toEqual({ ok: true, changed: false });
    expect(listener).not.toHaveBeenCalled();
    store.dispatch({ type: 'structure/setVisible', names: ['liver'], visible: false });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0][2]).toBe('local');
    for (let n = 0; n < 3; n++) store.dispatch({ type: 'cut/upsert', id: `c${n}`, cut: cut(n) });
    expect(store.dispatch({ type: 'cut/upsert', id: 'c3', cut: cut(3) })).toMatchObject({ ok: false });
    expect(store.ids.next()).toBe('c-1');
  });

  it('shows live drags over the shared cuts and pose without changing the shared state', () => {
    const store = createHologramStore({ shared: run(initialSharedState(classes), { type: 'cut/upsert', id: 'a', cut: cut(1) }) });
    const shared = store.getState().shared;
    const before = viewCuts(store.getState());
    expect(viewCuts(store.getState())).toBe(before); // memoized: views compare by identity
    store.dispatchLocal({ type: 'drag/cut', id: 'a', cut: { ...cut(5), normal: [0, 0, 1] } });
    store.dispatchLocal({ type: 'drag/pose', pose: { position: [0, 1, 0], rotation: [0, 0, 0, 1], scale: 0.002 } });
    const s = store.getState();
    expect(s.shared).toBe(shared);
    expect(viewCuts(s).map((c) => [c.id, c.offset])).toEqual([['a', 5]]);
    expect(viewRoomPose(s).scale).toBe(0.002);
    expect(viewWorldPose(s)).toBe(viewRoomPose(s)); // identity calibration
    store.dispatchLocal({ type: 'drag/cut', id: 'a', cut: null });
    expect(viewCuts(store.getState())).toBe(before);
    expect(viewMeasurements(store.getState())).toEqual([]);
  });
});
