/**
 * The 20-slice JPEG 2000 lossless series of ../shared/data/totalseg/dicom, checked against the
 * affine of its reference labels seg_dicom.nii.gz (NIfTI, RAS) and against the labels themselves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadSeriesVolume, pickBestSeries, scanDicomFiles, voxelSha256, type LoadedSeries } from '../../src/dicom/index';
import { DATA, readTree } from './dicom-helpers';

const DIR = join(DATA, 'totalseg/dicom');

/** The few NIfTI-1 header fields this test needs (little-endian, sform). */
function readNifti(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(view.getInt32(0, true)).toBe(348);
  const dim = [1, 2, 3].map((d) => view.getInt16(40 + 2 * d, true));
  const srow = [280, 296, 312].map((o) => [0, 1, 2, 3].map((c) => view.getFloat32(o + 4 * c, true)));
  expect(view.getInt16(254, true)).toBeGreaterThan(0); // sform_code
  expect(view.getInt16(70, true)).toBe(2); // uint8
  const offset = view.getFloat32(108, true);
  return { dim, srow, data: bytes.subarray(offset, offset + dim[0] * dim[1] * dim[2]) };
}

describe('totalseg/dicom: 20 slices of JPEG 2000 lossless', async () => {
  const files = readTree(DIR);
  const scan = scanDicomFiles(files);
  const best = pickBestSeries(scan.series);
  const loaded: LoadedSeries = await loadSeriesVolume(files, best!.id);
  const v = loaded.volume;
  const nifti = readNifti(gunzipSync(readFileSync(join(DATA, 'totalseg/seg_dicom.nii.gz'))));

  it('is found, picked and described', () => {
    expect(scan.series).toHaveLength(1);
    expect(scan.skipped).toEqual([]);
    expect(best).toMatchObject({ modality: 'CT', description: 'CT Body 3.0', segmentable: true, orientation: 'axial', sliceCount: 20 });
    expect(best?.transferSyntaxes).toEqual(['1.2.840.10008.1.2.4.90']);
    expect(best?.convolutionKernel).toBe('Br38f\\3');
    expect(best?.sliceThickness).toBe(3);
  });

  it('has the expected grid: 512×512×20, 0.977×0.977×2 mm, LPS identity direction', () => {
    expect(v.dims).toEqual([512, 512, 20]);
    expect(v.spacing).toEqual([0.9765625, 0.9765625, 2]);
    expect(v.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(v.origin).toEqual([-249.51171875, -437.51171875, -804.5]);
    expect(voxelSha256(v)).toBe('0d9f62d8433a424e582d5a4478ba5af0eff3f5c3589fc90af21b0c448fd0ff5e');
  });

  it('orders slices by ImagePositionPatient, not by file name or instance number', async () => {
    // File names (and instance numbers) run head to feet; the volume runs feet to head (+z).
    const last = files[files.length - 1];
    const single = await loadSeriesVolume([last], scanDicomFiles([last]).series[0].id);
    expect(single.volume.origin[2]).toBe(-804.5);
    const plane = 512 * 512;
    expect(voxelSha256({ data: v.data.subarray(0, plane) })).toBe(voxelSha256(single.volume));
  });

  it('matches the NIfTI affine of the reference labels (RAS → LPS, rows stored flipped there)', () => {
    expect(nifti.dim).toEqual([512, 512, 20]);
    const lpsFromNifti = (i: number, j: number, k: number) => {
      const ras = nifti.srow.map((r) => r[0] * i + r[1] * j + r[2] * k + r[3]);
      return [-ras[0], -ras[1], ras[2]];
    };
    const lpsFromVolume = (i: number, j: number, k: number) =>
      [0, 1, 2].map((a) => v.origin[a] + i * v.spacing[0] * v.direction[a] + j * v.spacing[1] * v.direction[3 + a] + k * v.spacing[2] * v.direction[6 + a]);
    for (const i of [0, 511]) for (const j of [0, 511]) for (const k of [0, 19]) {
      const a = lpsFromVolume(i, j, k);
      const b = lpsFromNifti(i, 511 - j, k);
      for (let c = 0; c < 3; c++) expect(Math.abs(a[c] - b[c])).toBeLessThan(1e-3);
    }
  });

  it('puts the reference labels on tissue: labelled voxels are not air', () => {
    let labelled = 0;
    let tissue = 0;
    let tissueUnflipped = 0;
    for (let k = 0; k < 20; k++)
      for (let j = 0; j < 512; j++)
        for (let i = 0; i < 512; i++) {
          if (!nifti.data[i + 512 * ((511 - j) + 512 * k)]) continue;
          labelled++;
          if (v.data[i + 512 * (j + 512 * k)] > -300) tissue++;
          if (v.data[i + 512 * ((511 - j) + 512 * k)] > -300) tissueUnflipped++;
        }
    expect(labelled).toBeGreaterThan(100_000);
    expect(tissue / labelled).toBeGreaterThan(0.97);
    // A wrong row order would put many labels in air (a check that this test can fail).
    expect(tissueUnflipped / labelled).toBeLessThan(0.9);
  });

  it('returns no patient identity here (the files are anonymized) and none in exports', () => {
    expect(loaded.patient).toEqual({ name: undefined, id: undefined });
    expect(loaded.notes).toEqual(['no SeriesInstanceUID in the files: grouped by frame of reference and series description']);
  });
});
