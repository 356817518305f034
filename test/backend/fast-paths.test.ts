// The fast paths equal the stock tfjs results: BLAS matMul, row-copy gather, fused optimizers, SIMD module.
import { readFileSync } from 'node:fs';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { loadBlas } from '../../src/backend/blas.js';
import { installBlasKernels, uninstallBlasKernels } from '../../src/backend/blas-kernels.js';
import { fusedAdam, fusedRmsprop, fusedSgd } from '../../src/backend/fused-optimizers.js';
import { installFastKernels, uninstallFastKernels } from '../../src/backend/fast-kernels.js';
import { WASM_MODULES } from '../../src/backend/wasm/modules.js';
import { useWasm } from '../helpers.js';

function values(fn: () => tf.Tensor): number[] {
  const out = tf.tidy(fn);
  const data = [...out.dataSync()];
  out.dispose();
  return data;
}

function assertClose(actual: number[], expected: number[], tolerance = 1e-4): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.closeTo(v, expected[i], tolerance * (1 + Math.abs(expected[i])), `element ${i}`));
}

describe('BLAS matMul kernels', function () {
  const { blas, reason } = loadBlas('auto');
  before(async function () {
    await useWasm();
    // CI installs OpenBLAS (.ci/run); a machine without one still runs the rest of the suite.
    if (!blas) this.skip();
  });
  after(uninstallBlasKernels);

  it('finds an optimised BLAS and measures it', () => {
    assert.isDefined(blas, reason);
    assert.isAbove(blas!.gflops, 8);
  });

  const cases: Array<[string, () => tf.Tensor]> = [
    ['a b', () => tf.matMul(tf.randomNormal([7, 5], 0, 1, 'float32', 1), tf.randomNormal([5, 3], 0, 1, 'float32', 2))],
    ['a^T b, batched', () => tf.matMul(tf.randomNormal([3, 17, 9], 0, 1, 'float32', 1), tf.randomNormal([3, 17, 5], 0, 1, 'float32', 2), true, false)],
    ['a b^T, b broadcast over the batch', () => tf.matMul(tf.randomNormal([2, 4, 9], 0, 1, 'float32', 3), tf.randomNormal([6, 9], 0, 1, 'float32', 4), false, true)],
    ['fused + bias + relu', () => tf.fused.matMul({ a: tf.randomNormal([8, 5], 0, 1, 'float32', 5), b: tf.randomNormal([5, 4], 0, 1, 'float32', 6), bias: tf.randomNormal([4], 0, 1, 'float32', 7), activation: 'relu' })],
    ['fused a^T b + bias + elu', () => tf.fused.matMul({ a: tf.randomNormal([5, 8], 0, 1, 'float32', 5), b: tf.randomNormal([5, 4], 0, 1, 'float32', 6), transposeA: true, bias: tf.randomNormal([4], 0, 1, 'float32', 10), activation: 'elu' })],
    ['column sums (bias gradients)', () => tf.concat([tf.sum(tf.randomNormal([33, 7], 0, 1, 'float32', 11), 0), tf.sum(tf.randomNormal([5, 2], 0, 1, 'float32', 12), 0, true).flatten()])],
    ['dense layer gradients', () => {
      const [gx, gw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.relu(tf.matMul(x, w))))([tf.randomNormal([16, 12], 0, 1, 'float32', 8), tf.randomNormal([12, 6], 0, 1, 'float32', 9)]);
      return tf.concat([gx.flatten(), gw.flatten()]);
    }],
  ];
  for (const [name, fn] of cases) {
    it(`${name} equals the wasm kernel`, () => {
      installBlasKernels(blas!);
      const fast = values(fn);
      uninstallBlasKernels();
      assertClose(fast, values(fn));
    });
  }

  it('allocates no extra tensors', () => {
    installBlasKernels(blas!);
    const x = tf.randomNormal([6, 6]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.matMul(x, x, true, false).dispose();
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });
});

describe('wasm fast kernels (gather, identity, sum)', () => {
  before(useWasm);
  after(installFastKernels);

  const cases: Array<[string, () => tf.Tensor]> = [
    ['float rows', () => tf.gather(tf.range(0, 24, 1, 'float32').reshape([6, 4]), tf.tensor1d([5, 0, 5, 2], 'int32'))],
    ['int32 labels', () => tf.gather(tf.tensor1d([7, 8, 9], 'int32'), tf.tensor1d([2, 2, 0], 'int32'))],
    ['2-D indices', () => tf.gather(tf.range(0, 12, 1, 'float32').reshape([3, 2, 2]), tf.tensor2d([[0, 2], [1, 1]], [2, 2], 'int32'))],
    ['axis 1 (falls back)', () => tf.gather(tf.range(0, 12, 1, 'float32').reshape([3, 4]), tf.tensor1d([3, 1], 'int32'), 1)],
    ['a slice of whole rows', () => tf.slice(tf.range(0, 24, 1, 'float32').reshape([6, 4]), [2, 0], [3, -1])],
    ['a slice of rows to the end, int32', () => tf.slice(tf.range(0, 12, 1, 'int32').reshape([4, 3]), [1, 0], [-1, 3])],
    ['a slice of columns (falls back)', () => tf.slice(tf.range(0, 24, 1, 'float32').reshape([6, 4]), [1, 1], [2, 2])],
    ['column sums', () => tf.sum(tf.randomNormal([37, 5], 0, 1, 'float32', 4), 0)],
    ['column sums keeping dims', () => tf.sum(tf.randomNormal([6, 3], 0, 1, 'float32', 5), 0, true)],
    ['row sums (falls back)', () => tf.sum(tf.randomNormal([6, 3], 0, 1, 'float32', 6), 1)],
    ['a clone, then math on both', () => {
      const x = tf.randomNormal([4, 4], 0, 1, 'float32', 7);
      const copy = tf.clone(x);
      x.dispose();
      return tf.add(copy, 1);
    }],
    ['gradients through saved activations', () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), tf.sigmoid(x))))(tf.randomNormal([9], 0, 1, 'float32', 8))],
  ];
  for (const [name, fn] of cases) {
    it(`${name} equal the stock kernel`, () => {
      installFastKernels();
      const fast = values(fn);
      uninstallFastKernels();
      assertClose(fast, values(fn), 1e-6);
    });
  }
});

describe('fused optimizers', () => {
  before(useWasm);

  /** Five steps of an optimizer on a small quadratic problem; returns the final weights. */
  function train(optimizer: tf.Optimizer, size: number): number[] {
    const w = tf.variable(tf.randomNormal([size], 0, 1, 'float32', 11));
    const target = tf.randomNormal([size], 0, 1, 'float32', 12);
    for (let i = 0; i < 5; i++) optimizer.minimize(() => tf.sum(tf.square(tf.sub(w, target))))?.dispose();
    const out = [...w.dataSync()];
    tf.dispose([w, target]);
    optimizer.dispose();
    return out;
  }

  // 1,027 elements: the SIMD Adam's vector part and its scalar tail are both exercised.
  const cases: Array<[string, () => tf.Optimizer, () => tf.Optimizer]> = [
    ['adam', () => fusedAdam(0.05, 0.9, 0.999, 1e-7), () => tf.train.adam(0.05, 0.9, 0.999, 1e-7)],
    ['sgd', () => fusedSgd(0.1, 0, false), () => tf.train.sgd(0.1)],
    ['momentum', () => fusedSgd(0.1, 0.9, false), () => tf.train.momentum(0.1, 0.9, false)],
    ['nesterov', () => fusedSgd(0.1, 0.9, true), () => tf.train.momentum(0.1, 0.9, true)],
    ['rmsprop', () => fusedRmsprop(0.01, 0.9, 0.5, 1e-7, false), () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7, false)],
    ['rmsprop centered', () => fusedRmsprop(0.01, 0.9, 0, 1e-7, true), () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, true)],
  ];
  for (const [name, fused, stock] of cases) {
    it(`${name} takes the same steps as tfjs's`, () => {
      const mine = train(fused(), 1027);
      const theirs = train(stock(), 1027);
      assertClose(mine, theirs, 1e-5);
    });
  }

  it('trains a model on the stock wasm kernels, which cache packed weights by tensor id', () => {
    // Regression: weights updated in place kept their tensor id, so XNNPACK kept multiplying by the
    // first step's weights and training diverged (only without BLAS, which bypasses XNNPACK).
    uninstallBlasKernels();
    const x = tf.randomUniform([256, 16], 0, 1, 'float32', 1);
    const y = tf.tidy(() => tf.argMax(tf.matMul(x, tf.randomNormal([16, 4], 0, 1, 'float32', 2)), 1));
    for (const optimizer of [fusedAdam(0.01, 0.9, 0.999, 1e-7), fusedSgd(0.2, 0.9, false), fusedRmsprop(0.01, 0.9, 0, 1e-7, false)]) {
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 16, activation: 'relu', inputShape: [16] }), tf.layers.dense({ units: 4 })] });
      const loss = () => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 4), model.apply(x) as tf.Tensor) as tf.Scalar;
      const first = tf.tidy(() => loss().dataSync()[0]);
      for (let i = 0; i < 100; i++) optimizer.minimize(loss)?.dispose();
      const last = tf.tidy(() => loss().dataSync()[0]);
      assert.isBelow(last, first * 0.6, `${optimizer.getConfig().lr}: ${first} -> ${last}`);
      optimizer.dispose();
      model.dispose();
    }
    tf.dispose([x, y]);
  });

  it('lets two optimizers update the same variable', () => {
    const w = tf.variable(tf.ones([3]));
    const [first, second] = [fusedAdam(0.1, 0.9, 0.999, 1e-7), fusedAdam(0.1, 0.9, 0.999, 1e-7)];
    for (const optimizer of [first, second]) optimizer.minimize(() => tf.sum(tf.square(w)))?.dispose();
    assert.isBelow(w.dataSync()[0], 1);
    first.dispose();
    second.dispose();
    w.dispose();
  });

  it('leaves the tensor count flat across steps, also for a variable that shares its memory', () => {
    const optimizer = fusedAdam(0.01, 0.9, 0.999, 1e-7);
    const initial = tf.ones([10]);
    const w = tf.variable(initial);
    optimizer.minimize(() => tf.sum(tf.square(w)))?.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) optimizer.minimize(() => tf.sum(tf.square(w)))?.dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual([...initial.dataSync()], Array(10).fill(1), 'the tensor the variable was made from is untouched');
    optimizer.dispose();
    tf.dispose([w, initial]);
  });
});

describe('SIMD modules', () => {
  it('modules.ts is assembled from the current .wat sources', async () => {
    // @ts-expect-error: a plain .mjs dev script without type declarations
    const { assemble, render } = await import('../../scripts/build-wasm.mjs');
    const current = readFileSync(new URL('../../src/backend/wasm/modules.ts', import.meta.url), 'utf8');
    assert.equal(current, render(await assemble()), 'run node scripts/build-wasm.mjs');
    assert.isTrue(WebAssembly.validate(Buffer.from(WASM_MODULES.adam, 'base64')));
  });
});
