/**
 * The shipped model through the real pipeline (segmentVolume: resample, windows, post-processing) on
 * the four real cases: nothing labelled outside the body, no class breaking its component rule, and
 * regression floors on D, the patient the shipped model never saw, and on A, B and C for the leave-one-case-out
 * folds that did not train on them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/cli/commands/eval';
import { readInputFiles } from '../../src/cli/files';
import { DEFAULT_MANIFEST, loadNodeModel } from '../../src/cli/node-model';
import { loadInput } from '../../src/pipeline/input';
import { bodyMask } from '../../src/segmentation/body-mask';
import { checkAnatomy } from '../../src/segmentation/guarantees';
import { dilateBox, radiusInVoxels } from '../../src/segmentation/morphology';
import { segmentVolume } from '../../src/segmentation/pipeline';
import { componentRules, DEFAULT_POSTPROCESS } from '../../src/segmentation/postprocess';

const DATA = '../shared/data/totalseg';
// Measured on D with the shipped model (2026-12-02 15:52 UTC: 3000 steps on A, B, C, re-phasing; D left out of
// training) and post-processing (docs/accuracy.md; refinement within 3 mm, vessels before bone, no trimming,
// 2026-12-03): heart IoU 0.287, pulmonary-artery recall 0.813 (0.779 with the rules before; the 2000-step model
// before it: 0.236, 0.824). The floors leave room for float differences, not for a worse model.
const HEART_IOU_FLOOR = 0.27;
const PA_RECALL_FLOOR = 0.79;
const CASES = [
  { id: 'A', ct: `${DATA}/ct_3mm.nii.gz` },
  { id: 'B', ct: `${DATA}/dicom` },
  { id: 'C', ct: `${DATA}/aorta_cta/ct_1.5mm.nii.gz` },
  { id: 'D', ct: `${DATA}/pulmonary_cta/ct_1.5mm.nii.gz` },
];

describe('post-processing guarantees of the shipped model on the four real cases', async () => {
  const { manifest, session } = await loadNodeModel(DEFAULT_MANIFEST);

  for (const c of CASES) {
    it(`case ${c.id}: no label outside the body, no detached fragment`, async () => {
      const volume = (await loadInput(await readInputFiles(c.ct))).volume;
      const result = await segmentVolume(volume, { session, manifest });
      const components = DEFAULT_POSTPROCESS.components;
      if (!components) throw new Error('the shipped post-processing must run the component rules');
      const check = checkAnatomy(result.labels, result.body, componentRules(manifest.classes), components.defaultMinMl);
      expect(check.outsideBodyVoxels).toBe(0);
      expect(check.violations).toEqual([]);
      // the pipeline's body comes from the model's 2 mm grid: compared with one computed on the CT's own
      // grid, nothing is labelled farther than one model voxel from it
      const native = dilateBox(bodyMask(volume.data, volume), volume.dims, radiusInVoxels(manifest.spacing[0], volume.spacing));
      let outside = 0;
      for (let n = 0; n < native.length; n++) if (result.labels.data[n] && !native[n]) outside++;
      expect(outside).toBe(0);
      // something is still labelled: the guarantees do not come from wiping the labels
      expect(result.labels.data.some((v) => v !== 0)).toBe(true);

      if (c.id === 'D') {
        // regression floors on the patient the shipped model never saw (measured: see docs/accuracy.md)
        const scores = await evaluate({ pred: { labels: result.labels, name: 'D' }, ref: `${DATA}/pulmonary_cta/masks`, complete: ['heart'] });
        const heart = scores.model.classes.find((k) => k.name === 'heart')!;
        const arteries = scores.model.classes.find((k) => k.name === 'arteries')!;
        expect(heart.iou!).toBeGreaterThan(HEART_IOU_FLOOR);
        expect(arteries.recall!).toBeGreaterThan(PA_RECALL_FLOOR);
      }
    }, 600_000);
  }
});

// Regression floors on held-out cases for the leave-one-case-out folds kept in git (training/folds): a
// post-processing change that costs a case no model trained on fails here, not only in npm run eval.
// Measured (docs/accuracy.md, 2026-12-03 rules, marrow fill): fold A on A bone 0.661, vessel 0.302,
// organ 0.615; fold B on B 0.602, 0.422, 0.793; fold C on C (partial reference: arteries complete, bone
// T12 only, so recall only) vessel 0.395, bone recall 0.974. The floors leave room for float differences only.
// CT and reference paths come from scripts/eval-cases.json, the file npm run eval scores by.
const FOLD_FLOORS: { id: string; floors: Partial<Record<'bone' | 'vessel' | 'organ', { iou?: number; recall?: number }>> }[] = [
  { id: 'A', floors: { bone: { iou: 0.64 }, vessel: { iou: 0.28 }, organ: { iou: 0.6 } } },
  { id: 'B', floors: { bone: { iou: 0.58 }, vessel: { iou: 0.4 }, organ: { iou: 0.77 } } },
  { id: 'C', floors: { vessel: { iou: 0.37 }, bone: { recall: 0.95 } } },
];

interface EvalCase { id: string; ct: string; ref: string; refClasses?: string; complete?: string[] }
const EVAL_CASES: EvalCase[] = JSON.parse(readFileSync('scripts/eval-cases.json', 'utf8')).cases;

describe('held-out regression floors of the kept leave-one-case-out folds', () => {
  for (const c of FOLD_FLOORS) {
    it(`fold ${c.id} on case ${c.id}, which it never trained on`, async () => {
      const evalCase = EVAL_CASES.find((e) => e.id === c.id)!;
      const model = `training/folds/loco-${c.id}/holoct-seg.json`;
      const { manifest, session } = await loadNodeModel(model);
      const trainedOn = (manifest as unknown as { training: { trainedOn: string[] } }).training.trainedOn;
      expect(trainedOn).not.toContain(`real case ${c.id}`);
      const volume = (await loadInput(await readInputFiles(join('../shared/data', evalCase.ct)))).volume;
      const result = await segmentVolume(volume, { session, manifest });
      const scores = await evaluate({
        pred: { labels: result.labels, name: c.id },
        ref: join('../shared/data', evalCase.ref),
        refClasses: evalCase.refClasses && join('../shared/data', evalCase.refClasses),
        complete: evalCase.complete,
        model,
      });
      for (const [group, floor] of Object.entries(c.floors)) {
        const scored = scores.model.groups.find((g) => g.name === group)!;
        for (const [metric, min] of Object.entries(floor) as ['iou' | 'recall', number][]) {
          expect(scored[metric], `${group} ${metric}`).not.toBeNull();
          expect(scored[metric]!, `${group} ${metric}`).toBeGreaterThan(min);
        }
      }
    }, 600_000);
  }
});
