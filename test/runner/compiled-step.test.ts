// The compiled training step against tfjs's own step: the same weights, to the bit, after the same batches.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { loadBlas } from '../../src/backend/blas.js';
import { selectBackend } from '../../src/backend/select.js';
import type { ComponentRef } from '../../src/config/index.js';
import type { Dataset, Loss } from '../../src/registry/index.js';
import { buildModel, createComponent } from '../../src/runner/model.js';
import { compileRoleStep, stepCoverage } from '../../src/runner/compiled-training.js';
import { trainRole } from '../../src/runner/train.js';
import type { SplitTensors, TrainRoleResult } from '../../src/runner/train.js';
import type { ResolvedTraining } from '../../src/config/index.js';
import { builtinRegistry } from '../helpers.js';

const registry = builtinRegistry();

interface Case {
  readonly name: string;
  readonly task: 'classification' | 'regression';
  readonly features: number;
  readonly outputs: number;
  readonly layers: readonly ComponentRef[];
  readonly loss: ComponentRef;
  readonly optimizer: ComponentRef;
  readonly rows?: number;
  readonly batchSize?: number;
  readonly epochs?: number;
  readonly lrDecay?: number;
  /** The loss reads the teacher's outputs (random logits here). */
  readonly teacher?: boolean;
}

const dense = (units: number, extra: Record<string, unknown> = {}): ComponentRef => ({
  name: 'dense',
  params: { units, activation: 'relu', use_bias: true, ...extra },
});
const dropout = (rate: number): ComponentRef => ({ name: 'dropout', params: { rate } });
const adam = (extra: Record<string, unknown> = {}): ComponentRef => ({
  name: 'adam',
  params: { lr: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, ...extra },
});

/** The data of a case: seeded features, labels (or targets) and teacher outputs. */
function data(c: Case): { train: SplitTensors; teacher?: tf.Tensor2D } {
  const n = c.rows ?? 300;
  const x = tf.randomNormal([n, c.features], 0, 1, 'float32', 5) as tf.Tensor2D;
  const y =
    c.task === 'classification'
      ? (tf.randomUniform([n], 0, c.outputs, 'int32', 6) as tf.Tensor1D)
      : (tf.randomNormal([n], 0, 1, 'float32', 6) as tf.Tensor1D);
  const teacher = c.teacher ? (tf.randomNormal([n, c.outputs], 0, 2, 'float32', 7) as tf.Tensor2D) : undefined;
  return { train: { x, y, n }, teacher };
}

/** Trains a case's model on one path; its final weights and the run's history. */
async function train(
  c: Case,
  compiled: boolean,
): Promise<{ weights: Float32Array[]; result: TrainRoleResult; how: string }> {
  const dataset = {
    task: c.task,
    featureShape: [c.features],
    outputSize: c.outputs,
  } as unknown as Dataset;
  const model = buildModel(registry, c.layers, dataset, 3, 'small', '.');
  const context = { seed: 9, baseDir: '.', task: c.task };
  const loss = createComponent<Loss>(registry, 'loss', c.loss, context);
  const labelLoss = createComponent<Loss>(
    registry,
    'loss',
    { name: c.task === 'classification' ? 'cross-entropy' : 'mse', params: {} },
    context,
  );
  const optimizer = createComponent<tf.Optimizer>(registry, 'optimizer', c.optimizer, context);
  const { train: split, teacher: raw } = data(c);
  const teacher = raw && loss.prepareTeacher ? loss.prepareTeacher(raw) : raw;
  const batchSize = c.batchSize ?? 64;
  const coverage = stepCoverage({ model, loss, optimizer: c.optimizer.name, train: split });
  if (compiled && !('stages' in coverage)) throw new Error(`not covered: ${coverage.reason}`);
  const step =
    compiled && 'stages' in coverage
      ? compileRoleStep(coverage, { loss, optimizer, train: split, teacherTrain: teacher, batchSize })
      : undefined;
  const training = {
    epochs: c.epochs ?? 2,
    batchSize,
    optimizer: c.optimizer,
    loss: c.loss,
    metrics: [],
    logEvery: 1,
    evalEvery: 0,
    lrDecay: c.lrDecay ?? 1,
  } as ResolvedTraining;
  try {
    const result = await trainRole({
      role: 'student',
      model,
      training,
      optimizer,
      loss,
      labelLoss,
      metrics: [],
      task: c.task,
      train: split,
      test: split,
      teacherTrain: teacher,
      compiled: step,
      evalBatchSize: 256,
      seed: 11,
    });
    return {
      weights: model.getWeights().map((w) => w.dataSync() as Float32Array),
      result,
      how: step?.matmul ?? 'tfjs',
    };
  } finally {
    step?.dispose();
    optimizer.dispose();
    model.dispose();
    tf.dispose([split.x, split.y, raw, teacher]);
  }
}

const CASES: Case[] = [
  {
    name: 'a ReLU MLP, cross-entropy, adam (SIMD, with a tail)',
    task: 'classification',
    features: 30,
    outputs: 10,
    layers: [dense(37), dense(19)],
    loss: { name: 'cross-entropy', params: {} },
    optimizer: adam(),
  },
  {
    name: 'wide layers (the BLAS threads), a ragged last batch',
    task: 'classification',
    features: 784,
    outputs: 10,
    layers: [dense(1024), dense(512), dense(256)],
    loss: { name: 'cross-entropy', params: {} },
    optimizer: adam(),
    rows: 300,
    batchSize: 128,
    epochs: 1,
  },
  {
    name: 'dropout (input and hidden), sgd with Nesterov momentum and weight decay',
    task: 'classification',
    features: 24,
    outputs: 5,
    layers: [dropout(0.2), dense(40), dropout(0.5), dense(20), dropout(0)],
    loss: { name: 'cross-entropy', params: {} },
    optimizer: { name: 'sgd', params: { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.001 } },
  },
  {
    name: 'kd from the teacher, rmsprop, lr_decay',
    task: 'classification',
    features: 16,
    outputs: 7,
    layers: [dense(32), dense(16, { activation: 'linear' })],
    loss: { name: 'kd', params: { temperature: 4, alpha: 0.3 } },
    optimizer: { name: 'rmsprop', params: { lr: 0.001, decay: 0.9, momentum: 0.5, epsilon: 1e-7, centered: false } },
    teacher: true,
    lrDecay: 0.8,
    epochs: 3,
  },
  {
    name: 'max_norm, adamw, no bias',
    task: 'classification',
    features: 20,
    outputs: 4,
    layers: [dense(64, { max_norm: 0.5 }), dense(32, { max_norm: 2, use_bias: false })],
    loss: { name: 'cross-entropy', params: {} },
    optimizer: adam({ lr: 0.05, weight_decay: 0.01 }),
  },
  {
    name: 'regression: mse, plain sgd',
    task: 'regression',
    features: 8,
    outputs: 1,
    layers: [dense(16), dense(8)],
    loss: { name: 'mse', params: {} },
    optimizer: { name: 'sgd', params: { lr: 0.01, momentum: 0, nesterov: false } },
  },
  {
    name: 'regression: soft-mse from the teacher, adam',
    task: 'regression',
    features: 8,
    outputs: 1,
    layers: [dense(16), dense(8)],
    loss: { name: 'soft-mse', params: { alpha: 0.5 } },
    optimizer: adam(),
    teacher: true,
  },
];

describe('the compiled training step', () => {
  const { blas } = loadBlas('auto');
  before(async function () {
    if (!blas) this.skip();
    await selectBackend('wasm', { blas: 'auto' });
  });
  after(() => selectBackend('wasm', { blas: 'auto' }));

  for (const c of CASES) {
    it(`${c.name}: the same weights and epoch losses as tfjs's step, to the bit`, async () => {
      const stock = await train(c, false);
      const compiled = await train(c, true);
      assert.equal(stock.how, 'tfjs');
      assert.match(compiled.how, /^cblas_sgemm from /);
      assert.equal(compiled.weights.length, stock.weights.length);
      compiled.weights.forEach((w, i) => {
        const differing = w.findIndex((v, j) => !Object.is(v, stock.weights[i][j]));
        assert.equal(
          differing,
          -1,
          `weight ${i}, element ${differing}: ${w[differing]} vs ${stock.weights[i][differing]}`,
        );
      });
      assert.deepEqual(
        compiled.result.history.map((r) => r.trainLoss),
        stock.result.history.map((r) => r.trainLoss),
      );
      // The weights moved: a step that did nothing would pass the comparison above only if tfjs's did nothing too.
      assert.isAbove(stock.result.history[0].trainLoss, 0);
    });
  }
});
