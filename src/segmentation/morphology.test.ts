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
    expect(findComponents(m, dims).map((c) => c.size)).toEqual([2, 1]);
  });
});

describe('morphology against its definition (brute force on random masks)', () => {
  // a seeded generator: the masks are the same on every run
  let state = 12345;
  const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const d = [11, 9, 5] as const;
  const idx = (i: number, j: number, k: number) => i + d[0] * (j + d[1] * k);
  const masks = Array.from({ length: 4 }, (_, m) => Uint8Array.from({ length: 11 * 9 * 5 }, () => (random() < 0.04 + 0.2 * m ? 1 : 0)));
  /** out = 1 where `reach(di, dj, dk)` holds for some set voxel at that offset. */
  const brute = (m: Uint8Array, reach: (di: number, dj: number, dk: number) => boolean) => {
    const out = new Uint8Array(m.length);
    for (let k = 0; k < d[2]; k++) for (let j = 0; j < d[1]; j++) for (let i = 0; i < d[0]; i++) {
      for (let c = 0; c < d[2] && !out[idx(i, j, k)]; c++) for (let b = 0; b < d[1]; b++) for (let a = 0; a < d[0]; a++) {
        if (m[idx(a, b, c)] && reach(i - a, j - b, k - c)) { out[idx(i, j, k)] = 1; break; }
      }
    }
    return out;
  };
  const invert = (m: Uint8Array) => m.map((v) => 1 - v);

  it('box dilation and erosion', () => {
    for (const m of masks) {
      for (const r of [[1, 2, 1], [0, 3, 2], [2, 0, 0], [4, 4, 3]] as const) {
        const box = (di: number, dj: number, dk: number) => Math.abs(di) <= r[0] && Math.abs(dj) <= r[1] && Math.abs(dk) <= r[2];
        expect(dilateBox(m, d, r)).toEqual(brute(m, box));
        expect(erodeBox(m, d, r)).toEqual(invert(brute(invert(m), box)));
      }
    }
  });

  it('octagon dilation and erosion: a box of half the radius, then city-block steps for the rest', () => {
    for (const m of masks) {
      for (const r of [[1, 1], [3, 3], [6, 6], [5, 2]] as const) {
        const bx = Math.floor(r[0] / 2), by = Math.floor(r[1] / 2);
        const steps = Math.min(r[0] - bx, r[1] - by);
        const octagon = (di: number, dj: number, dk: number) => dk === 0 && Math.max(0, Math.abs(di) - bx) + Math.max(0, Math.abs(dj) - by) <= steps;
        expect(dilateOctagon(m, d, r)).toEqual(brute(m, octagon));
        expect(erodeOctagon(m, d, r)).toEqual(invert(brute(invert(m), octagon)));
      }
    }
  });
});
