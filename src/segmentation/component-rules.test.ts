import { describe, expect, it } from 'vitest';
import type { LabelMap } from '../volume/types';
import { applyComponentRules, fillHolesPerSlice } from './component-rules';

function grid(nx: number, ny: number, nz: number, spacing = 1): LabelMap {
  return { dims: [nx, ny, nz], spacing: [spacing, spacing, spacing], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Uint8Array(nx * ny * nz) };
}
function box(l: LabelMap, [i0, i1]: number[], [j0, j1]: number[], [k0, k1]: number[], label: number) {
  for (let k = k0; k < k1; k++) for (let j = j0; j < j1; j++) for (let i = i0; i < i1; i++) l.data[i + l.dims[0] * (j + l.dims[1] * k)] = label;
}
const count = (l: LabelMap, label: number) => l.data.reduce((n, v) => n + (v === label ? 1 : 0), 0);

describe('component rules', () => {
  it('keeps the largest liver, drops specks, keeps two kidneys', () => {
    const l = grid(30, 10, 10);
    box(l, [0, 10], [0, 10], [0, 10], 4); // liver 1000 voxels = 1 mL
    box(l, [12, 14], [0, 2], [0, 2], 4); // detached liver fragment, 8 voxels
    box(l, [16, 20], [0, 5], [0, 5], 6); // kidney 100
    box(l, [22, 26], [0, 5], [0, 5], 6); // kidney 100
    box(l, [28, 30], [0, 2], [0, 2], 6); // third kidney piece 8
    l.data[29 + 30 * (9 + 10 * 9)] = 1; // bone speck, 1 voxel = 0.001 mL
    const result = applyComponentRules(l, new Map([[4, { max: 1 }], [6, { max: 2 }], [1, { minMl: 0.005 }]]), { dropTo: 'background', defaultMinMl: 0, fillHoles: false });
    expect(result).toEqual({ droppedComponents: 3, droppedVoxels: 17, filledVoxels: 0 });
    expect(count(l, 4)).toBe(1000);
    expect(count(l, 6)).toBe(200);
    expect(count(l, 1)).toBe(0);
  });

  it('gives a dropped fragment to the label around it when asked', () => {
    const l = grid(10, 10, 10);
    box(l, [0, 10], [0, 10], [0, 10], 9); // bowel everywhere
    box(l, [0, 3], [0, 3], [0, 3], 5); // spleen 27
    box(l, [6, 8], [6, 8], [6, 8], 5); // spleen fragment 8, inside bowel
    applyComponentRules(l, new Map([[5, { max: 1 }]]), { dropTo: 'neighbour', defaultMinMl: 0, fillHoles: false });
    expect(count(l, 5)).toBe(27);
    expect(l.data[7 + 10 * (7 + 10 * 7)]).toBe(9);
  });

  it('gives a dropped fragment to the structure it touches most, ignoring background, when asked', () => {
    const l = grid(12, 6, 6);
    box(l, [0, 4], [0, 6], [0, 6], 4); // liver 144
    box(l, [8, 10], [2, 4], [2, 4], 4); // liver fragment 8 in background, touching bowel on one side
    box(l, [10, 12], [0, 6], [0, 6], 9); // bowel
    const copy = { ...l, data: l.data.slice() };
    applyComponentRules(l, new Map([[4, { max: 1 }]]), { dropTo: 'adjacent', defaultMinMl: 0, fillHoles: false });
    expect(l.data[8 + 12 * (2 + 6 * 2)]).toBe(9);
    applyComponentRules(copy, new Map([[4, { max: 1 }]]), { dropTo: 'neighbour', defaultMinMl: 0, fillHoles: false });
    expect(copy.data[8 + 12 * (2 + 6 * 2)]).toBe(0);
  });

  it('fills background holes of a solid organ per slice, not other structures inside it', () => {
    const l = grid(7, 7, 1);
    box(l, [1, 6], [1, 6], [0, 1], 4); // 5×5 liver
    l.data[2 + 7 * 2] = 0; // background hole
    l.data[4 + 7 * 4] = 3; // a vein inside
    box(l, [3, 4], [0, 1], [0, 1], 0);
    expect(fillHolesPerSlice(l, 4)).toBe(1);
    expect(l.data[2 + 7 * 2]).toBe(4);
    expect(l.data[4 + 7 * 4]).toBe(3);
    // a notch open to the border is not a hole
    const open = grid(5, 5, 1);
    box(open, [0, 5], [0, 5], [0, 1], 4);
    box(open, [2, 3], [0, 3], [0, 1], 0);
    expect(fillHolesPerSlice(open, 4)).toBe(0);
  });

  it('leaves holes over maxHoleMm2 open, and those keepOpen picks by their HU', () => {
    // two rings in one slice of 2 mm voxels: a 3×3 hole (36 mm²) and a 5×5 hole (100 mm²)
    const make = () => {
      const l = grid(20, 9, 1, 2);
      box(l, [1, 6], [1, 6], [0, 1], 1); box(l, [2, 5], [2, 5], [0, 1], 0);
      box(l, [8, 15], [1, 8], [0, 1], 1); box(l, [9, 14], [2, 7], [0, 1], 0);
      return l;
    };
    const all = make();
    expect(fillHolesPerSlice(all, 1)).toBe(9 + 25);
    const bounded = make();
    expect(fillHolesPerSlice(bounded, 1, { maxHoleMm2: 99 })).toBe(9);
    expect(bounded.data[10 + 20 * 3]).toBe(0);
    expect(fillHolesPerSlice(make(), 1, { maxHoleMm2: 100 })).toBe(34);
    // HU: the small hole uniform 10 HU; the large one 100 HU in odd columns (3 of its 5), 0 in even:
    // mean 60, spread √(6000 − 60²)
    const hu = new Float32Array(20 * 9).fill(10);
    for (let n = 0; n < hu.length; n++) if (n % 20 >= 8) hu[n] = n % 2 ? 100 : 0;
    const seen: Array<{ voxels: number; meanHU: number; stdHU: number }> = [];
    const picked = make();
    expect(fillHolesPerSlice(picked, 1, { hu, keepOpen: (h) => { seen.push(h); return h.stdHU < 1; } })).toBe(25);
    expect(seen.map((h) => h.voxels).sort((a, b) => a - b)).toEqual([9, 25]);
    const small = seen.find((h) => h.voxels === 9)!;
    expect(small.meanHU).toBeCloseTo(10, 5);
    expect(small.stdHU).toBeCloseTo(0, 5);
    const large = seen.find((h) => h.voxels === 25)!;
    expect(large.meanHU).toBeCloseTo(60, 5);
    expect(large.stdHU).toBeCloseTo(Math.sqrt(2400), 5);
    expect(() => fillHolesPerSlice(make(), 1, { keepOpen: () => false })).toThrow(/needs the HU/);
  });

  it('measures each slice’s holes with that slice’s HU, bounds area by in-plane spacing, fills only inside the body', () => {
    // the same 3×3 hole in two slices of 1 × 2 × 5 mm voxels (hole 3 × 6 = 18 mm² per slice)
    const l: LabelMap = { dims: [5, 5, 2], spacing: [1, 2, 5], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Uint8Array(50) };
    box(l, [0, 5], [0, 5], [0, 2], 1); box(l, [1, 4], [1, 4], [0, 2], 0);
    const hu = new Float32Array(50).fill(0);
    hu.fill(300, 25); // slice 1: bright
    const meanOf: number[] = [];
    const twoSlices = () => ({ ...l, data: l.data.slice() });
    expect(fillHolesPerSlice(twoSlices(), 1, { hu, keepOpen: (h) => { meanOf.push(h.meanHU); return h.meanHU < 100; } })).toBe(9);
    expect(meanOf).toEqual([0, 300]);
    expect(fillHolesPerSlice(twoSlices(), 1, { maxHoleMm2: 17 })).toBe(0);
    expect(fillHolesPerSlice(twoSlices(), 1, { maxHoleMm2: 18 })).toBe(18);
    const inside = new Uint8Array(50).fill(1);
    inside[2 + 5 * 2] = 0; // one hole voxel of slice 0 outside the body
    const body = twoSlices();
    expect(fillHolesPerSlice(body, 1, { inside })).toBe(17);
    expect(body.data[2 + 5 * 2]).toBe(0);
  });
});
