import { describe, expect, it } from 'vitest';
import { checkScope, scopeNoteLine, type ModelScope } from '../segmentation/scope';
import { caseNotes, MAX_PANEL_NOTES } from './case-notes';

const SCOPE: ModelScope = { description: 'chest, abdomen and pelvis CT', bodyParts: ['CHEST', 'ABDOMEN'], notCovered: ['HEAD'] };

describe('caseNotes', () => {
  it('takes the scope warning out of the notes into its own banner', () => {
    const scope = checkScope('HEAD', SCOPE);
    const notes = [scopeNoteLine(scope)!, 'liver: 4.2 L is far above an adult liver'];
    const shown = caseNotes(scope, notes);
    expect(shown.warning).toBe(scope!.note);
    expect(shown.warning).toContain('"HEAD"');
    expect(shown.notes).toEqual(['liver: 4.2 L is far above an adult liver']);
  });

  it('shows no banner for a series in scope or naming no body part', () => {
    for (const bodyPart of ['CHEST', undefined]) {
      const shown = caseNotes(checkScope(bodyPart, SCOPE), ['kidneys: not found']);
      expect(shown.warning).toBeUndefined();
      expect(shown.notes).toEqual(['kidneys: not found']);
    }
  });

  it('keeps the panel list short', () => {
    const notes = Array.from({ length: MAX_PANEL_NOTES + 5 }, (_, i) => `note ${i}`);
    expect(caseNotes(undefined, notes).notes).toHaveLength(MAX_PANEL_NOTES);
  });
});
