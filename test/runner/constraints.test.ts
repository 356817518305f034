// max_norm: the projection applied after each optimizer step, against tfjs's MaxNorm applied by hand and the formula
// in plain JavaScript, and through trainStep on the fused and the stock optimizers (which apply no constraint).
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { setFastPaths } from '../../src/backend/tfjs-internals.js';
import type { ComponentRef } from '../../src/config/resolved-config.js';
import type { Dataset, Loss } from '../../src/registry/types.js';
import { applyConstraints, setWeightsAsGiven } from '../../src/runner/constraints.js';
import { buildModel } from '../../src/runner/model.js';
import { trainStep } from '../../src/runner/train.js';
import { builtinRegistry, create, useWasm } from '../helpers.js';

/** Keras's (and tfjs's float32) epsilon in MaxNorm: w * clip(norm, 0, c) / (norm + epsilon). */
const EPSILON = 1e-7;

/** A layer as the resolver gives it: its params validated, defaults filled. */
function layer(name: string, params: Record<string, unknown>): ComponentRef {
  const filled = structuredClone(params);
  assert.isEmpty(builtinRegistry().get('layer', name).validate(filled));
  return { name, params: filled };
}

/** 3 classes from 36 features, which are also a 6x6x1 image (a conv2d layer gets a reshape in front). */
const DATASET: Dataset = {
  task: 'classification',
  featureShape: [36],
  imageShape: [6, 6, 1],
  outputSize: 3,
  train: { x: new Float32Array(0), y: new Int32Array(0), n: 0 },
  test: { x: new Float32Array(0), y: new Int32Array(0), n: 0 },
};

const model = (layers: ComponentRef[]) => buildModel(builtinRegistry(), layers, DATASET, 7, 'teacher', '.');

/** The kernel of a model's layer as numbers, with its shape. */
function kernelOf(m: tf.LayersModel, index: number): { values: number[]; shape: number[] } {
  const kernel = m.layers[index].getWeights()[0];
  return { values: [...kernel.dataSync()], shape: kernel.shape };
}

/** The L2 norm of each unit's incoming weights of a kernel laid out [..., units] (row-major): one per unit. */
function unitNorms(values: readonly number[], units: number): number[] {
  const sums = new Array<number>(units).fill(0);
  values.forEach((w, i) => (sums[i % units] += w * w));
  return sums.map(Math.sqrt);
}

/** The max-norm projection in plain JavaScript (float64), for a kernel laid out [..., units]. */
function maxNormByFormula(values: readonly number[], units: number, c: number): number[] {
  const norms = unitNorms(values, units);
  return values.map((w, i) => (w * Math.min(norms[i % units], c)) / (norms[i % units] + EPSILON));
}

function assertClose(actual: readonly number[], expected: readonly number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: size`);
  actual.forEach((v, i) => assert.closeTo(v, expected[i], tolerance * (1 + Math.abs(expected[i])), `${what}[${i}]`));
}

/**
 * Each unit's incoming weights (the Glorot draws) scaled by its factor, so that some units are over the
 * bound and some under it, and a bias that is not zero; written to the variables directly (tfjs's
 * setWeights would apply the constraint).
 */
function inflate(m: tf.LayersModel, index: number, factors: number[]): void {
  const [kernel, bias] = m.layers[index].weights.map((w) => w.read() as tf.Variable);
  tf.tidy(() => {
    kernel.assign(tf.mul(kernel, tf.tensor1d(factors)));
    bias.assign(tf.add(bias, 0.5));
  });
}

/** Random rows and labels of the dataset's shape, held as a training split. */
function split(n: number) {
  return {
    x: tf.mul(tf.randomNormal([n, 36], 0, 1, 'float32', 3), 4) as tf.Tensor2D,
    y: tf.randomUniform([n], 0, 3, 'int32', 4) as tf.Tensor1D,
    n,
  };
}

/** `steps` steps of trainStep (batches of 16) with a built-in optimizer, on the fused path or the stock one. */
function train(m: tf.LayersModel, optimizer: [string, Record<string, unknown>], fused: boolean, steps: number): void {
  setFastPaths(fused, fused ? undefined : 'fast paths off: max_norm test of the stock optimizers');
  try {
    const created = create<tf.Optimizer>('optimizer', ...optimizer);
    assert.equal(created.getClassName() === 'DistilRunFusedOptimizer', fused, 'the path the test means');
    const train = split(64);
    const options = { model: m, optimizer: created, loss: create<Loss>('loss', 'cross-entropy'), train };
    for (let step = 0; step < steps; step++) {
      const batch = Int32Array.from({ length: 16 }, (_, j) => (step * 16 + j * 5) % train.n);
      trainStep(options, batch).dispose();
    }
    created.dispose();
    tf.dispose([train.x, train.y]);
  } finally {
    setFastPaths(true);
  }
}

describe('max_norm: the constraint applied after each step', () => {
  before(useWasm);

  it('is tfjs MaxNorm in the layer config of dense (axis 0) and conv2d (axes 0, 1, 2), and absent without max_norm', () => {
    const m = model([
      layer('conv2d', { filters: 2, max_norm: 1.5 }),
      layer('dense', { units: 4, max_norm: 2 }),
      layer('dense', { units: 4 }),
    ]);
    const constraints = m.layers.map((l) => (l.getConfig() as { kernelConstraint?: unknown }).kernelConstraint);
    assert.deepEqual(constraints, [
      undefined, // the reshape in front of the convolution
      { className: 'MaxNorm', config: { maxValue: 1.5, axis: [0, 1, 2] } },
      undefined, // the flatten after it
      { className: 'MaxNorm', config: { maxValue: 2, axis: 0 } },
      null,
      null, // the output layer
    ]);
    assert.deepEqual(
      m.layers.map((l) => (l.getConfig() as { biasConstraint?: unknown }).biasConstraint ?? null),
      [null, null, null, null, null, null],
      'no bias is constrained',
    );
    m.dispose();
  });

  it('projects a dense kernel as tfjs MaxNorm applied by hand and as the formula; the bias is untouched', () => {
    const c = 1;
    const m = model([layer('dense', { units: 5, max_norm: c })]);
    inflate(m, 0, [0.2, 0.5, 1, 2, 3]);
    const before = kernelOf(m, 0);
    const bias = [...m.layers[0].getWeights()[1].dataSync()];
    const norms = unitNorms(before.values, 5);
    assert.isAbove(Math.max(...norms), c, 'some units are over the bound');
    assert.isBelow(Math.min(...norms), c, 'and some under it');
    const byHand = tf.tidy(() => [
      ...tf.constraints.maxNorm({ maxValue: c, axis: 0 }).apply(tf.tensor(before.values, before.shape)).dataSync(),
    ]);
    applyConstraints(m);
    const after = kernelOf(m, 0);
    assertClose(after.values, byHand, 1e-6, 'against tfjs MaxNorm');
    assertClose(after.values, maxNormByFormula(before.values, 5, c), 1e-6, 'against the formula');
    unitNorms(after.values, 5).forEach((norm, j) => assert.isAtMost(norm, Math.min(c, norms[j]) + 1e-6, `unit ${j}`));
    assert.deepEqual([...m.layers[0].getWeights()[1].dataSync()], bias, 'the bias');
    m.dispose();
  });

  it('projects each conv2d filter over its [height, width, channels] weights, as tfjs MaxNorm and the formula', () => {
    const c = 0.5;
    // A convolution of 2 channels, so that a norm over height and width alone would differ.
    const m = model([
      layer('conv2d', { filters: 2 }),
      layer('conv2d', { filters: 4, kernel_size: [3, 2], max_norm: c }),
    ]);
    inflate(m, 2, [0.3, 0.6, 1.5, 3]);
    const before = kernelOf(m, 2);
    assert.deepEqual(before.shape, [3, 2, 2, 4]);
    const norms = unitNorms(before.values, 4);
    assert.isAbove(Math.max(...norms), c, 'some filters are over the bound');
    assert.isBelow(Math.min(...norms), c, 'and some under it');
    const byHand = tf.tidy(() => [
      ...tf.constraints
        .maxNorm({ maxValue: c, axis: [0, 1, 2] as unknown as number })
        .apply(tf.tensor(before.values, before.shape))
        .dataSync(),
    ]);
    const first = kernelOf(m, 1).values;
    applyConstraints(m);
    const after = kernelOf(m, 2).values;
    assertClose(after, byHand, 1e-6, 'against tfjs MaxNorm');
    assertClose(after, maxNormByFormula(before.values, 4, c), 1e-6, 'against the formula');
    assert.deepEqual(kernelOf(m, 1).values, first, 'the unconstrained convolution is untouched');
    m.dispose();
  });

  it('honours any tfjs constraint of a layer (a plugin layer), and leaves a frozen layer as it is', () => {
    const m = tf.sequential({
      layers: [
        tf.layers.dense({ units: 3, inputShape: [4], kernelConstraint: tf.constraints.nonNeg() }),
        tf.layers.dense({ units: 3, kernelConstraint: tf.constraints.nonNeg() }),
      ],
    });
    m.layers[1].trainable = false;
    // Weights of both signs in each layer, given rather than drawn, so the check cannot depend on the draw.
    const signed = (n: number): number[] =>
      Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1 : 1) * (0.1 + i / 10));
    // (written as given: tfjs's setWeights would project them by the constraint already)
    (m.layers[0].weights[0].read() as tf.Variable).assign(tf.tensor2d(signed(12), [4, 3]));
    (m.layers[1].weights[0].read() as tf.Variable).assign(tf.tensor2d(signed(9), [3, 3]));
    const frozen = [...m.layers[1].getWeights()[0].dataSync()];
    assert.isBelow(Math.min(...frozen), 0);
    assert.isBelow(Math.min(...m.layers[0].getWeights()[0].dataSync()), 0);
    applyConstraints(m);
    assert.isAtLeast(Math.min(...m.layers[0].getWeights()[0].dataSync()), 0);
    assert.deepEqual([...m.layers[1].getWeights()[0].dataSync()], frozen);
    m.dispose();
  });

  const optimizers: Array<[string, Record<string, unknown>]> = [
    ['sgd', { lr: 0.5, momentum: 0.9 }],
    ['adam', { lr: 0.05 }],
    ['rmsprop', { lr: 0.05 }],
  ];
  for (const optimizer of optimizers) {
    for (const fused of [true, false]) {
      const path = fused ? 'fused' : 'stock';
      it(`trainStep keeps every unit within the bound: ${optimizer[0]} (${path}), dense and conv2d`, () => {
        const layers = [
          layer('conv2d', { filters: 3, max_norm: 0.2 }),
          layer('dense', { units: 8, max_norm: 0.3 }),
          layer('dense', { units: 8 }),
        ];
        const [constrained, free] = [model(layers), model(layers.map(withoutMaxNorm))];
        for (const m of [constrained, free]) train(m, optimizer, fused, 12);
        const bounds: Array<[number, number, number]> = [
          [1, 3, 0.2],
          [3, 8, 0.3],
        ];
        for (const [index, units, c] of bounds) {
          const norms = unitNorms(kernelOf(constrained, index).values, units);
          norms.forEach((norm, j) => assert.isAtMost(norm, c * (1 + 1e-5), `layer ${index} unit ${j}`));
          // The same training without the constraint goes past the bound: the assertion above can fail.
          assert.isAbove(Math.max(...unitNorms(kernelOf(free, index).values, units)), 1.5 * c, `free layer ${index}`);
        }
        constrained.dispose();
        free.dispose();
      });
    }
  }

  for (const fused of [true, false]) {
    it(`a bound no unit reaches leaves the training as without one (${fused ? 'fused' : 'stock'} adam)`, () => {
      const layers = [layer('dense', { units: 8, max_norm: 1e6 }), layer('dense', { units: 8, max_norm: 1e6 })];
      const [bounded, free] = [model(layers), model(layers.map(withoutMaxNorm))];
      for (const m of [bounded, free]) train(m, ['adam', { lr: 0.05 }], fused, 12);
      const values = (m: tf.LayersModel) => m.getWeights().flatMap((w) => [...w.dataSync()]);
      // Each step scales by norm / (norm + 1e-7): a relative change of at most ~1e-7 per step.
      assertClose(values(bounded), values(free), 1e-5, 'weights');
      bounded.dispose();
      free.dispose();
    });
  }

  it('leaves the tensor count flat across steps, and rewrites no weight of a model without constraints', () => {
    const m = model([layer('conv2d', { filters: 2, max_norm: 0.3 }), layer('dense', { units: 8, max_norm: 0.3 })]);
    const optimizer = create<tf.Optimizer>('optimizer', 'adam', { lr: 0.05 });
    const options = { model: m, optimizer, loss: create<Loss>('loss', 'cross-entropy'), train: split(32) };
    const counts: number[] = [];
    for (let step = 0; step < 5; step++) {
      trainStep(
        options,
        Int32Array.from({ length: 16 }, (_, j) => (step + j) % 32),
      ).dispose();
      counts.push(tf.memory().numTensors);
    }
    // The first step creates the optimizer's slots.
    assert.deepEqual(counts.slice(1), Array(4).fill(counts[1]), counts.join());
    const free = model([layer('dense', { units: 8 })]);
    const ids = free.getWeights().map((w) => w.dataId);
    applyConstraints(free);
    assert.deepEqual(
      free.getWeights().map((w) => w.dataId),
      ids,
    );
    tf.dispose([options.train.x, options.train.y]);
    optimizer.dispose();
    free.dispose();
    m.dispose();
  });

  it("copies a constrained model's weights exactly (setWeightsAsGiven), where tfjs's setWeights projects them again", () => {
    const layers = [layer('dense', { units: 6, max_norm: 1 })];
    const [trained, copy, projected] = [model(layers), model(layers), model(layers)];
    inflate(trained, 0, [0.5, 1, 1.5, 2, 2.5, 3]);
    applyConstraints(trained);
    const weights = trained.getWeights();
    setWeightsAsGiven(copy, weights);
    projected.setWeights(weights);
    const values = (m: tf.LayersModel) => m.getWeights().map((w) => [...w.dataSync()]);
    assert.deepEqual(values(copy), values(trained));
    assert.notDeepEqual(values(projected), values(trained), "tfjs's setWeights scales by norm / (norm + 1e-7)");
    for (const m of [trained, copy, projected]) m.dispose();
  });
});

function withoutMaxNorm(ref: ComponentRef): ComponentRef {
  const { max_norm: _maxNorm, ...params } = ref.params as Record<string, unknown>;
  return { name: ref.name, params };
}
