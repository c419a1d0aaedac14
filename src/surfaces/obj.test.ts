import { describe, expect, it } from 'vitest';
import { boxMesh, tetrahedronMesh } from '../../tests/analytic-meshes';
import { readMtl, readObj } from '../../tests/mesh-readers';
import type { ClassInfo } from '../segmentation/manifest';
import { hexToRgb } from '../segmentation/manifest';
import { meshesToObj } from './obj';

const CLASSES: ClassInfo[] = [
  { id: 1, name: 'bone', label: 'Bone', group: 'bone', color: '#e8dcc0', opacity: 1, sourceNames: [] },
  { id: 4, name: 'liver', label: 'Liver', group: 'organ', color: '#9c4a32', opacity: 0.65, sourceNames: [] },
];

describe('OBJ + MTL', () => {
  const box = boxMesh(1, 'bone', [-20, 5, 100], [-10, 25, 130]);
  const tetra = tetrahedronMesh(4, 'liver', [1.5, -2.25, 3], 6);
  const empty = { ...boxMesh(3, 'veins', [0, 0, 0], [1, 1, 1]), indices: new Uint32Array(0) };
  const { obj, mtl } = meshesToObj([box, empty, tetra], CLASSES, { model: 'HoloCT 2.5D U-Net' });
  const parsed = readObj(obj);

  it('one object, group and material per structure, with its triangles, normals and bounds in mm', () => {
    expect(parsed.objects.map((o) => o.name)).toEqual(['bone', 'liver']);
    expect(parsed.objects.map((o) => o.groups)).toEqual([['bone'], ['liver']]);
    expect(parsed.objects.map((o) => o.material)).toEqual(['bone', 'liver']);
    expect(parsed.objects.map((o) => o.triangles)).toEqual([12, 4]);
    expect(parsed.objects.map((o) => o.facesWithNormals)).toEqual([12, 4]);
    expect(parsed.vertices).toBe(8 + 4);
    expect(parsed.normals).toBe(8 + 4);
    expect(parsed.objects[0].bounds).toEqual({ min: [-20, 5, 100], max: [-10, 25, 130] });
    // the second object's indices are offset past the first's vertices
    expect(parsed.objects[1].bounds).toEqual({ min: [1.5, -2.25, 3], max: [7.5, 3.75, 9] });
  });

  it('states LPS millimetres in a comment and names its MTL', () => {
    expect(parsed.comments[0]).toContain('SPACE=LPS');
    expect(parsed.comments.join(' ')).toMatch(/LPS millimetres/);
    expect(parsed.mtllib).toBe('hologram.mtl');
    expect(readObj(meshesToObj([box], CLASSES, { mtlFileName: 'x.mtl' }).obj).mtllib).toBe('x.mtl');
  });

  it('MTL: the manifest class colour as Kd and its opacity as d', () => {
    const materials = readMtl(mtl);
    expect([...materials.keys()]).toEqual(['bone', 'liver']);
    for (const c of CLASSES) {
      const m = materials.get(c.name)!;
      const rgb = hexToRgb(c.color);
      for (let k = 0; k < 3; k++) expect(m.Kd![k]).toBeCloseTo(rgb[k], 4);
      expect(m.d).toBeCloseTo(c.opacity, 4);
    }
  });

  it('carries nothing but class names, the model and the frame', () => {
    const words = new Set((obj + mtl).split(/\s+/).filter((w) => /^[A-Za-z]/.test(w)));
    const allowed = new Set(['HoloCT', 'hologram', 'SPACE=LPS', 'coordinates:', 'patient', 'LPS', 'millimetres', 'x', 'y', 'z', 'towards', 'left,', 'posterior,', 'superior)', 'model:', '2.5D', 'U-Net',
      'mtllib', 'hologram.mtl', 'o', 'g', 'usemtl', 'v', 'vn', 'f', 'newmtl', 'Ka', 'Kd', 'Ks', 'Ns', 'd', 'Tr', 'illum', 'bone', 'liver']);
    expect([...words].filter((w) => !allowed.has(w))).toEqual([]);
  });
});
