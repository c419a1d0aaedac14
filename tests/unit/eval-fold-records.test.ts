import { describe, expect, it } from 'vitest';
import { recordedFoldDoc, recordedFolds } from '../../scripts/eval/fold-records';
import { recipeOf, type CaseSpec } from '../../scripts/eval/models';

const cases: CaseSpec[] = [
  { id: 'A', title: 'A: torso', ct: 'a.nii.gz', ref: 'a-ref.nii.gz' },
  { id: 'B', title: 'B: abdomen', ct: 'b.nii.gz', ref: 'b-ref.nii.gz' },
];
const recipe = { mix: { real: 0.6, synth: 0, phantom: 0.4 }, rephase: 0.5, excluded: ['D'], seed: 1234 };
const foldB = () => ({
  recipe: JSON.parse(recipeOf(recipe)),
  trainedOn: ['real case A', '48 procedural phantoms'],
  steps: 3000,
  scoredPart: 'all',
  groups: { bone: { iou: 0.542, precision: 0.6096, recall: 0.8302 }, vessel: { iou: 0.336, precision: 0.4875, recall: 0.5195 } },
  classes: { bone: { iou: 0.542, precision: 0.6096, recall: 0.8302 }, heart: { iou: null, precision: null, recall: null } },
  threshold150BoneIoU: 0.3285,
});
const record = (fold: Record<string, unknown>) => ({ date: '2026-12-02T08:11:44.855Z', loco: { B: fold } });

describe('folds taken from a recorded trial (scripts/eval/fold-records.ts)', () => {
  it('reads a fold with its recipe, as recipeOf spells it, so validation compares it with the shipped recipe', () => {
    const [fold] = recordedFolds('t.json', record(foldB()), ['A', 'B']);
    expect(fold.caseId).toBe('B');
    expect(fold.recipe).toBe(recipeOf(recipe));
    expect(fold.recipe).not.toBe(recipeOf({ ...recipe, seed: 99 }));
    expect(fold.date).toBe('2026-12-02T08:11:44.855Z');
  });

  it('refuses, naming the file and case, a fold without a recipe, with scores out of 0..1, or of an unknown case', () => {
    const { recipe: _, ...noRecipe } = foldB();
    expect(() => recordedFolds('t.json', record(noRecipe), ['A', 'B'])).toThrow(/t\.json: case B: no "recipe"/);
    const outOfRange = { ...foldB(), groups: { bone: { iou: 54.2, precision: 0.6, recall: 0.8 } } };
    expect(() => recordedFolds('t.json', record(outOfRange), ['A', 'B'])).toThrow(/case B: "groups"/);
    expect(() => recordedFolds('t.json', record(foldB()), ['A'])).toThrow(/case "B" is not one of/);
    expect(() => recordedFolds('t.json', { loco: {} }, ['A'])).toThrow(/no "date"/);
    expect(() => recordedFolds('t.json', [], ['A'])).toThrow(/no "loco" object/);
  });

  it('writes the summary row and a class table of what the record scored (classes it could not score left out)', () => {
    const [fold] = recordedFolds('t.json', record(foldB()), ['A', 'B']);
    const doc = recordedFoldDoc(fold, cases[1], cases);
    expect(doc.summaryRow).toBe('| leave-out B (recorded 2026-12-02) | B | all | A | 0.542 / 0.610 / 0.830 | 0.336 / 0.487 / 0.519 | — | 0.329 |'); // 0.5195 as recorded (4 decimals)
    expect(doc.section).toContain('| bone | 0.542 / 0.610 / 0.830 |');
    expect(doc.section).not.toContain('heart');
  });
});
