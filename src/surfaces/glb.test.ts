import { Document, WebIO } from '@gltf-transform/core';
import { validateBytes } from 'gltf-validator';
import { describe, expect, it } from 'vitest';
import type { ClassInfo } from '../segmentation/manifest';
import { extractSurfaces } from './extract';
import { lpsToGltf, meshesToGlb } from './glb';
import { phantomLabelMap } from '../../tests/fixtures/synthetic-labels';
import type { SurfaceMesh } from './types';

const CLASSES: ClassInfo[] = [
  { id: 1, name: 'liver', label: 'Liver', group: 'organ', color: '#a0522d', opacity: 0.6, sourceNames: ['liver'] },
  { id: 2, name: 'spine', label: 'Spine', group: 'bone', color: '#f0ead6', opacity: 1, sourceNames: ['vertebrae_L1'] },
  { id: 3, name: 'aorta', label: 'Aorta', group: 'vessel', color: '#d62728', opacity: 1, sourceNames: ['aorta'] },
];

async function hologram(): Promise<SurfaceMesh[]> {
  const labels = phantomLabelMap([60, 60, 70], 3, { spacing: [2, 2, 2], origin: [-60, -40, 100] });
  return extractSurfaces(labels, CLASSES, { maxTriangles: 6000, minTrianglesPerMesh: 200 });
}

describe('meshesToGlb', () => {
  it('maps LPS mm to glTF metres by a proper rotation (no mirroring)', () => {
    const ex = lpsToGltf(1, 0, 0, 1), ey = lpsToGltf(0, 1, 0, 1), ez = lpsToGltf(0, 0, 1, 1);
    const det =
      ex[0] * (ey[1] * ez[2] - ey[2] * ez[1]) - ey[0] * (ex[1] * ez[2] - ex[2] * ez[1]) + ez[0] * (ex[1] * ey[2] - ex[2] * ey[1]);
    expect(det).toBe(1);
    expect(lpsToGltf(0, 0, 1000)).toEqual([0, 1, -0]); // superior is up
    expect(lpsToGltf(0, -1000, 0)).toEqual([0, 0, 1]); // anterior faces +Z
    expect(lpsToGltf(1000, 0, 0)).toEqual([1, 0, -0]); // patient left is +X
  });

  it('writes a valid GLB (Khronos validator): one named node, mesh and material per structure', async () => {
    const meshes = await hologram();
    expect(meshes.length).toBe(3);
    const glb = meshesToGlb(meshes, CLASSES);
    const report = await validateBytes(glb);
    const errors = report.issues.messages.filter((m) => m.severity === 0);
    expect(errors).toEqual([]);
    expect(report.issues.numWarnings).toBe(0);
    expect(report.info?.generator).toBe('HoloCT');
    expect(report.info?.drawCallCount).toBe(3);
    expect(report.info?.totalTriangleCount).toBe(meshes.reduce((s, m) => s + m.indices.length / 3, 0));
  });

  it('reads back with glTF-Transform: names, counts, materials and positions in metres', async () => {
    const meshes = await hologram();
    const glb = meshesToGlb(meshes, CLASSES);
    const doc: Document = await new WebIO().readBinary(glb);
    const root = doc.getRoot();
    const nodes = root.listNodes();
    expect(nodes.map((n) => n.getName())).toEqual(meshes.map((m) => CLASSES.find((c) => c.id === m.classId)!.name));
    for (const node of nodes) {
      const mesh = meshes.find((m) => CLASSES.find((c) => c.id === m.classId)!.name === node.getName())!;
      const prim = node.getMesh()!.listPrimitives()[0];
      expect(prim.getIndices()!.getCount()).toBe(mesh.indices.length);
      const pos = prim.getAttribute('POSITION')!;
      expect(pos.getCount()).toBe(mesh.positions.length / 3);
      const p = pos.getElement(0, [0, 0, 0]);
      const q = lpsToGltf(mesh.positions[0], mesh.positions[1], mesh.positions[2]);
      for (let k = 0; k < 3; k++) expect(p[k]).toBeCloseTo(q[k], 6);
      const material = prim.getMaterial()!;
      const info = CLASSES.find((c) => c.name === node.getName())!;
      expect(material.getAlphaMode()).toBe(info.opacity < 1 ? 'BLEND' : 'OPAQUE');
      expect(material.getBaseColorFactor()[3]).toBeCloseTo(info.opacity, 6);
    }
    // No patient identity: the JSON holds only class names and the generator.
    const jsonLength = new DataView(glb.buffer, glb.byteOffset).getUint32(12, true);
    const json = new TextDecoder().decode(glb.subarray(20, 20 + jsonLength));
    expect(json).not.toMatch(/extras|patient|copyright/i);
    expect(JSON.parse(json).asset).toEqual({ version: '2.0', generator: 'HoloCT' });
  });

  it('centres the hologram on request', async () => {
    const meshes = await hologram();
    const doc = await new WebIO().readBinary(meshesToGlb(meshes, CLASSES, { center: true }));
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (const node of doc.getRoot().listNodes()) {
      const pos = node.getMesh()!.listPrimitives()[0].getAttribute('POSITION')!;
      const min = pos.getMin([0, 0, 0]), max = pos.getMax([0, 0, 0]);
      for (let k = 0; k < 3; k++) { lo[k] = Math.min(lo[k], min[k]); hi[k] = Math.max(hi[k], max[k]); }
    }
    for (let k = 0; k < 3; k++) expect(Math.abs(lo[k] + hi[k])).toBeLessThan(1e-6);
  });

  it('writes a valid GLB with no mesh', async () => {
    const report = await validateBytes(meshesToGlb([], CLASSES));
    expect(report.issues.messages.filter((m) => m.severity === 0)).toEqual([]);
  });
});
