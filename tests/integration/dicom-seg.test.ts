import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSeriesVolume, scanDicomFiles } from '../../src/dicom/index';
import type { DicomInputFile } from '../../src/dicom/types';
import { dcmjs } from '../../src/dicom-seg/dcmjs';
import { readSegmentation, readSegSource, segmentsToClasses, STUDY_MODULE_KEYWORDS, writeSegmentation } from '../../src/dicom-seg/index';
import { parseManifest } from '../../src/segmentation/manifest';
import type { LabelMap } from '../../src/volume/types';
import { sampleForPacs, SAMPLE } from '../pacs/fixture';

/**
 * Issue 10 §2: the DICOM SEG export validates with dicom3tools' dciodvfy (no error), reads back to the
 * same labels, reads dcmqi's reference SEG, and carries no identity beyond the study's patient module.
 */
const DCMQI = '../shared/data/dicom-conformance/dcmqi-3slice/segmentations/24x38x3';
const manifest = parseManifest(JSON.parse(readFileSync('models/holoct-seg.json', 'utf8')), 'models/holoct-seg.json');
const writeOptions = { classes: manifest.classes, algorithm: { name: manifest.name, version: 'test' }, softwareVersion: '0.1.0' };
const work = mkdtempSync(join(tmpdir(), 'holoct-seg-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** dciodvfy's verdict on a file: its Error lines and its Warning lines. Missing dicom3tools fails. */
function dciodvfy(bytes: Uint8Array, name: string): { errors: string[]; warnings: string[] } {
  const binary = existsSync('/usr/bin/dciodvfy') ? '/usr/bin/dciodvfy' : 'dciodvfy';
  const path = join(work, name);
  writeFileSync(path, bytes);
  const result = spawnSync(binary, [path], { encoding: 'utf8' });
  if (result.error) throw new Error('dicom3tools is not installed: apt-get install dicom3tools', { cause: result.error });
  const lines = `${result.stdout}\n${result.stderr}`.split('\n');
  return { errors: lines.filter((l) => /^Error/.test(l)), warnings: lines.filter((l) => /^Warning/.test(l)) };
}

async function volumeOf(files: DicomInputFile[]) {
  const [series] = scanDicomFiles(files).series;
  const { volume } = await loadSeriesVolume(files, series.id);
  return { series, volume };
}

/** A label map with every class of the model: bone by HU, the others as boxes on a few slices each. */
function allClasses(volume: { dims: [number, number, number]; data: ArrayLike<number> }): Uint8Array {
  const [nx, ny, nz] = volume.dims;
  const data = new Uint8Array(nx * ny * nz);
  for (let i = 0; i < data.length; i++) if (volume.data[i] > 250) data[i] = 1;
  manifest.classes.filter((c) => c.id !== 1).forEach((c, n) => {
    const k0 = n % nz;
    for (let k = k0; k < Math.min(nz, k0 + 3); k++) {
      for (let j = 100 + 30 * n; j < 120 + 30 * n; j++) for (let i = 150; i < 190 + n; i++) data[i + j * nx + k * nx * ny] = c.id;
    }
  });
  return data;
}

/** A minimal NRRD reader for dcmqi's reference label (gzip, short, little endian). */
function readNrrdLabels(bytes: Uint8Array): { sizes: number[]; data: Int16Array } {
  const text = Buffer.from(bytes).toString('latin1');
  const end = text.indexOf('\n\n');
  const header = text.slice(0, end);
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(header)?.[1] ?? '';
  expect(field('type')).toBe('short');
  expect(field('encoding')).toBe('gzip');
  expect(field('endian')).toBe('little');
  const raw = gunzipSync(bytes.subarray(end + 2));
  return { sizes: field('sizes').split(' ').map(Number), data: new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2) };
}

describe('DICOM SEG on the real 20-slice series', () => {
  it('validates with dciodvfy, and reads back to the same labels per voxel', async () => {
    const files = sampleForPacs(); // the real series, with a test study, series and patient spliced in
    const { series, volume } = await volumeOf(files);
    const labels: LabelMap = { ...volume, data: allClasses(volume) };
    const seg = writeSegmentation(labels, readSegSource(files, series.id), writeOptions);
    expect(seg.segments.map((s) => s.name)).toEqual(manifest.classes.map((c) => c.name));

    const verdict = dciodvfy(seg.bytes, 'sample.seg.dcm');
    expect(verdict.errors).toEqual([]);
    // Known, accepted warnings: the sample has no Study ID (DICOMDIR hint); dciodvfy reads a
    // one-component name (ContentCreatorName "HoloCT") as the retired PN form.
    for (const w of verdict.warnings) expect(w).toMatch(/Study ID|Content Creator's Name/);

    const read = readSegmentation(seg.bytes, volume, 'sample.seg.dcm');
    expect(read.studyInstanceUID).toBe(SAMPLE.studyInstanceUID);
    expect(read.referencedSeriesUIDs).toEqual([SAMPLE.seriesInstanceUID]);
    const back = segmentsToClasses(read, manifest.classes);
    expect(back.unmatched).toEqual([]);
    expect(Buffer.from(back.labels.data).equals(Buffer.from(labels.data))).toBe(true);
  });
});

describe('dcmqi 3-slice reference', () => {
  const files = ['IMG0001.dcm', 'IMG0002.dcm', 'IMG0003.dcm'].map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(DCMQI, 'image', name))) }));

  it('reads dcmqi’s SEG onto the images’ grid, voxel for voxel as its NRRD label map', async () => {
    const { volume } = await volumeOf(files);
    const read = readSegmentation(new Uint8Array(readFileSync(join(DCMQI, 'seg/label.seg'))), volume, 'label.seg');
    expect(read.segments.map((s) => [s.segmentNumber, s.label, s.type?.CodeValue])).toEqual([[1, 'Liver', 'T-62000']]);
    const nrrd = readNrrdLabels(new Uint8Array(readFileSync(join(DCMQI, 'nrrd/label.nrrd'))));
    expect(nrrd.sizes).toEqual(volume.dims);
    let inside = 0;
    for (let i = 0; i < nrrd.data.length; i++) {
      expect(read.labels.data[i] > 0).toBe(nrrd.data[i] > 0);
      if (nrrd.data[i] > 0) inside++;
    }
    expect(inside).toBeGreaterThan(100);
    // Its Liver (coded in SNOMED-RT, as older SEGs are) is recognised as the model's liver.
    const classes = segmentsToClasses(read, manifest.classes);
    expect(classes.unmatched).toEqual([]);
    expect(new Set(classes.labels.data)).toEqual(new Set([0, manifest.classes.find((c) => c.name === 'liver')!.id]));
  });

  it('writes a SEG of the same labels on dcmqi’s images that validates and reads back', async () => {
    const { series, volume } = await volumeOf(files);
    const dcmqiSeg = readSegmentation(new Uint8Array(readFileSync(join(DCMQI, 'seg/label.seg'))), volume);
    const liver = manifest.classes.find((c) => c.name === 'liver')!.id;
    const labels: LabelMap = { ...dcmqiSeg.labels, data: dcmqiSeg.labels.data.map((v) => (v ? liver : 0)) };
    const seg = writeSegmentation(labels, readSegSource(files, series.id), writeOptions);
    const verdict = dciodvfy(seg.bytes, 'dcmqi-ours.seg.dcm');
    expect(verdict.errors).toEqual([]);
    const back = segmentsToClasses(readSegmentation(seg.bytes, volume), manifest.classes);
    expect(Buffer.from(back.labels.data).equals(Buffer.from(labels.data))).toBe(true);
  });
});

describe('identity in the SEG', () => {
  it('repeats only the study’s patient and study module: the patient name appears in PatientName and nowhere else', async () => {
    const files = sampleForPacs();
    const { series, volume } = await volumeOf(files);
    const seg = writeSegmentation({ ...volume, data: allClasses(volume) }, readSegSource(files, series.id), writeOptions);
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(seg.bytes.slice().buffer).dict);

    // Every string in the SEG, with its path; the identity markers sit only where the modules put them.
    const strings: Array<[string, string]> = [];
    const walk = (value: unknown, path: string) => {
      if (typeof value === 'string') strings.push([path, value]);
      else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
      else if (value && typeof value === 'object' && !(value instanceof ArrayBuffer)) for (const [k, v] of Object.entries(value)) if (k !== '_vrMap') walk(v, path ? `${path}.${k}` : k);
    };
    walk(ds, '');
    const where = (needle: string) => strings.filter(([, v]) => v.toUpperCase().includes(needle.toUpperCase())).map(([p]) => p);
    expect(where('HOLOCT^PACS TEST')).toEqual(['PatientName[0].Alphabetic']);
    expect(where(SAMPLE.patientId)).toEqual(['PatientID']);
    expect(where(SAMPLE.accessionNumber)).toEqual(['AccessionNumber']);
    // Nothing else of the source's header travels: not its series description, institution or scanner.
    const sourceHeader = dcmjs.data.DicomMetaDictionary.naturalizeDataset(
      dcmjs.data.DicomMessage.readFile(files[0].bytes.slice().buffer, { untilTag: '7FE00010' }).dict,
    );
    const copiedFromSource = Object.keys(ds).filter((k) => k !== '_vrMap' && sourceHeader[k] !== undefined && JSON.stringify(sourceHeader[k]) === JSON.stringify(ds[k]) && ds[k] !== '');
    const allowed = new Set<string>([...STUDY_MODULE_KEYWORDS, 'FrameOfReferenceUID', 'SpecificCharacterSet', 'SamplesPerPixel', 'PhotometricInterpretation', 'Rows', 'Columns', 'PixelRepresentation', 'InstanceNumber', 'ImageType']);
    expect(copiedFromSource.filter((k) => !allowed.has(k))).toEqual([]);
    expect(copiedFromSource).toContain('PatientName');
    for (const text of [sourceHeader.SeriesDescription, sourceHeader.Manufacturer, sourceHeader.InstitutionName].filter((t): t is string => typeof t === 'string' && t.length > 2)) {
      expect(where(text), text).toEqual([]);
    }
  });
});
