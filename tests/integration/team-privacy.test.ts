import { unzlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { makeSyntheticCtSeries } from '../fixtures/synthetic-dicom';
import { loadInput } from '../../src/pipeline/input';
import type { ClassInfo } from '../../src/segmentation/manifest';
import { extractSurfaces } from '../../src/surfaces/extract';
import { buildCasePackage, openCasePackage } from '../../src/team/case-package';
import type { LabelMap } from '../../src/volume/types';

/**
 * Issue 8 §3: the hologram travels, the patient does not. A DICOM series whose PatientName and
 * PatientID are unmistakable markers becomes a team-session case package; no byte of any payload
 * (raw and decompressed) nor of its manifest may carry them, even when a careless caller attaches
 * the local-display identity to the Volume object it hands over.
 */
const FAMILY = 'ZQTEAMFAMILYXK';
const GIVEN = 'ZQTEAMGIVENXK';
const PATIENT_ID = 'ZQTEAMID5521XK';
const MARKERS = [FAMILY, GIVEN, PATIENT_ID];

function markersIn(bytes: Uint8Array): string[] {
  const texts = [Buffer.from(bytes).toString('latin1'), Buffer.from(bytes).toString('utf16le')].map((t) => t.toUpperCase());
  return MARKERS.filter((m) => texts.some((t) => t.includes(m)));
}

/** The bytes and, for zlib streams (the grid blobs), the inflated content. */
function contentsOf(bytes: Uint8Array): Uint8Array[] {
  return bytes[0] === 0x78 ? [bytes, unzlibSync(bytes)] : [bytes];
}

const CLASSES: ClassInfo[] = [
  { id: 1, name: 'lungs', label: 'Lungs', group: 'organ', color: '#87ceeb', opacity: 0.4, sourceNames: [] },
  { id: 2, name: 'bone', label: 'Bone', group: 'bone', color: '#f0ead6', opacity: 1, sourceNames: [] },
];

describe('a team-session case package carries no patient identity', () => {
  it('from a DICOM series with a patient name and ID in every header', async () => {
    const files = makeSyntheticCtSeries([64, 64, 24], [3, 3, 3], { patientName: `${FAMILY}^${GIVEN}`, patientId: PATIENT_ID, seriesDescription: 'Team privacy' });
    expect(markersIn(files[0].bytes)).toEqual(MARKERS);
    const loaded = await loadInput(files);
    expect(loaded.patient).toEqual({ name: `${FAMILY}^${GIVEN}`, id: PATIENT_ID });

    // labels by threshold (the model is not what is under test): lungs < -500 HU inside the body, bone > 300 HU
    const v = loaded.volume;
    const labels: LabelMap = { dims: v.dims, spacing: v.spacing, origin: v.origin, direction: v.direction, data: new Uint8Array(v.data.length) };
    for (let i = 0; i < v.data.length; i++) labels.data[i] = v.data[i] > 300 ? 2 : v.data[i] < -500 && v.data[i] > -950 ? 1 : 0;
    const meshes = await extractSurfaces(labels, CLASSES, { maxTriangles: 4000, minTrianglesPerMesh: 50 });
    expect(meshes.length).toBeGreaterThan(0);

    // the identity rides along on the objects a careless caller passes
    const volume = Object.assign({ ...v }, { patient: loaded.patient, source: loaded.source, notes: loaded.notes });
    const pkg = buildCasePackage({ volume, labels: Object.assign(labels, { patient: loaded.patient }), meshes, classes: CLASSES, model: 'holoct-test' }, { maxCtVoxels: 40_000 });

    const payloads: [string, Uint8Array][] = [
      ['manifest', new TextEncoder().encode(JSON.stringify(pkg.manifest))],
      ...Object.entries(pkg.blobs),
    ];
    for (const [name, bytes] of payloads) {
      for (const b of contentsOf(bytes)) expect(markersIn(b), name).toEqual([]);
    }
    // not vacuous: the payloads are the real case (the joiner rebuilds it) and the inflated CT is checked
    expect(contentsOf(pkg.blobs.ct)).toHaveLength(2);
    expect(pkg.manifest.ctDownsample).not.toEqual([1, 1, 1]);
    const bySha = new Map(Object.keys(pkg.blobs).map((k) => [pkg.manifest.blobs[k as keyof typeof pkg.blobs].sha256, pkg.blobs[k as keyof typeof pkg.blobs]]));
    const opened = await openCasePackage(pkg.manifest, async (sha) => bySha.get(sha)!);
    expect(opened.meshes.map((m) => m.name).sort()).toEqual(meshes.map((m) => m.name).sort());
    expect(JSON.stringify(Object.keys(opened.volume).sort())).toBe('["data","dims","direction","origin","spacing"]');
    // nor the series description, which a site may fill with a name
    for (const [name, bytes] of payloads) for (const b of contentsOf(bytes)) expect(Buffer.from(b).toString('latin1'), name).not.toContain('Team privacy');
  });
});
