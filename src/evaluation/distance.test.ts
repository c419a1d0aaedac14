import { describe, expect, it } from 'vitest';
import { distanceToMaskMm } from './distance';

const index = (i: number, j: number, k: number, nx: number, ny: number) => (k * ny + j) * nx + i;

describe('exact Euclidean distance transform (mm)', () => {
  it('gives the analytic distance from one voxel on an anisotropic grid', () => {
    const dims: [number, number, number] = [7, 6, 5];
    const spacing: [number, number, number] = [0.5, 2, 3];
    const mask = new Uint8Array(7 * 6 * 5);
    mask[index(3, 2, 1, 7, 6)] = 1;
    const d = distanceToMaskMm(mask, dims, spacing);
    for (let k = 0; k < 5; k++) for (let j = 0; j < 6; j++) for (let i = 0; i < 7; i++) {
      expect(d[index(i, j, k, 7, 6)]).toBeCloseTo(Math.hypot((i - 3) * 0.5, (j - 2) * 2, (k - 1) * 3), 4);
    }
  });

  it('agrees with brute force on a random mask', () => {
    const dims: [number, number, number] = [9, 8, 6];
    const spacing: [number, number, number] = [0.8, 1.1, 2.5];
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const mask = Uint8Array.from({ length: 9 * 8 * 6 }, () => Number(random() < 0.04));
    const points: [number, number, number][] = [];
    for (let k = 0; k < 6; k++) for (let j = 0; j < 8; j++) for (let i = 0; i < 9; i++) if (mask[index(i, j, k, 9, 8)]) points.push([i, j, k]);
    expect(points.length).toBeGreaterThan(3);
    const d = distanceToMaskMm(mask, dims, spacing);
    for (let k = 0; k < 6; k++) for (let j = 0; j < 8; j++) for (let i = 0; i < 9; i++) {
      const brute = Math.min(...points.map(([a, b, c]) => Math.hypot((i - a) * 0.8, (j - b) * 1.1, (k - c) * 2.5)));
      expect(d[index(i, j, k, 9, 8)]).toBeCloseTo(brute, 4);
    }
  });

  it('is Infinity everywhere for an empty mask', () => {
    const d = distanceToMaskMm(new Uint8Array(24), [4, 3, 2], [1, 1, 1]);
    expect([...d].every((v) => v === Infinity)).toBe(true);
  });
});
