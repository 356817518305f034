"""Sanity check of the reference losses themselves: re-reads test/fixtures/methods/*.json,
recomputes each case's loss with methods.py and compares EVERY recorded gradient entry with a
central finite difference of the loss in float64. Also checks that the numbers are finite and
that each recorded gradient is not identically zero.

    /usr/bin/python3 bench/reference/check_fixtures.py      # from the repo root; exit 1 on failure
"""
import glob
import json
import math
import os
import sys

import torch

sys.dont_write_bytecode = True   # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import methods  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, 'test', 'fixtures', 'methods')

FD_TOL = 1e-7      # max |fd - grad| / max(1, max |grad|)
LOSS_TOL = 1e-13   # relative, recomputed loss vs recorded


def tensors_of(case):
    dt = torch.float64
    out = {
        'student_logits': torch.tensor(case['student_logits'], dtype=dt),
        'teacher_logits': torch.tensor(case['teacher_logits'], dtype=dt),
        'labels': (torch.tensor(case['labels'], dtype=torch.int64)
                   if case['task'] == 'classification'
                   else torch.tensor(case['labels'], dtype=dt)),
    }
    if case['student_features'] is not None:
        out['student_features'] = torch.tensor(case['student_features'], dtype=dt)
        out['teacher_features'] = torch.tensor(case['teacher_features'], dtype=dt)
    if case['regressor'] is not None:
        out['regressor_kernel'] = torch.tensor(case['regressor']['kernel'], dtype=dt)
        out['regressor_bias'] = torch.tensor(case['regressor']['bias'], dtype=dt)
    return out


def loss_at(method, case, inputs):
    with torch.no_grad():
        return float(methods.total_loss(method, inputs, case['params'], case['task'],
                                        case['epoch']))


def check_case(method, case):
    problems = []
    inputs = tensors_of(case)
    loss = loss_at(method, case, inputs)
    if not math.isfinite(case['loss']):
        problems.append('recorded loss is not finite')
    if abs(loss - case['loss']) > LOSS_TOL * max(1.0, abs(case['loss'])):
        problems.append('loss %r recomputed as %r' % (case['loss'], loss))
    worst = 0.0
    for key, recorded in case['grad'].items():
        g = torch.tensor(recorded, dtype=torch.float64)
        if not torch.isfinite(g).all():
            problems.append('grad %s has non-finite entries' % key)
            continue
        if g.abs().max() == 0:
            problems.append('grad %s is identically zero' % key)
        x = inputs[key]
        flat = x.view(-1)
        fd = torch.empty(flat.numel(), dtype=torch.float64)
        for i in range(flat.numel()):
            x0 = float(flat[i])
            h = 1e-6 * max(1.0, abs(x0))
            flat[i] = x0 + h
            up = loss_at(method, case, inputs)
            flat[i] = x0 - h
            down = loss_at(method, case, inputs)
            flat[i] = x0
            fd[i] = (up - down) / (2 * h)
        err = float((fd - g.view(-1)).abs().max()) / max(1.0, float(g.abs().max()))
        worst = max(worst, err)
        if err > FD_TOL:
            problems.append('grad %s differs from finite differences by %.3g' % (key, err))
    return problems, worst


def main():
    paths = sorted(glob.glob(os.path.join(FIXTURES, '*.json')))
    if not paths:
        print('no fixtures in %s; run make_fixtures.py first' % FIXTURES)
        return 1
    failed = 0
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        method = doc['method']
        for case in doc['cases']:
            problems, worst = check_case(method, case)
            status = 'ok' if not problems else 'FAIL'
            print('%-6s %-48s %-4s max fd error %.2e' % (method, case['name'], status, worst))
            for p in problems:
                print('         ' + p)
            failed += bool(problems)
    print('%d case(s) failed' % failed if failed else 'all cases ok')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
