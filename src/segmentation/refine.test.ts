import { describe, expect, it } from 'vitest';
import type { LabelMap } from '../volume/types';
import { DEFAULT_REFINE, medianHU, refineBand, refineByHU } from './refine';

const n = 20;
const at = (i: number, j: number, k: number) => i + n * (j + n * k);
function labels(): LabelMap {
  return { dims: [n, n, n], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Uint8Array(n ** 3) };
}
function cube(target: { [i: number]: number }, lo: number, hi: number, value: number) {
  for (let k = lo; k <= hi; k++) for (let j = lo; j <= hi; j++) for (let i = lo; i <= hi; i++) target[at(i, j, k)] = value;
}

describe('native-resolution refinement', () => {
  it('claims bone HU within the distance of the mask, not beyond, never outside the body', () => {
    const hu = new Float32Array(n ** 3).fill(40);
    cube(hu, 4, 13, 700); // true bone 10³
    hu[at(17, 9, 9)] = 700; // bright voxel 4 mm from the mask
    const l = labels();
    cube(l.data, 6, 11, 1); // the network's mask: 2 voxels short all round
    const inside = new Uint8Array(n ** 3).fill(1);
    inside[at(4, 4, 4)] = 0;
    const [result] = refineByHU(l, hu, new Map([[1, { minHU: 200 }]]), { distanceMm: 2, add: true, remove: 'all', minContrastHU: 150 }, inside);
    expect(result.band).toEqual([200, 32767]);
    expect(result.added).toBe(10 ** 3 - 6 ** 3 - 1);
    expect(l.data[at(17, 9, 9)]).toBe(0);
    expect(l.data[at(4, 4, 4)]).toBe(0);
  });

  it('by default reaches the next voxel of a 3 mm CT (a 2 mm reach held none: nothing was refined on such scans)', () => {
    const hu = new Float32Array(n ** 3).fill(40);
    cube(hu, 5, 12, 700); // true bone 8³ voxels of 3 mm
    const l = { ...labels(), spacing: [3, 3, 3] as [number, number, number] };
    cube(l.data, 6, 11, 1); // the network's mask: one voxel short all round
    const [result] = refineByHU(l, hu, new Map([[1, { minHU: 200 }]]), DEFAULT_REFINE);
    expect(result.added).toBe(8 ** 3 - 6 ** 3);
  });

  it('removes edge voxels outside the band where the rule asks, or for every class when told', () => {
    const hu = new Float32Array(n ** 3).fill(40);
    cube(hu, 6, 11, 700);
    const wide = () => { const l = labels(); cube(l.data, 5, 12, 1); return l; }; // one voxel too wide all round
    const options = { distanceMm: 1, add: false, minContrastHU: 150 };
    expect(refineByHU(wide(), hu, new Map([[1, { minHU: 200, remove: true }]]), { ...options, remove: 'rule' })[0].removed).toBe(8 ** 3 - 6 ** 3);
    expect(refineByHU(wide(), hu, new Map([[1, { minHU: 200 }]]), { ...options, remove: 'rule' })[0].removed).toBe(0);
    expect(refineByHU(wide(), hu, new Map([[1, { minHU: 200 }]]), { ...options, remove: 'all' })[0].removed).toBe(8 ** 3 - 6 ** 3);
    expect(refineByHU(wide(), hu, new Map([[1, { minHU: 200, remove: true }]]), { ...options, remove: 'none' })[0].removed).toBe(0);
  });

  it('takes the contrast band from the vessel, and leaves a non-contrast vessel alone', () => {
    const l = labels();
    cube(l.data, 8, 10, 2);
    const contrast = new Float32Array(n ** 3).fill(40);
    cube(contrast, 8, 10, 300);
    expect(medianHU(contrast, (v) => l.data[v] === 2, n ** 3)).toBe(300);
    expect(refineBand({ contrast: true }, contrast, l.data, 2, 150)).toEqual([170, 690]);
    const plain = new Float32Array(n ** 3).fill(40);
    expect(refineBand({ contrast: true }, plain, l.data, 2, 150)).toBeNull();
  });

  it('grows an air-band class through connected air inside the body, not into air apart from it or outside', () => {
    const hu = new Float32Array(n ** 3).fill(40);
    cube(hu, 2, 9, -850); // a lung, 8³ voxels
    cube(hu, 13, 16, -900); // gas apart from it (bowel), 4³
    const inside = new Uint8Array(n ** 3).fill(1);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) { inside[at(i, j, 19)] = 0; hu[at(i, j, 19)] = -1000; } // outside air
    for (let k = 10; k < 19; k++) hu[at(5, 5, k)] = -950; // an air channel from the lung to the outside air
    const l = labels();
    l.data[at(5, 5, 5)] = 7; // the network found one voxel of it
    const [result] = refineByHU(l, hu, new Map([[7, { maxHU: -500, growMm: 100 }]]), { distanceMm: 1, add: true, remove: 'none', minContrastHU: 150 }, inside);
    expect(result.band).toEqual([-32768, -500]);
    expect(result.added).toBe(26); // the box reach of 1 mm: the 3³ box around the voxel
    expect(result.added + result.grown).toBe(8 ** 3 - 1 + 9); // the whole lung and the channel up to the body's edge
    expect(l.data[at(14, 14, 14)]).toBe(0);
    expect(l.data[at(5, 5, 19)]).toBe(0);
  });

  it('grows only as far as the rule says, along the band', () => {
    const hu = new Float32Array(n ** 3).fill(40);
    for (let i = 0; i < n; i++) hu[at(i, 9, 9)] = 700; // a rib along i
    const l = labels();
    l.data[at(0, 9, 9)] = 1;
    const [result] = refineByHU(l, hu, new Map([[1, { minHU: 200, growMm: 10 }]]), { distanceMm: 1, add: true, remove: 'none', minContrastHU: 150 });
    // the box reach claims i = 1, growth 10 mm beyond it
    expect(result.added).toBe(1);
    expect(result.grown).toBe(10);
    expect(l.data[at(11, 9, 9)]).toBe(1);
    expect(l.data[at(12, 9, 9)]).toBe(0);
    expect(refineByHU(labels(), hu, new Map([[1, { minHU: 200, growMm: 10 }]]), { distanceMm: 1, add: false, remove: 'none', minContrastHU: 150 })[0].grown).toBe(0);
  });

  it('grows after every band step and not through the contrast the vessels show', () => {
    const hu = new Float32Array(n ** 3).fill(40);
    for (let i = 0; i < n; i++) hu[at(i, 9, 9)] = 700; // a rib along i
    for (let i = 0; i < n; i++) hu[at(i, 10, 9)] = 300; // a contrast vessel alongside it
    const l = labels();
    l.data[at(0, 9, 9)] = 1;
    for (let i = 0; i < 10; i++) l.data[at(i, 10, 9)] = 2; // the network found half the vessel
    const rules = new Map([[1, { minHU: 200, growMm: 30 }], [2, { contrast: true }]]);
    const [bone, vessel] = refineByHU(l, hu, rules, { distanceMm: 1, add: true, remove: 'none', minContrastHU: 150 });
    expect(vessel.added).toBe(1); // the vessel's box reach: i = 10
    expect(bone.grown).toBe(n - 2); // the rib beyond the box reach (i = 2…19)
    expect(l.data[at(10, 10, 9)]).toBe(2);
    // the rest of the vessel is in bone's band and connected, but in the vessel's contrast band: not bone
    for (let i = 11; i < n; i++) expect(l.data[at(i, 10, 9)]).toBe(0);
    // without contrast (the vessel as plain soft tissue), 300 HU beside the rib is bone's to grow into
    const plain = hu.map((v) => (v === 300 ? 40 : v));
    for (let i = 0; i < n; i++) plain[at(i, 10, 9)] = i < 10 ? 40 : 300;
    const l2 = labels();
    l2.data[at(0, 9, 9)] = 1;
    for (let i = 0; i < 10; i++) l2.data[at(i, 10, 9)] = 2;
    const [bone2, vessel2] = refineByHU(l2, plain, rules, { distanceMm: 1, add: true, remove: 'none', minContrastHU: 150 });
    expect(vessel2.band).toBeNull();
    expect(bone2.grown).toBe((n - 2) + (n - 10));
  });

  it('gives a voxel near both masks and in both bands to the contrast vessel, not to the bone', () => {
    const hu = new Float32Array(n ** 3).fill(40);
    for (let i = 2; i <= 5; i++) hu[at(i, 9, 9)] = 700; // bone
    for (let i = 6; i <= 12; i++) hu[at(i, 9, 9)] = 300; // a contrast vessel touching it; i = 6 was missed
    const l = labels();
    for (let i = 2; i <= 5; i++) l.data[at(i, 9, 9)] = 1;
    for (let i = 7; i <= 12; i++) l.data[at(i, 9, 9)] = 2;
    const results = refineByHU(l, hu, new Map([[1, { minHU: 200 }], [2, { contrast: true }]]), { distanceMm: 1, add: true, remove: 'none', minContrastHU: 150 });
    expect(l.data[at(6, 9, 9)]).toBe(2);
    expect(results.map((r) => [r.classId, r.added])).toEqual([[1, 0], [2, 1]]); // in the rules' order
  });

  it('grows after every band step: what another class’s band claims in reach of its mask is not grown into', () => {
    const hu = new Float32Array(n ** 3).fill(40);
    for (let i = 0; i < n; i++) hu[at(i, 9, 9)] = 700; // a rib along i, in both classes' bands
    const l = labels();
    l.data[at(0, 9, 9)] = 1; // the network's bone at one end
    l.data[at(12, 10, 9)] = 9; // another class beside the rib further on (non-contrast, stepping after bone)
    const rules = new Map([[1, { minHU: 200, growMm: 30 }], [9, { minHU: 200 }]]);
    const [bone, other] = refineByHU(l, hu, rules, { distanceMm: 1, add: true, remove: 'none', minContrastHU: 150 });
    expect(other.added).toBe(3); // i = 11…13 of the rib, in its 1 mm reach
    expect(l.data[at(12, 9, 9)]).toBe(9);
    expect(bone.added).toBe(1); // i = 1
    expect(bone.grown).toBe(9); // i = 2…10: the other class's claim blocks the rest of the line
    expect(l.data[at(15, 9, 9)]).toBe(0);
  });
});
