import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedFolds, findModels, heldOut, heldOutText, modelEntry, recipeOf, withShippedPostprocessing, type CaseSpec } from '../../scripts/eval/models';
import type { ClassInfo, ModelManifest } from '../../src/segmentation/manifest';

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

  it('the shipped recipe has a fold per real case it trained on, none for a case it left out or a part of a case', () => {
    expect(expectedFolds(modelEntry('shipped model', 'm.json', { holdout: null, trainedOn: ['real case A', 'real case B', 'real case C'], excluded: ['D'] }, CASES), CASES)).toEqual(['A', 'B', 'C']);
    expect(expectedFolds(modelEntry('shipped model', 'm.json', { holdout: null, trainedOn: ['real case A30', 'real case B'] }, CASES), CASES)).toEqual(['B']);
  });

  it('a fold and the shipped model are one recipe when every training setting but steps and cases matches', () => {
    const shared = { mix: { real: 0.6, phantom: 0.4 }, rephase: 0.5, excluded: ['D'], seed: 1234, lr: 0.002 };
    expect(recipeOf({ ...shared, steps: 2000, trainedOn: ['real case A'] })).toBe(recipeOf({ ...shared, steps: 1000, holdout: 'B' }));
    expect(recipeOf({ ...shared, seed: 99 })).not.toBe(recipeOf(shared));
    expect(recipeOf({ mix: shared.mix })).toBe(recipeOf({ mix: shared.mix, rephase: 0, caseWeighting: 'uniform', excluded: [] }));
  });
});

describe('where npm run eval finds the fold models (findModels)', () => {
  let root = '';
  afterEach(() => { if (root) rmSync(root, { recursive: true, force: true }); });
  const fold = (dir: string, holdout: string, steps: number) => {
    mkdirSync(join(root, dir), { recursive: true });
    const trainedOn = CASES.filter((c) => c.id !== holdout && c.id !== 'D').map((c) => `real case ${c.id}`);
    writeFileSync(join(root, dir, 'holoct-seg.json'), JSON.stringify({ training: { holdout, trainedOn, excluded: ['D'], steps } }));
    writeFileSync(join(root, dir, 'info.json'), JSON.stringify({ scores: {} }));
  };

  it('takes a run here before a kept fold of the same case, a kept fold where no run is, and skips a file named loco-*', () => {
    root = mkdtempSync(join(tmpdir(), 'holoct-folds-'));
    writeFileSync(join(root, 'shipped.json'), JSON.stringify({ training: { holdout: null, trainedOn: ['real case A', 'real case B', 'real case C'], excluded: ['D'] } }));
    fold('runs/loco-B', 'B', 3000);
    writeFileSync(join(root, 'runs', 'loco-mirror.json'), '{}'); // the side file that once crashed eval (ENOTDIR)
    fold('kept/loco-A', 'A', 3000);
    fold('kept/loco-B', 'B', 1000);
    fold('kept/loco-D', 'D', 3000);
    const skipped: string[] = [];
    const models = findModels({ shipped: join(root, 'shipped.json'), runs: join(root, 'runs'), kept: join(root, 'kept'), cases: CASES, onSkip: (m) => skipped.push(m) });
    expect(models.map((m) => [m.label, m.folder && m.folder.slice(root.length + 1), m.training.steps ?? null])).toEqual([
      ['shipped model', undefined, null],
      ['leave-out B', 'runs/loco-B', 3000],
      ['leave-out A', 'kept/loco-A', 3000],
    ]);
    expect(models[1].manifestPath).toBe(join(root, 'runs', 'loco-B', 'holoct-seg.json'));
    expect(skipped.join('\n')).toMatch(/loco-mirror\.json is a file/);
    expect(skipped.join('\n')).toMatch(/loco-D holds out D/);
  });

  it('scores a trial\'s runs alone when no kept folder is given, and nothing when the folders are missing', () => {
    root = mkdtempSync(join(tmpdir(), 'holoct-folds-'));
    fold('kept/loco-A', 'A', 3000);
    expect(findModels({ runs: join(root, 'runs'), cases: CASES })).toEqual([]);
    expect(findModels({ runs: join(root, 'runs'), kept: join(root, 'kept'), cases: CASES }).map((m) => m.label)).toEqual(['leave-out A']);
  });
});

describe('a fold is scored with the shipped post-processing rules (withShippedPostprocessing)', () => {
  const cls = (id: number, name: string, extra: Partial<ClassInfo> = {}): ClassInfo =>
    ({ id, name, label: name, group: 'organ', color: '#ffffff', opacity: 1, sourceNames: [name], ...extra });
  const manifest = (classes: ClassInfo[]) => ({ name: 'm', spacing: [2, 2, 2], classes }) as unknown as ModelManifest;

  it('takes components and refine from the shipped manifest, the rest from the fold', () => {
    const fold = manifest([cls(1, 'bone', { refine: { minHU: 200 }, color: '#000000' }), cls(7, 'lungs')]);
    const shipped = manifest([cls(1, 'bone', { refine: { minHU: 200, growMm: 10 } }), cls(7, 'lungs', { refine: { maxHU: -500, growMm: 50 }, components: { max: 2 } })]);
    const out = withShippedPostprocessing(fold, shipped, 'fold.json');
    expect(out.classes.map((c) => [c.refine, c.components, c.color])).toEqual([
      [{ minHU: 200, growMm: 10 }, undefined, '#000000'],
      [{ maxHU: -500, growMm: 50 }, { max: 2 }, '#ffffff'],
    ]);
    expect(fold.classes[0].refine).toEqual({ minHU: 200 });
  });

  it('refuses a fold whose classes differ from the shipped model\'s', () => {
    expect(() => withShippedPostprocessing(manifest([cls(1, 'bone')]), manifest([cls(1, 'bone'), cls(2, 'arteries')]), 'training/folds/loco-A/holoct-seg.json'))
      .toThrow(/loco-A\/holoct-seg\.json has other classes/);
  });
});
