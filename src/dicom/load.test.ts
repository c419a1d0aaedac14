import { describe, expect, it } from 'vitest';
import type { Volume } from '../volume/types';
import { DicomImportError, loadSeriesVolume, pickBestSeries, scanDicomFiles, voxelSha256 } from './index';
import { makeSyntheticCtSeries, phantomHu, type SyntheticSeriesOptions } from '../../tests/fixtures/synthetic-dicom';

/** LPS position of voxel (i, j, k). */
function world(v: Volume, i: number, j: number, k: number): [number, number, number] {
  const d = v.direction;
  const [sx, sy, sz] = v.spacing;
  return [0, 1, 2].map((a) => v.origin[a] + i * sx * d[a] + j * sy * d[3 + a] + k * sz * d[6 + a]) as [number, number, number];
}

/** Fraction of voxels whose value equals the analytic phantom at the voxel's LPS position (±1 HU). */
function agreement(v: Volume, skip: (x: number) => boolean = () => false): number {
  let ok = 0;
  let n = 0;
  const [X, Y, Z] = v.dims;
  for (let k = 0; k < Z; k++)
    for (let j = 0; j < Y; j++)
      for (let i = 0; i < X; i++) {
        const value = v.data[i + X * (j + Y * k)];
        if (skip(value)) continue;
        n++;
        if (Math.abs(value - phantomHu(...world(v, i, j, k))) <= 1) ok++;
      }
  return ok / n;
}

/**
 * Like `agreement`, for resampled volumes: a voxel interpolated between two source pixels along the
 * column direction j must lie between the phantom values one voxel either side of it.
 */
function bracketedAgreement(v: Volume, skip: (x: number) => boolean): number {
  let ok = 0;
  let n = 0;
  const [X, Y, Z] = v.dims;
  for (let k = 0; k < Z; k++)
    for (let j = 0; j < Y; j++)
      for (let i = 0; i < X; i++) {
        const value = v.data[i + X * (j + Y * k)];
        if (skip(value)) continue;
        n++;
        const around = [-1, -0.5, 0, 0.5, 1].map((t) => phantomHu(...world(v, i, j + t, k)));
        if (value >= Math.min(...around) - 1 && value <= Math.max(...around) + 1) ok++;
      }
  return ok / n;
}

async function load(opts: SyntheticSeriesOptions, dims: [number, number, number] = [64, 48, 10], spacing: [number, number, number] = [6, 6, 4]) {
  const files = makeSyntheticCtSeries(dims, spacing, opts);
  const scan = scanDicomFiles(files);
  expect(scan.series).toHaveLength(1);
  return { files, scan, loaded: await loadSeriesVolume(files, scan.series[0].id) };
}

describe('loadSeriesVolume on synthetic series', () => {
  it('places every voxel where the phantom says (straight axial stack), in any file order', async () => {
    const { files, loaded } = await load({});
    const v = loaded.volume;
    expect(v.dims).toEqual([64, 48, 10]);
    expect(v.spacing).toEqual([6, 6, 4]);
    expect(v.origin).toEqual([-189, -141, 0]);
    expect(v.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(v.data).toBeInstanceOf(Int16Array);
    expect(agreement(v)).toBe(1);
    const shuffled = [...files].reverse();
    const again = await loadSeriesVolume(shuffled, scanDicomFiles(shuffled).series[0].id);
    expect(voxelSha256(again.volume)).toBe(voxelSha256(v));
    expect(loaded.notes).toEqual([]);
  });

  it('decodes RLE Lossless to the same voxels as Explicit VR Little Endian', async () => {
    const plain = await load({});
    const rle = await load({ transferSyntax: 'rle' });
    expect(rle.scan.series[0].transferSyntaxes).toEqual(['1.2.840.10008.1.2.5']);
    expect(voxelSha256(rle.loaded.volume)).toBe(voxelSha256(plain.loaded.volume));
  });

  it('applies a non-unit rescale slope per slice', async () => {
    const { loaded } = await load({ rescaleSlope: 0.5, rescaleIntercept: -2048 });
    expect(agreement(loaded.volume)).toBe(1);
  });

  it('places an oblique stack by its direction cosines', async () => {
    const a = (40 * Math.PI) / 180;
    const { scan, loaded } = await load({ orientation: [1, 0, 0, 0, Math.cos(a), Math.sin(a)] });
    expect(scan.series[0].orientation).toBe('oblique');
    const d = loaded.volume.direction;
    expect(d[7]).toBeCloseTo(-Math.sin(a), 5);
    expect(d[8]).toBeCloseTo(Math.cos(a), 5);
    expect(agreement(loaded.volume)).toBe(1);
  });

  it('corrects gantry tilt by resampling onto an orthogonal grid (visible note)', async () => {
    const { scan, loaded } = await load({ tiltDegrees: 20 }, [64, 64, 12], [5, 5, 6]);
    const s = scan.series[0];
    expect(s.tiltDegrees).toBeCloseTo(20, 3);
    expect(loaded.notes.join('\n')).toMatch(/gantry tilt 20° .*corrected/);
    const v = loaded.volume;
    // Orthonormal, slice normal 20° from S; spacing along the normal = 6·cos 20°.
    expect(v.spacing[2]).toBeCloseTo(6 * Math.cos((20 * Math.PI) / 180), 5);
    expect(v.dims[1]).toBeGreaterThan(64);
    // Voxels away from the phantom's edges match it exactly; at the edges they lie between the
    // values one row either side (linear interpolation). The fill outside the slab is left out.
    const outside = (x: number) => x === -1024;
    expect(agreement(v, outside)).toBeGreaterThan(0.9);
    expect(bracketedAgreement(v, outside)).toBeGreaterThan(0.999);
    // The same data placed without the tilt correction (origin of the first slice, no shift) fails.
    const uncorrected = { ...v, origin: [v.origin[0], v.origin[1] + 10 * 5 * v.direction[4], v.origin[2] + 10 * 5 * v.direction[5]] as Volume['origin'] };
    expect(bracketedAgreement(uncorrected, outside)).toBeLessThan(0.9);
  });

  it('resamples uneven spacing and reports the gap', async () => {
    const positions = [0, 4, 8, 12, 20, 24, 26, 28];
    const { loaded } = await load({ positions }, [48, 40, positions.length], [7, 7, 4]);
    const notes = loaded.notes.join('\n');
    expect(notes).toMatch(/gap in the stack .*8 mm between slices at 12 and 20 mm/);
    expect(notes).toMatch(/not uniform .*resampled to 4 mm/);
    expect(loaded.volume.dims[2]).toBe(8); // 0..28 in steps of 4
    // The phantom changes slowly along z, so interpolated slices still match almost everywhere.
    expect(agreement(loaded.volume)).toBeGreaterThan(0.97);
  });

  it('reports progress per decoded slice and stops when aborted', async () => {
    const files = makeSyntheticCtSeries([16, 16, 40], [10, 10, 2]);
    const id = scanDicomFiles(files).series[0].id;
    const seen: number[] = [];
    await loadSeriesVolume(files, id, { onProgress: (done, total) => seen.push(done / total) });
    expect(seen).toHaveLength(40);
    expect(seen[39]).toBe(1);
    const controller = new AbortController();
    const p = loadSeriesVolume(files, id, { signal: controller.signal, onProgress: (done) => done === 5 && controller.abort() });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('keeps patient identity out of the volume, notes and summaries', async () => {
    const { scan, loaded } = await load({ patientName: 'DOE^JANE', patientId: 'MRN-775511', tiltDegrees: 10 });
    expect(loaded.patient).toEqual({ name: 'DOE^JANE', id: 'MRN-775511' });
    const exported = JSON.stringify({ scan, notes: loaded.notes, summary: loaded.summary, geometry: { ...loaded.volume, data: undefined } });
    expect(exported).not.toMatch(/DOE|JANE|775511/);
  });

  it('refuses a non-CT series with the reason, and picks no series to segment', async () => {
    const files = makeSyntheticCtSeries([16, 16, 4], [1, 1, 1], { modality: 'MR' });
    const scan = scanDicomFiles(files);
    expect(scan.series[0]).toMatchObject({ loadable: false, segmentable: false });
    expect(scan.series[0].refusal).toMatch(/modality MR \(magnetic resonance\): HoloCT loads CT only/);
    expect(pickBestSeries(scan.series)).toBeUndefined();
    await expect(loadSeriesVolume(files, scan.series[0].id)).rejects.toThrow(DicomImportError);
    await expect(loadSeriesVolume(files, scan.series[0].id)).rejects.toThrow(/modality MR/);
    await expect(loadSeriesVolume(files, 'no.such.series')).rejects.toThrow(/not found/);
  });

  it('picks the thin axial ORIGINAL CT over a thick or derived one', async () => {
    const thick = makeSyntheticCtSeries([16, 16, 8], [10, 10, 5], { seriesInstanceUID: '2.25.1', seriesDescription: 'thick' });
    const thin = makeSyntheticCtSeries([16, 16, 40], [10, 10, 1], { seriesInstanceUID: '2.25.2', seriesDescription: 'thin' });
    const derived = makeSyntheticCtSeries([16, 16, 60], [10, 10, 1], { seriesInstanceUID: '2.25.3', seriesDescription: 'mip', imageType: ['DERIVED', 'SECONDARY', 'AXIAL'] });
    const scan = scanDicomFiles([...thick, ...derived, ...thin]);
    expect(scan.series).toHaveLength(3);
    expect(pickBestSeries(scan.series)?.description).toBe('thin');
  });
});
