import { describe, expect, it } from 'vitest';
import type { ModelManifest } from '../segmentation/manifest';
import type { SegmentationSession } from '../segmentation/session';
import { meshTransferables } from '../surfaces/types';
import type { Volume } from '../volume/types';
import { buildHologram } from './hologram';

const manifest: ModelManifest = {
  format: 1, name: 'threshold', file: 'none.onnx', inputName: 'ct', outputName: 'labels',
  spacing: [2, 2, 2], patchSize: [16, 16, 16], overlap: 0.5, padHU: -1024,
  normalization: { clipMin: -1000, clipMax: 1000, mean: 0, std: 500 },
  classes: [{ id: 1, name: 'bone', label: 'Bone', group: 'bone', color: '#ffffff', opacity: 1, sourceNames: [] }],
};

/** A 20 mm ball of 500 HU in air, and a "model" that calls everything above 0 HU bone. */
function ball(): Volume {
  const dims: [number, number, number] = [40, 40, 40];
  const data = new Int16Array(dims[0] * dims[1] * dims[2]);
  let n = 0;
  for (let k = 0; k < 40; k++) for (let j = 0; j < 40; j++) for (let i = 0; i < 40; i++, n++) {
    data[n] = Math.hypot(i - 19.5, j - 19.5, k - 19.5) <= 10 ? 500 : -1000;
  }
  return { dims, spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data };
}

const session: SegmentationSession = {
  backend: 'node-cpu',
  run: async (patch) => Uint8Array.from(patch, (v) => (v > 0 ? 1 : 0)),
  dispose: async () => {},
};

describe('buildHologram', () => {
  it('reports the triangles of meshes whose buffers were handed to another thread as they streamed', async () => {
    const streamed: number[] = [];
    const result = await buildHologram(ball(), { session, manifest }, {
      onMesh: (mesh) => {
        streamed.push(mesh.indices.length / 3);
        // what Comlink.transfer does in the worker: the worker's copies become detached (length 0)
        structuredClone(mesh, { transfer: meshTransferables(mesh) });
      },
    });
    expect(streamed).toHaveLength(1);
    expect(streamed[0]).toBeGreaterThan(100);
    expect(result.meshes[0].indices.length).toBe(0);
    expect(result.report.totalTriangles).toBe(streamed[0]);
    expect(result.report.structures[0].triangles).toBe(streamed[0]);
    // a 10 mm ball: 4.19 mL
    expect(result.report.structures[0].surfaceVolumeMl).toBeGreaterThan(3.5);
    expect(result.report.structures[0].surfaceVolumeMl).toBeLessThan(4.8);
  });

  it('puts a series outside the model\'s scope first among the notes, and says nothing of one inside it', async () => {
    const scoped: ModelManifest = { ...manifest, scope: { description: 'adult CT of the chest, abdomen and pelvis', bodyParts: ['CHEST', 'ABD'], notCovered: ['HEAD'] } };
    const head = await buildHologram(ball(), { session, manifest: scoped }, { series: { bodyPart: 'HEAD', description: '' } });
    expect(head.report.scope).toMatchObject({ bodyPart: 'HEAD', inScope: false });
    expect(head.report.notes[0]).toMatch(/^scope: the series' Body Part Examined is "HEAD", not \(or not only\) what this model was trained on \(adult CT of the chest, abdomen and pelvis\)/);
    const chest = await buildHologram(ball(), { session, manifest: scoped }, { series: { bodyPart: 'CHEST', description: 'HEAD' } });
    expect(chest.report.scope).toEqual({ bodyPart: 'CHEST', inScope: true });
    expect(chest.report.notes.some((n) => n.startsWith('scope:'))).toBe(false);
    // without Body Part Examined, the series' free-text names are read
    const untagged = await buildHologram(ball(), { session, manifest: scoped }, { series: { description: 'Axial 5mm', studyDescription: 'CT HEAD W/O' } });
    expect(untagged.report.scope).toMatchObject({ bodyPart: 'HEAD', from: 'Study Description', inScope: false });
    expect(untagged.report.notes[0]).toMatch(/^scope: the series' Study Description names HEAD: not \(or not only\) what this model was trained on/);
    const nifti = await buildHologram(ball(), { session, manifest: scoped });
    expect(nifti.report.scope).toBeUndefined();
  });
});
