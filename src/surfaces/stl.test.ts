import { describe, expect, it } from 'vitest';
import { boxMesh, tetrahedronMesh } from '../../tests/analytic-meshes';
import { readBinaryStl } from '../../tests/mesh-readers';
import { meshesToStl, stlByteLength, stlHeader } from './stl';

const MIN: [number, number, number] = [-20, 5, 100];
const MAX: [number, number, number] = [-10, 25, 130];

describe('binary STL', () => {
  it('a box: 84 + 50·12 bytes, outward unit facet normals, bounds in LPS mm', () => {
    const bytes = meshesToStl([boxMesh(1, 'bone', MIN, MAX)], { model: 'HoloCT 2.5D U-Net' });
    expect(bytes.length).toBe(84 + 50 * 12);
    expect(stlByteLength(12)).toBe(684);
    const stl = readBinaryStl(bytes);
    expect(stl.triangles).toBe(12);
    expect(stl.bounds).toEqual({ min: MIN, max: MAX });
    const centre = MIN.map((v, k) => (v + MAX[k]) / 2);
    for (let t = 0; t < 12; t++) {
      const n = Array.from(stl.normals.subarray(t * 3, t * 3 + 3));
      expect(Math.hypot(...n)).toBeCloseTo(1, 6);
      // one axis only, pointing away from the centre
      expect(n.filter((x) => Math.abs(x) > 1e-6)).toHaveLength(1);
      const c = [0, 1, 2].map((k) => (stl.corners[t * 9 + k] + stl.corners[t * 9 + 3 + k] + stl.corners[t * 9 + 6 + k]) / 3);
      expect(n[0] * (c[0] - centre[0]) + n[1] * (c[1] - centre[1]) + n[2] * (c[2] - centre[2])).toBeGreaterThan(0);
    }
  });

  it('says its frame in the 80-byte header, as 3D Slicer reads it, and never starts with "solid"', () => {
    const stl = readBinaryStl(meshesToStl([tetrahedronMesh(2, 'liver', [0, 0, 0], 6)], { model: 'HoloCT 2.5D U-Net (bones, vessels, organs)' }));
    expect(stl.header).toMatch(/^HoloCT /);
    expect(stl.header).toContain('SPACE=LPS');
    expect(stl.header).toContain('UNITS=mm');
    expect(stl.header.length).toBeLessThanOrEqual(80);
    expect(stl.header.startsWith('solid')).toBe(false);
    // printable ASCII only, whatever the model's name holds; long names are cut at 80 bytes
    const odd = stlHeader({ model: `Ünïcode ${'x'.repeat(100)}\n` });
    expect(odd).toMatch(/^[\x20-\x7e]{80}$/);
    expect(odd).toContain('SPACE=LPS');
  });

  it('a set of structures is one solid with every triangle; empty meshes add nothing', () => {
    const empty = { ...boxMesh(3, 'veins', MIN, MAX), indices: new Uint32Array(0) };
    const bytes = meshesToStl([boxMesh(1, 'bone', MIN, MAX), empty, tetrahedronMesh(2, 'liver', [0, 0, 0], 6)]);
    expect(bytes.length).toBe(84 + 50 * 16);
    const stl = readBinaryStl(bytes);
    expect(stl.triangles).toBe(16);
    expect(stl.bounds).toEqual({ min: [-20, 0, 0], max: [6, 25, 130] });
    // the tetrahedron's slanted face keeps its outward normal (1,1,1)/√3
    const last = Array.from(stl.normals.subarray(15 * 3));
    for (const x of last) expect(x).toBeCloseTo(1 / Math.sqrt(3), 6);
  });

  it('an empty set is a valid STL with no triangle', () => {
    const stl = readBinaryStl(meshesToStl([]));
    expect(stl.triangles).toBe(0);
  });
});
