import { describe, expect, it } from 'vitest';
import { boundaryVoxels, groupSurfaceDice, surfaceDice } from './surface-dice';

const N = 8;
const dims: [number, number, number] = [N, N, N];
/** A box of voxels [x0, x1] × [y0, y1] × [z0, z1] (inclusive) in an N³ grid. */
function box([x0, x1]: [number, number], [y0, y1]: [number, number], [z0, z1]: [number, number]): Uint8Array {
  const m = new Uint8Array(N * N * N);
  for (let k = z0; k <= z1; k++) for (let j = y0; j <= y1; j++) for (let i = x0; i <= x1; i++) m[(k * N + j) * N + i] = 1;
  return m;
}
const count = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);

describe('surface Dice at a tolerance', () => {
  it('takes a 4³ cube\'s 56 outer voxels as its boundary, and no boundary on the faces of the volume', () => {
    expect(count(boundaryVoxels(box([2, 5], [2, 5], [2, 5]), dims))).toBe(64 - 8);
    // the cube against the x = 0 face: that face is the field of view's, not the structure's
    expect(count(boundaryVoxels(box([0, 3], [2, 5], [2, 5]), dims))).toBe(64 - 8 - 4);
  });

  it('scores two cubes one voxel apart: 36 + 36 of 56 + 56 boundary voxels coincide, all are within one voxel', () => {
    // P = x 2..5, R = x 3..6. Coinciding boundary voxels (each side): at x = 3, 4, 5 the 12 on the
    // y/z rim of both (x = 3 is R's face but P's interior except the rim; x = 5 the other way round).
    const p = box([2, 5], [2, 5], [2, 5]);
    const r = box([3, 6], [2, 5], [2, 5]);
    const iso = surfaceDice(p, r, dims, [1, 1, 1], [0, 1]);
    expect(iso).toMatchObject({ predictedBoundary: 56, referenceBoundary: 56 });
    expect(iso.scores[0].surfaceDice).toBeCloseTo(72 / 112, 10);
    expect(iso.scores[1].surfaceDice).toBe(1);
    // 2 mm along x: P's face at x = 2 is 2 mm from R's boundary, not within 1 mm; the 4 face-centre
    // voxels of P at x = 5 (inside R) are 1 mm from R's rim along y, so they are (and R's at x = 3)
    const thick = surfaceDice(p, r, dims, [2, 1, 1], [1, 2]);
    expect(thick.scores[0].surfaceDice).toBeCloseTo((72 + 4 + 4) / 112, 10);
    expect(thick.scores[1].surfaceDice).toBe(1);
  });

  it('takes 6-neighbours, not 26: a voxel touching the outside only at an edge or corner is interior', () => {
    // a 4³ cube with its edge column x = 5, y = 5 removed (60 voxels): the interior voxels (4, 4, z),
    // z = 3, 4, touch the notch only along an edge, so they stay interior under 6-neighbours and the
    // boundary is 60 − 8; 26-neighbours would make them boundary (54)
    const notched = box([2, 5], [2, 5], [2, 5]);
    for (let k = 2; k <= 5; k++) notched[(k * N + 5) * N + 5] = 0;
    expect(count(notched)).toBe(60);
    expect(count(boundaryVoxels(notched, dims))).toBe(52);
  });

  it('counts a distance of exactly the tolerance as within it, despite float rounding', () => {
    const p = box([1, 1], [3, 3], [3, 3]);
    const r = box([4, 4], [3, 3], [3, 3]);
    // 3 voxels of 0.1 mm: 0.30000000000000004 mm
    expect(surfaceDice(p, r, dims, [0.1, 1, 1], [0.3]).scores[0].surfaceDice).toBe(1);
    expect(surfaceDice(p, r, dims, [0.1, 1, 1], [0.29]).scores[0].surfaceDice).toBe(0);
  });

  it('is 1 for identical masks, 0 for far apart ones, null when both are empty', () => {
    const p = box([1, 2], [1, 2], [1, 2]);
    expect(surfaceDice(p, p, dims, [1, 1, 1], [0]).scores[0].surfaceDice).toBe(1);
    expect(surfaceDice(p, box([5, 6], [5, 6], [5, 6]), dims, [1, 1, 1], [2]).scores[0].surfaceDice).toBe(0);
    expect(surfaceDice(new Uint8Array(N ** 3), new Uint8Array(N ** 3), dims, [1, 1, 1], [1]).scores[0].surfaceDice).toBeNull();
  });

  it('leaves boundary voxels in the ignore region uncounted', () => {
    const p = box([2, 5], [2, 5], [2, 5]);
    const r = box([3, 6], [2, 5], [2, 5]);
    const ignore = new Uint8Array(N ** 3);
    ignore.fill(1, 0, 4 * N * N); // slices z = 0..3
    const s = surfaceDice(p, r, dims, [1, 1, 1], [0], ignore);
    // z = 4 holds a ring of 12 boundary voxels, z = 5 is a full face of 16: P 12 + 16, R the same
    expect(s.predictedBoundary).toBe(12 + 16);
    expect(s.referenceBoundary).toBe(12 + 16);
  });
});

describe('surface Dice per group', () => {
  const cls = (id: number, name: string, group: 'bone' | 'vessel' | 'organ') => ({ id, name, label: name, group, color: '#000000', opacity: 1, sourceNames: [] });
  const classes = [cls(1, 'bone', 'bone'), cls(2, 'arteries', 'vessel'), cls(3, 'veins', 'vessel'), cls(4, 'liver', 'organ')];
  const grid = { dims, spacing: [1, 1, 1] as [number, number, number] };
  const labels = (parts: [Uint8Array, number][]) => {
    const out = new Uint8Array(N ** 3);
    for (const [mask, id] of parts) mask.forEach((v, n) => { if (v) out[n] = id; });
    return out;
  };

  it('pools a group\'s classes (an artery called a vein is still vessel) and leaves out groups a partial reference holds in part', () => {
    const vessel = box([1, 2], [1, 2], [1, 6]);
    const ref = labels([[box([2, 5], [2, 5], [2, 5]), 1], [vessel, 2]]);
    const pred = labels([[box([3, 6], [2, 5], [2, 5]), 1], [vessel, 3]]);
    const all = groupSurfaceDice(pred, ref, grid, classes, [0, 1]);
    expect(all.map((g) => g.group)).toEqual(['bone', 'vessel', 'organ']);
    expect(all[1].scores.map((s) => s.surfaceDice)).toEqual([1, 1]);
    expect(all[2].scores[0].surfaceDice).toBeNull();
    // bone touches the vessel: its boundary there is still bone's own (a voxel next to another class)
    expect(all[0].scores[1].surfaceDice).toBe(1);
    const partial = groupSurfaceDice(pred, ref, grid, classes, [1], { coverage: new Map([[1, 'complete'], [2, 'inside-only'], [3, 'complete']]) });
    expect(partial.map((g) => g.group)).toEqual(['bone']);
  });

  it('leaves a class the reference does not score out of its group\'s masks', () => {
    const vessel = box([1, 2], [1, 2], [1, 6]);
    const ref = labels([[vessel, 2]]);
    // the prediction also calls a far blob "veins": a reference of arteries only cannot judge it
    const pred = labels([[vessel, 2], [box([5, 6], [5, 6], [5, 6]), 3]]);
    const arteriesOnly = groupSurfaceDice(pred, ref, grid, classes, [0], { coverage: new Map([[1, 'complete'], [2, 'complete']]) });
    expect(arteriesOnly.map((g) => g.group)).toEqual(['bone', 'vessel']);
    expect(arteriesOnly[1].scores[0].surfaceDice).toBe(1);
    // scored as a full reference, the blob is a wrong vessel boundary
    expect(groupSurfaceDice(pred, ref, grid, classes, [0])[1].scores[0].surfaceDice).toBeLessThan(1);
  });
});
