"""Train the HoloCT segmentation network, then score it (on a held-out real case) and export it.

  /usr/bin/python3 training/train.py --out training/runs/loco-B --holdout B --steps 900
  /usr/bin/python3 training/train.py --out training/runs/final --steps 2600
  /usr/bin/python3 training/train.py --out training/runs/t1 --holdout B --steps 400 \
      --mix real=0.5,synth=0.5 --record training/results/trials/t1.json

Sample mix (`--mix`): weights of the three sources of a training slab, normalized:
  real     a real case (not the held-out one), patch + rotation/scale/intensity augmentation (data.py)
  synth    painted from a real case's label map (synth.py; never from the held-out case)
  phantom  a procedural phantom (phantom.py; pool size --phantoms)

Seeded: the same arguments give the same weights on the same hardware/torch build (CPU runs are
deterministic here; CUDA convolutions may differ in the last bits).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import CASES, FINE_ID, canonical_case, source_slice_of_canonical  # noqa: E402
from common import IGNORE, NUM_CLASSES, PATCH  # noqa: E402
from data import RealSampler  # noqa: E402
from synth import SynthSampler  # noqa: E402
from model import build_net, pick_device  # noqa: E402

DEFAULT_MIX = 'real=0.6,synth=0,phantom=0.4'
DEFAULT_REPHASE = 0.5


def parse_mix(text):
    """'real=0.5,synth=0.3,phantom=0.2' -> normalized dict; unknown source or no positive weight -> error."""
    mix = {'real': 0.0, 'synth': 0.0, 'phantom': 0.0}
    for part in filter(None, text.split(',')):
        k, _, v = part.partition('=')
        if k.strip() not in mix:
            raise SystemExit(f'--mix: unknown source {k!r} (real, synth, phantom)')
        mix[k.strip()] = float(v)
    total = sum(mix.values())
    if total <= 0 or min(mix.values()) < 0:
        raise SystemExit(f'--mix {text!r}: weights must be >= 0 with a positive sum')
    return {k: v / total for k, v in mix.items()}


# CE weights: thin vessels and small organs count more
CE_WEIGHTS = [1.0, 1.0, 3.0, 3.0, 1.0, 1.5, 1.5, 1.0, 1.0, 1.5, 2.0]


def case_weights(cases, how):
    """Probability of drawing each real case: uniform, or in proportion to the number of our classes
    it labels (a partial case such as D, with heart and pulmonary artery only, then gives fewer patches
    and leaves more to the cases that show every organ)."""
    if how == 'uniform':
        return np.full(len(cases), 1.0 / len(cases))
    n = np.array([len(set(np.unique(c['label']).tolist()) - {0, IGNORE}) for c in cases], float)
    return n / n.sum()


def a_labels_from_slice(case, first_slice):
    """Case A (canonical grid) with its labels IGNORE below source slice `first_slice` of ct_3mm:
    the CT stays whole, only the loss is restricted."""
    below = source_slice_of_canonical(case) < first_slice - 1e-6
    label, fine = case['label'].copy(), case['fine'].copy()
    label[below] = IGNORE
    fine[below] = FINE_ID['unlabelled']      # label == FINE_LABEL[fine] stays true (synthesis reads fine)
    return {**case, 'label': label, 'fine': fine}


def dice_loss(logits, target, smooth=1.0):
    """Batch soft Dice over foreground classes, ignoring IGNORE voxels."""
    valid = (target != IGNORE)
    t = torch.where(valid, target, torch.zeros_like(target))
    prob = torch.softmax(logits, 1)
    onehot = F.one_hot(t, NUM_CLASSES).movedim(-1, 1).to(prob.dtype)
    v = valid.unsqueeze(1).to(prob.dtype)
    prob, onehot = prob * v, onehot * v
    dims = tuple(d for d in range(prob.dim()) if d != 1)
    inter = (prob * onehot).sum(dims)
    denom = prob.sum(dims) + onehot.sum(dims)
    dice = (2 * inter + smooth) / (denom + smooth)
    return 1 - dice[1:].mean()


def cpu_name():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--holdout', choices=CASES, default=None, help='real case kept out of training and scored')
    ap.add_argument('--exclude', default='', help='real cases left out of training without being scored (trials), e.g. D')
    ap.add_argument('--a-first-slice', type=int, default=0,
                    help="trials: case A's labels only from its slice K on, IGNORE below (the CT stays whole; 82 = the "
                         "slices of ct_3mm_30slices, though with v1 labels filled by v2, not the 2026-11-30 recipe's A30)")
    ap.add_argument('--case-weighting', choices=['uniform', 'classes'], default='uniform',
                    help='how often each real case gives a patch: uniform, or in proportion to the classes it labels '
                         '(the partial cases C and D label 2 of 10)')
    ap.add_argument('--steps', type=int, default=900)
    ap.add_argument('--arch', choices=['3d', '2.5d'], default='2.5d')
    ap.add_argument('--context', type=int, default=2, help='2.5d: neighbouring slices on each side')
    ap.add_argument('--norm', choices=['bn', 'in'], default='bn', help='2.5d normalization layers')
    ap.add_argument('--minutes', type=float, default=0, help='stop after this wall time (experiments; schedule follows time)')
    ap.add_argument('--batch', type=int, default=0, help='default 2 (3d) / 8 (2.5d)')
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--seed', type=int, default=1234)
    ap.add_argument('--channels', default='', help='default 8,16,32,64,128 (3d) / 16,32,64,128,256 (2.5d)')
    ap.add_argument('--patch', default='', help='x,y,z of the exported/inference patch')
    ap.add_argument('--mix', default=DEFAULT_MIX, help=f'sample mix, default {DEFAULT_MIX}')
    ap.add_argument('--rephase', type=float, default=DEFAULT_REPHASE,
                    help=f'share of real patches shifted to another contrast phase (rephase.py), default {DEFAULT_REPHASE}')
    ap.add_argument('--phantoms', type=int, default=48, help='phantom volumes in the pool (when the mix has phantoms)')
    ap.add_argument('--record', default='', help='also write a trial summary (config, wall time, scores) to this json')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--no-eval', action='store_true')
    ap.add_argument('--no-export', action='store_true')
    args = ap.parse_args(argv)
    args.out = os.path.abspath(args.out)

    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(args.threads)
    random.seed(args.seed); np.random.seed(args.seed); torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = pick_device()
    is2d = args.arch == '2.5d'
    args.batch = args.batch or (8 if is2d else 2)
    patch = tuple(int(v) for v in args.patch.split(',')) if args.patch else ((192, 192, 16) if is2d else PATCH)
    channels = tuple(int(v) for v in args.channels.split(',')) if args.channels else \
        ((16, 32, 64, 128, 256) if is2d else (8, 16, 32, 64, 128))
    # training samples: 3d = the patch; 2.5d = a slab of 2k+1 slices, loss on its centre slice
    sample_patch = (patch[0], patch[1], 2 * args.context + 1) if is2d else patch
    t_start = time.time()

    mix = parse_mix(args.mix)
    excluded = set(filter(None, args.exclude.split(',')))
    if excluded - set(CASES):
        raise SystemExit(f'--exclude: unknown case(s) {sorted(excluded - set(CASES))} (cases: {", ".join(CASES)})')
    train_cases = [c for c in CASES if c != args.holdout and c not in excluded]
    canon = [canonical_case(c) for c in train_cases]
    if args.a_first_slice:
        canon = [a_labels_from_slice(c, args.a_first_slice) if c['name'] == 'A' else c for c in canon]
    samplers = [RealSampler(c, sample_patch, seed=args.seed, rephase=args.rephase) for c in canon]
    case_p = case_weights(canon, args.case_weighting)
    synth = SynthSampler(canon, sample_patch, seed=args.seed) if mix['synth'] > 0 else None
    phantom_pool = None
    if mix['phantom'] > 0:
        if args.phantoms <= 0:
            raise SystemExit('--mix has phantoms but --phantoms is 0')
        from phantom import PhantomPool
        phantom_pool = PhantomPool(args.phantoms, seed=args.seed, patch_xyz=sample_patch)
    sources = [k for k in ('real', 'synth', 'phantom') if mix[k] > 0]
    source_p = np.array([mix[k] for k in sources])
    t_data = time.time() - t_start

    net = build_net(args.arch, NUM_CLASSES, channels, args.context, args.norm).to(device)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-5)
    warm = min(50, args.steps // 10)
    progress = {'f': 0.0}   # fraction of the run done (steps, or wall time with --minutes)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, warm)) * 0.5 * (1 + np.cos(np.pi * min(1.0, progress['f']))) + 0.02)
    ce_w = torch.tensor(CE_WEIGHTS, device=device)
    log = open(os.path.join(args.out, 'train.log'), 'a')
    hist = []
    t0 = time.time()
    step = -1
    while True:
        step += 1
        progress['f'] = (time.time() - t0) / (args.minutes * 60) if args.minutes else step / args.steps
        if (args.minutes and progress['f'] >= 1) or (not args.minutes and step >= args.steps):
            break
        xs, ys, src = [], [], []
        for _ in range(args.batch):
            kind = sources[rng.choice(len(sources), p=source_p)]
            if kind == 'phantom':
                x, y = phantom_pool.sample(rng); src.append('P')
            elif kind == 'synth':
                x, y = synth.sample(rng); src.append('S')
            else:
                s = samplers[rng.choice(len(samplers), p=case_p)] if args.case_weighting != 'uniform' else samplers[rng.integers(len(samplers))]
                x, y = s.sample(rng); src.append(s.name)
            xs.append(x); ys.append(y)
        x = torch.from_numpy(np.stack(xs)).to(device)
        y = torch.from_numpy(np.stack(ys)).to(device)
        if is2d:
            y = y[:, args.context]          # centre slice of each slab
        net.train()
        logits = net(x)
        if (y != IGNORE).any():
            loss_ce = F.cross_entropy(logits, y, weight=ce_w, ignore_index=IGNORE)
        else:
            loss_ce = logits.sum() * 0
        loss = loss_ce + dice_loss(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        opt.step(); sched.step()
        hist.append(float(loss))
        if (step + 1) % 100 == 0:   # checkpoint (lets a long run be inspected or shipped early)
            torch.save({'state_dict': net.state_dict(), 'channels': channels, 'patch': patch, 'step': step + 1,
                        'arch': args.arch, 'context': args.context, 'norm': args.norm},
                       os.path.join(args.out, 'checkpoint.pt'))
        if step % 25 == 0:
            el = time.time() - t0
            msg = (f'step {step} loss {np.mean(hist[-25:]):.4f} lr {sched.get_last_lr()[0]:.2e} '
                   f'{el / (step + 1):.2f}s/step elapsed {el / 60:.1f} min src {"".join(src)}')
            print(msg, flush=True); log.write(msg + '\n'); log.flush()
    train_s = time.time() - t0
    args.steps = step
    torch.save({'state_dict': net.state_dict(), 'channels': channels, 'patch': patch, 'arch': args.arch,
                'context': args.context, 'norm': args.norm}, os.path.join(args.out, 'model.pt'))

    info = {
        'holdout': args.holdout,
        'trainedOn': ([f'real case {c}' for c in train_cases] if mix['real'] else [])
        + ([f'synthesised from the label maps of {",".join(train_cases)}'] if mix['synth'] else [])
        + ([f'{args.phantoms} procedural phantoms'] if mix['phantom'] else []),
        'mix': {k: round(v, 4) for k, v in mix.items()},
        'rephase': args.rephase,
        **({'caseWeighting': args.case_weighting} if args.case_weighting != 'uniform' else {}),
        **({'excluded': sorted(excluded)} if excluded else {}),
        **({'aFirstSlice': args.a_first_slice} if args.a_first_slice else {}),
        'arch': args.arch, 'context': args.context if is2d else None, 'norm': args.norm if is2d else 'in',
        'steps': args.steps, 'batch': args.batch, 'patch': patch, 'channels': channels, 'seed': args.seed,
        'lr': args.lr, 'threads': args.threads,
        'trainSeconds': round(train_s, 1), 'dataPrepSeconds': round(t_data, 1),
        'secondsPerStep': round(train_s / max(1, args.steps), 3),
        'hardware': (torch.cuda.get_device_name(0) if device.type == 'cuda' else f'{cpu_name()}, {args.threads} threads'),
        'torch': torch.__version__, 'date': time.strftime('%Y-%m-%d %H:%M:%S %Z'),
        'finalLoss': float(np.mean(hist[-50:])),
    }
    net.eval()
    if args.holdout and not args.no_eval:
        from evaluate import evaluate_case
        te = time.time()
        info['scores'] = evaluate_case(net, args.holdout, patch, device, out_dir=args.out)
        info['evalSeconds'] = round(time.time() - te, 1)
    if not args.no_export:
        from export import export_model
        export_model(net, patch, args.out, info)
    with open(os.path.join(args.out, 'info.json'), 'w') as f:
        json.dump(info, f, indent=1)
    if args.record:
        write_trial(args.record, info, args)
    print(json.dumps({k: v for k, v in info.items() if k != 'scores'}), flush=True)


def write_trial(path, info, args, command=None):
    """One experiment in training/results: its config, cost and held-out scores (group + class IoU,
    precision, recall), whether it won or lost."""
    s = info.get('scores') or {}
    r = lambda v: None if v is None else round(v, 4)  # noqa: E731
    ref = lambda v: v.get('referenceVoxels', v.get('ref'))  # noqa: E731  (the scorer's names, older ones)
    pick = lambda d: {k: {m: r(v.get(m)) for m in ('iou', 'precision', 'recall')}  # noqa: E731
                      | {'ref': ref(v), 'pred': v.get('predictedVoxels', v.get('pred'))} for k, v in d.items()}
    trial = {
        'name': os.path.splitext(os.path.basename(path))[0],
        'command': command or 'python3 training/train.py ' + ' '.join(sys.argv[1:]),
        'config': {k: info[k] for k in ('mix', 'rephase', 'caseWeighting', 'excluded', 'aFirstSlice', 'trainedOn', 'arch', 'steps',
                                        'batch', 'patch', 'channels', 'seed', 'lr', 'threads') if k in info},
        'heldOut': args.holdout,
        'scorer': (s.get('scorer') or 'training/evaluate.py') + ' on the Python mirror of the app pipeline, held-out case\'s own grid '
                  '(a progress check: npm run eval -- --trial scores through the app pipeline)',
        'wallSeconds': {'train': info['trainSeconds'], 'dataPrep': info['dataPrepSeconds'], 'eval': info.get('evalSeconds')},
        'secondsPerStep': info['secondsPerStep'],
        'hardware': info['hardware'],
        'finalLoss': round(info['finalLoss'], 4),
        'groups': pick(s.get('groups', {})),
        'classes': pick({k: v for k, v in s.get('classes', {}).items() if (ref(v) or 0) > 0}),
        'threshold150BoneIoU': r(s['threshold150']['bone']['iou']) if s else None,
        'outsidePatientForegroundVoxels': (s.get('outsidePatient') or {}).get('predictedForeground'),
        'date': info['date'],
    }
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(trial, f, indent=1)


if __name__ == '__main__':
    main()
