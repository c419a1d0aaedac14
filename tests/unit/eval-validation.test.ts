import { describe, expect, it } from 'vitest';
import { recipeOf } from '../../scripts/eval/models';
import { manifestWithScores, NOT_SCORED, recipeFoldSteps } from '../../scripts/eval/validation';

const recipe = { mix: { real: 0.6, synth: 0, phantom: 0.4 }, rephase: 0.5, excluded: ['D'], seed: 1234, batch: 8, lr: 0.002 };
const shipped = () => ({ name: 'holoct-seg', training: { ...recipe, steps: 2000, validation: { method: 'old', loco: { B: 'old' } } } });
const held = { D: { groups: { organ: { iou: 0.236 } } } };
const loco = { A: { groups: { bone: { iou: 0.481 } } }, B: { groups: { bone: { iou: 0.548 } } } };

describe('the scores npm run eval writes into the shipped manifest (scripts/eval/validation.ts)', () => {
  it('leave-one-case-out runs of the shipped recipe become its validation (steps may differ), next to its held-out scores', () => {
    const folds = { ...recipe, steps: 1000 };
    const input = shipped();
    const u = manifestWithScores(input, held, loco, { A: recipeOf(folds), B: recipeOf(folds) });
    expect(u.otherRecipe).toBe(false);
    expect(u.validation?.loco).toEqual(loco);
    expect(u.manifest.training.validation).toEqual(u.validation);
    expect(u.manifest.training.evaluation.cases).toEqual(held);
    expect(u.manifest.training.steps).toBe(2000);
    expect(input.training.validation.method).toBe('old'); // the input is not changed
  });

  it('runs of another recipe (one fold of another seed is enough) are not its validation: the old one stays', () => {
    const u = manifestWithScores(shipped(), held, loco, { A: recipeOf(recipe), B: recipeOf({ ...recipe, seed: 99 }) });
    expect(u.otherRecipe).toBe(true);
    expect(u.validation).toBeNull();
    expect(u.manifest.training.validation).toEqual({ method: 'old', loco: { B: 'old' } });
    expect(u.manifest.training.evaluation.cases).toEqual(held);
  });

  it('folds of another length than the recipe\'s (training.locoSteps, as npm run train writes it) are not its validation', () => {
    const manifest = { ...shipped(), training: { ...shipped().training, locoSteps: 1000 } };
    const folds = { A: recipeOf(recipe), B: recipeOf(recipe) };
    const u = manifestWithScores(manifest, held, loco, folds, { A: 3000, B: 3000 });
    expect(u.otherRecipe).toBe(true);
    expect(u.validation).toBeNull();
    expect(manifestWithScores(manifest, held, loco, folds, { A: 1000, B: 1000 }).validation?.loco).toEqual(loco);
  });

  it('a manifest without training.locoSteps takes the fold length of its current validation', () => {
    expect(recipeFoldSteps({ validation: { loco: { A: { steps: 1000 }, B: { steps: 1000 } } } })).toBe(1000);
    expect(recipeFoldSteps({ locoSteps: 3000, validation: { loco: { A: { steps: 1000 } } } })).toBe(3000);
    expect(recipeFoldSteps({ validation: { loco: { A: { steps: 1000 }, B: { steps: 3000 } } } })).toBeUndefined();
    const old = { ...shipped(), training: { ...shipped().training, validation: { method: 'old', loco: { A: { steps: 1000 } } } } };
    const u = manifestWithScores(old, held, loco, { A: recipeOf(recipe), B: recipeOf(recipe) }, { A: 3000, B: 3000 });
    expect(u).toMatchObject({ validation: null, otherRecipe: true });
  });

  it('no leave-one-case-out run: held-out scores only, nothing said about another recipe', () => {
    const u = manifestWithScores(shipped(), held, {}, {});
    expect(u).toMatchObject({ validation: null, otherRecipe: false });
    expect(u.manifest.training.validation.method).toBe('old');
  });

  it('names a fold of the recipe that was not scored, so the validation is not read as whole', () => {
    const folds = { ...recipe, steps: 1000 };
    const u = manifestWithScores(shipped(), held, { A: loco.A }, { A: recipeOf(folds) }, {}, ['C']);
    expect(u.validation).toEqual({ method: expect.any(String), loco: { A: loco.A }, notScored: { C: NOT_SCORED } });
    expect(manifestWithScores(shipped(), held, loco, { A: recipeOf(folds), B: recipeOf(folds) }).validation).not.toHaveProperty('notScored');
  });
});
