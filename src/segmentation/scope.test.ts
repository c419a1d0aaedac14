import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkScope, checkSeriesNames, checkSeriesScope, outOfScopeBodyPart, outOfScopeNameNote, outOfScopeNote, scopeProblems, type ModelScope } from './scope';

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
  it('flags a series whose names hold only regions outside the scope, with the scope\'s words and the attribute', () => {
    const check = checkSeriesNames({ studyDescription: 'CT HEAD W/O CONTRAST' }, shipped);
    expect(check).toEqual({ bodyPart: 'HEAD', from: 'Study Description', inScope: false, note: outOfScopeNameNote('Study Description', 'HEAD', shipped.description) });
    expect(check?.note).toBe("the series' Study Description names HEAD, a region outside what this model was trained on (adult CT of the chest, abdomen and pelvis): its labels of this scan are not reliable; read every structure against the CT");
    // the conformance set's Philips head phantom, had it no Body Part Examined
    expect(checkSeriesNames({ protocolName: '1F STEREOTAXIS /Head', seriesDescription: 'STEREOTAXIS', studyDescription: '1A TRAUMA/PLAIN HEAD DM' }, shipped))
      .toMatchObject({ bodyPart: 'HEAD', from: 'Protocol Name', inScope: false });
    expect(checkSeriesNames({ seriesDescription: 'KNEE LEFT 0.6 Br64' }, shipped)).toMatchObject({ bodyPart: 'KNEE', from: 'Series Description', inScope: false });
    // the text itself never travels: a word is reported by the scope's spelling, not the run that held it
    expect(checkSeriesNames({ studyDescription: 'ARMSTRONG' }, shipped)).toMatchObject({ bodyPart: 'ARM', inScope: false });
  });

  it('lets a region within the scope win anywhere among the names', () => {
    for (const names of [
      { seriesDescription: 'THORAX ARMS UP' },
      { protocolName: 'NECK CHEST' },
      { protocolName: 'Head first', studyDescription: 'CT ABDOMEN' },
      { seriesDescription: 'CAP 1.5 B30f' },
    ]) expect(checkSeriesNames(names, shipped), JSON.stringify(names)).toMatchObject({ inScope: true });
  });

  it('reads a word only at the start of a run of letters: free text holds more than regions', () => {
    // FACE in SURFACE, HEAD in OVERHEAD, ARM in PHARMA would each be a region word inside a longer one
    for (const text of ['SURFACE RENDERING', 'OVERHEAD', 'PHARMACOKINETIC', 'Axial 5mm', 'Trauma', '']) {
      expect(checkSeriesNames({ seriesDescription: text, studyDescription: text }, shipped), text).toBeUndefined();
    }
    expect(checkSeriesNames({ studyDescription: 'CT HEAD' }, undefined)).toBeUndefined();
  });

  it('reads the names only when Body Part Examined names no region', () => {
    expect(checkSeriesScope('CHEST', { studyDescription: 'CT HEAD' }, shipped)).toEqual({ bodyPart: 'CHEST', inScope: true });
    expect(checkSeriesScope('HEAD', { studyDescription: 'CT CHEST' }, shipped)?.inScope).toBe(false);
    for (const coded of [undefined, '', 'UNKNOWN']) expect(checkSeriesScope(coded, { studyDescription: 'CT HEAD' }, shipped)?.from).toBe('Study Description');
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
