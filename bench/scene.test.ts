import { describe, expect, it } from 'vitest';
import { syntheticCt } from './mpr';
import { benchSliceUpdate, hologramFrameBudget } from './scene';

describe('frame-budget figures (bench functions)', () => {
  it('counts the hologram and the headset overlays', () => {
    const classes = [
      { id: 1, name: 'bone', label: 'Bone', group: 'bone' as const, color: '#fff', opacity: 1, sourceNames: [] },
      { id: 2, name: 'liver', label: 'Liver', group: 'organ' as const, color: '#f00', opacity: 0.6, sourceNames: [] },
    ];
    const b = hologramFrameBudget([{ classId: 1, indices: new Uint32Array(300) }, { classId: 2, indices: new Uint32Array(60) }], classes, 1);
    expect(b.hologramTriangles).toBe(120);
    expect(b.hologramDrawCalls).toBe(3); // the see-through liver has a depth pre-pass
    expect(b.overlayDrawCalls).toBe(6 + 2 + 1 + 1 + 2 + 1);
    expect(b.totalTriangles).toBe(b.hologramTriangles + b.overlayTriangles);
  });

  it('times a slice update on a volume and returns numbers only', () => {
    const r = benchSliceUpdate({ runs: 2, volume: syntheticCt([64, 64, 40]) });
    expect(r.slice[0]).toBeGreaterThan(10);
    expect(r.medianMs.axial).toBeGreaterThanOrEqual(0);
    expect(r.medianMs.oblique).toBeGreaterThanOrEqual(0);
  });
});
