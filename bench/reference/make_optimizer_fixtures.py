"""Writes test/fixtures/optimizers/weight-decay.json: the weights PyTorch's optimizers reach on a
tiny fixed linear-regression problem, for distil-run's sgd and adam with weight_decay.

Rerun from the repo root (Debian's PyTorch; the pyenv python3 on PATH has no torch):

    /usr/bin/python3 bench/reference/make_optimizer_fixtures.py

The reference is PyTorch itself, in float64: torch.optim.SGD(weight_decay=...) for distil-run's
sgd (the decay added to the gradient before momentum / Nesterov) and torch.optim.AdamW for adam
(decoupled: w <- w * (1 - lr * weight_decay), then the Adam step). `lr_decay` is distil-run's
training.lr_decay: epoch e (1-based) runs at lr * lr_decay^(e - 1), set in every param group
before its first step, which is what a LambdaLR stepped once per epoch does.

The problem: x [6, 5], y [6, 3], a dense layer's kernel [5, 3] (15 entries: the SIMD Adam kernel's
vector part and its scalar tail) and bias [3], loss mean((x @ kernel + bias - y)^2) over all
entries, full batch, `epochs * steps_per_epoch` steps. Every case draws its data from its own
torch.Generator, so adding a case does not change the others.

JSON layout: {"generator", "torch", "problem": {x, y, kernel, bias}, "cases": [case, ...]};
case: name, optimizer (distil-run's component name), params (distil-run's params, every key the
case sets), lr_decay, epochs, steps_per_epoch, kernel, bias (the weights after the last step),
loss (the loss at those weights).
"""
import json
import os
import sys

import torch

sys.dont_write_bytecode = True   # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import dumps  # noqa: E402  (the same JSON writer as the methods' fixtures)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'optimizers', 'weight-decay.json')
GENERATOR = 'bench/reference/make_optimizer_fixtures.py'
SEED = 901

# distil-run's params for each case; lr_decay 1 is a constant rate.
CASES = [
    dict(name='sgd_wd0.05', optimizer='sgd', epochs=1, steps_per_epoch=6,
         params=dict(lr=0.1, momentum=0.0, nesterov=False, weight_decay=0.05)),
    dict(name='sgd_momentum0.9_wd0.01', optimizer='sgd', epochs=1, steps_per_epoch=6,
         params=dict(lr=0.05, momentum=0.9, nesterov=False, weight_decay=0.01)),
    dict(name='sgd_nesterov0.9_wd0.01', optimizer='sgd', epochs=1, steps_per_epoch=6,
         params=dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    dict(name='sgd_momentum0.5_wd0.1_lr_decay0.5', optimizer='sgd', lr_decay=0.5, epochs=3,
         steps_per_epoch=2, params=dict(lr=0.1, momentum=0.5, nesterov=False, weight_decay=0.1)),
    dict(name='adam_no_decay', optimizer='adam', epochs=1, steps_per_epoch=6,
         params=dict(lr=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8)),
    dict(name='adamw_wd0.1', optimizer='adam', epochs=1, steps_per_epoch=6,
         params=dict(lr=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=0.1)),
    dict(name='adamw_wd0.5_beta1_0.8_eps1e-6', optimizer='adam', epochs=1, steps_per_epoch=6,
         params=dict(lr=0.02, beta1=0.8, beta2=0.99, epsilon=1e-6, weight_decay=0.5)),
    dict(name='adamw_wd1_lr_decay0.5', optimizer='adam', lr_decay=0.5, epochs=3, steps_per_epoch=2,
         params=dict(lr=0.05, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=1.0)),
]


def problem():
    g = torch.Generator().manual_seed(SEED)
    x = torch.randn(6, 5, generator=g)
    y = torch.randn(6, 3, generator=g)
    kernel = torch.randn(5, 3, generator=g) / 5 ** 0.5
    bias = 0.1 * torch.randn(3, generator=g)
    return dict(x=x, y=y, kernel=kernel, bias=bias)


def loss_of(data, kernel, bias):
    return ((data['x'] @ kernel + bias - data['y']) ** 2).mean()


def torch_optimizer(case, params):
    p = case['params']
    wd = p.get('weight_decay', 0.0)
    if case['optimizer'] == 'sgd':
        return torch.optim.SGD(params, lr=p['lr'], momentum=p['momentum'], nesterov=p['nesterov'],
                               weight_decay=wd)
    betas = (p['beta1'], p['beta2'])
    if 'weight_decay' not in p:
        return torch.optim.Adam(params, lr=p['lr'], betas=betas, eps=p['epsilon'])
    return torch.optim.AdamW(params, lr=p['lr'], betas=betas, eps=p['epsilon'], weight_decay=wd)


def run(case, data):
    kernel = data['kernel'].clone().requires_grad_(True)
    bias = data['bias'].clone().requires_grad_(True)
    optimizer = torch_optimizer(case, [kernel, bias])
    decay = case.get('lr_decay', 1.0)
    for epoch in range(1, case['epochs'] + 1):
        for group in optimizer.param_groups:
            group['lr'] = case['params']['lr'] * decay ** (epoch - 1)
        for _ in range(case['steps_per_epoch']):
            optimizer.zero_grad()
            loss_of(data, kernel, bias).backward()
            optimizer.step()
    with torch.no_grad():
        final = float(loss_of(data, kernel, bias))
    return {
        'name': case['name'],
        'optimizer': case['optimizer'],
        'params': case['params'],
        'lr_decay': decay,
        'epochs': case['epochs'],
        'steps_per_epoch': case['steps_per_epoch'],
        'kernel': kernel.detach().tolist(),
        'bias': bias.detach().tolist(),
        'loss': final,
    }


def main():
    torch.set_default_dtype(torch.float64)
    data = problem()
    doc = {
        'generator': GENERATOR,
        'torch': torch.__version__,
        'problem': {k: v.tolist() for k, v in data.items()},
        'cases': [run(case, data) for case in CASES],
    }
    text = dumps(doc) + '\n'
    assert json.loads(text) == json.loads(json.dumps(doc)), 'writer changed the data'
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        f.write(text)
    print('%d cases -> %s' % (len(CASES), os.path.relpath(OUT, ROOT)))
    for c in doc['cases']:
        print('  %-40s loss %r' % (c['name'], c['loss']))


if __name__ == '__main__':
    main()
