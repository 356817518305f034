"""Writes test/fixtures/methods/<method>.json: seeded inputs, the TOTAL loss and its gradients
for each distillation method, computed in float64 by the PyTorch references of methods.py.

Rerun from the repo root (Debian's PyTorch; the pyenv python3 on PATH has no torch):

    /usr/bin/python3 bench/reference/make_fixtures.py            # writes the fixtures
    /usr/bin/python3 bench/reference/check_fixtures.py           # finite-difference check of them

The output is deterministic: every case draws its inputs from its own torch.Generator seeded
with the case's fixed seed, so adding a case does not change the others.

JSON layout (one file per method):
    {"method", "generator", "torch", "cases": [case, ...]}
    case: name, task ("classification" | "regression"), params (every key), epoch (1-based),
          labels (int class ids, or floats for regression), student_logits [n, c] (or [n, 1]),
          teacher_logits, student_features / teacher_features (nested lists, [n, d] or NHWC
          [n, h, w, ch]; null for logit methods), regressor ({kernel [d_s, d_t], bias [d_t]}
          for fitnet, else null), loss, grad {student_logits, student_features (representation
          methods), regressor_kernel, regressor_bias (fitnet)}.
Gradients are d(TOTAL loss)/d(input); teacher inputs and labels are constants.
"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True   # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import methods  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, 'test', 'fixtures', 'methods')
GENERATOR = 'bench/reference/make_fixtures.py'

N = 8   # examples
C = 5   # classes

REP_BASE = dict(label_weight=1.0, weight=1.0, kd_weight=0.0, temperature=4.0)


def rep(**kw):
    p = dict(REP_BASE)
    p.update(kw)
    return p


# Each case: name, seed, params, and optionally epoch, task, logit_scale, features
# (student shape without n, teacher shape without n, relu), regressor (True for fitnet).
CASES = {
    'kd': [
        dict(name='T4_alpha0.5', seed=101,
             params=dict(temperature=4.0, alpha=0.5, standardize=False)),
        dict(name='T2_alpha0.1', seed=102,
             params=dict(temperature=2.0, alpha=0.1, standardize=False)),
        dict(name='T4_alpha0.5_standardize', seed=103,
             params=dict(temperature=4.0, alpha=0.5, standardize=True)),
        dict(name='T2_alpha0.1_standardize', seed=104,
             params=dict(temperature=2.0, alpha=0.1, standardize=True)),
        dict(name='T1_alpha0.5_large_logits_x20', seed=105, logit_scale=20.0,
             params=dict(temperature=1.0, alpha=0.5, standardize=False)),
        dict(name='T4_alpha0.5_large_logits_x20_standardize', seed=106, logit_scale=20.0,
             params=dict(temperature=4.0, alpha=0.5, standardize=True)),
    ],
    'dkd': [
        dict(name='alpha1_beta8_T4', seed=201,
             params=dict(alpha=1.0, beta=8.0, temperature=4.0, warmup=0, label_weight=1.0,
                         standardize=False)),
        dict(name='warmup5_epoch2', seed=202, epoch=2,
             params=dict(alpha=1.0, beta=8.0, temperature=4.0, warmup=5, label_weight=1.0,
                         standardize=False)),
        dict(name='alpha1_beta8_T2_standardize', seed=203,
             params=dict(alpha=1.0, beta=8.0, temperature=2.0, warmup=0, label_weight=1.0,
                         standardize=True)),
        dict(name='alpha0.5_beta2_T3_label0.5_warmup4_epoch7', seed=204, epoch=7,
             params=dict(alpha=0.5, beta=2.0, temperature=3.0, warmup=4, label_weight=0.5,
                         standardize=False)),
    ],
    'dist': [
        dict(name='beta1_gamma1_T1', seed=301,
             params=dict(beta=1.0, gamma=1.0, temperature=1.0, label_weight=1.0,
                         standardize=False)),
        dict(name='beta2_gamma2_T4', seed=302,
             params=dict(beta=2.0, gamma=2.0, temperature=4.0, label_weight=1.0,
                         standardize=False)),
        dict(name='beta1_gamma1_T1_standardize', seed=303,
             params=dict(beta=1.0, gamma=1.0, temperature=1.0, label_weight=1.0,
                         standardize=True)),
        dict(name='beta1_gamma2_T2_label0.5', seed=304,
             params=dict(beta=1.0, gamma=2.0, temperature=2.0, label_weight=0.5,
                         standardize=False)),
    ],
    'fitnet': [
        dict(name='flat_6_to_10', seed=401, features=((6,), (10,), False), regressor=True,
             params=rep()),
        dict(name='maps_4x4x3_to_4x4x5', seed=402, features=((4, 4, 3), (4, 4, 5), True),
             regressor=True, params=rep(weight=2.0)),
        dict(name='regression_flat_6_to_10', seed=403, task='regression',
             features=((6,), (10,), True), regressor=True,
             params=rep(label_weight=1.0, weight=0.5)),
        dict(name='flat_6_to_10_kd0.5', seed=404, features=((6,), (10,), True), regressor=True,
             params=rep(kd_weight=0.5, temperature=4.0)),
    ],
    'pkt': [
        dict(name='flat_6_vs_10', seed=501, features=((6,), (10,), False),
             params=rep(weight=10.0)),
        dict(name='flat_6_vs_10_relu_kd0.5', seed=502, features=((6,), (10,), True),
             params=rep(weight=30.0, kd_weight=0.5, temperature=2.0)),
        dict(name='maps_4x4x3_vs_4x4x5_flattened', seed=503,
             features=((4, 4, 3), (4, 4, 5), True), params=rep(weight=30.0)),
    ],
    'rkd': [
        dict(name='flat_6_vs_10_w25_50', seed=601, features=((6,), (10,), False),
             params=rep(distance_weight=25.0, angle_weight=50.0)),
        dict(name='flat_6_vs_10_relu_w1_2_kd0.5', seed=602, features=((6,), (10,), True),
             params=rep(distance_weight=1.0, angle_weight=2.0, kd_weight=0.5,
                        temperature=4.0)),
        dict(name='maps_4x4x3_vs_4x4x5_flattened_w25_50', seed=603,
             features=((4, 4, 3), (4, 4, 5), True),
             params=rep(distance_weight=25.0, angle_weight=50.0)),
        dict(name='maps_4x4x3_vs_4x4x5_flattened_w1_2', seed=604,
             features=((4, 4, 3), (4, 4, 5), False),
             params=rep(weight=0.5, distance_weight=1.0, angle_weight=2.0)),
    ],
    'sp': [
        dict(name='flat_6_vs_10', seed=701, features=((6,), (10,), False),
             params=rep(weight=3000.0)),
        dict(name='flat_6_vs_10_relu_kd0.5', seed=702, features=((6,), (10,), True),
             params=rep(weight=100.0, kd_weight=0.5, temperature=4.0)),
        dict(name='maps_4x4x3_vs_4x4x5_flattened', seed=703,
             features=((4, 4, 3), (4, 4, 5), True), params=rep(weight=3000.0)),
    ],
    'at': [
        dict(name='maps_4x4x3_vs_4x4x5_p2', seed=801, features=((4, 4, 3), (4, 4, 5), False),
             params=rep(weight=1000.0, p=2.0)),
        dict(name='maps_4x4x3_vs_4x4x5_p2_relu_kd0.5', seed=802,
             features=((4, 4, 3), (4, 4, 5), True),
             params=rep(weight=1000.0, p=2.0, kd_weight=0.5, temperature=4.0)),
        dict(name='maps_4x4x3_vs_4x4x5_p1_relu', seed=803,
             features=((4, 4, 3), (4, 4, 5), True), params=rep(weight=100.0, p=1.0)),
    ],
}


def make_inputs(spec):
    """Seeded float64 inputs of one case (labels int64, or float64 for regression)."""
    g = torch.Generator().manual_seed(spec['seed'])
    dt = torch.float64
    task = spec.get('task', 'classification')
    scale = spec.get('logit_scale', 1.0)
    out = {}
    if task == 'classification':
        # the teacher's logits are correlated with the student's (and larger), as after training
        z_s = torch.randn(N, C, generator=g, dtype=dt)
        z_t = torch.randn(N, C, generator=g, dtype=dt)
        out['student_logits'] = scale * z_s
        out['teacher_logits'] = scale * 1.5 * (0.6 * z_s + 0.8 * z_t)
        out['labels'] = torch.randint(0, C, (N,), generator=g)
    else:
        out['student_logits'] = torch.randn(N, 1, generator=g, dtype=dt)
        out['teacher_logits'] = torch.randn(N, 1, generator=g, dtype=dt)   # unused (kd_weight 0)
        out['labels'] = torch.randn(N, generator=g, dtype=dt)
    feats = spec.get('features')
    if feats is not None:
        s_shape, t_shape, relu = feats

        def draw(shape):
            # ReLU-like features: redraw (from the same generator) until no row is all zeros
            while True:
                f = torch.randn((N,) + tuple(shape), generator=g, dtype=dt)
                if not relu:
                    return f
                f = f.clamp(min=0)
                if (f.reshape(N, -1).sum(1) > 0).all():
                    return f
        fs, ft = draw(s_shape), draw(t_shape)
        out['student_features'] = fs
        out['teacher_features'] = ft
        if spec.get('regressor'):
            d_s, d_t = s_shape[-1], t_shape[-1]
            out['regressor_kernel'] = torch.randn(d_s, d_t, generator=g, dtype=dt) / math.sqrt(d_s)
            out['regressor_bias'] = 0.1 * torch.randn(d_t, generator=g, dtype=dt)
    return out


GRAD_KEYS = ('student_logits', 'student_features', 'regressor_kernel', 'regressor_bias')


def compute(method, spec, inputs):
    """(loss, {name: grad}) of the TOTAL loss w.r.t. the student-side inputs."""
    leaves = {}
    args = {}
    for k, v in inputs.items():
        if k in GRAD_KEYS:
            v = v.detach().clone().requires_grad_(True)
            leaves[k] = v
        args[k] = v
    loss = methods.total_loss(method, args, spec['params'], spec.get('task', 'classification'),
                              spec.get('epoch', 1))
    names = list(leaves)
    grads = torch.autograd.grad(loss, [leaves[k] for k in names], allow_unused=True)
    out = {}
    for k, gr in zip(names, grads):
        if gr is None:
            raise RuntimeError('%s: %s does not reach the loss' % (method, k))
        out[k] = gr
    return loss.detach(), out


def to_list(x):
    return x.detach().cpu().tolist()


def build_case(method, spec):
    inputs = make_inputs(spec)
    loss, grads = compute(method, spec, inputs)
    task = spec.get('task', 'classification')
    case = {
        'name': spec['name'],
        'task': task,
        'params': spec['params'],
        'epoch': spec.get('epoch', 1),
        'labels': to_list(inputs['labels']),
        'student_logits': to_list(inputs['student_logits']),
        'teacher_logits': to_list(inputs['teacher_logits']),
        'student_features': to_list(inputs['student_features']) if 'student_features' in inputs else None,
        'teacher_features': to_list(inputs['teacher_features']) if 'teacher_features' in inputs else None,
        'regressor': ({'kernel': to_list(inputs['regressor_kernel']),
                       'bias': to_list(inputs['regressor_bias'])}
                      if 'regressor_kernel' in inputs else None),
        'loss': float(loss),
        'grad': {k: to_list(grads[k]) for k in GRAD_KEYS if k in grads},
    }
    return case


# ---- JSON: indented objects, one line per innermost list, floats as Python's repr (the
# shortest string that round-trips the float64 exactly).

def _scalar(x):
    if isinstance(x, float) and not math.isfinite(x):
        raise ValueError('non-finite number in a fixture')
    return json.dumps(x)


def _is_flat(v):
    return isinstance(v, list) and all(not isinstance(e, (list, dict)) for e in v)


def dumps(obj, indent=0):
    pad, pad1 = '  ' * indent, '  ' * (indent + 1)
    if isinstance(obj, dict):
        if all(not isinstance(v, (list, dict)) for v in obj.values()):
            return '{' + ', '.join('%s: %s' % (json.dumps(k), _scalar(v)) for k, v in obj.items()) + '}'
        items = ['%s%s: %s' % (pad1, json.dumps(k), dumps(v, indent + 1)) for k, v in obj.items()]
        return '{\n' + ',\n'.join(items) + '\n' + pad + '}'
    if isinstance(obj, list):
        if _is_flat(obj):
            return '[' + ', '.join(_scalar(v) for v in obj) + ']'
        return '[\n' + ',\n'.join(pad1 + dumps(v, indent + 1) for v in obj) + '\n' + pad + ']'
    return _scalar(obj)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_default_dtype(torch.float64)
    os.makedirs(OUT_DIR, exist_ok=True)
    for method, specs in CASES.items():
        doc = {
            'method': method,
            'generator': GENERATOR,
            'torch': torch.__version__,
            'cases': [build_case(method, spec) for spec in specs],
        }
        text = dumps(doc) + '\n'
        assert json.loads(text) == json.loads(json.dumps(doc)), 'writer changed the data'
        path = os.path.join(OUT_DIR, method + '.json')
        with open(path, 'w') as f:
            f.write(text)
        print('%-7s %d cases -> %s' % (method, len(specs), os.path.relpath(path, ROOT)))
        for c in doc['cases']:
            print('        %-48s loss %r' % (c['name'], c['loss']))


if __name__ == '__main__':
    main()
