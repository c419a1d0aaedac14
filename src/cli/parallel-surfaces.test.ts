import { describe, expect, it } from 'vitest';
import { extractSurfaces } from '../surfaces/extract';
import { phantomLabelMap } from '../../tests/fixtures/synthetic-labels';
import { parallelSurfaces } from './parallel-surfaces';

describe('surfaces on worker threads', () => {
  it('give exactly the sequential meshes, in order, within the same budget (including a structure over its share)', async () => {
    const labels = phantomLabelMap([60, 60, 60], 5, { spacing: [1.5, 1.5, 1.5] });
    const classes = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, name: `class ${i + 1}` }));
    const firstPasses = await extractSurfaces(labels, classes, { maxTriangles: 1e9 });
    const firstTotal = firstPasses.reduce((n, m) => n + m.indices.length / 3, 0);
    // A budget of half the first passes: some structure's first pass exceeds its share and is decimated again.
    for (const maxTriangles of [750_000, Math.floor(firstTotal / 2)]) {
      const sequential = await extractSurfaces(labels, classes, { maxTriangles });
      const cut = sequential.filter((m, i) => m.indices.length < firstPasses[i].indices.length).length;
      expect(cut > 0).toBe(maxTriangles < firstTotal);
      const streamed: string[] = [];
      const parallel = await parallelSurfaces(2)(labels, classes, { maxTriangles }, (m) => streamed.push(m.name));
      expect(parallel.map((m) => m.name)).toEqual(sequential.map((m) => m.name));
      expect(streamed).toEqual(sequential.map((m) => m.name));
      for (let i = 0; i < sequential.length; i++) {
        expect(Array.from(parallel[i].indices), sequential[i].name).toEqual(Array.from(sequential[i].indices));
        expect(Array.from(parallel[i].positions)).toEqual(Array.from(sequential[i].positions));
        expect(parallel[i].decimationErrorMm).toBe(sequential[i].decimationErrorMm);
      }
      const total = parallel.reduce((n, m) => n + m.indices.length / 3, 0);
      expect(total).toBeLessThanOrEqual(maxTriangles);
    }
  });
});
