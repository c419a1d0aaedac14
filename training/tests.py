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
    from cases import FINE_LABEL, load_case
    a = load_case('A')
    check(a['hu'].shape == (112, 101, 122) and set(np.unique(a['label'])) <= set(range(11)) | {IGNORE},
          'case A = the full 112-slice CT with v1 labels mapped by name')
    check(np.isclose(a['grid'].affine[0, 0], -3.0), 'case A affine converted RAS -> LPS')
    # the v2 labels of slices 82..111 agree with the v1-based case A where both name a structure
    from common import grid_from_nifti, ts_lut, DATA
    import nibabel as nib
    _, seg2 = grid_from_nifti(nib.load(os.path.join(DATA, 'seg_3mm_30slices.nii.gz')))
    l2, l1 = ts_lut()[seg2], a['label'][82:]
    both = (l2 > 0) & (l1 > 0) & (l1 != IGNORE)
    check(both.sum() > 20000 and (l2[both] == l1[both]).mean() > 0.9,
          f'case A: v1 and v2 labels agree on the 30 shared slices ({(l2[both] == l1[both]).mean():.3f})')
    check(np.array_equal(FINE_LABEL[a['fine']], a['label']), 'case A: labels follow the fine structure map')
    c = load_case('C')
    check((c['label'] == 2).sum() > 50000 and (c['label'] == IGNORE).any(), 'case C: artery masks + unknown voxels')
    d = load_case('D')
    check((d['label'] == 8).sum() > 150000 and (d['label'] == 2).sum() == 14261 and (d['label'] == IGNORE).mean() > 0.3,
          'case D: heart + pulmonary artery masks, the rest unknown (IGNORE), not background')


def test_case_a_slices():
    from cases import A30_FIRST_SLICE, canonical_case, source_slice_of_canonical
    from train import a_labels_from_slice
    a = canonical_case('A')
    k = source_slice_of_canonical(a)
    # ct_3mm: 3 mm slices, the canonical grid 2 mm from the same first voxel centre
    check(np.allclose(np.abs(np.diff(k)), 2 / 3) and abs(k.min()) < 1e-6,
          f'case A: canonical z -> ct_3mm slice from the headers (step {np.diff(k)[0]:.4f}, first {k.min():.3f})')
    cut = a_labels_from_slice(a, A30_FIRST_SLICE)
    z = np.arange(len(k))
    check(np.array_equal(np.nonzero((cut['label'] == IGNORE).all((1, 2)))[0], z[z < np.ceil(1.5 * A30_FIRST_SLICE)]),
          'case A labels from slice 82: IGNORE exactly on the canonical slices before 123 (= 82 x 3 mm / 2 mm)')


def test_synth():
    from cases import FINE_ID, FINE_NAMES
    from common import PAD_HU
    import synth
    rng = np.random.default_rng(3)
    # a small hand-made source: background fat/muscle/air, a vertebra-like bone, a liver, an aorta
    z, y, x = np.mgrid[0:24, 0:96, 0:96]
    fine = np.full(z.shape, FINE_ID['background'], np.uint16)
    hu = np.full(z.shape, -1000.0, np.float32)
    body = (y - 48) ** 2 / 40 ** 2 + (x - 48) ** 2 / 44 ** 2 < 1
    hu[body] = 40.0
    hu[body & ((y - 48) ** 2 / 36 ** 2 + (x - 48) ** 2 / 40 ** 2 > 1)] = -100.0      # subcutaneous fat
    bone = (y - 70) ** 2 + (x - 48) ** 2 < 8 ** 2
    liver = ((y - 45) ** 2 + (x - 30) ** 2 < 14 ** 2) & ~bone
    aorta = (y - 58) ** 2 + (x - 52) ** 2 < 4 ** 2
    fine[bone] = FINE_ID['vertebrae_L1']; hu[bone] = 300
    fine[liver] = FINE_ID['liver']; hu[liver] = 60
    fine[aorta] = FINE_ID['aorta']; hu[aorta] = 45
    fine[:2] = FINE_ID['outside_scan']; hu[:2] = PAD_HU
    case = dict(name='T', hu=hu, fine=fine, label=synth.FINE_LABEL[fine])
    src = synth.SynthSource(case)
    t = time.time()
    out = [synth.synthesize(src, rng, (20, 64, 64), centre=(12, 48, 48)) for _ in range(6)]
    dt = (time.time() - t) / 6
    check(all(h.shape == (20, 64, 64) and h.dtype == np.float32 and l.shape == (20, 64, 64) and l.dtype == np.uint8
              for h, l, _ in out), 'synth: slab shapes and dtypes')
    check(all(set(np.unique(l)) <= {0, 1, 2, 4} for _, l, _ in out), 'synth: only the classes of the source map appear')
    # labels follow the deformation: without deformation, noise, arms or crops the map is reproduced
    rng2 = np.random.default_rng(5)
    coords = np.stack(np.meshgrid(np.arange(24.0), np.arange(96.0), np.arange(96.0), indexing='ij'))
    from scipy import ndimage as ndi
    same = ndi.map_coordinates(src.tissue, coords, order=0, prefilter=False)
    check(np.array_equal(same, src.tissue), 'synth: identity sampling reproduces the tissue map')
    c = synth.sample_coords(rng2, np.array([12.0, 48, 48]), (20, 64, 64))
    deformed = ndi.map_coordinates(src.tissue, c, order=0, mode='constant', cval=FINE_ID['outside_scan'] * synth.NBIN)
    lab = synth.FINE_LABEL[deformed // synth.NBIN]
    vox = {k: int((lab == k).sum()) for k in (1, 2, 4)}
    ref = {1: int(bone[12].sum() * 20), 2: int(aorta[12].sum() * 20), 4: int(liver[12].sum() * 20)}
    check(all(0.5 < vox[k] / ref[k] < 2.0 for k in vox), f'synth: deformation keeps each structure (voxels {vox} vs {ref})')
    # label preservation: every voxel labelled bone/liver/aorta comes from that structure's tissue
    fine_d = deformed // synth.NBIN
    check(all(set(np.unique(fine_d[lab == k])) <= {f} for k, f in ((1, FINE_ID['vertebrae_L1']), (4, FINE_ID['liver']), (2, FINE_ID['aorta']))),
          'synth: labels are exactly the deformed structures')
    # HU per phase: median painted HU of aorta and liver within the phase's ranges; cortex above marrow
    for phase, art, liv in (('none', (20, 70), (35, 80)), ('cta', (330, 700), (45, 95)), ('portal', (120, 230), (85, 145))):
        meds_a, meds_l, cortex_ok = [], [], []
        for _ in range(4):
            h, l, info = synth.synthesize(src, rng, (20, 64, 64), phase=phase, centre=(12, 48, 48), thickness_mm=2.0)
            if (l == 2).sum() > 30:
                meds_a.append(np.median(h[l == 2]))
            if (l == 4).sum() > 30:
                meds_l.append(np.median(h[l == 4]))
            b = l == 1
            if b.sum() > 50:
                inner = ndi.binary_erosion(b, iterations=2)
                cortex_ok.append(np.median(h[b & ~ndi.binary_erosion(b)]) > np.median(h[inner]) if inner.any() else True)
        ok = (meds_a and meds_l and all(art[0] - 40 < m < art[1] + 40 for m in meds_a)
              and all(liv[0] - 25 < m < liv[1] + 25 for m in meds_l) and all(cortex_ok))
        check(bool(ok), f'synth {phase}: aorta HU {np.round(meds_a)} in {art}, liver {np.round(meds_l)} in {liv}, cortex > marrow')
    # unlabelled stays unlabelled
    fine_u = fine.copy(); fine_u[liver] = FINE_ID['unlabelled']
    srcu = synth.SynthSource(dict(name='U', hu=hu, fine=fine_u, label=synth.FINE_LABEL[fine_u]))
    hu_u, l_u, _ = synth.synthesize(srcu, rng, (20, 64, 64), centre=(12, 48, 48))
    check((l_u == IGNORE).sum() > 1000 and not (l_u == 4).any(), 'synth: unlabelled voxels stay IGNORE, never background')
    check(dt < 1.0, f'synth: {dt * 1000:.0f} ms per 64x64x20 slab')
    check(len(FINE_NAMES) == len(synth.KINDS) and all(k for k in synth.KINDS), 'synth: every fine structure has a paint kind')


def test_rephase():
    from scipy import ndimage as ndi
    from cases import FINE_ID
    import synth
    from rephase import Rephaser
    from phantom import HU as TABLE
    # an aorta at 45 HU in a liver at 60 HU in fat; a vertebra that must not move
    z, y, x = np.mgrid[0:5, 0:64, 0:64]
    fine = np.full(z.shape, FINE_ID['background'], np.uint16)
    hu = np.full(z.shape, -100.0, np.float32) + np.random.default_rng(0).normal(0, 10, z.shape).astype(np.float32)
    liver = (y - 32) ** 2 + (x - 20) ** 2 < 14 ** 2
    aorta = (y - 32) ** 2 + (x - 44) ** 2 < 6 ** 2
    bone = (y - 52) ** 2 + (x - 44) ** 2 < 6 ** 2
    fine[liver] = FINE_ID['liver']; hu[liver] += 160
    fine[aorta] = FINE_ID['aorta']; hu[aorta] += 145
    fine[bone] = FINE_ID['vertebrae_L1']; hu[bone] += 500
    r = Rephaser(hu, fine)
    check(set(r.median) == {FINE_ID['liver'], FINE_ID['aorta']}, 'rephase: only blood pools and enhancing organs move')
    rng = np.random.default_rng(1)
    for phase in synth.PHASES:
        out, got = r.apply(hu, fine, rng, phase)
        core = lambda m: ndi.binary_erosion(m, iterations=2)  # noqa: E731  (edges are blended)
        a, li = np.median(out[core(aorta)]), np.median(out[core(liver)])
        (alo, ahi), (llo, lhi) = TABLE['blood_art'][phase], TABLE['liver'][phase]
        check(got == phase and alo * 0.85 - 15 <= a <= ahi * 1.15 + 15 and llo * 0.85 - 15 <= li <= lhi * 1.15 + 15,
              f'rephase {phase}: aorta {a:.0f} HU in {alo}..{ahi}, liver {li:.0f} in {llo}..{lhi}')
        far = ndi.distance_transform_edt(~(aorta | liver)) > 3
        check(np.array_equal(out[far], hu[far]), f'rephase {phase}: bone, fat and texture away from the shifted structures unchanged')
        resid = (out - hu)[core(liver)]
        check(float(resid.std()) < 1.0, f'rephase {phase}: the real texture is kept (shift spread {resid.std():.2f} HU)')


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
    for fn in (test_pipeline_mirror, test_cases, test_case_a_slices, test_scorer, test_synth, test_rephase, test_export, test_phantoms):
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
