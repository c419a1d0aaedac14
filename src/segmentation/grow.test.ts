import { describe, expect, it } from 'vitest';
import { growGeodesic } from './grow';

const index = (dims: readonly [number, number, number]) => (i: number, j: number, k: number) => i + dims[0] * (j + dims[1] * k);

describe('geodesic growth', () => {
  it('claims a diamond in an open plane: 6-connected path length is the city-block distance', () => {
    const dims = [15, 15, 1] as const;
    const at = index(dims);
    const data = new Uint8Array(15 * 15);
    data[at(7, 7, 0)] = 1;
    const claimed = growGeodesic(data, dims, [1, 1, 1], 1, 3, () => true);
    expect(claimed).toBe(2 * 3 * 3 + 2 * 3); // 2r² + 2r + 1 voxels within |di| + |dj| ≤ r, the seed excluded
    expect(data[at(10, 7, 0)]).toBe(1);
    expect(data[at(9, 9, 0)]).toBe(0); // city-block 4
    expect(data[at(8, 9, 0)]).toBe(1); // city-block 3
  });

  it('weights each step by the spacing along its axis', () => {
    const dims = [10, 1, 10] as const;
    const at = index(dims);
    const data = new Uint8Array(100);
    data[at(0, 0, 0)] = 1;
    // spacing 2 mm along i, 5 mm along k: 7 mm reaches i = 3 (6 mm) and k = 1 (5 mm), and (1, 0, 1) at 7 mm
    const claimed = growGeodesic(data, dims, [2, 1, 5], 1, 7, () => true);
    expect([1, 2, 3].map((i) => data[at(i, 0, 0)])).toEqual([1, 1, 1]);
    expect(data[at(4, 0, 0)]).toBe(0);
    expect(data[at(0, 0, 1)]).toBe(1);
    expect(data[at(0, 0, 2)]).toBe(0);
    expect(data[at(1, 0, 1)]).toBe(1);
    expect(data[at(2, 0, 1)]).toBe(0); // 9 mm
    expect(claimed).toBe(5);
  });

  it('measures the path around a wall, not the straight line, and never claims what is not claimable', () => {
    // a wall at i = 2 for j < 4: from (0,0) to (4,0) the path goes up to j = 4 and back: 4 + 4 + 4 = 12 steps
    const dims = [5, 6, 1] as const;
    const at = index(dims);
    const wall = new Set([0, 1, 2, 3].map((j) => at(2, j, 0)));
    const claimable = (n: number) => !wall.has(n);
    const short = new Uint8Array(30);
    short[at(0, 0, 0)] = 1;
    growGeodesic(short, dims, [1, 1, 1], 1, 11, claimable);
    expect(short[at(4, 0, 0)]).toBe(0);
    expect(short[at(4, 1, 0)]).toBe(1); // 11 steps
    const long = new Uint8Array(30);
    long[at(0, 0, 0)] = 1;
    growGeodesic(long, dims, [1, 1, 1], 1, 12, claimable);
    expect(long[at(4, 0, 0)]).toBe(1);
    for (const n of wall) expect(long[n]).toBe(0);
  });

  it('leaves other labels alone and starts from every voxel of the label', () => {
    const dims = [9, 1, 1] as const;
    const data = Uint8Array.from([1, 0, 0, 2, 0, 0, 0, 0, 1]);
    const claimed = growGeodesic(data, dims, [1, 1, 1], 1, 2, (n) => data[n] === 0);
    expect([...data]).toEqual([1, 1, 1, 2, 0, 0, 1, 1, 1]);
    expect(claimed).toBe(4);
  });

  it('claims nothing when the distance is below one step or the label is absent', () => {
    const dims = [4, 4, 4] as const;
    const data = new Uint8Array(64);
    expect(growGeodesic(data, dims, [1, 1, 1], 1, 10, () => true)).toBe(0);
    data[0] = 1;
    expect(growGeodesic(data, dims, [1, 1, 1], 1, 0.5, () => true)).toBe(0);
    expect(data.reduce((a, b) => a + b, 0)).toBe(1);
  });
});
