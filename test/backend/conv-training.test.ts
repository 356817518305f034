// What CNN training needs besides the convolutions, against the cpu backend: the pooling gradients (max
// with ties), per-channel sums and means (bias gradients, batch-norm), Tile (batch-norm's gradient); then a small CNN (conv, max-pool, strided conv,
// batch-norm, average pool, global average pool, dense) trained on wasm with and without BLAS, step for
// step as on cpu.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { isolateKernelLayers } from '../../src/backend/kernel-layers.js';
import { assertThrowsMessage, useWasm } from '../helpers.js';
import { MODES, assertClose, blas, inMode, onCpu, values } from './conv-helpers.js';

interface PoolCase {
  shape: [number, number, number, number];
  size: number;
  strides: number;
  pad: 'same' | 'valid';
}

const POOLS: PoolCase[] = [];
for (const channels of [1, 3, 8]) {
  for (const [size, strides] of [
    [2, 2],
    [3, 2],
    [3, 1],
  ]) {
    for (const pad of ['same', 'valid'] as const) POOLS.push({ shape: [2, 7, 6, channels], size, strides, pad });
  }
}
POOLS.push({ shape: [1, 5, 5, 5], size: 2, strides: 1, pad: 'valid' });

/**
 * Max-pool's input gradient for integer inputs (many ties: the first maximum of a window takes it), and
 * average-pool's.
 */
function poolGradients(c: PoolCase): number[] {
  return values(() => {
    const x = tf.round(tf.mul(tf.randomNormal(c.shape, 0, 1, 'float32', 5), 1.5));
    const weights = tf.randomNormal(tf.maxPool(x as tf.Tensor4D, c.size, c.strides, c.pad).shape, 0, 1, 'float32', 6);
    const max = tf.grad((a: tf.Tensor) =>
      tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.size, c.strides, c.pad), weights)),
    )(x);
    const avg = tf.grad((a: tf.Tensor) =>
      tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, c.size, c.strides, c.pad), weights)),
    )(x);
    return [max, avg];
  });
}

/** Sums and means over all axes but the channels (taken), others (passed down), and Tile of float32 and int32 tensors. */
const reductionsAndTiles = (): number[] =>
  values(() => {
    const x = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 7);
    const counts = tf.range(0, 6, 1, 'int32').reshape([2, 3, 1]);
    return [
      tf.sum(x, [0, 1, 2]),
      tf.sum(x, [-4, -3, -2], true),
      tf.sum(x.reshape([12, 5, 6]), [1, 0]),
      tf.sum(x, [1, 2]),
      tf.sum(x, [0, 1, 2, 3]),
      tf.mean(x, [0, 1, 2]),
      tf.mean(x, [2, 1, 0], true),
      tf.mean(x, [1, 2]),
      tf.tile(tf.randomNormal([1, 1, 1, 6], 0, 1, 'float32', 8), [3, 4, 5, 1]),
      tf.tile(x, [2, 1, 3, 2]),
      tf.tile(counts, [3, 2, 4]).cast('float32'),
      tf.tile(tf.tensor1d([1, 2, 3]), [4]),
      tf.tile(x.slice([0, 0, 0, 0], [1, 2, 1, 3]), [1, 1, 1, 1]),
    ];
  });

/** A small CNN over 10x10x2 images with seeded weights: its loss at each of `steps` Adam steps. */
function trainCnn(steps: number): number[] {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [10, 10, 2] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid' }),
      tf.layers.batchNormalization(),
      tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu' }),
      tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 3 }),
    ],
  });
  model.setWeights(
    model.getWeights().map((w, i) => tf.tidy(() => tf.randomNormal(w.shape, 0, 0.4, 'float32', 20 + i))),
  );
  const optimizer = tf.train.adam(0.02);
  const losses = tf.tidy(() => {
    const x = tf.randomNormal([16, 10, 10, 2], 0, 1, 'float32', 8);
    const y = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 16 }, (_, i) => i % 3),
        'int32',
      ),
      3,
    );
    return Array.from(
      { length: steps },
      () =>
        (
          optimizer.minimize(
            () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
            true,
          ) as tf.Scalar
        ).dataSync()[0],
    );
  });
  optimizer.dispose();
  model.dispose();
  return losses;
}

describe('wasm kernels for CNN training', () => {
  const expected = { pools: [] as number[][], sums: [] as number[], losses: [] as number[] };
  before(async () => {
    await useWasm();
    Object.assign(
      expected,
      await onCpu(() => ({ pools: POOLS.map(poolGradients), sums: reductionsAndTiles(), losses: trainCnn(8) })),
    );
  });
  after(useWasm);

  for (const mode of MODES.filter((m) => !m.chunked)) {
    describe(mode.name, () => {
      before(function () {
        if (mode.needsBlas && !blas) this.skip();
      });

      // The stock MaxPoolGrad gives a tie to another maximum than the cpu backend: only wasm-conv's is checked,
      // so the modes without it have no such test (rather than one that is always skipped).
      if (mode.layers.includes('wasm-conv')) {
        it(`max-pool and average-pool gradients match the cpu backend, ties included (${POOLS.length} cases)`, () => {
          POOLS.forEach((c, i) =>
            assertClose(
              inMode(mode, () => poolGradients(c)),
              expected.pools[i],
              1e-6,
              `${c.shape.join('x')} pool ${c.size} stride ${c.strides} ${c.pad}`,
            ),
          );
        });
      }

      it('per-channel sums and means, and tiles, match the cpu backend (other reductions pass through)', () => {
        assertClose(inMode(mode, reductionsAndTiles), expected.sums, 1e-5, 'reductions and tiles');
      });

      it('a CNN trains step for step as on cpu, its loss falling', () => {
        const losses = inMode(mode, () => trainCnn(8));
        assertClose(losses, expected.losses, 2e-4, 'loss');
        assert.isBelow(losses[7], losses[0] * 0.8, `losses ${losses.join(', ')}`);
      });
    });
  }

  it('pooling gradients worked out by hand: the first of tied maxima, nothing for a window of -Infinity or NaN; average over the whole window', () => {
    for (const mode of MODES.filter((m) => m.layers.includes('wasm-conv'))) {
      const dx = inMode(mode, () =>
        values(() => {
          const x = tf.tensor2d([
            [3, 5, 5, 1, -Infinity, NaN, NaN, 2],
            [5, 2, 0, 5, -Infinity, NaN, NaN, NaN],
          ]);
          // Windows (columns 0-1, 2-3, 4-5, 6-7): [3 5 / 5 2], [5 1 / 0 5], [-Inf NaN / -Inf NaN], [NaN 2 / NaN NaN].
          const windows = (a: tf.Tensor) => tf.maxPool(a.reshape([1, 2, 8, 1]) as tf.Tensor4D, 2, 2, 'valid');
          return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(windows(a), tf.tensor4d([7, 11, 13, 17], [1, 1, 4, 1]))))(x);
        }),
      );
      assert.deepEqual(dx, [0, 7, 11, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0], mode.name);
      // Average pool 2x2, stride 2, same, on 2x3: the second window is half padding and still divides by 4.
      const avg = inMode(mode, () =>
        values(() =>
          tf.grad((a: tf.Tensor) =>
            tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, 2, 2, 'same'), tf.tensor4d([4, 8], [1, 1, 2, 1]))),
          )(tf.zeros([1, 2, 3, 1])),
        ),
      );
      assert.deepEqual(avg, [1, 1, 2, 1, 1, 2], mode.name);
    }
  });

  it('without the layers, a convolution does not train on wasm (Conv2DBackpropFilter is not in tfjs-backend-wasm 4.22)', () => {
    const restore = isolateKernelLayers([]);
    try {
      assertThrowsMessage(() => trainCnn(1), "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'", {
        type: Error,
      });
    } finally {
      restore();
    }
  });
});
