import { describe, expect, it, vi } from 'vitest';
import { addMeasurement, measurementLengthMm, namesInGroup, removeClipPlane, setOpacity, setVisible, toggleVisible, upsertClipPlane } from './actions';
import { createHologramStore, initialState, MAX_CLIP_PLANES } from './hologram-state';

const classes = [
  { name: 'bone', group: 'bone' as const, opacity: 1 },
  { name: 'arteries', group: 'vessel' as const, opacity: 1 },
  { name: 'veins', group: 'vessel' as const, opacity: 1 },
  { name: 'liver', group: 'organ' as const, opacity: 0.6 },
];

describe('hologram state', () => {
  it('is plain JSON and round-trips through JSON', () => {
    const s = initialState(classes);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.structures.liver).toEqual({ visible: true, opacity: 0.6 });
  });

  it('notifies listeners on change only', () => {
    const store = createHologramStore(initialState(classes));
    const listener = vi.fn();
    store.subscribe(listener);
    store.update(setVisible(['liver'], true)); // already visible: no change
    expect(listener).not.toHaveBeenCalled();
    store.update(toggleVisible('liver'));
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.getState().structures.liver.visible).toBe(false);
  });

  it('toggles a whole group', () => {
    const store = createHologramStore(initialState(classes));
    store.update(setVisible(namesInGroup(classes, 'vessel'), false));
    const st = store.getState().structures;
    expect([st.arteries.visible, st.veins.visible, st.bone.visible]).toEqual([false, false, true]);
  });

  it('clamps opacity and keeps at most three clip planes with unit normals', () => {
    let s = initialState(classes);
    s = setOpacity('liver', 3)(s);
    expect(s.structures.liver.opacity).toBe(1);
    for (let n = 0; n < 5; n++) s = upsertClipPlane({ id: `p${n}`, normal: [0, 0, 2], offset: n, showSlice: true })(s);
    expect(s.clipPlanes.map((p) => p.id)).toEqual(['p2', 'p3', 'p4']);
    expect(s.clipPlanes.length).toBe(MAX_CLIP_PLANES);
    expect(s.clipPlanes[0].normal).toEqual([0, 0, 1]);
    s = upsertClipPlane({ id: 'p3', normal: [1, 0, 0], offset: 7, showSlice: false })(s);
    expect(s.clipPlanes[1]).toEqual({ id: 'p3', normal: [1, 0, 0], offset: 7, showSlice: false });
    s = removeClipPlane('p2')(s);
    expect(s.clipPlanes.map((p) => p.id)).toEqual(['p3', 'p4']);
  });

  it('measures in patient millimetres', () => {
    const s = addMeasurement({ id: 'm', a: [0, 0, 0], b: [30, 40, 0] })(initialState(classes));
    expect(measurementLengthMm(s.measurements[0])).toBe(50);
  });
});
