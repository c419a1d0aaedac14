import { describe, expect, it } from 'vitest';
import { UsageError } from '../args';
import { parseTolerances } from './eval';

describe('holoct eval --surface-mm', () => {
  it('reads distances in mm, or none', () => {
    expect(parseTolerances('2,3')).toEqual([2, 3]);
    expect(parseTolerances(' 1.5 ')).toEqual([1.5]);
    expect(parseTolerances('none')).toEqual([]);
  });

  it('refuses an empty entry (not read as 0 mm), a negative or a word, quoting the value', () => {
    for (const bad of ['', '2,', ',2', '-1', '2,x']) {
      expect(() => parseTolerances(bad), JSON.stringify(bad)).toThrow(UsageError);
    }
    expect(() => parseTolerances('2,')).toThrow(/--surface-mm must be distances in mm.*"2,"/);
  });
});
