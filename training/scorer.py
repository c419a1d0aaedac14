"""The one scorer, for training: every score goes through `holoct eval` (src/evaluation/metrics.ts),
so training/results, the model manifest and docs/accuracy.md cannot disagree. A prediction on a
case's own grid is written to a temporary NIfTI and scored by the CLI against the case's reference
as scripts/eval-cases.json defines it (partial references, slices left out)."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile

import nibabel as nib
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, '..', 'shared', 'data'))
LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])

# The cases of the app's evaluation, plus A30 (ct_3mm_30slices, the last 30 slices of A) that
# training used before the full labels of A existed.
with open(os.path.join(ROOT, 'scripts', 'eval-cases.json')) as f:
    CASES = {c['id']: c for c in json.load(f)['cases']}
CASES['A30'] = {'id': 'A30', 'ct': 'totalseg/ct_3mm_30slices.nii.gz', 'ref': 'totalseg/seg_3mm_30slices.nii.gz',
                'refClasses': 'totalseg/classes.tsv'}


def cli_args(case_id, pred_path, ignore_slices=None, with_ct=True):
    c = CASES[case_id]
    # overlap scores only: training reads no surface Dice (each costs distance transforms)
    args = ['eval', '--pred', pred_path, '--ref', os.path.join(SHARED, c['ref']), '--json', '--surface-mm', 'none']
    if c.get('refClasses'):
        args += ['--ref-classes', os.path.join(SHARED, c['refClasses'])]
    if c.get('complete'):
        args += ['--complete', ','.join(c['complete'])]
    if ignore_slices:
        args += ['--ignore-slices', f'{ignore_slices[0]}-{ignore_slices[1]}']
    if with_ct:
        args += ['--ct', os.path.join(SHARED, c['ct'])]
    return args


def score_file(pred_path, case_id, ignore_slices=None, with_ct=True):
    """`holoct eval --json` of a label NIfTI against a case's reference -> its JSON (EvalOutput)."""
    out = subprocess.run(['node', os.path.join(ROOT, 'bin', 'holoct.mjs')] + cli_args(case_id, pred_path, ignore_slices, with_ct),
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f'holoct eval failed on case {case_id}: {out.stderr.strip()}')
    return json.loads(out.stdout)


def score_array(pred_zyx, grid, case_id, ignore_slices=None, with_ct=True):
    """Scores labels [Z,Y,X] on `grid` (common.Grid: affine voxel -> LPS mm) through the CLI."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'pred.nii.gz')
        img = nib.Nifti1Image(np.ascontiguousarray(pred_zyx.astype(np.uint8).transpose(2, 1, 0)), LPS_TO_RAS @ grid.affine)
        img.set_qform(img.affine, code=1)
        img.set_sform(img.affine, code=1)
        nib.save(img, path)
        return score_file(path, case_id, ignore_slices, with_ct)


def summary_scores(out):
    """The CLI's EvalOutput in the shape training's summaries read: groups/classes by name, threshold."""
    pick = lambda s: {k: s[k] for k in ('iou', 'dice', 'precision', 'recall', 'referenceVoxels', 'predictedVoxels', 'coverage')}  # noqa: E731
    res = {
        'scorer': 'holoct eval (src/evaluation/metrics.ts)',
        'voxels': out['model']['voxels'],
        'pixelAccuracy': out['model']['pixelAccuracy'],
        'groups': {g['name']: pick(g) for g in out['model']['groups']},
        'classes': {c['name']: pick(c) for c in out['model']['classes']},
        'partialReference': out['partialReference'],
    }
    if out.get('threshold150'):
        res['threshold150'] = {'bone': pick(next(g for g in out['threshold150']['groups'] if g['name'] == 'bone'))}
    return res
