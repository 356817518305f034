// The fused optimizers take tfjs's steps; the SIMD module is built from its source. (Kernels: kernel-layers.test.ts.)
import { readFileSync } from 'node:fs';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { uninstallBlasKernels } from '../../src/backend/blas-kernels.js';
import { fusedAdam, fusedRmsprop, fusedSgd } from '../../src/backend/fused-optimizers.js';
import { stockAdam, stockSgd } from '../../src/backend/stock-optimizers.js';
import { WASM_MODULES } from '../../src/backend/wasm/modules.js';
import { useWasm } from '../helpers.js';

function assertClose(actual: number[], expected: number[], tolerance = 1e-4): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.closeTo(v, expected[i], tolerance * (1 + Math.abs(expected[i])), `element ${i}`));
}

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
    [
      'rmsprop centered',
      () => fusedRmsprop(0.01, 0.9, 0, 1e-7, true),
      () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, true),
    ],
    // Weight decay (against PyTorch itself: test/plugins/builtin/optimizers/weight-decay.test.ts), here on a
    // vector long enough for the SIMD kernel: the stock path's tfjs optimizer given the decay around it.
    ['adamw', () => fusedAdam(0.05, 0.9, 0.999, 1e-7, 0.5), () => stockAdam(0.05, 0.9, 0.999, 1e-7, 0.5)],
    ['sgd weight decay', () => fusedSgd(0.1, 0, false, 0.5), () => stockSgd(0.1, 0, false, 0.5)],
    ['nesterov weight decay', () => fusedSgd(0.1, 0.9, true, 0.5), () => stockSgd(0.1, 0.9, true, 0.5)],
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
    for (const optimizer of [
      fusedAdam(0.01, 0.9, 0.999, 1e-7),
      fusedSgd(0.2, 0.9, false),
      fusedRmsprop(0.01, 0.9, 0, 1e-7, false),
    ]) {
      const model = tf.sequential({
        layers: [tf.layers.dense({ units: 16, activation: 'relu', inputShape: [16] }), tf.layers.dense({ units: 4 })],
      });
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
