import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSeriesVolume, scanDicomFiles } from '../dicom/index';
import { makeSyntheticCtSeries } from '../../tests/fixtures/synthetic-dicom';
import { parseManifest } from '../segmentation/manifest';
import type { LabelMap } from '../volume/types';
import { STRUCTURE_CODES, codesForClass } from './codes';
import { dcmjs } from './dcmjs';
import { readSegmentation, segmentsToClasses, SegReadError } from './read';
import { describeStudyModule, readSegSource, SegSourceError } from './source';
import { newUid } from './uid';
import { cielabOf, packBinaryFrames, SegWriteError, writeSegmentation } from './write';

const manifest = parseManifest(JSON.parse(readFileSync('models/holoct-seg.json', 'utf8')), 'models/holoct-seg.json');
const options = { classes: manifest.classes, algorithm: { name: 'Test model', version: '7' }, softwareVersion: '0.0.0-test' };

async function syntheticCase(positions?: number[]) {
  const files = makeSyntheticCtSeries([24, 20, 10], [1.5, 1.5, 2.5], { positions, seriesDescription: 'SEG unit' });
  const [series] = scanDicomFiles(files).series;
  const { volume } = await loadSeriesVolume(files, series.id);
  return { files, series, volume };
}

describe('newUid', () => {
  it('writes a UUID as 2.25.<its 128-bit value in decimal>', () => {
    expect(newUid('00000000-0000-0000-0000-000000000001')).toBe('2.25.1');
    expect(newUid('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe(`2.25.${(2n ** 128n - 1n).toString()}`);
    const fresh = newUid();
    expect(fresh).toMatch(/^2\.25\.[1-9]\d*$/);
    expect(fresh.length).toBeLessThanOrEqual(64);
    expect(newUid()).not.toBe(fresh);
    expect(() => newUid('not-a-uuid')).toThrow(/not a UUID/);
  });
});

describe('describeStudyModule', () => {
  it('lists every copied attribute, names as "Family, Given", empty ones as (empty)', () => {
    const lines = describeStudyModule({ PatientName: [{ Alphabetic: 'DOE^JANE' }], PatientID: 'ID-7', StudyDate: '20240102', StudyInstanceUID: '1.2.3' });
    expect(lines).toContainEqual(['Patient name', 'DOE, JANE']);
    expect(lines).toContainEqual(['Patient ID', 'ID-7']);
    expect(lines).toContainEqual(['Birth date', '(empty)']);
    expect(lines).toHaveLength(10);
  });
});

describe('packBinaryFrames', () => {
  it('packs one bit per pixel, frames back to back, first pixel in the lowest bit', () => {
    // two 3×2 slices; frame A = class 1 on slice 0, frame B = class 2 on slice 1
    const labels = new Uint8Array([1, 0, 1, 1, 0, 0, /* slice 1 */ 2, 2, 0, 0, 0, 2]);
    const packed = packBinaryFrames(labels, 6, [{ slice: 0, classId: 1 }, { slice: 1, classId: 2 }]);
    // bits 0..5 = 1,0,1,1,0,0 ; bits 6..11 = 1,1,0,0,0,1
    expect([...packed]).toEqual([0b11001101, 0b00001000]);
  });
});

describe('codes and colours', () => {
  it('every class of the shipped model has SNOMED CT category and type codes', () => {
    for (const c of manifest.classes) {
      const codes = codesForClass(c.name);
      for (const code of [codes.category, codes.type]) {
        expect(code.CodingSchemeDesignator, c.name).toBe('SCT');
        expect(code.CodeValue, c.name).toMatch(/^\d{6,18}$/);
        expect(code.CodeMeaning, c.name).not.toBe('');
      }
    }
    expect(Object.keys(STRUCTURE_CODES).sort()).toEqual(manifest.classes.map((c) => c.name).sort());
    expect(() => codesForClass('nonexistent')).toThrow(/STRUCTURE_CODES/);
  });

  it('converts sRGB to DICOM CIELab: white is L 100, a = b = 0', () => {
    const [L, a, b] = cielabOf('#ffffff');
    expect(Math.abs(L - 65535)).toBeLessThanOrEqual(2); // float rounding in the conversion
    expect(Math.abs(a - 32896)).toBeLessThanOrEqual(4); // a* = 0 → 128/255 × 65535
    expect(Math.abs(b - 32896)).toBeLessThanOrEqual(4);
    expect(cielabOf('#000000')[0]).toBe(0);
  });
});

describe('writeSegmentation → readSegmentation', () => {
  it('round-trips labels per voxel, with one segment per class present and frames only where it has voxels', async () => {
    const { files, series, volume } = await syntheticCase();
    const labels: LabelMap = { ...volume, data: new Uint8Array(volume.data.length) };
    const [nx, ny] = volume.dims;
    const at = (i: number, j: number, k: number) => i + j * nx + k * nx * ny;
    for (let k = 2; k < 5; k++) for (let j = 3; j < 9; j++) for (let i = 4; i < 10; i++) labels.data[at(i, j, k)] = 4; // liver, slices 2..4
    for (let k = 0; k < 10; k++) labels.data[at(20, 15, k)] = 1; // bone, every slice
    labels.data[at(0, 0, 7)] = 8; // heart, one voxel on slice 7
    const source = readSegSource(files, series.id);
    const seg = writeSegmentation(labels, source, options);
    expect(seg.segments.map((s) => [s.segmentNumber, s.name, s.frames])).toEqual([[1, 'bone', 10], [2, 'liver', 3], [3, 'heart', 1]]);

    const read = readSegmentation(seg.bytes, volume, 'unit.seg');
    expect(read.segments.map((s) => [s.segmentNumber, s.label, s.type?.CodeValue])).toEqual([[1, 'Bone', '272673000'], [2, 'Liver', '10200004'], [3, 'Heart', '80891009']]);
    expect(read.studyInstanceUID).toBe(source.studyInstanceUID);
    expect(read.frameOfReferenceUID).toBe(source.frameOfReferenceUID);
    expect(read.referencedSeriesUIDs).toEqual([series.seriesInstanceUID]);
    expect(read.seriesInstanceUID).toBe(seg.seriesInstanceUID);
    expect(read.seriesInstanceUID).not.toBe(series.seriesInstanceUID);
    expect(read.overlapVoxels).toBe(0);
    const { labels: back, unmatched } = segmentsToClasses(read, manifest.classes);
    expect(unmatched).toEqual([]);
    expect(Buffer.from(back.data).equals(Buffer.from(labels.data))).toBe(true);

    // Per-frame references point at the source image of that slice.
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(seg.bytes.slice().buffer).dict);
    const frames = ds.PerFrameFunctionalGroupsSequence as Array<Record<string, any>>;
    expect(ds.NumberOfFrames).toBe(14);
    const liverFirst = frames[10];
    expect(liverFirst.SegmentIdentificationSequence[0].ReferencedSegmentNumber).toBe(2);
    expect(liverFirst.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID).toBe(source.sliceSources[2][0].sopInstanceUID);
  });

  it('says in its series and content descriptions when the source series lies outside the model\'s scope', async () => {
    const { files, series, volume } = await syntheticCase();
    const labels: LabelMap = { ...volume, data: new Uint8Array(volume.data.length).fill(1) };
    const described = (seg: { bytes: Uint8Array }) => {
      const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(seg.bytes.slice().buffer).dict);
      return [ds.SeriesDescription, ds.ContentDescription];
    };
    const source = readSegSource(files, series.id);
    expect(described(writeSegmentation(labels, source, options))).toEqual(['HoloCT segmentation (Test model)', 'Automatic segmentation by HoloCT']);
    expect(described(writeSegmentation(labels, source, { ...options, outOfScope: 'HEAD' }))).toEqual(['NOT RELIABLE: HEAD outside HoloCT model scope', "NOT RELIABLE: HEAD is outside the model's scope"]);
  });

  it('references both neighbouring source images of an interpolated slice (unevenly spaced series)', async () => {
    const { files, series, volume } = await syntheticCase([0, 2.5, 5, 8, 10.5, 13, 16, 18.5, 21, 24]);
    const source = readSegSource(files, series.id);
    expect(source.sliceSources.some((refs) => refs.length === 2)).toBe(true);
    const labels: LabelMap = { ...volume, data: new Uint8Array(volume.data.length).fill(0) };
    labels.data.fill(6, 0, volume.dims[0] * volume.dims[1] * volume.dims[2]);
    const seg = writeSegmentation(labels, source, options);
    const back = segmentsToClasses(readSegmentation(seg.bytes, volume), manifest.classes).labels;
    expect(Buffer.from(back.data).equals(Buffer.from(labels.data))).toBe(true);
  });

  it('refuses a label map on another grid, an empty one, a class without codes, and a source without UIDs', async () => {
    const { files, series, volume } = await syntheticCase();
    const source = readSegSource(files, series.id);
    const empty: LabelMap = { ...volume, data: new Uint8Array(volume.data.length) };
    expect(() => writeSegmentation(empty, source, options)).toThrow(/empty/);
    const shifted: LabelMap = { ...empty, origin: [volume.origin[0] + 1, volume.origin[1], volume.origin[2]] };
    expect(() => writeSegmentation(shifted, source, options)).toThrow(SegWriteError);
    const unknown = { ...empty, data: new Uint8Array(volume.data.length).fill(99) };
    expect(() => writeSegmentation(unknown, source, options)).toThrow(/label 99 is not a class/);
    const noStudy = makeSyntheticCtSeries([8, 8, 3], [1, 1, 1]).map((f) => ({ ...f, bytes: blankUid(f.bytes, '2.25.1234567890123456789.1') }));
    expect(() => readSegSource(noStudy, scanDicomFiles(noStudy).series[0].id)).toThrow(SegSourceError);
    expect(() => readSegSource(noStudy, scanDicomFiles(noStudy).series[0].id)).toThrow(/StudyInstanceUID/);
  });

  it('refuses bytes that are not a SEG, naming them', async () => {
    const { files, volume } = await syntheticCase();
    expect(() => readSegmentation(files[0].bytes, volume, 'ct.dcm')).toThrow(SegReadError);
    expect(() => readSegmentation(files[0].bytes, volume, 'ct.dcm')).toThrow(/ct\.dcm: SOP class .* is not Segmentation Storage/);
    expect(() => readSegmentation(new Uint8Array(300), volume, 'zeros.bin')).toThrow(/zeros\.bin/);
  });
});

/** The bytes with one UID value replaced by spaces of the same length (an anonymizer that blanked it). */
function blankUid(bytes: Uint8Array, uid: string): Uint8Array {
  const out = bytes.slice();
  const needle = Buffer.from(uid, 'latin1');
  const at = Buffer.from(out).indexOf(needle);
  if (at >= 0 && (out[at + needle.length] === 0 || out[at + needle.length] === 0x20)) out.fill(0, at, at + needle.length);
  return out;
}
