import { describe, expect, it } from 'vitest';
import { classesCutByFieldOfView, plausibilityNotes } from './plausibility';

const s = (name: string, volumeMl: number, touchesScanEnd = false) => ({ name, volumeMl, touchesScanEnd });

describe('plausibility notes', () => {
  it('flags a liver of 300 mL or 4 L held whole, not one of 1.5 L', () => {
    expect(plausibilityNotes([s('liver', 300)]).get('liver')).toMatch(/300 mL is far below the adult range 1\.0 L–2\.2 L \(Heinemann/);
    expect(plausibilityNotes([s('liver', 4000)]).get('liver')).toMatch(/4\.0 L is far above/);
    expect(plausibilityNotes([s('liver', 1500)]).size).toBe(0);
  });

  it('does not call a structure cut by the scan small', () => {
    expect(plausibilityNotes([s('liver', 300, true)]).size).toBe(0);
  });

  it('notes a heart missing beside lungs held whole, not beside lungs cut by the scan or implausibly small', () => {
    expect(plausibilityNotes([s('lungs', 4500), s('heart', 0)]).get('heart')).toMatch(/not found, though the lungs/);
    expect(plausibilityNotes([s('lungs', 4500, true), s('heart', 0)]).size).toBe(0);
    expect(plausibilityNotes([s('lungs', 60), s('heart', 0)]).has('heart')).toBe(false);
  });

  it('finds the classes on the faces of the grid', () => {
    const data = new Uint8Array(27);
    data[13] = 4; // the centre of 3×3×3
    data[0] = 7;
    expect([...classesCutByFieldOfView({ dims: [3, 3, 3], data })].sort()).toEqual([0, 7]);
  });
});
