"""Fast checks of the training code (`node training/run.mjs --check`, ~2 min on 2 cores):
phantom labels and intensities, the Python mirror of the app pipeline, the real-case loaders, and the
ONNX export path (onnx.checker + onnxruntime-node agreement) on a small untrained network."""
from __future__ import annotations

import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402

from common import (IGNORE, NUM_CLASSES, Grid, canonical_grid, gaussian_weights, resample_nearest,  # noqa: E402
                    resample_trilinear, sliding_window_segment, window_starts, score)

failures = []


def check(cond, msg):
    print(('ok   ' if cond else 'FAIL ') + msg, flush=True)
    if not cond:
        failures.append(msg)


def test_pipeline_mirror():
    # same expectations as src/segmentation/segmentation.test.ts
    check(window_starts(10, 16, 0.5) == [0] and window_starts(16, 16, 0.5) == [0], 'windowStarts short axes')
    check(window_starts(40, 16, 0.5) == [0, 8, 16, 24], 'windowStarts(40,16,0.5) = [0,8,16,24]')
    s = window_starts(45, 16, 0.5)
    check(s[0] == 0 and s[-1] == 29 and all(b - a <= 8 for a, b in zip(s, s[1:])), 'windowStarts(45) ends flush')
    w = gaussian_weights((8, 8, 8))
    check(w.min() >= 1 and w[3, 3, 3] > w[0, 0, 0], 'gaussian weights positive, peak in the middle')
    # a position-independent predictor is reproduced exactly, padding included
    rng = np.random.default_rng(0)
    vol = rng.standard_normal((41, 29, 37)).astype(np.float32)
    thr = lambda v: np.where(v > 0.8, 2, np.where(v > -0.3, 1, 0)).astype(np.uint8)  # noqa: E731
    out = sliding_window_segment(vol, thr, (16, 16, 16), 0.5, 3)
    check(np.array_equal(out, thr(vol)), 'sliding window reproduces a pointwise predictor')
    # canonical grid of an RAS-oriented 3 mm grid: LPS axes, origin at the min corner, exact dims
    aff = np.diag([-3.0, -3.0, 3.0, 1.0]); aff[:3, 3] = [10, 20, 30]
    g = Grid((5, 6, 7), aff)
    cg = canonical_grid(g, (2, 2, 2))
    check(cg.shape_zyx == (7, 8, 10) and np.allclose(cg.affine[:3, 3], [-8, 5, 30]), f'canonical grid {cg.shape_zyx} {cg.affine[:3, 3]}')
    # trilinear reproduces a linear field inside, pads outside; nearest maps labels back exactly on a 2x grid
    kk, jj, ii = np.meshgrid(np.arange(5), np.arange(6), np.arange(7), indexing='ij')
    lin = (1.5 * ii + 2 * jj - kk).astype(np.float32)
    r = resample_trilinear(lin, g, cg)
    p = (np.linalg.inv(g.affine) @ cg.affine)
    z, y, x = np.meshgrid(*[np.arange(n) for n in cg.shape_zyx], indexing='ij')
    si = p[0, 0] * x + p[0, 3]; sj = p[1, 1] * y + p[1, 3]; sk = p[2, 2] * z + p[2, 3]
    check(np.allclose(r, 1.5 * si + 2 * sj - sk, atol=1e-4), 'trilinear resampling is exact on a linear field')
    lab = (ii % 3 + jj % 2).astype(np.uint8)
    aff2 = np.diag([1.0, 1.0, 1.0, 1.0])
    fine = Grid((5, 6, 7), aff2)
    coarse = Grid((3, 3, 4), np.diag([2.0, 2.0, 2.0, 1.0]))
    back = resample_nearest(resample_nearest(lab, fine, coarse), coarse, fine)
    check(np.array_equal(back[::2, ::2, ::2], lab[::2, ::2, ::2]), 'nearest label resampling round trip on shared voxels')
    res = score(np.array([0, 1, 1, 2, IGNORE]), np.array([0, 1, 2, 2, IGNORE]))
    check(abs(res['classes']['bone']['iou'] - 0.5) < 1e-9 and res['voxels'] == 4, 'score ignores IGNORE, IoU per class')


def test_cases():
    from cases import load_case
    a = load_case('A')
    check(a['hu'].shape == (30, 101, 122) and a['label'].max() <= 10, 'case A loads with mapped labels')
    check(np.isclose(a['grid'].affine[0, 0], -3.0), 'case A affine converted RAS -> LPS')
    c = load_case('C')
    check((c['label'] == 2).sum() > 50000 and (c['label'] == IGNORE).any(), 'case C: artery masks + unknown voxels')


def test_scorer():
    """Training scores through `holoct eval` (the app's one scorer): the reference scored as a prediction
    is perfect, and a hand-made error moves IoU, precision and recall by the hand-computed amount."""
    import nibabel as nib
    from common import grid_from_nifti
    from scorer import SHARED, score_array
    masks = os.path.join(SHARED, 'totalseg', 'pulmonary_cta', 'masks')
    grid, heart = grid_from_nifti(nib.load(os.path.join(masks, 'heart.nii.gz')))
    _, pa = grid_from_nifti(nib.load(os.path.join(masks, 'pulmonary_artery.nii.gz')))
    pred = np.zeros(heart.shape, np.uint8)
    pred[heart > 0] = 8
    pred[pa > 0] = 2
    out = score_array(pred, grid, 'D', with_ct=False)
    heart_score = next(c for c in out['model']['classes'] if c['name'] == 'heart')
    arteries = next(c for c in out['model']['classes'] if c['name'] == 'arteries')
    check(heart_score['iou'] == 1 and arteries['recall'] == 1 and arteries['iou'] is None,
          'scorer (holoct eval): reference as prediction on case D: heart IoU 1, arteries recall 1 (IoU undefined: partly labelled)')
    n_heart = int(((heart > 0) & (pa == 0)).sum())   # the masks overlap; the later file (pulmonary_artery) wins, in the CLI as here
    extra = np.argwhere((heart == 0) & (pa == 0))[:n_heart // 4]     # a quarter of the heart's size, wrongly called heart
    pred[tuple(extra.T)] = 8
    out = score_array(pred, grid, 'D', with_ct=False)
    h = next(c for c in out['model']['classes'] if c['name'] == 'heart')
    check(abs(h['iou'] - n_heart / (n_heart + len(extra))) < 1e-9 and abs(h['precision'] - n_heart / (n_heart + len(extra))) < 1e-9
          and h['recall'] == 1, 'scorer: false positives outside the masks count against a complete class')


def test_phantoms():
    from phantom import check as phantom_check
    t = time.time()
    problems = phantom_check(n=3)
    for pr in problems:
        check(False, pr)
    check(not problems, f'phantom labels / intensities sane ({time.time() - t:.0f}s)')


def test_export():
    from export import export_model
    from model import UNet3D, build_net
    torch.manual_seed(0)
    net25 = build_net('2.5d', NUM_CLASSES, (4, 8, 16, 32, 64), 2, 'bn').eval()
    with tempfile.TemporaryDirectory() as d:
        chk = export_model(net25, (64, 64, 8), d, {'test': True})
        check(chk['ortNodeAgreement'] >= 0.999 and chk['outputDims'] == [1, 8, 64, 64],
              f"2.5D export: onnxruntime-node agrees with torch ({chk['ortNodeAgreement']:.5f}), output {chk['outputDims']}")
    net = UNet3D(NUM_CLASSES, (4, 8, 16, 32, 64)).eval()
    with tempfile.TemporaryDirectory() as d:
        chk = export_model(net, (32, 32, 16), d, {'test': True})
        check(chk['ortNodeAgreement'] >= 0.999, f"onnxruntime-node agrees with torch ({chk['ortNodeAgreement']:.5f})")
        check(not {'ConvTranspose', 'MaxPool'} & set(chk['ops']), f"graph ops allowed: {chk['ops']}")
        import json
        m = json.load(open(os.path.join(d, 'holoct-seg.json')))
        check(m['format'] == 1 and m['patchSize'] == [32, 32, 16] and len(m['classes']) == NUM_CLASSES - 1, 'manifest fields')


if __name__ == '__main__':
    torch.set_num_threads(2)
    for fn in (test_pipeline_mirror, test_cases, test_scorer, test_export, test_phantoms):
        try:
            fn()
        except Exception as e:  # a crash is a failure, keep going
            import traceback
            traceback.print_exc()
            check(False, f'{fn.__name__} crashed: {e}')
    if failures:
        print(f'\n{len(failures)} check(s) failed')
        sys.exit(1)
    print('\nall training checks passed')
