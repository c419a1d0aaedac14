import { describe, expect, it } from 'vitest';
import { chooseRecordedFolds, recordedFoldDoc, recordedFolds } from '../../scripts/eval/fold-records';
import { recipeOf, type CaseSpec } from '../../scripts/eval/models';

const cases: CaseSpec[] = [
  { id: 'A', title: 'A: torso', ct: 'a.nii.gz', ref: 'a-ref.nii.gz' },
  { id: 'B', title: 'B: abdomen', ct: 'b.nii.gz', ref: 'b-ref.nii.gz' },
  { id: 'D', title: 'D: chest', ct: 'd.nii.gz', ref: 'd-masks' },
];
const recipe = { mix: { real: 0.6, synth: 0, phantom: 0.4 }, rephase: 0.5, excluded: ['D'], seed: 1234 };
const fold = (over: Record<string, unknown> = {}) => ({
  recipe: JSON.parse(recipeOf(recipe)),
  trainedOn: ['real case A', '48 procedural phantoms'],
  steps: 3000,
  scoredPart: 'all',
  groups: { bone: { iou: 0.542, precision: 0.6096, recall: 0.8302 }, vessel: { iou: 0.336, precision: 0.4875, recall: 0.5195 } },
  classes: { bone: { iou: 0.542, precision: 0.6096, recall: 0.8302 }, heart: { iou: null, precision: null, recall: null } },
  threshold150BoneIoU: 0.3285,
  ...over,
});
const record = (loco: Record<string, unknown>) => ({ date: '2026-12-02T08:11:44.855Z', commit: '8cecc56abc', loco });
const read = (loco: Record<string, unknown>, file = 't.json') => recordedFolds(file, record(loco), cases);
const shipped = { recipe: recipeOf(recipe), excluded: ['D'] };
const none = { recipes: {}, steps: {} };
const sameCode = () => true;

describe('reading a recorded trial (scripts/eval/fold-records.ts recordedFolds)', () => {
  it('reads a fold with its recipe as recipeOf spells it, whatever the key order it was stored in', () => {
    const reordered = Object.fromEntries(Object.entries(JSON.parse(recipeOf(recipe))).reverse());
    const [f] = read({ B: fold({ recipe: reordered }) });
    expect(f).toMatchObject({ caseId: 'B', steps: 3000, commit: '8cecc56abc', date: '2026-12-02T08:11:44.855Z' });
    expect(f.recipe).toBe(recipeOf(recipe));
  });

  it('refuses, naming the file and case, what cannot be trusted or read', () => {
    const { recipe: _, ...noRecipe } = fold();
    expect(() => read({ B: noRecipe })).toThrow(/t\.json: case B: no "recipe"/);
    expect(() => read({ B: fold({ steps: undefined }) })).toThrow(/case B: no "steps"/);
    expect(() => read({ B: fold({ groups: { bone: { iou: 54.2, precision: 0.6, recall: 0.8 } } }) })).toThrow(/case B: "groups"/);
    expect(() => read({ B: fold({ trainedOn: ['real case A', 'real case B'] }) })).toThrow(/trained on B, so not its fold/);
    expect(() => read({ E: fold() })).toThrow(/case "E" is not one of/);
    expect(() => recordedFolds('t.json', { date: 'x', loco: {} }, cases)).toThrow(/no "commit"/);
    expect(() => recordedFolds('t.json', { commit: 'abcdef0', loco: {} }, cases)).toThrow(/no "date"/);
    expect(() => recordedFolds('t.json', [], cases)).toThrow(/no "loco" object/);
  });
});

describe('which recorded folds complete the shipped model\'s validation (chooseRecordedFolds)', () => {
  it('uses a fold of the shipped recipe for a case with no run here', () => {
    const { used, skipped } = chooseRecordedFolds(read({ B: fold() }), { recipes: { A: recipeOf(recipe) }, steps: { A: 3000 } }, shipped, sameCode);
    expect(used.map((f) => f.caseId)).toEqual(['B']);
    expect(skipped).toEqual([]);
  });

  it('skips, saying why: a run here wins, another recipe, other steps, an excluded case, changed scoring code, a second record of one case', () => {
    const present = { recipes: { A: recipeOf(recipe) }, steps: { A: 3000 } };
    const skippedFor = (folds: ReturnType<typeof read>, same = sameCode) => chooseRecordedFolds(folds, present, shipped, same);
    expect(skippedFor(read({ A: fold({ trainedOn: ['real case B'] }) })).skipped[0]).toMatch(/fold A of t\.json not used: its run here was scored/);
    expect(skippedFor(read({ A: fold({ trainedOn: ['real case B'] }) })).refused).toEqual([]); // a run here is no reason to stop
    expect(skippedFor(read({ B: fold({ steps: 1000 }) })).refused).toHaveLength(1);
    expect(skippedFor(read({ B: fold({ recipe: { ...recipe, seed: 99 } }) })).skipped[0]).toMatch(/another recipe/);
    expect(skippedFor(read({ B: fold({ steps: 1000 }) })).skipped[0]).toMatch(/1000 steps, the other folds 3000/);
    expect(skippedFor(read({ D: fold() })).skipped[0]).toMatch(/never trains on D/);
    expect(skippedFor(read({ B: fold() }), () => false).skipped[0]).toMatch(/changed since commit 8cecc56abc/);
    const twice = [...read({ B: fold() }, 'first.json'), ...read({ B: fold() }, 'second.json')];
    const r = skippedFor(twice);
    expect(r.used.map((f) => f.file)).toEqual(['first.json']);
    expect(r.skipped[0]).toMatch(/second\.json not used: an earlier record \(first\.json\)/);
  });

  it('with no run here, the first recorded fold sets the step count the others must have', () => {
    const folds = [...read({ A: fold({ trainedOn: ['real case B'], steps: 1000 }) }), ...read({ B: fold() })];
    const { used, skipped } = chooseRecordedFolds(folds, none, shipped, sameCode);
    expect(used.map((f) => f.caseId)).toEqual(['A']);
    expect(skipped[0]).toMatch(/fold B .* 3000 steps, the other folds 1000/);
  });

  it('where the shipped manifest names its fold length, a recorded fold of another length is skipped even with no run here', () => {
    const { used, skipped } = chooseRecordedFolds(read({ B: fold() }), none, { ...shipped, locoSteps: 1000 }, sameCode);
    expect(used).toEqual([]);
    expect(skipped[0]).toMatch(/3000 steps, the recipe's folds 1000/);
    expect(chooseRecordedFolds(read({ B: fold() }), none, { ...shipped, locoSteps: 3000 }, sameCode).used).toHaveLength(1);
  });
});

describe('a fold run on another grid than the shipped model\'s', () => {
  it('is skipped (a grid trial is not a fold of the recipe)', () => {
    const folds = read({ B: fold({ spacing: [1.5, 1.5, 1.5] }) });
    const { used, skipped } = chooseRecordedFolds(folds, none, { ...shipped, spacing: [2, 2, 2] }, sameCode);
    expect(used).toEqual([]);
    expect(skipped[0]).toMatch(/1.5 × 1.5 × 1.5 mm grid, the shipped model's is 2 × 2 × 2 mm/);
    expect(chooseRecordedFolds(read({ B: fold({ spacing: [2, 2, 2] }) }), none, { ...shipped, spacing: [2, 2, 2] }, sameCode).used).toHaveLength(1);
  });
});

describe('a recorded fold in docs/accuracy.md (recordedFoldDoc)', () => {
  it('writes the summary row and a class table of what the record scored (classes it could not score left out)', () => {
    const [f] = read({ B: fold() });
    const doc = recordedFoldDoc(f, cases[1], cases);
    // 0.5195 as recorded (4 decimals) prints 0.519
    expect(doc.summaryRow).toBe('| leave-out B (recorded 2026-12-02) | B | all | A | 0.542 / 0.610 / 0.830 | 0.336 / 0.487 / 0.519 | — | 0.329 |');
    expect(doc.section).toContain('| bone | 0.542 / 0.610 / 0.830 |');
    expect(doc.section).toContain('commit 8cecc56abc');
    expect(doc.section).not.toContain('heart');
  });
});
