import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gridFromRasAffine, indexToPatient, orientationCode, patientToIndex, rasAffine, sameGeometry } from './geometry';
import { readNifti, readNiftiLabels, readNiftiVolume, writeNifti } from './nifti';
import { canonicalGrid, resampleNearestLabels, resampleTrilinear } from './resample';
import type { Grid, LabelMap, Volume } from './types';

const DATA = new URL('../../../shared/data/totalseg/', import.meta.url);

/** An oblique grid: rotated 30° about S, k axis flipped (inferior), anisotropic. */
function obliqueGrid(dims: Grid['dims']): Grid {
  const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
  return { dims, spacing: [0.8, 1.1, 2.5], origin: [-40, 12, 300], direction: [c, s, 0, -s, c, 0, 0, 0, -1] };
}

describe('geometry', () => {
  it('maps index → patient → index exactly', () => {
    const g = obliqueGrid([10, 11, 12]);
    const p = indexToPatient(g, [3, 4, 5]);
    // by hand: origin + 3*0.8*i + 4*1.1*j + 5*2.5*k
    const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
    expect(p[0]).toBeCloseTo(-40 + 3 * 0.8 * c - 4 * 1.1 * s, 9);
    expect(p[1]).toBeCloseTo(12 + 3 * 0.8 * s + 4 * 1.1 * c, 9);
    expect(p[2]).toBeCloseTo(300 - 5 * 2.5, 9);
    const back = patientToIndex(g, p);
    back.forEach((v, a) => expect(v).toBeCloseTo([3, 4, 5][a], 9));
  });

  it('converts LPS grids to RAS affines and back', () => {
    const g = obliqueGrid([10, 11, 12]);
    const ras = rasAffine(g);
    // RAS x = -LPS x
    expect(ras[3]).toBeCloseTo(40, 9);
    expect(ras[7]).toBeCloseTo(-12, 9);
    const back = gridFromRasAffine(ras, g.dims);
    expect(sameGeometry(g, back, 1e-9)).toBe(true);
    expect(orientationCode(g.direction)).toBe('LPI');
  });
});

describe('NIfTI', () => {
  it('reads the real 3 mm CT with its RAS affine', () => {
    const ct = readNiftiVolume(readFileSync(new URL('ct_3mm.nii.gz', DATA)), 'ct_3mm.nii.gz');
    expect(ct.dims).toEqual([122, 101, 112]);
    expect(ct.spacing).toEqual([3, 3, 3]);
    // nibabel: affine diag(3,3,3), translation (-177.956, 11.319, 94.302) in RAS → LPS origin (177.956, -11.319, 94.302)
    expect(ct.origin[0]).toBeCloseTo(177.956, 2);
    expect(ct.origin[1]).toBeCloseTo(-11.319, 2);
    expect(ct.origin[2]).toBeCloseTo(94.302, 2);
    expect(orientationCode(ct.direction)).toBe('RAS');
    expect(ct.data).toBeInstanceOf(Int16Array);
    let min = Infinity, max = -Infinity;
    for (const v of ct.data) { min = Math.min(min, v); max = Math.max(max, v); }
    expect([min, max]).toEqual([-1207, 3382]);
  });

  it('reads the real DICOM-grid labels (flipped x) and keeps its geometry', () => {
    const seg = readNiftiLabels(readFileSync(new URL('seg_dicom.nii.gz', DATA)), 'seg_dicom.nii.gz');
    expect(seg.dims).toEqual([512, 512, 20]);
    expect(seg.spacing[0]).toBeCloseTo(0.9765625, 6);
    expect(seg.spacing[2]).toBeCloseTo(2, 6);
    expect(orientationCode(seg.direction)).toBe('LAS');
    expect(seg.origin[0]).toBeCloseTo(-249.512, 2);
    expect(seg.origin[1]).toBeCloseTo(61.512, 2);
    expect(seg.origin[2]).toBeCloseTo(-804.5, 2);
    expect(seg.data.reduce((a, b) => Math.max(a, b), 0)).toBe(117);
  });

  it('round-trips uint8, int16 and float32 with an oblique affine', () => {
    const g = obliqueGrid([7, 5, 3]);
    const labels = Uint8Array.from({ length: 105 }, (_, n) => n % 11);
    const hu = Int16Array.from({ length: 105 }, (_, n) => n * 37 - 1000);
    const f = Float32Array.from({ length: 105 }, (_, n) => n / 7);
    for (const data of [labels, hu, f]) {
      const image = readNifti(writeNifti(g, data));
      expect(sameGeometry(image.grid, g, 1e-3)).toBe(true);
      expect(Array.from(image.values)).toEqual(Array.from(data));
    }
  });

  it('names the file and the reason on bad input', () => {
    expect(() => readNifti(new Uint8Array(10), 'x.nii')).toThrow(/x\.nii: too short/);
    expect(() => readNifti(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), 'y.nii.gz')).toThrow(/y\.nii\.gz: the gzip stream/);
    const ok = writeNifti(obliqueGrid([4, 4, 4]), new Uint8Array(64), { gzip: false });
    expect(() => readNifti(ok.slice(0, 380), 'z.nii')).toThrow(/z\.nii: truncated/);
  });
});

describe('resampling', () => {
  it('reproduces a linear HU ramp exactly (trilinear is exact on linear functions)', () => {
    const g = obliqueGrid([30, 28, 20]);
    const data = new Float32Array(30 * 28 * 20);
    const f = (p: number[]) => 2 * p[0] - 3 * p[1] + 0.5 * p[2];
    for (let k = 0; k < 20; k++) for (let j = 0; j < 28; j++) for (let i = 0; i < 30; i++) {
      data[i + 30 * j + 30 * 28 * k] = f(indexToPatient(g, [i, j, k]));
    }
    const volume: Volume = { ...g, data };
    const target = canonicalGrid(g, [1.5, 1.5, 1.5]);
    const out = resampleTrilinear(volume, target, { padValue: -5000 });
    let inside = 0;
    for (let k = 0; k < target.dims[2]; k++) for (let j = 0; j < target.dims[1]; j++) for (let i = 0; i < target.dims[0]; i++) {
      const v = out[i + target.dims[0] * (j + target.dims[1] * k)];
      if (v === -5000) continue;
      inside++;
      expect(v).toBeCloseTo(f(indexToPatient(target, [i, j, k])), 2);
    }
    // the rotated box fills a good part of its bounding box, and padding exists outside it
    expect(inside).toBeGreaterThan(0.3 * out.length);
    expect(inside).toBeLessThan(out.length);
  });

  it('canonical grid of an axis-aligned RAS volume covers it exactly and labels go back voxel for voxel', () => {
    const g: Grid = { dims: [9, 8, 7], spacing: [2, 2, 3], origin: [50, -20, 10], direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1] };
    const canonical = canonicalGrid(g, [2, 2, 3]);
    expect(canonical.dims).toEqual([9, 8, 7]);
    expect(canonical.origin).toEqual([34, -34, 10]);
    const labels: LabelMap = { ...g, data: Uint8Array.from({ length: 9 * 8 * 7 }, (_, n) => (n * 7) % 13) };
    const onCanonical = resampleNearestLabels(labels, canonical);
    // voxel (0,0,0) of the RAS grid is the most right/anterior = canonical (8,7,0)
    expect(onCanonical.data[8 + 9 * 7]).toBe(labels.data[0]);
    const back = resampleNearestLabels(onCanonical, g);
    expect(Array.from(back.data)).toEqual(Array.from(labels.data));
  });

  it('upsamples labels onto a finer axis-aligned grid (the CT grid) as each fine voxel centre says', () => {
    // 2 mm canonical labels back onto a 0.75 × 0.75 × 1.5 mm CT grid whose j axis runs the other way
    const coarse: LabelMap = { dims: [6, 5, 4], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: Uint8Array.from({ length: 120 }, (_, n) => 1 + (n % 251)) };
    const fine: Grid = { dims: [17, 15, 7], spacing: [0.75, 0.75, 1.5], origin: [-1, 9.5, -0.5], direction: [1, 0, 0, 0, -1, 0, 0, 0, 1] };
    const out = resampleNearestLabels(coarse, fine);
    let inside = 0;
    for (let k = 0; k < 7; k++) for (let j = 0; j < 15; j++) for (let i = 0; i < 17; i++) {
      const p = indexToPatient(fine, [i, j, k]);
      const c = p.map((v) => Math.floor(v / 2 + 0.5 + 1e-6));
      const expected = c.every((v, a) => v >= 0 && v < coarse.dims[a]) ? coarse.data[c[0] + 6 * (c[1] + 5 * c[2])] : 0;
      if (expected) inside++;
      expect(out.data[i + 17 * (j + 15 * k)]).toBe(expected);
    }
    expect(inside).toBeGreaterThan(0.5 * out.data.length);
  });

  it('gives CT slices beyond the canonical grid, up to one model voxel, the edge voxel label when asked', () => {
    // a 3 mm CT of 4 slices (0…9 mm) and its 2 mm canonical grid (0…8 mm: 5 voxels): the CT's last slice
    // (9 mm) lies half a model voxel beyond the grid; a slice 1.5 voxels beyond stays unlabelled
    const ct: Grid = { dims: [1, 1, 4], spacing: [1, 1, 3], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const canonical = canonicalGrid(ct, [1, 1, 2]);
    expect(canonical.dims).toEqual([1, 1, 5]);
    const labels: LabelMap = { ...canonical, data: Uint8Array.from([1, 2, 3, 4, 5]) };
    expect(Array.from(resampleNearestLabels(labels, ct).data)).toEqual([1, 3, 4, 0]); // 9 mm → index 4.5 → 5: beyond
    expect(Array.from(resampleNearestLabels(labels, ct, { extendEdges: true }).data)).toEqual([1, 3, 4, 5]);
    // −6 mm (index −3) stays unlabelled, −3 mm (index −1.5, nearest −1) takes the first voxel's label
    const longer: Grid = { ...ct, dims: [1, 1, 5], origin: [0, 0, -6] };
    expect(Array.from(resampleNearestLabels(labels, longer, { extendEdges: true }).data)).toEqual([0, 1, 1, 3, 4]);
  });

  it('upsamples labels by nearest neighbour onto a finer oblique grid consistently with geometry', () => {
    const coarse: LabelMap = { dims: [10, 10, 10], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: new Uint8Array(1000) };
    // label 5 where patient x ≥ 9 mm (voxels i ≥ 5 have centres x ≥ 10 mm)
    for (let n = 0; n < 1000; n++) if (n % 10 >= 5) coarse.data[n] = 5;
    const fine = obliqueGrid([20, 20, 6]);
    fine.origin = [2, 2, 14];
    const out = resampleNearestLabels(coarse, fine);
    let checked = 0;
    for (let k = 0; k < 6; k++) for (let j = 0; j < 20; j++) for (let i = 0; i < 20; i++) {
      const p = indexToPatient(fine, [i, j, k]);
      const inside = p.every((v) => v >= -1 && v < 19);
      if (!inside || Math.abs(p[0] - 9) < 0.01) continue;
      checked++;
      expect(out.data[i + 20 * (j + 20 * k)]).toBe(p[0] > 9 ? 5 : 0);
    }
    expect(checked).toBeGreaterThan(300);
  });
});
