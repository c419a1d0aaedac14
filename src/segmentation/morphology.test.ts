import { describe, expect, it } from 'vitest';
import { findComponents } from './components';
import { dilateBox, dilateOctagon, erodeBox, erodeOctagon, radiusInVoxels } from './morphology';

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

  it('dilates in-plane by an octagon: reach r along the axes, about r along the diagonals', () => {
    const d = [21, 21, 1] as const;
    const m = new Uint8Array(21 * 21);
    m[10 + 21 * 10] = 1;
    const o = dilateOctagon(m, d, [6, 6]);
    expect(o[16 + 21 * 10]).toBe(1);
    expect(o[17 + 21 * 10]).toBe(0);
    expect(o[14 + 21 * 14]).toBe(1); // (4, 4): 5.7 from the centre
    expect(o[15 + 21 * 15]).toBe(0); // (5, 5): 7.1
    // opening a disk of radius 9 by it keeps the disk (a box of the same reach would cut its sides)
    const disk = Uint8Array.from({ length: 21 * 21 }, (_, n) => (Math.hypot((n % 21) - 10, Math.floor(n / 21) - 10) <= 9 ? 1 : 0));
    const opened = dilateOctagon(erodeOctagon(disk, d, [6, 6]), d, [6, 6]);
    const kept = opened.reduce((s, v, n) => s + (v & disk[n]), 0) / count(disk);
    expect(kept).toBeGreaterThan(0.97);
    const boxOpened = dilateBox(erodeBox(disk, d, [6, 6, 0]), d, [6, 6, 0]);
    expect(boxOpened.reduce((s, v, n) => s + (v & disk[n]), 0) / count(disk)).toBeLessThan(0.9);
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
