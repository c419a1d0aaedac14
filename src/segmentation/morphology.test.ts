import { describe, expect, it } from 'vitest';
import { findComponents } from './components';
import { dilateBox, erodeBox, radiusInVoxels } from './morphology';

const dims = [9, 7, 5] as const;
const at = (i: number, j: number, k: number) => i + dims[0] * (j + dims[1] * k);
const count = (m: Uint8Array) => m.reduce((n, v) => n + v, 0);

describe('box morphology', () => {
  it('dilates one voxel into a box, clipped by the grid', () => {
    const m = new Uint8Array(9 * 7 * 5);
    m[at(4, 3, 2)] = 1;
    expect(count(dilateBox(m, dims, [2, 1, 0]))).toBe(5 * 3 * 1);
    m.fill(0);
    m[at(0, 0, 0)] = 1;
    expect(count(dilateBox(m, dims, [1, 1, 1]))).toBe(2 * 2 * 2);
  });

  it('erodes a box by its radius, and the grid border does not eat it', () => {
    const m = new Uint8Array(9 * 7 * 5);
    for (let k = 0; k < 5; k++) for (let j = 1; j < 6; j++) for (let i = 1; i < 8; i++) m[at(i, j, k)] = 1; // 7×5×5, touching k borders
    const e = erodeBox(m, dims, [1, 1, 1]);
    expect(count(e)).toBe(5 * 3 * 5);
    expect(e[at(1, 3, 2)]).toBe(0);
    expect(e[at(2, 3, 0)]).toBe(1);
  });

  it('converts mm to voxels without reaching beyond', () => {
    expect(radiusInVoxels(2, [0.8, 1, 3])).toEqual([2, 2, 0]);
  });

  it('finds 6-connected components (diagonal neighbours are apart)', () => {
    const m = new Uint8Array(9 * 7 * 5);
    m[at(0, 0, 0)] = 1; m[at(1, 0, 0)] = 1; m[at(2, 1, 0)] = 1;
    expect(findComponents(dims, (n) => m[n] === 1).map((c) => c.size)).toEqual([2, 1]);
  });
});
