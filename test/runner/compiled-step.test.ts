// The compiled training step against tfjs's own step: the same weights, to the bit, after the same batches.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { loadBlas } from '../../src/backend/blas.js';
import { selectBackend } from '../../src/backend/select.js';
import { simdDense } from '../../src/backend/simd.js';
import { setColumnLimit } from '../../src/backend/conv-geometry.js';
import type { StepStage } from '../../src/backend/compiled-step.js';
import { wasmAllocate, wasmHeapF32, wasmRelease } from '../../src/backend/tfjs-internals.js';
import type { ComponentRef } from '../../src/config/index.js';
import type { Dataset, Loss } from '../../src/registry/index.js';
import { applyInBatches, buildModel, createComponent, predictInBatches } from '../../src/runner/model.js';
import { compileRoleStep, stepCoverage } from '../../src/runner/compiled-training.js';
import { forwardStages } from '../../src/runner/forward.js';
import { trainRole } from '../../src/runner/train.js';
import type { SplitTensors, TrainRoleResult } from '../../src/runner/train.js';
import type { ResolvedTraining } from '../../src/config/index.js';
import { builtinRegistry } from '../helpers.js';
import { distilRun, fixture } from '../cli-harness.js';
import { readCsv } from '../../src/results/csv.js';

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
  /** The rows are images of this `[height, width, channels]` (a convolutional model: only with a BLAS). */
  readonly imageShape?: readonly [number, number, number];
  /** The convolutions' column buffers at most this many floats (so they run in several chunks). */
  readonly columnLimit?: number;
}

const dense = (units: number, extra: Record<string, unknown> = {}): ComponentRef => ({
  name: 'dense',
  params: { units, activation: 'relu', use_bias: true, ...extra },
});
const dropout = (rate: number): ComponentRef => ({ name: 'dropout', params: { rate } });
const conv = (filters: number, extra: Record<string, unknown> = {}): ComponentRef => ({
  name: 'conv2d',
  params: { filters, kernel_size: 3, strides: 1, padding: 'same', activation: 'relu', use_bias: true, ...extra },
});
const maxPool = (extra: Record<string, unknown> = {}): ComponentRef => ({
  name: 'max-pool',
  params: { pool_size: 2, padding: 'valid', ...extra },
});
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
    imageShape: c.imageShape,
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
  setColumnLimit(c.columnLimit);
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
    setColumnLimit(undefined);
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
    name: 'wide layers (the BLAS threads; XNNPACK packs its blocks), a ragged last batch',
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
    name: "dkd from the teacher with a warm-up (the step reads the epoch's ramp), adam",
    task: 'classification',
    features: 16,
    outputs: 7,
    layers: [dense(32)],
    loss: { name: 'dkd', params: { alpha: 1, beta: 8, temperature: 4, warmup: 2, label_weight: 1 } },
    optimizer: adam(),
    teacher: true,
    epochs: 3,
  },
  {
    name: 'dist from the teacher (a batch-coupled loss), a last batch of one row, sgd',
    task: 'classification',
    features: 12,
    outputs: 6,
    layers: [dense(24)],
    loss: { name: 'dist', params: { beta: 2, gamma: 2, temperature: 4, label_weight: 1 } },
    optimizer: { name: 'sgd', params: { lr: 0.1, momentum: 0.9, nesterov: false } },
    teacher: true,
    rows: 65,
    batchSize: 16,
  },
  {
    name: 'tanh and sigmoid layers (their kernels, their gradients), one without bias, kd, adam',
    task: 'classification',
    features: 20,
    outputs: 5,
    layers: [dense(33, { activation: 'tanh' }), dense(18, { activation: 'sigmoid', use_bias: false }), dense(9)],
    loss: { name: 'kd', params: { temperature: 2, alpha: 0.5 } },
    optimizer: adam({ lr: 0.01 }),
    teacher: true,
  },
  {
    name: 'a LeNet-style CNN (conv, max-pool, conv, max-pool, dense, dropout), kd, adam',
    task: 'classification',
    features: 10 * 10,
    imageShape: [10, 10, 1],
    outputs: 4,
    // The second convolution's 1,000 columns (5 x 5 x 40) take several of the BLAS's blocks: its bias must be
    // added after the product (as tfjs adds it under a gradient), not by beta = 1.
    layers: [conv(40), maxPool(), conv(8, { kernel_size: 5 }), maxPool(), dense(16), dropout(0.5)],
    loss: { name: 'kd', params: { temperature: 4, alpha: 0.5 } },
    optimizer: adam(),
    teacher: true,
    rows: 100,
    batchSize: 32,
  },
  {
    name: "convolutions: linear without bias, strided 'valid', a pointwise one, 'same' max and average pooling, chunked columns, sgd",
    task: 'classification',
    features: 9 * 9 * 3,
    imageShape: [9, 9, 3],
    outputs: 5,
    layers: [
      conv(4, { activation: 'linear', use_bias: false }),
      conv(7, { kernel_size: [3, 2], strides: 2, padding: 'valid' }),
      conv(5, { kernel_size: 1, activation: 'linear' }),
      maxPool({ pool_size: 3, strides: 1, padding: 'same' }),
      { name: 'avg-pool', params: { pool_size: 2, strides: 1, padding: 'same' } },
      dense(12),
    ],
    loss: { name: 'cross-entropy', params: {} },
    optimizer: { name: 'sgd', params: { lr: 0.05, momentum: 0.9, nesterov: true } },
    rows: 70,
    batchSize: 16,
    columnLimit: 500,
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

/** The two configurations of the wasm backend: its matrix products in the system BLAS, or in its own matMul. */
const CONFIGURATIONS = [
  { name: 'with the system BLAS', blas: 'auto', matmul: /^cblas_sgemm from / },
  { name: "with the wasm backend's own matMul", blas: 'off', matmul: /^the wasm backend's matMul \(XNNPACK\)$/ },
] as const;

/** Runs the enclosing describe's tests on wasm in `configuration` (skipped with no BLAS to use), then back to the BLAS. */
function inConfiguration(configuration: (typeof CONFIGURATIONS)[number]): void {
  const { blas } = loadBlas('auto');
  before(async function () {
    if (configuration.blas === 'auto' && !blas) this.skip();
    await selectBackend('wasm', { blas: configuration.blas });
  });
  after(() => selectBackend('wasm', { blas: 'auto' }));
}

for (const configuration of CONFIGURATIONS) {
  describe(`the compiled training step ${configuration.name}`, () => {
    inConfiguration(configuration);

    for (const c of CASES) {
      if (c.imageShape && configuration.blas === 'off') {
        it(`${c.name}: tfjs's step, the convolutions being the wasm backend's own without a BLAS`, async () => {
          try {
            await train(c, true);
            assert.fail('covered without a BLAS');
          } catch (error) {
            assert.match((error as Error).message, /^not covered: the model has a conv2d layer without a BLAS/);
          }
        });
        continue;
      }
      it(`${c.name}: the same weights and epoch losses as tfjs's step, to the bit`, async () => {
        const stock = await train(c, false);
        const compiled = await train(c, true);
        assert.equal(stock.how, 'tfjs');
        assert.match(compiled.how, configuration.matmul);
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
}

describe("the compiled step's convolution buffers", () => {
  const { blas } = loadBlas('auto');
  before(async function () {
    if (!blas) this.skip();
    await selectBackend('wasm', { blas: 'auto' });
  });
  afterEach(() => setColumnLimit(undefined));

  it('refuses a step whose chunks no longer fit the column buffer it was planned with (the limit raised since)', () => {
    const dataset = { task: 'classification', featureShape: [48], imageShape: [4, 4, 3], outputSize: 3 };
    const model = buildModel(registry, [conv(4)], dataset as unknown as Dataset, 1, 'small', '.');
    const context = { seed: 1, baseDir: '.', task: 'classification' as const };
    const loss = createComponent<Loss>(registry, 'loss', { name: 'cross-entropy', params: {} }, context);
    const optimizer = createComponent<tf.Optimizer>(registry, 'optimizer', adam(), context);
    const x = tf.randomNormal([8, 48], 0, 1, 'float32', 1) as tf.Tensor2D;
    const y = tf.zeros([8], 'int32') as tf.Tensor1D;
    const train = { x, y, n: 8 };
    const coverage = stepCoverage({ model, loss, optimizer: 'adam', train });
    assert.property(coverage, 'stages');
    // One image's columns (16 pixels x 27) per chunk when planned; all eight at once after.
    setColumnLimit(432);
    const step = compileRoleStep(coverage as { stages: StepStage[] }, { loss, optimizer, train, batchSize: 8 });
    try {
      assert.isNumber(step.step(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 1));
      setColumnLimit(undefined);
      assert.throws(
        () => step.step(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 1),
        /^convolution: a column buffer of 432 floats for chunks of 3456$/,
      );
    } finally {
      step.dispose();
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    }
  });
});

/** Forward cases: layers, rows, the batch predictions are cut in, and a NaN in the inputs or not. */
const FORWARD_CASES = [
  { name: 'a ReLU MLP (SIMD tails)', layers: [dense(37), dense(19)], rows: 300, batch: 128, nan: false },
  { name: 'wide layers, one batch', layers: [dense(1024), dense(512)], rows: 100, batch: 256, nan: false },
  {
    name: 'dropout, a linear layer and no bias',
    layers: [dropout(0.5), dense(24, { use_bias: false }), dropout(0.2), dense(12, { activation: 'linear' })],
    rows: 77,
    batch: 32,
    nan: false,
  },
  {
    name: 'tanh and sigmoid layers, with and without bias',
    layers: [
      dense(21, { activation: 'tanh' }),
      dense(13, { activation: 'sigmoid', use_bias: false }),
      dense(7, { activation: 'sigmoid' }),
    ],
    rows: 90,
    batch: 32,
    nan: false,
  },
  {
    name: 'a NaN in the inputs (ReLU of NaN as each kernel has it)',
    layers: [dense(9)],
    rows: 20,
    batch: 8,
    nan: true,
  },
  {
    name: 'a NaN in the inputs through tanh and sigmoid',
    layers: [dense(9, { activation: 'tanh' }), dense(6, { activation: 'sigmoid' })],
    rows: 20,
    batch: 8,
    nan: true,
  },
];

for (const configuration of CONFIGURATIONS) {
  describe(`the compiled forward pass ${configuration.name}`, () => {
    inConfiguration(configuration);

    for (const c of FORWARD_CASES) {
      it(`${c.name}: the same outputs as tfjs's predict, to the bit`, () => {
        const dataset = { task: 'classification', featureShape: [30], outputSize: 5 } as unknown as Dataset;
        const model = buildModel(registry, c.layers, dataset, 3, 'teacher', '.');
        const values = tf.randomNormal([c.rows, 30], 0, 1, 'float32', 4).dataSync() as Float32Array;
        if (c.nan) values.fill(NaN, 40, 70);
        const x = tf.tensor2d(values, [c.rows, 30]);
        try {
          assert.isDefined(forwardStages(model, x));
          const compiled = predictInBatches(model, x, c.batch);
          const stock = applyInBatches(x, c.batch, (b) => model.apply(b, { training: false }) as tf.Tensor2D);
          assert.deepEqual(compiled.shape, stock.shape);
          const [mine, theirs] = [compiled.dataSync(), stock.dataSync()];
          const differing = mine.findIndex((v, i) => !Object.is(v, theirs[i]));
          assert.equal(differing, -1, `output ${differing}: ${mine[differing]} vs ${theirs[differing]}`);
          tf.dispose([compiled, stock]);
        } finally {
          x.dispose();
          model.dispose();
        }
      });
    }

    it("a loaded model whose last layer is tanh or sigmoid: the same outputs as tfjs's predict, to the bit", () => {
      for (const activation of ['tanh', 'sigmoid'] as const) {
        const model = tf.sequential({
          layers: [
            tf.layers.dense({ inputShape: [30], units: 11, activation: 'relu' }),
            tf.layers.dense({ units: 4, activation }),
          ],
        });
        const x = tf.mul(tf.randomNormal([50, 30], 0, 1, 'float32', 7), 3) as tf.Tensor2D;
        try {
          assert.isDefined(forwardStages(model, x), activation);
          const compiled = predictInBatches(model, x, 16);
          const stock = applyInBatches(x, 16, (b) => model.apply(b, { training: false }) as tf.Tensor2D);
          const [mine, theirs] = [compiled.dataSync(), stock.dataSync()];
          assert.isTrue(
            mine.some((v) => v !== 0 && Math.abs(v) !== 1 && v !== 0.5),
            `${activation}: outputs off the kernels' fixed points`,
          );
          const differing = mine.findIndex((v, i) => !Object.is(v, theirs[i]));
          assert.equal(differing, -1, `${activation} output ${differing}: ${mine[differing]} vs ${theirs[differing]}`);
          tf.dispose([compiled, stock]);
        } finally {
          x.dispose();
          model.dispose();
        }
      }
    });

    it('leaves branched models and mismatched inputs to tfjs (which computes them or says what is wrong)', () => {
      const input = tf.input({ shape: [6] });
      const hidden = tf.layers.dense({ units: 3, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 2 }).apply(hidden) as tf.SymbolicTensor;
      const branch = tf.layers.dense({ units: 4 }).apply(input) as tf.SymbolicTensor;
      const twoOutputs = tf.model({ inputs: input, outputs: [out, branch] });
      const chain = tf.model({ inputs: input, outputs: out });
      const narrow = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [5] })] });
      const x = tf.ones([3, 6]) as tf.Tensor2D;
      try {
        assert.isUndefined(forwardStages(twoOutputs, x));
        assert.isUndefined(forwardStages(chain, x), 'functional models take tfjs, even a plain chain');
        assert.isUndefined(forwardStages(narrow, x));
        assert.throws(() => predictInBatches(narrow, x, 2), /Input 0 is incompatible with layer/);
      } finally {
        x.dispose();
        tf.dispose([...twoOutputs.weights.map((w) => w.read()), ...narrow.weights.map((w) => w.read())]);
      }
    });

    it('leaves no tensor or heap block behind, and is not taken off wasm or with --compiled-step off', async () => {
      const dataset = { task: 'classification', featureShape: [30], outputSize: 5 } as unknown as Dataset;
      const model = buildModel(registry, [dense(16)], dataset, 3, 'teacher', '.');
      const x = tf.randomNormal([50, 30], 0, 1, 'float32', 4) as tf.Tensor2D;
      predictInBatches(model, x, 16).dispose();
      const tensors = tf.memory().numTensors;
      predictInBatches(model, x, 16).dispose();
      assert.equal(tf.memory().numTensors, tensors);
      await selectBackend('wasm', { blas: configuration.blas, compiledStep: false });
      assert.isUndefined(forwardStages(model, x));
      await selectBackend('wasm', { blas: configuration.blas });
      assert.isUndefined(forwardStages(model, tf.cast(x, 'int32')));
      x.dispose();
      model.dispose();
    });
  });
}

describe('which roles take the compiled step', () => {
  const { blas } = loadBlas('auto');
  before(async function () {
    if (!blas) this.skip();
    await selectBackend('wasm', { blas: 'auto' });
  });
  after(() => selectBackend('wasm', { blas: 'auto' }));

  /** The coverage of a model of `layers` with a loss and an optimizer, on flat rows of 12 features. */
  function coverage(
    layers: readonly ComponentRef[],
    loss: Partial<Loss> = { compute: () => tf.scalar(0), rows: () => 0 },
    optimizer = 'adam',
    perBatchInputs?: string,
  ): string {
    const dataset = {
      task: 'classification',
      featureShape: [12],
      outputSize: 3,
      imageShape: [2, 2, 3],
    } as unknown as Dataset;
    const model = buildModel(registry, layers, dataset, 1, 'small', '.');
    const x = tf.zeros([4, 12]) as tf.Tensor2D;
    const y = tf.zeros([4], 'int32') as tf.Tensor1D;
    try {
      const covered = stepCoverage({ model, loss: loss as Loss, optimizer, train: { x, y, n: 4 }, perBatchInputs });
      return 'stages' in covered ? `compiled: ${covered.stages.map((s) => s.kind).join(' ')}` : covered.reason;
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
  }

  it('dense layers (ReLU, linear, max_norm, without bias) and dropout are covered; the output layer is dense', () => {
    assert.equal(
      coverage([dense(8, { max_norm: 1 }), dropout(0.3), dense(4, { activation: 'linear', use_bias: false })]),
      'compiled: dense dropout dense dense',
    );
  });

  it('with a BLAS, conv2d (ReLU or linear), max-pool and avg-pool layers are covered, the reshapes around them too', () => {
    assert.equal(
      coverage([
        conv(2),
        maxPool({ pool_size: 1 }),
        conv(3, { activation: 'linear', use_bias: false }),
        { name: 'avg-pool', params: { pool_size: 1, padding: 'valid' } },
        dense(4),
      ]),
      'compiled: reshape conv max-pool conv avg-pool reshape dense dense',
    );
  });

  it('leaves to tfjs what a loaded model may hold: a channels-first flatten, a dense layer on images', () => {
    const reasons = [
      [tf.layers.flatten({ dataFormat: 'channelsFirst' }), tf.layers.dense({ units: 3 })],
      [tf.layers.dense({ units: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 3 })],
    ].map((tail) => {
      const model = tf.sequential({
        layers: [
          tf.layers.reshape({ targetShape: [4, 4, 3], inputShape: [48] }),
          tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }),
          ...tail,
        ],
      });
      const x = tf.zeros([4, 48]) as tf.Tensor2D;
      const y = tf.zeros([4], 'int32') as tf.Tensor1D;
      const loss = { compute: () => tf.scalar(0), rows: () => 0 } as unknown as Loss;
      try {
        const covered = stepCoverage({ model, loss, optimizer: 'adam', train: { x, y, n: 4 } });
        return 'reason' in covered ? covered.reason : 'covered';
      } finally {
        tf.dispose([x, y]);
        model.dispose();
      }
    });
    assert.deepEqual(reasons, [
      'the model has a channels-first flatten',
      'the model has a dense layer on a tensor of rank 4',
    ]);
  });

  it('anything else is named, and the role takes tfjs step', () => {
    assert.equal(coverage([dense(8, { activation: 'elu' })]), 'the model has a dense layer with activation elu');
    assert.equal(coverage([conv(2, { activation: 'elu' })]), 'the model has a conv2d layer with activation elu');
    assert.equal(coverage([conv(2, { max_norm: 1 })]), 'the model has a conv2d layer with a constraint');
    assert.equal(
      coverage([conv(2), { name: 'global-avg-pool', params: {} }]),
      'the model has a GlobalAveragePooling2D layer',
    );
    assert.equal(coverage([conv(2), { name: 'batch-norm', params: {} }]), 'the model has a BatchNormalization layer');
    assert.equal(
      coverage([dense(8)], { compute: () => tf.scalar(0) }),
      'the loss has no row form (only tensor operations)',
    );
    const variable = tf.variable(tf.zeros([2]));
    assert.equal(
      coverage([dense(8)], { compute: () => tf.scalar(0), rows: () => 0, variables: [variable] }),
      'the loss trains weights of its own',
    );
    variable.dispose();
    assert.equal(
      coverage([dense(8)], undefined, 'my-optimizer'),
      'optimizer "my-optimizer" is not one of the fused ones (sgd, adam, rmsprop)',
    );
    assert.equal(coverage([dense(8)], undefined, 'adam', 'its batches are augmented'), 'its batches are augmented');
  });

  it('takes the BLAS or the wasm matMul; on cpu, or turned off, no role takes it, and the reason says why', async () => {
    await selectBackend('wasm', { blas: 'off' });
    assert.equal(coverage([dense(8)]), 'compiled: dense dense');
    assert.equal(
      coverage([conv(2)]),
      "the model has a conv2d layer without a BLAS (the wasm backend's own convolution is not in the plan)",
    );
    await selectBackend('wasm', { blas: 'auto', compiledStep: false });
    assert.equal(coverage([dense(8)]), 'turned off (--compiled-step off)');
    await selectBackend('cpu');
    assert.equal(coverage([dense(8)]), 'it runs on the wasm backend, not cpu');
    await selectBackend('wasm', { blas: 'auto' });
    assert.equal(coverage([dense(8)]), 'compiled: dense dense');
  });
});

describe('--compiled-step (command line)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-compiled-'));
  const { blas } = loadBlas('auto');

  /** A small MNIST run with the compiled step on or off: its tables (timings aside) and its manifest. */
  function run(step: 'on' | 'off') {
    const result = distilRun([
      fixture('mnist-small.yaml'),
      ...['--out', dir, '--run-id', step, '--teacher-cache', 'off', '--plain', '--no-report'],
      ...[
        '--set',
        'dataset.train_limit=700',
        '--set',
        'dataset.test_limit=200',
        '--set',
        'models.teacher.layers=[{name: dropout, rate: 0.2}, 64, {name: dense, units: 32, max_norm: 2}]',
      ],
      ...['--compiled-step', step],
    ]);
    assert.equal(result.code, 0, result.stderr);
    const runDir = path.join(dir, 'mnist-small', step);
    const untimed = (file: string) =>
      readCsv(path.join(runDir, file)).records.map((r) =>
        Object.fromEntries(Object.entries(r).filter(([k]) => !/seconds|per_sec|inference|run_id/.test(k))),
      );
    return {
      result,
      results: untimed('results.csv'),
      history: untimed('history.csv'),
      manifest: JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')),
    };
  }

  it('on and off give the same tables; the role lines, the backend line and the manifest say which step ran', function () {
    if (!blas) this.skip();
    this.timeout(180_000);
    const on = run('on');
    const off = run('off');
    assert.deepEqual(on.results, off.results);
    assert.deepEqual(on.history, off.history);
    assert.lengthOf(on.results, 3);
    assert.match(on.result.stderr, /❯ teacher seed 1: [\d,]+ params, 2 epochs, batch 64, adam; compiled step\n/);
    assert.match(on.result.stdout, /compiled step on\n/);
    assert.match(off.result.stdout, /compiled step off \(turned off \(--compiled-step off\)\)\n/);
    assert.equal(on.manifest.backend.compiled_step, 'on');
    const steps = Object.entries(on.manifest.training_steps);
    assert.deepEqual(steps.map(([key]) => key.split('/').slice(1).join('/')).sort(), [
      '1/person',
      '1/student',
      '1/teacher',
    ]);
    assert.deepEqual([...new Set(steps.map(([, step]) => step))], ['compiled step']);
    assert.deepEqual(
      [...new Set(Object.values(off.manifest.training_steps))],
      ['tfjs step (turned off (--compiled-step off))'],
    );
  });

  it('refuses a value other than on or off (exit 2, naming the flag)', () => {
    const result = distilRun([fixture('mnist-small.yaml'), '--compiled-step', 'fast', '--dry-run']);
    assert.equal(result.code, 2);
    assert.include(result.stderr, '--compiled-step: expected on or off, got "fast"');
  });
});

describe("the compiled step's SIMD loops", () => {
  before(() => selectBackend('wasm', { blas: 'off' }));
  after(() => selectBackend('wasm', { blas: 'auto' }));

  /** Runs `fn` on a block of the wasm heap holding `values` (float32); the block after it. */
  function onHeap(values: readonly number[], fn: (offset: number) => void): number[] {
    const offset = wasmAllocate(values.length * 4 + 16);
    try {
      wasmHeapF32().set(values, offset / 4);
      fn(offset);
      return [...wasmHeapF32().subarray(offset / 4, offset / 4 + values.length)];
    } finally {
      wasmRelease(offset);
    }
  }

  it('ReLU: max(x, 0) lane by lane and in the tail, -0 to 0, NaN kept (as the wasm Relu kernel)', () => {
    const kernels = simdDense();
    assert.isDefined(kernels);
    const x = [-1, 2, -0, NaN, 0.5, -3, Infinity, -Infinity, 7]; // 9: two vectors and a tail of one
    const out = onHeap(x, (offset) => kernels!.relu(offset, x.length));
    assert.deepEqual(out.map(String), ['0', '2', '0', 'NaN', '0.5', '0', 'Infinity', '0', '7']);
    assert.isFalse(Object.is(out[2], -0));
    const stock = tf.tidy(() => [...tf.relu(tf.tensor1d(x)).dataSync()]);
    assert.deepEqual(out.map(String), stock.map(String));
  });

  it("ReLU's gradient: g where y > 0, 0 where y <= 0, NaN where y is NaN", () => {
    const kernels = simdDense();
    const y = [1, -1, 0, NaN, 2, -0, 3];
    const g = [5, 6, 7, 8, 9, 10, 11];
    const out = onHeap([...g, ...y], (offset) => kernels!.reluGrad(offset, offset + g.length * 4, g.length));
    assert.deepEqual(out.slice(0, g.length).map(String), ['5', '0', '0', 'NaN', '9', '0', '11']);
  });

  it("x > 0 ? x : 0 (the BLAS kernels' fused ReLU): NaN and -0 to +0, lane by lane and in the tail", () => {
    const kernels = simdDense();
    const x = [-1, 2, -0, NaN, 0.5, -3, Infinity, -Infinity, NaN];
    const out = onHeap(x, (offset) => kernels!.positive(offset, x.length));
    assert.deepEqual(out.map(String), ['0', '2', '0', '0', '0.5', '0', 'Infinity', '0', '0']);
    assert.isFalse(out.some((v) => Object.is(v, -0)));
  });

  it('a bias over rows: the same float32 sums as tf.add, in the vector part and the tail', () => {
    const kernels = simdDense();
    const [rows, cols] = [3, 6];
    const x = Array.from({ length: rows * cols }, (_, i) => Math.fround(0.1 * i - 0.7));
    const b = Array.from({ length: cols }, (_, j) => Math.fround(1 / (j + 3)));
    const out = onHeap([...x, ...b], (offset) => kernels!.addRows(offset, offset + x.length * 4, rows, cols));
    const stock = tf.tidy(() => [...tf.add(tf.tensor2d(x, [rows, cols]), tf.tensor1d(b)).dataSync()]);
    assert.deepEqual(out.slice(0, x.length), stock);
  });
});
