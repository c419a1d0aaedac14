import { describe, expect, it } from 'vitest';
import type { ClassInfo } from '../segmentation/manifest';
import { extractSurfaces } from './extract';
import { meshesToGlb } from './glb';
import { glbToMeshes, GlbReadError } from './glb-read';
import { phantomLabelMap } from '../../tests/fixtures/synthetic-labels';

const CLASSES: ClassInfo[] = [
  { id: 1, name: 'liver', label: 'Liver', group: 'organ', color: '#a0522d', opacity: 0.6, sourceNames: ['liver'] },
  { id: 2, name: 'spine', label: 'Spine', group: 'bone', color: '#f0ead6', opacity: 1, sourceNames: ['vertebrae_L1'] },
  { id: 3, name: 'aorta', label: 'Aorta', group: 'vessel', color: '#d62728', opacity: 1, sourceNames: ['aorta'] },
];

describe('glbToMeshes', () => {
  it('reads back the meshes meshesToGlb wrote, in LPS mm', async () => {
    const labels = phantomLabelMap([50, 50, 60], 3, { spacing: [2, 2, 2], origin: [-60, -40, 100] });
    const meshes = await extractSurfaces(labels, CLASSES, { maxTriangles: 4000, minTrianglesPerMesh: 200 });
    const back = glbToMeshes(meshesToGlb(meshes, CLASSES), CLASSES);
    expect(back.map((m) => m.name)).toEqual(meshes.map((m) => m.name));
    for (let i = 0; i < meshes.length; i++) {
      const a = meshes[i], b = back[i];
      expect(b.classId).toBe(a.classId);
      expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
      let worst = 0, worstNormal = 0;
      for (let k = 0; k < a.positions.length; k++) {
        worst = Math.max(worst, Math.abs(a.positions[k] - b.positions[k]));
        worstNormal = Math.max(worstNormal, Math.abs(a.normals[k] - b.normals[k]));
      }
      expect(worst).toBeLessThan(1e-3); // float32 metres: µm
      expect(worstNormal).toBe(0);
      expect(b.volumeMl).toBeCloseTo(a.volumeMl, 2);
    }
  });

  it('refuses bytes that are not a GLB and nodes that are not classes of the model', async () => {
    expect(() => glbToMeshes(new Uint8Array(40), CLASSES)).toThrow(GlbReadError);
    const labels = phantomLabelMap([30, 30, 30], 1, { spacing: [3, 3, 3], origin: [0, 0, 0] });
    const meshes = await extractSurfaces(labels, CLASSES.slice(0, 1), { maxTriangles: 1000 });
    const glb = meshesToGlb(meshes, CLASSES);
    expect(() => glbToMeshes(glb, CLASSES.slice(1))).toThrow(/"liver" is not a structure of this model/);
  });
});
