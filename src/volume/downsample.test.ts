import { describe, expect, it } from 'vitest';
import { indexToPatient, patientToIndex } from './geometry';
import { downsampleFactors, downsampleVolume } from './downsample';
import type { Volume } from './types';

function rampVolume(): Volume & { data: Int16Array } {
  const dims: [number, number, number] = [12, 10, 9];
  const data = new Int16Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) data[i + dims[0] * (j + dims[1] * k)] = 2 * i + 10 * j - 4 * k;
  // a rotated grid: i → +y, j → -x, k → +z
  return { dims, spacing: [0.5, 0.7, 2], origin: [10, -20, 30], direction: [0, 1, 0, -1, 0, 0, 0, 0, 1], data };
}

describe('downsampleVolume', () => {
  it('keeps a linear ramp exact at every new voxel centre, in patient space', () => {
    const v = rampVolume();
    const d = downsampleVolume(v, [2, 2, 3]);
    expect(d.dims).toEqual([6, 5, 3]);
    expect(d.spacing).toEqual([1, 1.4, 6]);
    for (let k = 0; k < 3; k++) for (let j = 0; j < 5; j++) for (let i = 0; i < 6; i++) {
      const [si, sj, sk] = patientToIndex(v, indexToPatient(d, [i, j, k]));
      expect(d.data[i + 6 * (j + 5 * k)]).toBe(Math.round(2 * si + 10 * sj - 4 * sk));
      expect(si).toBeCloseTo(2 * i + 0.5, 9);
    }
  });

  it('factors of 1 return the same voxels', () => {
    const v = rampVolume();
    expect(Array.from(downsampleVolume(v, [1, 1, 1]).data)).toEqual(Array.from(v.data));
  });
});

describe('downsampleFactors', () => {
  it('leaves a volume under budget alone and coarsens the finest axis first', () => {
    expect(downsampleFactors({ dims: [512, 512, 300], spacing: [0.7, 0.7, 1] }, 512 * 512 * 300)).toEqual([1, 1, 1]);
    const f = downsampleFactors({ dims: [512, 512, 300], spacing: [0.7, 0.7, 1] }, 16_000_000);
    expect(f).toEqual([2, 2, 2]);
    const g = downsampleFactors({ dims: [512, 512, 600], spacing: [0.7, 0.7, 0.5] }, 8_000_000);
    expect(Math.floor(512 / g[0]) * Math.floor(512 / g[1]) * Math.floor(600 / g[2])).toBeLessThanOrEqual(8_000_000);
    expect(g).toEqual([3, 3, 3]);
  });
});
