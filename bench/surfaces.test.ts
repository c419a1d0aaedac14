import { describe, expect, it } from 'vitest';
import { benchSurfaces } from './surfaces';
import { phantomLabelMap } from '../tests/fixtures/synthetic-labels';

describe('benchSurfaces (smoke test, no timing asserted)', () => {
  it('returns per-structure figures and totals for a small phantom', async () => {
    const labels = phantomLabelMap([60, 60, 70], 4, { spacing: [1.5, 1.5, 1.5] });
    const result = await benchSurfaces(labels, undefined, { maxTriangles: 10_000 });
    expect(result.structures.map((s) => s.classId)).toEqual([1, 2, 3, 4]);
    expect(result.triangles).toBeLessThanOrEqual(10_000);
    expect(result.fullTriangles).toBeGreaterThan(result.triangles);
    expect(result.allClosed).toBe(true);
    expect(result.maxErrorMm).toBeGreaterThan(0);
    for (const s of result.structures) expect(s.meshMs).toBeGreaterThanOrEqual(0);
  });
});
