import { describe, expect, it } from 'vitest';
import { heldOut, heldOutText, modelEntry, recipeOf, type CaseSpec } from '../../scripts/eval/models';

const CASES: CaseSpec[] = [
  { id: 'A', title: 'A', ct: 'a', ref: 'a', parts: { A30: [82, 111] } },
  { id: 'B', title: 'B', ct: 'b', ref: 'b' },
  { id: 'C', title: 'C', ct: 'c', ref: 'c' },
  { id: 'D', title: 'D', ct: 'd', ref: 'd' },
];
const scoredOn = (training: Record<string, unknown>) => {
  const model = modelEntry('m', 'm.json', training, CASES);
  return CASES.filter((c) => heldOut(model, c).scored).map((c) => c.id);
};

describe('which cases npm run eval scores a model on (scripts/eval/models.ts)', () => {
  it('the shipped model (holdout: null, as train.py writes it) on every case it never trained on, an excluded one included', () => {
    const shipped = { holdout: null, trainedOn: ['real case A', 'real case B', 'real case C', '48 procedural phantoms'], excluded: ['D'] };
    expect(scoredOn(shipped)).toEqual(['D']);
    expect(heldOutText(modelEntry('shipped model', 'm.json', shipped, CASES), CASES)).toBe('**D** (a patient it never saw) is');
  });

  it('a leave-one-case-out run on its held-out case only, not on a case it merely left out', () => {
    expect(scoredOn({ holdout: 'B', trainedOn: ['real case A', 'real case C'], excluded: ['D'] })).toEqual(['B']);
  });

  it('a model trained on a part of a case (A30) on the rest of that case', () => {
    const model = modelEntry('m', 'm.json', { holdout: null, trainedOn: ['real case A30', 'real case B', 'real case C'] }, CASES);
    expect(heldOut(model, CASES[0])).toEqual({ scored: true, ignoreSlices: [82, 111], trainedPart: 'A30' });
    expect(CASES.filter((c) => heldOut(model, c).scored).map((c) => c.id)).toEqual(['A', 'D']);
  });

  it('a fold and the shipped model are one recipe when every training setting but steps and cases matches', () => {
    const shared = { mix: { real: 0.6, phantom: 0.4 }, rephase: 0.5, excluded: ['D'], seed: 1234, lr: 0.002 };
    expect(recipeOf({ ...shared, steps: 2000, trainedOn: ['real case A'] })).toBe(recipeOf({ ...shared, steps: 1000, holdout: 'B' }));
    expect(recipeOf({ ...shared, seed: 99 })).not.toBe(recipeOf(shared));
    expect(recipeOf({ mix: shared.mix })).toBe(recipeOf({ mix: shared.mix, rephase: 0, caseWeighting: 'uniform', excluded: [] }));
  });
});
