"""Score a network on a real case the way the app would segment it.

The CT goes through the Python mirror of the app pipeline (common.segment_like_app: canonical
resampling, normalization, sliding windows with Gaussian-weighted votes, speck removal, nearest
resampling back), and is scored on the case's OWN grid against its reference. The 150 HU
threshold baseline is scored on the same voxels.
"""
from __future__ import annotations

import json
import os

import numpy as np
import torch
from scipy import ndimage as ndi

from cases import load_case
from common import IGNORE, PATCH, segment_like_app
from model import volume_logits


def torch_predictor(net, device):
    def predict(patch_zyx):
        with torch.no_grad():
            x = torch.from_numpy(patch_zyx[None, None]).to(device)
            return torch.argmax(volume_logits(net, x), 1)[0].to('cpu').numpy().astype(np.uint8)
    return predict


def outside_patient_fp(hu, ref, pred):
    """Predicted foreground on things that are not the patient: components above -500 HU that hold
    no reference label at all (scan table, mattress, blankets). The table must never be labelled."""
    comp, n = ndi.label(hu > -500)
    if n == 0:
        return {'voxels': 0, 'predictedForeground': 0}
    has_ref = np.zeros(n + 1, bool)
    has_ref[np.unique(comp[(ref > 0) & (ref != IGNORE)])] = True
    has_ref[0] = True
    m = ~has_ref[comp]
    return {'voxels': int(m.sum()), 'predictedForeground': int(((pred > 0) & m).sum())}


def evaluate_case(net, name, patch=PATCH, device=torch.device('cpu'), out_dir=None, predictor=None):
    case = load_case(name)
    predict = predictor or torch_predictor(net, device)
    pred, canon_pred, cg = segment_like_app(case['hu'], case['grid'], predict, patch)
    # the one scorer: `holoct eval` on the case's own grid (training/scorer.py)
    from scorer import score_array, summary_scores
    # case A is the full 112-slice CT with its full labels (scripts/eval-cases.json 'A'); A30 is only for
    # the old 30-slice files (scoring A's prediction against A30 compared slices 0..29 with 82..111)
    res = summary_scores(score_array(pred, case['grid'], name))
    res['case'] = name
    res['outsidePatient'] = outside_patient_fp(case['hu'], case['label'], pred)
    if out_dir:
        np.savez_compressed(os.path.join(out_dir, f'pred_{name}.npz'), pred=pred)
        try:
            from viz import sheet, views
            nz = case['hu'].shape[0]
            zs = [nz // 4, nz // 2, 3 * nz // 4]
            r1, _ = views(case['hu'], np.where(case['known'], case['label'], IGNORE), zs)
            r2, c2 = views(case['hu'], pred, zs)
            sheet([r1, r2, c2], os.path.join(out_dir, f'pred_{name}.png'), scale=1 if case['hu'].shape[1] > 300 else 2)
        except Exception as e:  # visualization is best-effort
            print('viz failed:', e)
        with open(os.path.join(out_dir, f'scores_{name}.json'), 'w') as f:
            json.dump(res, f, indent=1)
    return res


def summary(res):
    g = res['groups']
    f = lambda d: 'n/a' if d is None or d.get('iou') is None else f"{d['iou']:.3f}"  # noqa: E731
    acc = 'n/a' if res['pixelAccuracy'] is None else f"{res['pixelAccuracy']:.4f}"
    return (f"case {res['case']}: bone {f(g.get('bone'))} vessel {f(g.get('vessel'))} organ {f(g.get('organ'))} "
            f"| thr150 bone {f(res.get('threshold150', {}).get('bone'))} | acc {acc} "
            f"| outside-patient fg {res['outsidePatient']['predictedForeground']}")


if __name__ == '__main__':
    import argparse
    import sys
    from model import build_net
    from common import NUM_CLASSES
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True)
    ap.add_argument('--case', required=True)
    a = ap.parse_args()
    torch.set_num_threads(2)
    ck = torch.load(a.model, map_location='cpu')
    net = build_net(ck.get('arch', '3d'), NUM_CLASSES, ck['channels'], ck.get('context', 2), ck.get('norm', 'in'))
    net.load_state_dict(ck['state_dict']); net.eval()
    r = evaluate_case(net, a.case, tuple(ck['patch']), out_dir=os.path.dirname(a.model))
    print(summary(r)); sys.stdout.flush()
