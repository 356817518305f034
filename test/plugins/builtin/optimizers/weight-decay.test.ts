// sgd and adam with weight_decay against PyTorch (torch.optim.SGD and AdamW, bench/reference/make_optimizer_fixtures.py):
// the weights after a few steps of a tiny fixed linear regression, on the fused path and on tfjs's stock optimizers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { setFastPaths } from '../../../../src/backend/tfjs-internals.js';
import { learningRateSchedule } from '../../../../src/runner/lr-schedule.js';
import { create, useWasm } from '../../../helpers.js';

interface Case {
  name: string;
  optimizer: 'sgd' | 'adam';
  params: Record<string, number | boolean>;
  lr_decay: number;
  epochs: number;
  steps_per_epoch: number;
  kernel: number[][];
  bias: number[];
}

interface Fixture {
  problem: { x: number[][]; y: number[][]; kernel: number[][]; bias: number[] };
  cases: Case[];
}

const fixture = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '../../../fixtures/optimizers/weight-decay.json'), 'utf8'),
) as Fixture;

/**
 * Float32 steps against float64 ones: each weight within 1e-5 of the largest weight of its tensor in the
 * reference. Adam divides by the gradient's size, so a small gradient entry's rounding moves its weight as
 * much as a large one's: PyTorch's own float32 run is off its float64 one by up to 3e-6 of that scale here,
 * tfjs's stock Adam by 7e-6 (with or without weight decay). A wrong decay is off by 1e-3 or more (below).
 */
const TOLERANCE = 1e-5;

/** tfjs's class each case runs on the stock path: the decay is added around tfjs's own optimizer. */
function stockClass(c: Case): string {
  if (c.optimizer === 'adam') return 'Adam';
  return c.params.momentum === 0 ? 'SGD' : 'Momentum';
}

/** The case's training: full-batch steps on mean((x kernel + bias - y)^2), each epoch at its scheduled rate. */
function train(optimizer: tf.Optimizer, c: Case): { kernel: number[]; bias: number[] } {
  const { problem } = fixture;
  const [x, y] = [tf.tensor2d(problem.x), tf.tensor2d(problem.y)];
  const kernel = tf.variable(tf.tensor2d(problem.kernel));
  const bias = tf.variable(tf.tensor1d(problem.bias));
  const schedule = learningRateSchedule(optimizer, c.lr_decay, c.optimizer);
  for (let epoch = 1; epoch <= c.epochs; epoch++) {
    schedule?.(epoch);
    for (let step = 0; step < c.steps_per_epoch; step++) {
      optimizer.minimize(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, kernel), bias), y))) as tf.Scalar);
    }
  }
  const weights = { kernel: [...kernel.dataSync()], bias: [...bias.dataSync()] };
  optimizer.dispose();
  tf.dispose([x, y, kernel, bias]);
  return weights;
}

function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: size`);
  const scale = Math.max(...expected.map(Math.abs));
  actual.forEach((value, i) => {
    assert.isAtMost(Math.abs(value - expected[i]), TOLERANCE * scale, `${what}[${i}]: ${value} vs ${expected[i]}`);
  });
}

/** Runs `fn` on the fused path (distil-run's optimizers) or the stock one (tfjs's, as on tfjs-node). */
function onPath<T>(fused: boolean, fn: () => T): T {
  setFastPaths(fused, fused ? undefined : 'fast paths off: weight-decay test of the stock path');
  try {
    return fn();
  } finally {
    setFastPaths(true);
  }
}

describe('weight_decay against PyTorch (torch.optim.SGD, torch.optim.AdamW)', () => {
  before(useWasm);

  it('has the cases: sgd (plain, momentum, Nesterov, lr_decay) and adam (plain, AdamW, AdamW with lr_decay)', () => {
    assert.deepEqual(
      fixture.cases.map((c) => c.name),
      [
        'sgd_wd0.05',
        'sgd_momentum0.9_wd0.01',
        'sgd_nesterov0.9_wd0.01',
        'sgd_momentum0.5_wd0.1_lr_decay0.5',
        'adam_no_decay',
        'adamw_wd0.1',
        'adamw_wd0.5_beta1_0.8_eps1e-6',
        'adamw_wd1_lr_decay0.5',
      ],
    );
  });

  for (const c of fixture.cases) {
    for (const fused of [true, false]) {
      it(`${c.name}: the weights PyTorch reaches (${fused ? 'fused' : 'stock'} path)`, () => {
        const weights = onPath(fused, () => {
          const optimizer = create<tf.Optimizer>('optimizer', c.optimizer, c.params);
          assert.equal(optimizer.getClassName(), fused ? 'DistilRunFusedOptimizer' : stockClass(c));
          return train(optimizer, c);
        });
        assertClose(weights.kernel, c.kernel.flat(), 'kernel');
        assertClose(weights.bias, c.bias, 'bias');
      });
    }
  }

  it('the decay moves every case far past the tolerance (a test that ignored weight_decay would fail)', () => {
    const decayed = fixture.cases.filter((c) => c.params.weight_decay !== undefined);
    assert.lengthOf(decayed, 7);
    for (const c of decayed) {
      const { weight_decay: _decay, ...params } = c.params;
      for (const fused of [true, false]) {
        const plain = onPath(fused, () => train(create<tf.Optimizer>('optimizer', c.optimizer, params), c));
        const want = c.kernel.flat();
        const gap = Math.max(...plain.kernel.map((w, i) => Math.abs(w - want[i]))) / Math.max(...want.map(Math.abs));
        assert.isAbove(gap, 100 * TOLERANCE, `${c.name} without weight_decay (${fused ? 'fused' : 'stock'})`);
      }
    }
  });

  it('leaves the tensor count flat across steps on both paths', () => {
    for (const fused of [true, false]) {
      onPath(fused, () => {
        const optimizer = create<tf.Optimizer>('optimizer', 'sgd', { lr: 0.1, momentum: 0.9, weight_decay: 0.1 });
        const adam = create<tf.Optimizer>('optimizer', 'adam', { weight_decay: 0.1 });
        const w = tf.variable(tf.ones([7]));
        const step = () => {
          for (const o of [optimizer, adam]) o.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
        };
        step();
        const before = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) step();
        assert.equal(tf.memory().numTensors, before, fused ? 'fused' : 'stock');
        optimizer.dispose();
        adam.dispose();
        w.dispose();
      });
    }
  });
});
