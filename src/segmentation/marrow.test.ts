import { describe, expect, it } from 'vitest';
import type { LabelMap } from '../volume/types';
import { fillMarrow, isFluidHole } from './marrow';
import { refineByHU } from './refine';

// one axial slice of 1 mm voxels: a vertebral body (cortex ring round textured marrow) and behind it
// a closed arch round a uniform 10 HU canal; far out, a ring as large as a chest
const nx = 80, ny = 60;
const at = (i: number, j: number) => i + nx * j;
function slice(): { labels: LabelMap; hu: Float32Array } {
  const labels: LabelMap = { dims: [nx, ny, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Uint8Array(nx * ny) };
  const hu = new Float32Array(nx * ny).fill(-100);
  const ring = (i0: number, i1: number, j0: number, j1: number, inside: (i: number, j: number) => number) => {
    for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) {
      const edge = i === i0 || i === i1 || j === j0 || j === j1;
      labels.data[at(i, j)] = edge ? 1 : 0;
      hu[at(i, j)] = edge ? 700 : inside(i, j);
    }
  };
  ring(2, 12, 2, 12, (i, j) => ((i + j) % 2 ? 160 : -40)); // marrow: 9×9 = 81 mm², mean ≈ 60, spread 100
  ring(2, 12, 12, 20, () => 10); // canal behind it (shares the body's back wall): 9×7 = 63 mm², fluid
  ring(20, 78, 2, 58, (i, j) => ((i + j) % 2 ? 160 : -40)); // 57×55 = 3135 mm²: a ring as wide as a chest
  return { labels, hu };
}
const label = (s: ReturnType<typeof slice>, i: number, j: number) => s.labels.data[at(i, j)];

describe('bone marrow fill', () => {
  it('fills marrow the cortex encloses, leaves the fluid-like canal and a chest-sized ring open', () => {
    const s = slice();
    expect(fillMarrow(s.labels, s.hu, 1, { maxMm2: 3000 })).toBe(81);
    expect(label(s, 7, 7)).toBe(1);
    expect(label(s, 7, 16)).toBe(0);
    expect(label(s, 40, 30)).toBe(0);
  });

  it('fills the canal too when told to (to measure what the fluid test keeps), and large rings under a larger bound', () => {
    const s = slice();
    expect(fillMarrow(s.labels, s.hu, 1, { maxMm2: 3000, fluidStaysOpen: false })).toBe(81 + 63);
    expect(fillMarrow(slice().labels, slice().hu, 1, { maxMm2: 4000 })).toBe(81 + 57 * 55);
  });

  it('leaves an air-filled hole open (a sinus, an airway), whatever the fluid test', () => {
    const s = slice();
    for (let j = 3; j <= 11; j++) for (let i = 3; i <= 11; i++) s.hu[at(i, j)] = -900;
    expect(fillMarrow(s.labels, s.hu, 1, { maxMm2: 3000, fluidStaysOpen: false })).toBe(63);
    expect(label(s, 7, 7)).toBe(0);
  });

  it('runs after growth in refinement: cortex that growth reaches closes the ring first', () => {
    const s = slice();
    // the network saw only the body's left wall; the rest of the ring is ≥ 150 HU and connected to it
    for (let j = 2; j <= 20; j++) for (let i = 2; i <= 12; i++) if (s.labels.data[at(i, j)] === 1 && i > 3) s.labels.data[at(i, j)] = 0;
    const rule = { minHU: 150, growMm: 60, marrow: { maxMm2: 3000 } };
    const [bone] = refineByHU(s.labels, s.hu, new Map([[1, rule]]), { distanceMm: 1, add: true, remove: 'none', minContrastHU: 150 });
    expect(bone.grown).toBeGreaterThan(0);
    expect(label(s, 12, 7)).toBe(1); // the far wall, by growth
    expect(label(s, 7, 7)).toBe(1); // −40 HU marrow in the middle: only the fill reaches it
    expect(label(s, 7, 16)).toBe(0); // the canal stays open
  });

  it('calls fluid a hole of CSF-like mean and noise-like spread, not fat, red marrow or texture', () => {
    expect(isFluidHole({ voxels: 100, meanHU: 8, stdHU: 25 })).toBe(true);
    expect(isFluidHole({ voxels: 100, meanHU: -60, stdHU: 25 })).toBe(false); // fatty marrow
    expect(isFluidHole({ voxels: 100, meanHU: 90, stdHU: 25 })).toBe(false); // red marrow
    expect(isFluidHole({ voxels: 100, meanHU: 10, stdHU: 60 })).toBe(false); // trabecular texture
  });

  it('runs after the band step in refinement, so cortex the network left open but the HU shows closes the ring first', () => {
    const s = slice();
    s.labels.data[at(7, 2)] = 0; // the network missed one cortex voxel of the body: the ring is open
    const [bone] = refineByHU(s.labels, s.hu, new Map([[1, { minHU: 150, marrow: { maxMm2: 3000 } }]]), { distanceMm: 1, add: true, remove: 'none', minContrastHU: 150 });
    expect(label(s, 7, 2)).toBe(1);
    expect(bone.marrow).toBeGreaterThanOrEqual(81 - 41); // the marrow's ≥ 150 HU half may come by the band step first
    expect(label(s, 7, 7)).toBe(1);
    expect(label(s, 6, 7)).toBe(1);
    expect(label(s, 7, 16)).toBe(0);
  });
});
