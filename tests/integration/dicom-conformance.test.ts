/**
 * Every file in ../shared/data/dicom-conformance: loaded correctly or refused with a precise reason.
 * Expected hashes are SHA-256 of HU as little-endian int16 (x fastest), computed once with pydicom
 * (uncompressed files) or with DCMTK's dcmdjpeg + pydicom (JPEG files), see docs/dicom.md.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DicomImportError, loadSeriesVolume, scanDicomFiles, voxelSha256, type DicomInputFile, type LoadedSeries } from '../../src/dicom/index';
import { CONFORMANCE, readOne, readTree, TS_DIR } from './dicom-helpers';
import { DEFAULT_MANIFEST, readManifest } from '../../src/cli/node-model';
import { dcmjs } from '../../src/dicom-seg/dcmjs';
import { checkSeriesScope } from '../../src/segmentation/scope';

/** CTImage.dcm (Implicit VR LE) as HU, hashed with pydicom. */
const CTIMAGE_SHA = 'd36b58a8274fd5882a3863693bb84d2fb5719fff73c0ee21c98bfcb9abbb05c4';

async function loadAlone(file: DicomInputFile): Promise<LoadedSeries> {
  const scan = scanDicomFiles([file]);
  expect(scan.skipped).toEqual([]);
  expect(scan.series).toHaveLength(1);
  return loadSeriesVolume([file], scan.series[0].id);
}

const ts = (name: string) => readOne(join(TS_DIR, `CTImage.dcm_${name}.dcm`));

describe('transfer syntaxes: one CT slice in 15 encodings vs CTImage.dcm', async () => {
  const reference = (await loadAlone(readOne(join(TS_DIR, 'CTImage.dcm')))).volume;

  it('the reference decodes to the pydicom voxels', () => {
    expect(reference.dims).toEqual([512, 512, 1]);
    expect(voxelSha256(reference)).toBe(CTIMAGE_SHA);
  });

  const lossless = [
    'LittleEndianImplicitTransferSyntax_1.2.840.10008.1.2',
    'LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1',
    'BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2',
    'DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99',
    'RLELosslessTransferSyntax_1.2.840.10008.1.2.5',
    'JPEGProcess14TransferSyntax_1.2.840.10008.1.2.4.57',
    'JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70',
    'JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80',
    'JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90',
  ];
  for (const name of lossless) {
    it(`lossless ${name.split('_')[1]}: voxel for voxel`, async () => {
      const loaded = await loadAlone(ts(name));
      expect(loaded.volume.origin).toEqual(reference.origin);
      expect(voxelSha256(loaded.volume)).toBe(CTIMAGE_SHA);
    });
  }

  // Measured against the original (max |ΔHU|, mean |ΔHU|): .50 64 / 17.7 (8-bit, slope 32.1: the
  // quantization step alone is 32 HU); .51/.53/.55 36 / 3.9 (12-bit, within 3 HU of DCMTK's decode);
  // .81 1 / 0.7 (JPEG-LS NEAR=1); .91 5 / 0.6.
  const lossy: [string, number, number][] = [
    ['JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50', 70, 20],
    ['JPEGProcess2_4TransferSyntax_1.2.840.10008.1.2.4.51', 40, 5],
    ['JPEGProcess6_8TransferSyntax_1.2.840.10008.1.2.4.53', 40, 5],
    ['JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55', 40, 5],
    ['JPEGLSLossyTransferSyntax_1.2.840.10008.1.2.4.81', 2, 1],
    ['JPEG2000TransferSyntax_1.2.840.10008.1.2.4.91', 8, 1],
  ];
  for (const [name, maxTol, meanTol] of lossy) {
    it(`lossy ${name.split('_')[1]}: within ${maxTol} HU (mean ${meanTol})`, async () => {
      const loaded = await loadAlone(ts(name));
      expect(loaded.notes.join('\n')).toMatch(/lossy compression/);
      let max = 0;
      let sum = 0;
      const a = loaded.volume.data;
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(a[i] - reference.data[i]);
        sum += d;
        if (d > max) max = d;
      }
      expect(max).toBeLessThanOrEqual(maxTol);
      expect(sum / a.length).toBeLessThanOrEqual(meanTol);
      // …and it is not trivially equal: a lossy decode that returned the reference would be suspect.
      expect(max).toBeGreaterThan(0);
    });
  }
});

describe('other real slices', () => {
  it('693_J2KR (JPEG 2000 lossless) equals 693_UNCR (uncompressed)', async () => {
    const j2k = await loadAlone(readOne(join(TS_DIR, '693_J2KR.dcm')));
    const raw = await loadAlone(readOne(join(TS_DIR, '693_UNCR.dcm')));
    expect(voxelSha256(j2k.volume)).toBe('dd1c8d7baacc948269747a5787c94c8253c00a53fd52e9743edb4c1992c6bf3e');
    expect(voxelSha256(raw.volume)).toBe(voxelSha256(j2k.volume));
  });

  it('bad_sequence.dcm (JPEG lossless, malformed sequence) decodes like DCMTK', async () => {
    const loaded = await loadAlone(readOne(join(TS_DIR, 'bad_sequence.dcm')));
    expect(loaded.volume.spacing.slice(0, 2)).toEqual([0.287109375, 0.287109375]);
    expect(voxelSha256(loaded.volume)).toBe('64fc7fcabe2177270ab4a6ee4a0ac9703e0309dab59c1d6375e4a8490dc442dd');
  });

  it('CT1_J2KR and CT2_J2KR load with their geometry', async () => {
    const ct1 = await loadAlone(readOne(join(TS_DIR, 'CT1_J2KR')));
    expect(ct1.volume.origin).toEqual([-158.135803, -179.035797, -75.699997]);
    expect(ct1.volume.spacing).toEqual([0.661468, 0.661468, 5]);
    const ct2 = await loadAlone(readOne(join(TS_DIR, 'CT2_J2KR')));
    expect(ct2.volume.spacing).toEqual([0.468, 0.468, 10]);
    expect(ct2.summary.segmentable).toBe(false); // one slice is not a volume
  });
});

describe('inputs that are not a CT volume are refused with the reason', () => {
  const refusal = (name: string) => {
    const scan = scanDicomFiles([readOne(join(TS_DIR, name))]);
    return scan;
  };

  it('no pixel data (a text SR) is skipped', () => {
    const scan = refusal('no-pixel-data.dcm');
    expect(scan.series).toEqual([]);
    expect(scan.skipped).toEqual([{ name: 'transfer-syntaxes/no-pixel-data.dcm', reason: 'structured report (SR), not an image' }]);
  });

  it('no pixel spacing (an ultrasound) names every missing piece', async () => {
    const scan = refusal('no-pixel-spacing.dcm');
    const s = scan.series[0];
    expect(s.loadable).toBe(false);
    expect(s.refusal).toMatch(/modality US \(ultrasound\)/);
    expect(s.refusal).toMatch(/no Pixel Spacing \(0028,0030\)/);
    expect(s.refusal).toMatch(/PALETTE COLOR/);
    await expect(loadSeriesVolume([readOne(join(TS_DIR, 'no-pixel-spacing.dcm'))], s.id)).rejects.toThrow(DicomImportError);
  });

  it('RGB and YBR colour images are refused as not grayscale', () => {
    expect(refusal('TestPattern_RGB.dcm').series[0].refusal).toMatch(/photometric interpretation RGB with 3 sample\(s\) per pixel: HoloCT needs grayscale/);
    const us = refusal('US-YBR_FULL_422-EVRLE.dcm').series[0];
    expect(us.refusal).toMatch(/modality US/);
    expect(us.refusal).toMatch(/YBR_FULL_422/);
  });

  it('an unsupported transfer syntax is named', () => {
    const file = readOne(join(TS_DIR, 'CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm'));
    const bytes = new Uint8Array(file.bytes);
    // Rewrite the meta header's transfer syntax UID to HTJ2K (same length, NUL padded).
    const text = new TextDecoder('latin1').decode(bytes.subarray(0, 400));
    const at = text.indexOf('1.2.840.10008.1.2.1\0');
    expect(at).toBeGreaterThan(0);
    bytes.set(new TextEncoder().encode('1.2.840.10008.1.2.4.201'.slice(0, 20)), at);
    const scan = scanDicomFiles([{ name: 'htj2k.dcm', bytes }]);
    const reasons = [...scan.series.map((s) => s.refusal ?? ''), ...scan.skipped.map((s) => s.reason)].join('\n');
    expect(reasons).toMatch(/transfer syntax|not a readable DICOM/);
  });
});

describe('enhanced CT (multi-frame, functional groups)', () => {
  it('eCT_Supplemental: per-frame positions, shared orientation, spacing and rescale', async () => {
    const loaded = await loadAlone(readOne(join(CONFORMANCE, 'enhanced-ct/eCT_Supplemental.dcm')));
    const v = loaded.volume;
    expect(v.dims).toEqual([512, 512, 2]);
    expect(v.spacing).toEqual([0.388672, 0.388672, 10]);
    // IOP [-1,0,0, 0,1,0]: normal = row × column = -z, so the frame at z = -149 comes first.
    expect(v.direction).toEqual([-1, 0, 0, 0, 1, 0, 0, 0, -1]);
    expect(v.origin).toEqual([99.5, -301.5, -149]);
    expect(voxelSha256(v)).toBe('53bfa701eeafd41cf78a7275f8b8abd9de33325ef1b1168c79a23c59de9c0ac8');
    // A perfusion map whose Rescale Type is US: loaded, but not offered for segmentation.
    expect(loaded.summary.segmentable).toBe(false);
    expect(loaded.notes.join('\n')).toMatch(/not Hounsfield units \(Rescale Type US\)/);
  });

  it('fragmented 12-bit JPEG without offset table: frames split by codestream, within 1 HU of DCMTK', async () => {
    const jpeg = await loadAlone(readOne(join(CONFORMANCE, 'enhanced-ct/CT0012.fragmented_no_bot_jpeg_baseline.51.dcm')));
    const raw = await loadAlone(readOne(join(CONFORMANCE, 'enhanced-ct/eCT_Supplemental.dcm')));
    expect(jpeg.volume.dims).toEqual([512, 512, 2]);
    expect(jpeg.volume.origin).toEqual(raw.volume.origin);
    // This file's stored values are the uncompressed file's + ~1023 (DCMTK decodes it the same way).
    let sum = 0;
    let max = 0;
    for (let i = 0; i < raw.volume.data.length; i++) {
      const d = jpeg.volume.data[i] - raw.volume.data[i] - 1023;
      sum += d;
      max = Math.max(max, Math.abs(d));
    }
    expect(Math.abs(sum / raw.volume.data.length)).toBeLessThan(0.5);
    expect(max).toBeLessThanOrEqual(15);
  });

  it('the two encodings of the same frames are duplicates: the lossless copy is kept', async () => {
    const files = readTree(join(CONFORMANCE, 'enhanced-ct'), CONFORMANCE);
    const scan = scanDicomFiles(files);
    expect(scan.skipped.map((s) => s.name)).toEqual(['enhanced-ct/LICENSE.pydicom-data']);
    const loaded = await loadSeriesVolume(files, scan.series[0].id);
    expect(loaded.notes.join('\n')).toMatch(/2 duplicate slices .*CT0012/);
    expect(voxelSha256(loaded.volume)).toBe('53bfa701eeafd41cf78a7275f8b8abd9de33325ef1b1168c79a23c59de9c0ac8');
  });
});

describe('gantry tilt', () => {
  it('ge-tilt-uneven: 18.5° tilt and uneven spacing, both noted and corrected', async () => {
    const files = readTree(join(CONFORMANCE, 'gantry-tilt/ge-tilt-uneven'), CONFORMANCE);
    const scan = scanDicomFiles(files);
    expect(scan.series).toHaveLength(1); // ImageType ...\ADD on some slices does not split the stack
    const s = scan.series[0];
    expect(s.sliceCount).toBe(28);
    expect(s.tiltDegrees).toBeCloseTo(18.5, 1);
    expect(s.bodyPart).toBe('HEAD'); // Body Part Examined (0018,0015): checked against the model's scope
    expect(s.studyDescription).toBe('HEAD'); // read for the region when Body Part Examined is missing
    expect(s.protocolName).toBeUndefined();
    const notes = s.notes.join('\n');
    expect(notes).toMatch(/gantry tilt 18\.5° .*corrected by shifting each slice in-plane/);
    expect(notes).toMatch(/slice spacing is not uniform \(1\.08–7 mm, median 4 mm\): resampled to 4 mm/);
    const loaded = await loadSeriesVolume(files, s.id);
    const v = loaded.volume;
    expect(v.dims).toEqual([512, 611, 37]);
    expect(v.spacing[2]).toBeCloseTo(4.002, 3);
    expect(isOrthonormal(v.direction)).toBe(true);
    // The first source slice sits at the grid's first slice, shifted by the grown rows.
    // Slices 0..13 (4 mm apart) lie on the output grid; the 7 mm part is interpolated.
    await expectSourceSlicesInPlace(files, loaded, [0, 7, 13]);
  });

  it('ge-tilt-uneven without Body Part Examined: its Study Description still puts it outside the shipped model\'s scope', async () => {
    // Body Part Examined is optional in a CT and many exports drop it: the same head series, the tag removed
    const files = readTree(join(CONFORMANCE, 'gantry-tilt/ge-tilt-uneven'), CONFORMANCE).map((f) => {
      const message = dcmjs.data.DicomMessage.readFile(Uint8Array.from(f.bytes).buffer);
      delete message.dict['00180015'];
      return { name: f.name, bytes: new Uint8Array(message.write()) };
    });
    const s = scanDicomFiles(files).series[0];
    expect(s.bodyPart).toBeUndefined();
    const manifest = await readManifest(DEFAULT_MANIFEST);
    const check = checkSeriesScope(s, manifest.scope);
    expect(check).toMatchObject({ bodyPart: 'HEAD', from: 'Study Description', inScope: false });
  });

  it('philips-tilt: 54 slices, tilt note, sane resampled geometry', async () => {
    const files = readTree(join(CONFORMANCE, 'gantry-tilt/philips-tilt'), CONFORMANCE);
    const scan = scanDicomFiles(files);
    const s = scan.series[0];
    expect(s.sliceCount).toBe(54);
    expect(s.bodyPart).toBe('BRAIN');
    expect([s.protocolName, s.description, s.studyDescription]).toEqual(['1F STEREOTAXIS /Head', 'STEREOTAXIS', '1A TRAUMA/PLAIN HEAD DM']);
    expect(s.notes.join('\n')).toMatch(/gantry tilt 18\.5°/);
    expect(s.notes.join('\n')).not.toMatch(/not uniform|gap/);
    const loaded = await loadSeriesVolume(files, s.id);
    const v = loaded.volume;
    expect(v.dims[0]).toBe(512);
    expect(v.dims[2]).toBe(54);
    // Table step 2.5 mm along z, slices tilted 18.5°: 2.5·cos(18.5°) = 2.371 mm along the normal.
    expect(v.spacing[2]).toBeCloseTo(2.5 * Math.cos((18.5 * Math.PI) / 180), 3);
    expect(isOrthonormal(v.direction)).toBe(true);
    await expectSourceSlicesInPlace(files, loaded, [0, 26, 53]);
  });
});

function isOrthonormal(d: number[]): boolean {
  const col = (c: number) => [d[3 * c], d[3 * c + 1], d[3 * c + 2]];
  const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  return [0, 1, 2].every((a) => [0, 1, 2].every((b) => Math.abs(dot(col(a), col(b)) - (a === b ? 1 : 0)) < 1e-6));
}

/**
 * For source slices (sorted by position), the centre column of the slice must appear in the
 * resampled volume where its ImagePositionPatient puts it: map each source pixel's LPS position
 * into the output grid and check the output value lies between the source values one row apart.
 */
async function expectSourceSlicesInPlace(files: DicomInputFile[], loaded: LoadedSeries, which: number[]): Promise<void> {
  const v = loaded.volume;
  const singles = await Promise.all(files.map((f) => loadSeriesVolume([f], scanDicomFiles([f]).series[0].id)));
  const n = [v.direction[6], v.direction[7], v.direction[8]];
  singles.sort((a, b) => dot3(a.volume.origin, n) - dot3(b.volume.origin, n));
  for (const s of which) {
    const src = singles[s].volume;
    const i = 256;
    let checked = 0;
    for (let r = 100; r < 400; r += 7) {
      const p = [0, 1, 2].map((a) => src.origin[a] + i * src.spacing[0] * src.direction[a] + r * src.spacing[1] * src.direction[3 + a]);
      const rel = [0, 1, 2].map((a) => p[a] - v.origin[a]);
      const ci = dot3(rel, v.direction.slice(0, 3)) / v.spacing[0];
      const cj = dot3(rel, v.direction.slice(3, 6)) / v.spacing[1];
      const ck = dot3(rel, v.direction.slice(6, 9)) / v.spacing[2];
      expect(Math.abs(ci - i)).toBeLessThan(1e-3);
      const k = Math.round(ck);
      if (Math.abs(ck - k) > 0.001) continue; // between output slices (uneven spacing): skip
      const j = Math.round(cj);
      const out = v.data[i + v.dims[0] * (j + v.dims[1] * k)];
      const around = [-1, 0, 1].map((dr) => src.data[i + src.dims[0] * (r + dr)]);
      expect(out).toBeGreaterThanOrEqual(Math.min(...around) - 1);
      expect(out).toBeLessThanOrEqual(Math.max(...around) + 1);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  }
}

function dot3(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

describe('dcmqi-3slice', () => {
  const dir = join(CONFORMANCE, 'dcmqi-3slice');

  it('the 3-slice CT loads in position order with the pydicom voxels', async () => {
    const files = readTree(join(dir, 'segmentations/ct-3slice'), CONFORMANCE);
    const scan = scanDicomFiles(files);
    const loaded = await loadSeriesVolume(files, scan.series[0].id);
    expect(loaded.volume.dims).toEqual([512, 512, 3]);
    expect(loaded.volume.spacing[2]).toBeCloseTo(1, 6);
    expect(loaded.volume.origin).toEqual([-235.199997, -226.800003, -128.690002]);
    expect(voxelSha256(loaded.volume)).toBe('88a56a4a51d188f7981153abbc7a35565be3ae84283c41ae75478464071b4863');
    expect(loaded.summary.segmentable).toBe(true);
  });

  it('the folder: SEG objects and non-DICOM files skipped, one UID with two geometries split', () => {
    const files = readTree(dir, CONFORMANCE);
    const scan = scanDicomFiles(files);
    const reasons = new Map(scan.skipped.map((s) => [s.name, s.reason]));
    expect(reasons.get('dcmqi-3slice/segmentations/liver.dcm')).toBe('DICOM Segmentation object, not a CT image');
    expect(reasons.get('dcmqi-3slice/segmentations/sparse-labelmap-ppv5.dcm')).toBe('DICOM Segmentation object, not a CT image');
    expect(reasons.get('dcmqi-3slice/segmentations/liver_seg.nrrd')).toMatch(/not a DICOM file/);
    expect(reasons.get('dcmqi-3slice/LICENSE.dcmqi')).toMatch(/not a DICOM file/);
    // Legacy Converted Enhanced CT (multiframe/mf.dcm) next to the same images as single files.
    const mf = scan.series.filter((s) => s.description.startsWith('Multiframe'));
    expect(mf.map((s) => s.dims?.join('x')).sort()).toEqual(['23x38x3', '24x38x3']);
    expect(scan.series).toHaveLength(5);
  });

  it('one SeriesInstanceUID holding ORIGINAL and DERIVED images is split into two stacks', () => {
    const files = ['693_J2KR.dcm', '693_UNCI.dcm', '693_UNCR.dcm'].map((n) => readOne(join(TS_DIR, n)));
    const scan = scanDicomFiles(files);
    expect(scan.series.map((s) => s.seriesInstanceUID)).toEqual([scan.series[0].seriesInstanceUID, scan.series[0].seriesInstanceUID]);
    expect(scan.series.map((s) => s.id.endsWith('#2'))).toEqual([false, true]);
    expect(scan.series.map((s) => s.imageType[0].trim())).toEqual(['ORIGINAL', 'DERIVED']);
    expect(scan.series[0].notes.join('\n')).toMatch(/split into separate volumes/);
    expect(scan.series[0].notes.join('\n')).toMatch(/1 duplicate slice/);
  });
});

describe('the whole conformance folder', () => {
  it('every file is in a series or skipped, and every loadable series loads', async () => {
    const files = readTree(CONFORMANCE, CONFORMANCE);
    const scan = scanDicomFiles(files);
    const inSeries = scan.series.reduce((n, s) => n + s.fileCount, 0);
    expect(inSeries + scan.skipped.length).toBe(files.length);
    for (const s of scan.series.filter((x) => x.loadable)) {
      const loaded = await loadSeriesVolume(files, s.id);
      expect(loaded.volume.data.length).toBe(loaded.volume.dims[0] * loaded.volume.dims[1] * loaded.volume.dims[2]);
    }
    for (const s of scan.series.filter((x) => !x.loadable)) expect(s.refusal).toBeTruthy();
  });
});
