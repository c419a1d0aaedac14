import { beforeAll, describe, expect, it } from 'vitest';
import { boxMesh, tetrahedronMesh } from '../../tests/analytic-meshes';
import { readBinaryStl, weldedEdges } from '../../tests/mesh-readers';
import { cutMesh, MeshCutError, loadMeshCutter, type MeshCutter } from './cut';
import { extractSurface } from './extract';
import { checkTopology, signedVolume } from './meshOps';
import { meshesToStl } from './stl';
import { sphereLabelMap } from '../../tests/fixtures/synthetic-labels';
import type { SurfaceMesh } from './types';

function expectClosed(mesh: SurfaceMesh): void {
  const topo = checkTopology(mesh.indices, mesh.positions.length / 3);
  expect(topo.boundaryEdges).toBe(0);
  expect(topo.badEdges).toBe(0);
  expect(topo.closedManifold).toBe(true);
}

describe('cutMesh (manifold-3d trimByPlane): closed solids for printing', () => {
  let cutter: MeshCutter;
  beforeAll(async () => { cutter = await loadMeshCutter(); });

  const cube = boxMesh(1, 'bone', [0, 0, 0], [10, 10, 10]);

  it('an oblique cut takes the corner x + y + z > 25 off a 10 mm cube: closed, 1000 − 5³/6 mm³', () => {
    const cut = cutMesh(cube, [{ normal: [1, 1, 1], offset: 25 }], cutter);
    expectClosed(cut);
    const expected = 1000 - 125 / 6;
    expect(signedVolume(cut.positions, cut.indices)).toBeCloseTo(expected, 3);
    expect(cut.volumeMl).toBeCloseTo(expected / 1000, 6);
    expect(cut.normals.length).toBe(cut.positions.length);
    let maxSum = -Infinity;
    for (let v = 0; v < cut.positions.length; v += 3) maxSum = Math.max(maxSum, cut.positions[v] + cut.positions[v + 1] + cut.positions[v + 2]);
    expect(maxSum).toBeCloseTo(25, 4);
    // what a slicer reads back: the STL of the cut is watertight too
    expect(weldedEdges(readBinaryStl(meshesToStl([cut])).corners)).toMatchObject({ open: 0, nonManifold: 0 });
  });

  it('three planes (the hologram’s limit) keep x ≥ 2, z ≤ 4 and the corner cut: 8 × 10 × 4 mm³', () => {
    const cut = cutMesh(cube, [{ normal: [1, 1, 1], offset: 25 }, { normal: [-1, 0, 0], offset: -2 }, { normal: [0, 0, 2], offset: 8 }], cutter);
    expectClosed(cut);
    expect(signedVolume(cut.positions, cut.indices)).toBeCloseTo(320, 3);
    expect(cut.name).toBe('bone');
    expect(cut.classId).toBe(1);
  });

  it('a structure wholly outside the kept half-space comes back empty; no plane returns the mesh', () => {
    const gone = cutMesh(tetrahedronMesh(4, 'liver', [0, 0, 0], 6), [{ normal: [0, 0, 1], offset: -1 }], cutter);
    expect(gone.indices.length).toBe(0);
    expect(gone.volumeMl).toBe(0);
    expect(cutMesh(cube, [], cutter)).toBe(cube);
  });

  it('a voxelized sphere from the surface pipeline cut through its centre keeps half its volume, closed', async () => {
    const labels = sphereLabelMap([40, 40, 40], 15);
    const sphere = (await extractSurface(labels, 1))!;
    const centre = [0, 1, 2].map((k) => labels.origin[k] + ((labels.dims[k] - 1) / 2) * labels.spacing[k]);
    const half = cutMesh(sphere, [{ normal: [0, 0, 1], offset: centre[2] }], cutter);
    expectClosed(half);
    const whole = signedVolume(sphere.positions, sphere.indices);
    expect(signedVolume(half.positions, half.indices) / whole).toBeGreaterThan(0.48);
    expect(signedVolume(half.positions, half.indices) / whole).toBeLessThan(0.52);
  });

  it('refuses an open surface and a zero normal with the structure and the reason', () => {
    const open = { ...cube, indices: cube.indices.slice(3) };
    expect(() => cutMesh(open, [{ normal: [0, 0, 1], offset: 5 }], cutter)).toThrow(MeshCutError);
    expect(() => cutMesh(open, [{ normal: [0, 0, 1], offset: 5 }], cutter)).toThrow(/"bone".*not a closed 2-manifold/);
    expect(() => cutMesh(cube, [{ normal: [0, 0, 0], offset: 5 }], cutter)).toThrow(/cut plane 1: needs a non-zero finite normal/);
  });
});
