import { describe, expect, it } from 'vitest';
import type { LabelMap } from '../volume/types';
import { marchLabels, type LabelRayHit } from './label-ray';

/** A 40³ map at 2 mm: a ball of class 1 (radius 20 mm) around (40, 40, 40) mm, class 2 filling x > 60 mm. */
function phantom(): LabelMap {
  const n = 40;
  const data = new Uint8Array(n * n * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const x = i * 2, y = j * 2, z = k * 2;
    if (Math.hypot(x - 40, y - 40, z - 40) <= 20) data[i + j * n + k * n * n] = 1;
    else if (x > 60) data[i + j * n + k * n * n] = 2;
  }
  return { dims: [n, n, n], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data };
}

describe('label ray march (hover and far picking)', () => {
  const hit: LabelRayHit = { distance: 0, classId: 0 };

  it('finds the first structure along the ray and its boundary within a voxel', () => {
    const labels = phantom();
    expect(marchLabels(labels, [40, 40, -50], [0, 0, 1], { maxDistance: 300, accept: () => true }, hit)).toBe(true);
    expect(hit.classId).toBe(1);
    expect(Math.abs(hit.distance - 70)).toBeLessThan(2); // the ball's surface at z = 20 mm
  });

  it('skips hidden structures and the removed side of a cut', () => {
    const labels = phantom();
    expect(marchLabels(labels, [40, 40, -50], [0, 0, 1], { maxDistance: 300, accept: (c) => c !== 1 }, hit)).toBe(false);
    // cut keeps z ≤ 45: the ray from above (−z direction) starts in the removed half and hits the cut face
    expect(marchLabels(labels, [40, 40, 120], [0, 0, -1], { maxDistance: 300, accept: () => true, planes: [{ normal: [0, 0, 1], offset: 45 }] }, hit)).toBe(true);
    expect(Math.abs(hit.distance - 75)).toBeLessThan(1);
    // sideways: the ball is hidden, the class-2 slab is found at x = 60 mm
    expect(marchLabels(labels, [-10, 40, 40], [1, 0, 0], { maxDistance: 300, accept: (c) => c === 2 }, hit)).toBe(true);
    expect(hit.classId).toBe(2);
    expect(Math.abs(hit.distance - 71)).toBeLessThan(2);
  });

  it('misses when the ray leaves the map', () => {
    expect(marchLabels(phantom(), [40, 40, -50], [0, 0, -1], { maxDistance: 300, accept: () => true }, hit)).toBe(false);
  });
});
