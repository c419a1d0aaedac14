"""Score a training run's last checkpoint on its held-out case and record it as a trial, for runs
stopped before their schedule ended (the shared 2-core machine ran out of time). The record says so:
`stoppedAtStep` of `scheduledSteps`, the learning rate had not decayed.

  python3 training/record_trial.py --run training/runs/trials/B-real --holdout B --mix real=1 \
      --scheduled 200 --record training/results/trials/B-real.json
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import CASES  # noqa: E402
from common import NUM_CLASSES  # noqa: E402
from evaluate import evaluate_case, summary  # noqa: E402
from model import build_net  # noqa: E402
from train import cpu_name, parse_mix, write_trial  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', required=True)
    ap.add_argument('--holdout', required=True, choices=CASES)
    ap.add_argument('--mix', required=True)
    ap.add_argument('--scheduled', type=int, required=True, help='steps the run was launched with')
    ap.add_argument('--phantoms', type=int, default=0)
    ap.add_argument('--record', required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    ck = torch.load(os.path.join(a.run, 'checkpoint.pt'), map_location='cpu')
    net = build_net(ck['arch'], NUM_CLASSES, ck['channels'], ck['context'], ck['norm'])
    net.load_state_dict(ck['state_dict']); net.eval()
    log = open(os.path.join(a.run, 'train.log')).read().splitlines()
    last = [line for line in log if line.startswith(f"step {ck['step'] - 1} ") or line.startswith('step ')]
    m = re.search(r'loss ([\d.]+) .* ([\d.]+)s/step elapsed ([\d.]+) min', last[-1])
    mix = parse_mix(a.mix)
    train_cases = [c for c in CASES if c != a.holdout]
    te = time.time()
    scores = evaluate_case(net, a.holdout, tuple(ck['patch']), out_dir=a.run)
    print(summary(scores))
    info = {
        'mix': {k: round(v, 4) for k, v in mix.items()},
        'trainedOn': ([f'real case {c}' for c in train_cases] if mix['real'] else [])
        + ([f'synthesised from the label maps of {",".join(train_cases)}'] if mix['synth'] else [])
        + ([f'{a.phantoms} procedural phantoms'] if mix['phantom'] else []),
        'arch': ck['arch'], 'steps': ck['step'], 'batch': 8, 'patch': ck['patch'], 'channels': ck['channels'],
        'seed': 1234, 'lr': 2e-3, 'threads': 1,
        'trainSeconds': round(float(m.group(3)) * 60, 1) if m else None, 'dataPrepSeconds': None,
        'secondsPerStep': float(m.group(2)) if m else None,
        'hardware': f'{cpu_name()}, 1 thread, nice 19, machine shared (load ~18 on 2 cores)',
        'finalLoss': float(m.group(1)) if m else float('nan'),
        'date': time.strftime('%Y-%m-%d %H:%M:%S %Z'),
        'scores': scores, 'evalSeconds': round(time.time() - te, 1),
    }

    class Args:
        holdout = a.holdout
    command = (f'python3 training/train.py --out {a.run} --holdout {a.holdout} --steps {a.scheduled} --mix {a.mix} '
               f'--phantoms {a.phantoms or 8} --threads 1 --no-export (stopped after the step-{ck["step"]} checkpoint); '
               'python3 training/record_trial.py ' + ' '.join(sys.argv[1:]))
    write_trial(a.record, info, Args, command)
    import json
    with open(a.record) as f:
        trial = json.load(f)
    trial['stoppedAtStep'] = ck['step']
    trial['scheduledSteps'] = a.scheduled
    trial['note'] = (f"checkpoint at step {ck['step']} of a {a.scheduled}-step cosine schedule (stopped for time: "
                     'the learning rate had not decayed); every trial of this comparison stopped at the same step')
    with open(a.record, 'w') as f:
        json.dump(trial, f, indent=1)


if __name__ == '__main__':
    main()
