import { describe, expect, it } from 'vitest';
import { checkScope, scopeProblems, type ModelScope } from './scope';

const torso: ModelScope = { description: 'adult CT of the chest, abdomen and pelvis', bodyParts: ['CHEST', 'ABD', 'PELVIS', 'BODY'] };

describe('checkScope', () => {
  it('keeps the DICOM terms of the trained regions in scope, and the free text scanners write for them', () => {
    for (const value of ['CHEST', 'ABDOMEN', 'CHESTABDPELVIS', 'PARTIALBODY', 'WHOLEBODY', 'Abdomen / Pelvis', ' chest ', 'NECKCHEST']) {
      expect(checkScope(value, torso), value).toEqual({ bodyPart: value.trim(), inScope: true });
    }
  });

  it('flags a region outside them, naming the value and what the model was trained on', () => {
    for (const value of ['HEAD', 'BRAIN', 'SKULL', 'HEADNECK', 'KNEE', 'EXTREMITY', 'CSPINE']) {
      const check = checkScope(value, torso);
      expect(check?.inScope, value).toBe(false);
      expect(check?.note).toContain(`"${value}"`);
      expect(check?.note).toContain('adult CT of the chest, abdomen and pelvis');
      expect(check?.note).toMatch(/not reliable/);
    }
  });

  it('makes no claim when the series names no body part or the model declares no scope', () => {
    expect(checkScope(undefined, torso)).toBeUndefined();
    expect(checkScope('  ', torso)).toBeUndefined();
    expect(checkScope('HEAD', undefined)).toBeUndefined();
  });
});

describe('scopeProblems', () => {
  it('accepts a description and words, and names what is missing', () => {
    expect(scopeProblems(torso)).toEqual([]);
    expect(scopeProblems(null)).toEqual(['scope must be an object']);
    expect(scopeProblems({ description: '', bodyParts: [] })).toEqual([
      'scope.description must be a non-empty string',
      'scope.bodyParts must be a non-empty array of words with letters',
    ]);
    // a word without letters would match every value
    expect(scopeProblems({ description: 'x', bodyParts: ['CHEST', ' - '] })).toHaveLength(1);
  });
});
