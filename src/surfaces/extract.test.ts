import { describe, expect, it } from 'vitest';
import type { LabelMap } from '../volume/types';
import { extractSurface, extractSurfaces, fullResolutionSurface } from './extract';
import { checkTopology, signedVolume, type IndexedMesh } from './meshOps';
import { phantomLabelMap, sphereLabelMap, torusLabelMap } from '../../tests/fixtures/synthetic-labels';

function voxelVolumeMm3(labels: LabelMap, id = 1): number {
  let n = 0;
  for (let i = 0; i < labels.data.length; i++) if (labels.data[i] === id) n++;
  return n * labels.spacing[0] * labels.spacing[1] * labels.spacing[2];
}

function expectClosed(mesh: IndexedMesh, euler?: number) {
  const topo = checkTopology(mesh.indices, mesh.positions.length / 3);
  expect(topo.boundaryEdges).toBe(0);
  expect(topo.badEdges).toBe(0);
  expect(topo.degenerateTriangles).toBe(0);
  expect(topo.nonManifoldVertices).toBe(0);
  expect(topo.closedManifold).toBe(true);
  if (euler !== undefined) expect(topo.eulerCharacteristic).toBe(euler);
  return topo;
}

/** Worst and mean of dot(normal, position − centre) / |position − centre| over vertices. */
function radialAgreement(positions: Float32Array, normals: Float32Array, centre: number[]): { worst: number; mean: number } {
  let sum = 0;
  let worst = 1;
  for (let v = 0; v < positions.length; v += 3) {
    const dx = positions[v] - centre[0], dy = positions[v + 1] - centre[1], dz = positions[v + 2] - centre[2];
    const len = Math.hypot(dx, dy, dz);
    const dot = (dx * normals[v] + dy * normals[v + 1] + dz * normals[v + 2]) / len;
    sum += dot;
    worst = Math.min(worst, dot);
  }
  return { worst, mean: sum / (positions.length / 3) };
}

describe('extractSurface on analytic shapes', () => {
  it('a voxelized sphere (r = 20 voxels) is a closed sphere (χ = 2) with the voxel volume', async () => {
    const labels = sphereLabelMap([48, 48, 48], 20);
    const mesh = (await extractSurface(labels, 1))!;
    expect(mesh).not.toBeNull();
    expectClosed(mesh, 2);
    const voxels = voxelVolumeMm3(labels);
    expect(Math.abs(mesh.volumeMl * 1000 - voxels) / voxels).toBeLessThan(0.03);
    // Outward normals, all of them (a sphere's normal is radial; the voxel staircase tilts some).
    const centre = [23.5, 23.5, 23.5];
    const radial = radialAgreement(mesh.positions, mesh.normals, centre);
    expect(radial.worst).toBeGreaterThan(0.7);
    expect(radial.mean).toBeGreaterThan(0.98);
    // Vertices sit near radius 20 (the voxel boundary is within half a voxel of it).
    let worst = 0;
    for (let v = 0; v < mesh.positions.length; v += 3) {
      const r = Math.hypot(mesh.positions[v] - centre[0], mesh.positions[v + 1] - centre[1], mesh.positions[v + 2] - centre[2]);
      worst = Math.max(worst, Math.abs(r - 20));
    }
    expect(worst).toBeLessThan(1);
    expect(mesh.decimationErrorMm).toBe(0);
  });

  it('a sphere on an anisotropic grid with a rotated, k-flipped direction lands in LPS mm, outward', async () => {
    // Columns: i → +P, j → +L, k → −S: det = −1 (a mirrored grid, as with k flipped).
    const direction: LabelMap['direction'] = [0, 1, 0, 1, 0, 0, 0, 0, -1];
    const spacing: [number, number, number] = [0.8, 0.8, 2.5];
    const origin: [number, number, number] = [-100, 50, 200];
    const dims: [number, number, number] = [60, 60, 24];
    const labels = sphereLabelMap(dims, 20, { spacing, origin, direction });
    const mesh = (await extractSurface(labels, 1))!;
    expectClosed(mesh, 2);
    expect(mesh.volumeMl).toBeGreaterThan(0);
    const voxels = voxelVolumeMm3(labels);
    expect(Math.abs(mesh.volumeMl * 1000 - voxels) / voxels).toBeLessThan(0.03);
    // The sphere centre, index (29.5, 29.5, 11.5), in LPS: origin + Σ index·spacing·column.
    const centre = [origin[0] + 29.5 * 0.8, origin[1] + 29.5 * 0.8, origin[2] - 11.5 * 2.5];
    let cx = 0, cy = 0, cz = 0;
    const n = mesh.positions.length / 3;
    for (let v = 0; v < mesh.positions.length; v += 3) {
      cx += mesh.positions[v] / n; cy += mesh.positions[v + 1] / n; cz += mesh.positions[v + 2] / n;
    }
    expect(cx).toBeCloseTo(centre[0], 0);
    expect(cy).toBeCloseTo(centre[1], 0);
    expect(cz).toBeCloseTo(centre[2], 0);
    const radial = radialAgreement(mesh.positions, mesh.normals, centre);
    expect(radial.worst).toBeGreaterThan(0.5);
    expect(radial.mean).toBeGreaterThan(0.95);
  });

  it('a torus is closed with χ = 0 and the voxel volume', async () => {
    const labels = torusLabelMap([64, 64, 24], 20, 7, { spacing: [1, 1, 1] });
    const mesh = (await extractSurface(labels, 1))!;
    const topo = expectClosed(mesh, 0);
    expect(topo.components).toBe(1);
    const voxels = voxelVolumeMm3(labels);
    expect(Math.abs(mesh.volumeMl * 1000 - voxels) / voxels).toBeLessThan(0.03);
  });

  it('a torus on an anisotropic grid keeps χ = 0 and its volume', async () => {
    const labels = torusLabelMap([90, 90, 30], 30, 10, { spacing: [0.7, 0.7, 1.5] });
    const mesh = (await extractSurface(labels, 1))!;
    expectClosed(mesh, 0);
    const voxels = voxelVolumeMm3(labels);
    expect(Math.abs(mesh.volumeMl * 1000 - voxels) / voxels).toBeLessThan(0.03);
  });

  it('without smoothing the binary mask still gives a closed surface with the voxel volume', () => {
    const labels = sphereLabelMap([48, 48, 48], 20);
    const mesh = fullResolutionSurface(labels, 1, { smoothingSigmaVoxels: 0 });
    expectClosed(mesh, 2);
    const voxels = voxelVolumeMm3(labels);
    expect(Math.abs(signedVolume(mesh.positions, mesh.indices) - voxels) / voxels).toBeLessThan(0.03);
  });

  it('a structure touching the grid border is capped (closed)', () => {
    const labels = sphereLabelMap([30, 30, 30], 20);
    expectClosed(fullResolutionSurface(labels, 1));
  });

  it('removes specks below the minimum volume and keeps the rest', () => {
    const labels = sphereLabelMap([40, 40, 40], 10);
    // A 3×3×3 speck (27 mm³) far from the sphere.
    for (let k = 2; k < 5; k++) for (let j = 2; j < 5; j++) for (let i = 2; i < 5; i++) labels.data[i + 40 * (j + 40 * k)] = 1;
    const kept = fullResolutionSurface(labels, 1, { minComponentMm3: 1 });
    expect(checkTopology(kept.indices, kept.positions.length / 3).components).toBe(2);
    const filtered = fullResolutionSurface(labels, 1, { minComponentMm3: 100 });
    expect(filtered.removedComponents).toBe(1);
    expectClosed(filtered, 2);
  });

  it('keeps a one-voxel-thick vessel that smoothing would erase (label-constrained fallback)', () => {
    const labels = sphereLabelMap([40, 20, 20], 0);
    for (let i = 5; i < 35; i++) labels.data[i + 40 * (10 + 20 * 10)] = 1;
    // Unconstrained smoothing erases it.
    expect(fullResolutionSurface(labels, 1, { constraintMargin: false, minComponentMm3: 0 }).indices.length).toBe(0);
    const mesh = fullResolutionSurface(labels, 1, { minComponentMm3: 0 });
    expect(mesh.constrained).toBe(true);
    expectClosed(mesh, 2);
    const volume = signedVolume(mesh.positions, mesh.indices);
    // A one-voxel line contours to a diamond-section tube: about half the voxel volume at best.
    expect(volume).toBeGreaterThan(0.35 * 30);
    expect(volume).toBeLessThan(1.5 * 30);
  });

  it('a bulky structure stays unconstrained (smooth)', () => {
    expect(fullResolutionSurface(sphereLabelMap([48, 48, 48], 20), 1).constrained).toBe(false);
  });

  it('Taubin smoothing keeps the surface closed and its volume', () => {
    const labels = sphereLabelMap([48, 48, 48], 20);
    const mesh = fullResolutionSurface(labels, 1, { meshSmoothingIterations: 10 });
    expectClosed(mesh, 2);
    const voxels = voxelVolumeMm3(labels);
    expect(Math.abs(signedVolume(mesh.positions, mesh.indices) - voxels) / voxels).toBeLessThan(0.03);
  });

  it('returns null for an absent class', async () => {
    expect(await extractSurface(sphereLabelMap([20, 20, 20], 5), 7)).toBeNull();
  });
});

describe('decimation', () => {
  it('keeps a sphere closed, meets the budget, and reports a measured error', async () => {
    const labels = sphereLabelMap([48, 48, 48], 20);
    const full = fullResolutionSurface(labels, 1);
    const mesh = (await extractSurface(labels, 1, { decimate: { maxTriangles: 2000, maxErrorMm: 0.5 } }))!;
    expect(mesh.indices.length / 3).toBeLessThanOrEqual(2000);
    expect(mesh.fullResolutionTriangles).toBe(full.indices.length / 3);
    expectClosed(mesh, 2);
    expect(mesh.decimationErrorMm).toBeGreaterThan(0);
    expect(mesh.decimationErrorMm).toBeLessThan(1.5);
    expect(mesh.decimationMeanErrorMm!).toBeLessThan(mesh.decimationErrorMm);
    const voxels = voxelVolumeMm3(labels);
    expect(Math.abs(mesh.volumeMl * 1000 - voxels) / voxels).toBeLessThan(0.03);
  });

  it('keeps a torus closed with χ = 0 under a tight budget', async () => {
    const labels = torusLabelMap([64, 64, 24], 20, 7);
    const mesh = (await extractSurface(labels, 1, { decimate: { maxTriangles: 800, maxErrorMm: 0.3 } }))!;
    expect(mesh.indices.length / 3).toBeLessThanOrEqual(800);
    expectClosed(mesh, 0);
  });

  it('with a loose budget, removes only what the error bound allows', async () => {
    const labels = sphereLabelMap([48, 48, 48], 20);
    const mesh = (await extractSurface(labels, 1, { decimate: { maxTriangles: 1e6, maxErrorMm: 0.1 } }))!;
    expectClosed(mesh, 2);
    expect(mesh.indices.length / 3).toBeLessThan(mesh.fullResolutionTriangles!);
    expect(mesh.decimationErrorMm).toBeLessThan(0.25);
  });
});

describe('extractSurfaces', () => {
  it('meshes every class of a phantom within the whole-hologram budget, each closed, streaming each mesh', async () => {
    const labels = phantomLabelMap([80, 80, 100], 11, { spacing: [1.5, 1.5, 1.5] });
    const seen: number[] = [];
    const meshes = await extractSurfaces(
      labels,
      Array.from({ length: 11 }, (_, i) => ({ id: i + 1, name: `s${i + 1}` })),
      { maxTriangles: 20_000, minTrianglesPerMesh: 300 },
      (m) => seen.push(m.classId),
    );
    expect(meshes.length).toBe(11);
    expect(seen).toEqual(meshes.map((m) => m.classId));
    const total = meshes.reduce((s, m) => s + m.indices.length / 3, 0);
    expect(total).toBeLessThanOrEqual(20_000);
    for (const m of meshes) {
      expect(m.name).toBe(`s${m.classId}`);
      expectClosed(m);
      expect(m.volumeMl).toBeGreaterThan(0);
      expect(Number.isFinite(m.decimationErrorMm)).toBe(true);
    }
  });
});

describe('the triangle budget is a hard limit', () => {
  it('holds for a noisy, fragmented label field whose decimation cannot stay closed', async () => {
    // A speckled slab: the kind of surface a confused segmentation gives. Seeded LCG for reproducibility.
    const dims: [number, number, number] = [60, 60, 40];
    const data = new Uint8Array(dims[0] * dims[1] * dims[2]);
    let seed = 12345;
    const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    for (let n = 0; n < data.length; n++) if (rand() < 0.45) data[n] = 1;
    const labels: LabelMap = { dims, spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data };
    const budget = 20_000;
    const meshes = await extractSurfaces(labels, [{ id: 1, name: 'noise' }], {
      maxTriangles: budget, minComponentMm3: 0, measureError: false,
    });
    const total = meshes.reduce((n, m) => n + m.indices.length / 3, 0);
    expect(meshes.length).toBe(1);
    expect(meshes[0].fullResolutionTriangles).toBeGreaterThan(budget);
    expect(total).toBeLessThanOrEqual(budget);
  });
});
