import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkScope, checkSeriesScope, outOfScopeBodyPart, outOfScopeNote, scopeProblems, type ModelScope } from './scope';
import { checkSeriesNames, outOfScopeNameNote } from './scope-names';

const small: ModelScope = { description: 'adult CT of the chest, abdomen and pelvis', bodyParts: ['CHEST', 'ABD', 'PELVI', 'BODY', 'CAP'], notCovered: ['HEAD', 'NECK'] };
// the shipped model's scope (training/classes.json, copied into its manifest)
const shipped: ModelScope = JSON.parse(readFileSync('training/classes.json', 'utf8')).scope;

describe('checkScope', () => {
  it('matches a long word anywhere in the value, a short one only at the start of a run of letters', () => {
    for (const value of ['CHEST', 'ABDOMEN', 'ABD PEL', 'CHESTABDPELVIS', 'PARTIALBODY', 'WHOLEBODY', 'Abdomen / Pelvis', ' chest ', 'CAP', 'C.A.P.']) {
      expect(checkScope(value, small), value).toEqual({ bodyPart: value.trim(), inScope: true });
    }
    // "CAP" is not in "SCAPULA"; a region word outside wins over one inside ("NECKCHEST" reaches the neck)
    for (const value of ['SCAPULA', 'HEAD', 'NECKCHEST', 'HEAD\\CHEST', 'KNEE']) expect(checkScope(value, small)?.inScope, value).toBe(false);
  });

  it('flags a region outside, naming the value and what the model was trained on', () => {
    const check = checkScope('HEAD', small);
    expect(check).toEqual({ bodyPart: 'HEAD', inScope: false, note: outOfScopeNote('HEAD', small.description) });
    expect(check?.note).toBe('the series\' Body Part Examined is "HEAD", not (or not only) what this model was trained on (adult CT of the chest, abdomen and pelvis): its labels of this scan are not reliable; read every structure against the CT');
  });

  it('gives exports and team packages the body part of a series outside the scope only', () => {
    expect(outOfScopeBodyPart(checkScope('HEAD', small))).toBe('HEAD');
    expect(outOfScopeBodyPart(checkScope('CHEST', small))).toBeUndefined();
    expect(outOfScopeBodyPart(undefined)).toBeUndefined();
  });

  it('makes no claim when the series names no region or the model declares no scope', () => {
    for (const value of [undefined, '  ', '--', 'UNKNOWN', 'other', 'CT', 'CTA']) expect(checkScope(value, small), String(value)).toBeUndefined();
    expect(checkScope('HEAD', undefined)).toBeUndefined();
  });

  // What scanners and PACS write (DICOM PS3.16 CID 4031 terms and common free text)
  it.each([
    'CHEST', 'THORAX', 'Thoracic Spine', 'TÓRAX', 'ABDOMEN', 'ABDOMENPELVIS', 'CHEST_TO_PELVIS', 'PELVIC', 'CHESTABDPELVIS', 'C/A/P',
    'WHOLEBODY', 'PARTIALBODY', 'TORSO', 'LUNG', 'HEART', 'CORONARYARTERY', 'AORTA', 'ILIAC', 'LIVER', 'KIDNEY', 'ADRENAL', 'PANCREAS',
    'COLON', 'RECTUM', 'STOMACH', 'ESOPHAGUS', 'GALLBLADDER', 'BLADDER', 'PROSTATE', 'UTERUS', 'BREAST', 'RIB', 'STERNUM', 'L-SPINE',
    'TSPINE', 'Lumbar Spine', 'SACRUM', 'COCCYX', 'HIP', 'Becken', 'BAUCH',
  ])('the shipped scope takes %s as within it', (value) => {
    expect(checkScope(value, shipped)?.inScope).toBe(true);
  });

  it.each([
    'HEAD', 'BRAIN', 'SKULL', 'HEADNECK', 'NECK', 'NECKCHEST', 'CSPINE', 'C-SPINE', 'Kopf', 'SINUS', 'ORBIT', 'TMJ', 'IAC', 'FACE',
    'KNEE', 'EXTREMITY', 'LEG', 'ARM', 'FOOT', 'HAND', 'WRIST', 'SHOULDER', 'SPINE', 'SCAPULA',
  ])('the shipped scope flags %s', (value) => {
    expect(checkScope(value, shipped)?.inScope).toBe(false);
  });
});

describe('checkSeriesNames (no Body Part Examined)', () => {
  it('flags a series whose name holds a region outside the scope, with the scope\'s words and the attribute', () => {
    const check = checkSeriesNames({ studyDescription: 'CT HEAD W/O CONTRAST' }, shipped);
    expect(check).toEqual({ bodyPart: 'HEAD', from: 'Study Description', inScope: false, note: outOfScopeNameNote('Study Description', 'HEAD', shipped.description) });
    expect(check?.note).toBe("the series' Study Description names HEAD: not (or not only) what this model was trained on (adult CT of the chest, abdomen and pelvis): its labels of this scan are not reliable; read every structure against the CT");
    expect(checkSeriesNames({ seriesDescription: 'KNEE LEFT 0.6 Br64' }, shipped)).toMatchObject({ bodyPart: 'KNEE', from: 'Series Description', inScope: false });
    // a region outside beside one within is flagged, as Body Part Examined's NECKCHEST is
    expect(checkSeriesNames({ protocolName: 'NECK CHEST' }, shipped)).toMatchObject({ bodyPart: 'NECK', inScope: false });
    expect(checkSeriesNames({ seriesDescription: 'CTA HEAD NECK' }, shipped)).toMatchObject({ bodyPart: 'HEAD NECK', inScope: false });
    // other languages of the scope's words
    for (const text of ['CCT nativ', 'Schädel axial', 'Kopf 5mm', 'HWS 2mm', 'Tête sans injection', 'Knie rechts', 'Carotid CTA']) {
      expect(checkSeriesNames({ seriesDescription: text }, shipped)?.inScope, text).toBe(false);
    }
  });

  it('lets the most specific name that names a region decide: Series Description, then Protocol Name, then Study Description', () => {
    // the head series of a head-to-pelvis trauma study
    expect(checkSeriesNames({ seriesDescription: 'Head 5.0 H30s', studyDescription: 'CT Head, Chest, Abdomen' }, shipped)).toMatchObject({ from: 'Series Description', inScope: false });
    // its chest series
    expect(checkSeriesNames({ seriesDescription: 'Thorax 1.0 B70f', protocolName: 'HEAD/CAP TRAUMA' }, shipped)).toMatchObject({ from: 'Series Description', inScope: true });
    // a series that names no region leaves it to the protocol, then the study
    expect(checkSeriesNames({ seriesDescription: 'Axial 5mm', protocolName: 'CHEST ROUTINE', studyDescription: 'CT HEAD' }, shipped)).toMatchObject({ from: 'Protocol Name', inScope: true });
    expect(checkSeriesNames({ seriesDescription: 'Axial 5mm', studyDescription: 'CT HEAD' }, shipped)).toMatchObject({ from: 'Study Description', inScope: false });
    // the conformance set's Philips head phantom, had it no Body Part Examined: STEREOTAXIS names no region, the protocol does
    expect(checkSeriesNames({ protocolName: '1F STEREOTAXIS /Head', seriesDescription: 'STEREOTAXIS', studyDescription: '1A TRAUMA/PLAIN HEAD DM' }, shipped))
      .toMatchObject({ bodyPart: 'HEAD', from: 'Protocol Name', inScope: false });
    expect(checkSeriesNames({ seriesDescription: 'CAP 1.5 B30f' }, shipped)).toMatchObject({ inScope: true });
    expect(checkSeriesNames({ seriesDescription: 'Abd/Pel 3mm' }, shipped)).toMatchObject({ inScope: true });
  });

  it('leaves out words of position and direction, and reads a short region word only whole or plural', () => {
    for (const text of ['THORAX ARMS UP', 'Thorax Arme hoch', 'Chest arms above head', 'Abdomen head first', 'Thorax craniocaudal']) {
      expect(checkSeriesNames({ seriesDescription: text }, shipped), text).toMatchObject({ inScope: true });
    }
    // FACE in SURFACE, HEAD in OVERHEAD, ARM in ARMSTRONG, LEG in LEGACY: no region
    for (const text of ['PE ARMS UP', 'SURFACE RENDERING', 'OVERHEAD', 'ARMSTRONG', 'LEGACY recon', 'Head first', 'Axial 5mm', 'Trauma', '']) {
      expect(checkSeriesNames({ seriesDescription: text, studyDescription: text }, shipped), text).toBeUndefined();
    }
    expect(checkSeriesNames({ seriesDescription: 'Both arms' }, shipped)).toMatchObject({ bodyPart: 'ARM', inScope: false });
    expect(checkSeriesNames({ seriesDescription: 'Legs runoff' }, shipped)).toMatchObject({ bodyPart: 'LEG', inScope: false });
    expect(checkSeriesNames({ studyDescription: 'CT HEAD' }, undefined)).toBeUndefined();
  });

  it('reads the names only when Body Part Examined names no region', () => {
    expect(checkSeriesScope({ bodyPart: 'CHEST', studyDescription: 'CT HEAD' }, shipped)).toEqual({ bodyPart: 'CHEST', inScope: true });
    expect(checkSeriesScope({ bodyPart: 'HEAD', studyDescription: 'CT CHEST' }, shipped)?.inScope).toBe(false);
    for (const bodyPart of [undefined, '', 'UNKNOWN']) expect(checkSeriesScope({ bodyPart, description: 'Axial', studyDescription: 'CT HEAD' }, shipped)?.from).toBe('Study Description');
  });
});

describe('scopeProblems', () => {
  it('accepts a description and words, and names what is missing', () => {
    expect(scopeProblems(small)).toEqual([]);
    expect(scopeProblems(shipped)).toEqual([]);
    expect(scopeProblems(null)).toEqual(['scope must be an object']);
    expect(scopeProblems({ description: '', bodyParts: [] })).toEqual([
      'scope.description must be a non-empty string',
      'scope.bodyParts must be a non-empty array of words with letters',
      'scope.notCovered must be a non-empty array of words with letters',
    ]);
    // a word without letters would match every value
    expect(scopeProblems({ ...small, bodyParts: ['CHEST', ' - '] })).toEqual(['scope.bodyParts must be a non-empty array of words with letters']);
  });
});
