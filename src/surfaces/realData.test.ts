import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNiftiLabels } from '../volume/nifti';
import { decimateMesh } from './decimate';
import { pointsToMeshDistance, pointTriangleDistanceSq } from './distance';
import { extractSurfaces, fullResolutionSurface } from './extract';
import { classStats } from './field';
import { checkTopology } from './meshOps';

// TotalSegmentator v2 labels on the 20-slice DICOM case (512×512×20, 0.98×0.98×2 mm), read in place.
const SEG = fileURLToPath(new URL('../../../shared/data/totalseg/seg_dicom.nii.gz', import.meta.url));

const STRUCTURES = [
  { id: 1, name: 'spleen' },
  { id: 5, name: 'liver' },
  { id: 32, name: 'vertebrae_T12' },
  { id: 52, name: 'aorta' },
  { id: 98, name: 'rib_left_7' },
];

describe.skipIf(!existsSync(SEG))('real TotalSegmentator labels (seg_dicom.nii.gz)', () => {
  it('gives closed surfaces in patient mm, with volumes close to the voxel volumes, within the budget', async () => {
    const labels = readNiftiLabels(readFileSync(SEG), SEG);
    expect(labels.dims).toEqual([512, 512, 20]);
    const stats = classStats(labels);
    const meshes = await extractSurfaces(labels, STRUCTURES, { stats, maxTriangles: 60_000 });
    expect(meshes.map((m) => m.name)).toEqual(STRUCTURES.map((s) => s.name));
    const total = meshes.reduce((s, m) => s + m.indices.length / 3, 0);
    expect(total).toBeLessThanOrEqual(60_000);

    // LPS bounds of the grid, one voxel of slack for the caps beyond the scanned field.
    const corners: number[][] = [];
    for (const i of [-1, labels.dims[0]]) for (const j of [-1, labels.dims[1]]) for (const k of [-1, labels.dims[2]]) {
      const d = labels.direction, s = labels.spacing;
      corners.push([0, 1, 2].map((r) => labels.origin[r] + d[r] * s[0] * i + d[3 + r] * s[1] * j + d[6 + r] * s[2] * k));
    }
    const lo = [0, 1, 2].map((r) => Math.min(...corners.map((c) => c[r])));
    const hi = [0, 1, 2].map((r) => Math.max(...corners.map((c) => c[r])));

    const voxelMl = (labels.spacing[0] * labels.spacing[1] * labels.spacing[2]) / 1000;
    for (const mesh of meshes) {
      const topo = checkTopology(mesh.indices, mesh.positions.length / 3);
      expect(topo.closedManifold, mesh.name).toBe(true);
      const reference = stats.voxels[mesh.classId] * voxelMl;
      // Thin structures (a rib is 2–3 voxels across) lose more to smoothing than large organs.
      const tolerance = reference > 10 ? 0.06 : 0.2;
      expect(Math.abs(mesh.volumeMl - reference) / reference, mesh.name).toBeLessThan(tolerance);
      expect(mesh.decimationErrorMm, mesh.name).toBeGreaterThan(0);
      expect(mesh.decimationErrorMm, mesh.name).toBeLessThan(5);
      for (let v = 0; v < mesh.positions.length; v += 3) {
        for (let r = 0; r < 3; r++) {
          if (mesh.positions[v + r] < lo[r] || mesh.positions[v + r] > hi[r]) throw new Error(`${mesh.name} vertex outside the grid`);
        }
      }
    }
  });

  it('measures the decimation error exactly: the grid search equals brute force on a real organ', async () => {
    const labels = readNiftiLabels(readFileSync(SEG), SEG);
    const spleen = 1;
    const full = fullResolutionSurface(labels, spleen);
    const decimated = decimateMesh(full, { maxTriangles: 3000, maxErrorMm: 0.3, measureError: false, inputClosedManifold: true });
    const stride = 10;
    const fast = pointsToMeshDistance(full.positions, decimated.positions, decimated.indices, { stride });
    const p = full.positions, q = decimated.positions, t = decimated.indices;
    let max = 0, sum = 0, count = 0;
    for (let v = 0; v < p.length / 3; v += stride) {
      let best = Infinity;
      for (let k = 0; k < t.length; k += 3) {
        const a = t[k] * 3, b = t[k + 1] * 3, c = t[k + 2] * 3;
        best = Math.min(best, pointTriangleDistanceSq(p[v * 3], p[v * 3 + 1], p[v * 3 + 2], q[a], q[a + 1], q[a + 2], q[b], q[b + 1], q[b + 2], q[c], q[c + 1], q[c + 2]));
      }
      max = Math.max(max, Math.sqrt(best));
      sum += Math.sqrt(best);
      count++;
    }
    expect(fast.count).toBe(count);
    expect(fast.max).toBe(max);
    expect(fast.mean).toBeCloseTo(sum / count, 12);
    expect(max).toBeGreaterThan(0);
  });
});
