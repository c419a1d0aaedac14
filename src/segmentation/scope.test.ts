import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkScope, outOfScopeBodyPart, outOfScopeNote, scopeProblems, type ModelScope } from './scope';

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
