// Each wasm kernel layer alone, then the whole stack with and without BLAS, against the stock kernels
// (or, where the stock kernel is wrong, the same math as separate untransposed ops). A layer is never
// hidden by the one above it: breaking any one kernel turns a case here red.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { loadBlas } from '../../src/backend/blas.js';
import { installBlasKernels, uninstallBlasKernels } from '../../src/backend/blas-kernels.js';
import { installFastKernels } from '../../src/backend/fast-kernels.js';
import { enabledKernelLayers, isolateKernelLayers } from '../../src/backend/kernel-layers.js';
import { installWasmMatMulFix } from '../../src/backend/wasm-matmul.js';
import { useWasm } from '../helpers.js';

type Case = [name: string, fn: () => tf.Tensor, reference?: () => tf.Tensor];

const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

function values(fn: () => tf.Tensor): number[] {
  const out = tf.tidy(fn);
  const data = [...out.dataSync()];
  out.dispose();
  return data;
}

function assertClose(actual: number[], expected: number[], tolerance: number): void {
  assert.equal(actual.length, expected.length, 'size');
  actual.forEach((v, i) => assert.closeTo(v, expected[i], tolerance * (1 + Math.abs(expected[i])), `element ${i}`));
}

/** `fn` with only `layers` taking part. */
function withLayers<T>(layers: readonly string[], fn: () => T): T {
  const restore = isolateKernelLayers(layers);
  try {
    return fn();
  } finally {
    restore();
  }
}

/** A fused product computed as separate untransposed ops on the stock kernels (the stock fused kernel gets transposes with a bias wrong). */
function separateOps(
  a: () => tf.Tensor2D,
  b: () => tf.Tensor2D,
  transposeA: boolean,
  transposeB: boolean,
  bias: () => tf.Tensor,
  activation: (x: tf.Tensor) => tf.Tensor,
): () => tf.Tensor {
  return () =>
    activation(tf.add(tf.matMul(transposeA ? tf.transpose(a()) : a(), transposeB ? tf.transpose(b()) : b()), bias()));
}

const denseGradients = (): tf.Tensor => {
  const [gx, gw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.relu(tf.matMul(x, w))))([
    normal([16, 12], 8),
    normal([12, 6], 9),
  ]);
  return tf.concat([gx.flatten(), gw.flatten()]);
};

const fusedCases = (): Case[] => {
  const [a85, b54, a58, b48] = [
    () => normal([8, 5], 5) as tf.Tensor2D,
    () => normal([5, 4], 6) as tf.Tensor2D,
    () => normal([5, 8], 5) as tf.Tensor2D,
    () => normal([4, 8], 8) as tf.Tensor2D,
  ];
  const b45 = () => normal([4, 5], 6) as tf.Tensor2D;
  const bias = () => normal([4], 7);
  const elu = (x: tf.Tensor) => tf.elu(x);
  return [
    ['fused + bias + relu', () => tf.fused.matMul({ a: a85(), b: b54(), bias: bias(), activation: 'relu' })],
    [
      'fused a^T b + bias + elu',
      () => tf.fused.matMul({ a: a58(), b: b54(), transposeA: true, bias: bias(), activation: 'elu' }),
      separateOps(a58, b54, true, false, bias, elu),
    ],
    [
      'fused a b^T + bias + relu',
      () => tf.fused.matMul({ a: a85(), b: b45(), transposeB: true, bias: bias(), activation: 'relu' }),
      separateOps(a85, b45, false, true, bias, tf.relu),
    ],
    [
      'fused a^T b^T + bias + relu',
      () =>
        tf.fused.matMul({ a: a85(), b: b48(), transposeA: true, transposeB: true, bias: bias(), activation: 'relu' }),
      separateOps(a85, b48, true, true, bias, tf.relu),
    ],
    // A regression output layer: one unit, one bias.
    [
      'fused to one unit + bias + leaky relu',
      () =>
        tf.fused.matMul({
          a: a85(),
          b: normal([5, 1], 6),
          bias: tf.tensor1d([0.3]),
          activation: 'leakyrelu',
          leakyreluAlpha: 0.1,
        }),
    ],
  ];
};

const LAYERS: Record<string, Case[]> = {
  'wasm-transpose-first': [
    ['a^T b (batched)', () => tf.matMul(normal([3, 17, 9], 1), normal([3, 17, 5], 2), true, false)],
    ['a b^T', () => tf.matMul(normal([6, 4], 3), normal([7, 4], 4), false, true)],
    ['a^T b^T with a size-1 dimension', () => tf.matMul(normal([1, 6], 5), normal([3, 1], 6), true, true)],
    [
      'fused a^T b^T + bias + relu',
      () =>
        tf.fused.matMul({
          a: normal([8, 5], 7),
          b: normal([4, 8], 8),
          transposeA: true,
          transposeB: true,
          bias: normal([4], 9),
          activation: 'relu',
        }),
      separateOps(
        () => normal([8, 5], 7) as tf.Tensor2D,
        () => normal([4, 8], 8) as tf.Tensor2D,
        true,
        true,
        () => normal([4], 9),
        tf.relu,
      ),
    ],
    ['gradients of a dense layer', denseGradients],
  ],
  'wasm-fast-kernels': [
    [
      'gather float rows',
      () => tf.gather(tf.range(0, 24, 1, 'float32').reshape([6, 4]), tf.tensor1d([5, 0, 5, 2], 'int32')),
    ],
    ['gather int32 labels', () => tf.gather(tf.tensor1d([7, 8, 9], 'int32'), tf.tensor1d([2, 2, 0], 'int32'))],
    [
      'gather with 2-D indices',
      () =>
        tf.gather(
          tf.range(0, 12, 1, 'float32').reshape([3, 2, 2]),
          tf.tensor2d(
            [
              [0, 2],
              [1, 1],
            ],
            [2, 2],
            'int32',
          ),
        ),
    ],
    [
      'gather on axis 1 (falls back)',
      () => tf.gather(tf.range(0, 12, 1, 'float32').reshape([3, 4]), tf.tensor1d([3, 1], 'int32'), 1),
    ],
    ['a slice of whole rows', () => tf.slice(tf.range(0, 24, 1, 'float32').reshape([6, 4]), [2, 0], [3, -1])],
    ['a slice of rows to the end, int32', () => tf.slice(tf.range(0, 12, 1, 'int32').reshape([4, 3]), [1, 0], [-1, 3])],
    ['a slice of columns (falls back)', () => tf.slice(tf.range(0, 24, 1, 'float32').reshape([6, 4]), [1, 1], [2, 2])],
    ['column sums', () => tf.sum(normal([37, 5], 4), 0)],
    ['column sums keeping dims', () => tf.sum(normal([6, 3], 5), 0, true)],
    ['row sums (falls back)', () => tf.sum(normal([6, 3], 6), 1)],
    [
      'a clone outliving its source, whose memory is then reused',
      () => {
        const x = normal([64, 64], 7);
        const copy = tf.clone(x);
        x.dispose();
        const reuse = tf.fill([64, 64], 5); // same size: the allocator hands out x's memory again
        return tf.concat([tf.add(copy, 1).flatten(), reuse.flatten()]);
      },
    ],
    [
      'gradients through saved activations',
      () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), tf.sigmoid(x))))(normal([9], 8)),
    ],
  ],
  'wasm-blas': [
    ['a b', () => tf.matMul(normal([7, 5], 1), normal([5, 3], 2))],
    ['a^T b, batched', () => tf.matMul(normal([3, 17, 9], 1), normal([3, 17, 5], 2), true, false)],
    ['a b^T, b broadcast over the batch', () => tf.matMul(normal([2, 4, 9], 3), normal([6, 9], 4), false, true)],
    ...fusedCases(),
    [
      'column sums (bias gradients)',
      () => tf.concat([tf.sum(normal([33, 7], 11), 0), tf.sum(normal([5, 2], 12), 0, true).flatten()]),
    ],
    ['gradients of a dense layer', denseGradients],
  ],
};

/** Every case against its reference with the stock kernels, `fn` running with `layers` only. */
function compareCases(layers: readonly string[], cases: Case[], tolerance = 1e-4): void {
  for (const [name, fn, reference] of cases) {
    it(name, () => {
      const actual = withLayers(layers, () => values(fn));
      const expected = withLayers([], () => values(reference ?? fn));
      assertClose(actual, expected, tolerance);
    });
  }
}

describe('wasm kernel layers', () => {
  const { blas } = loadBlas('auto');
  before(async () => {
    await useWasm();
    installWasmMatMulFix();
    installFastKernels();
    if (blas) installBlasKernels(blas);
  });
  after(useWasm);

  it('the stack is the three layers, with the convolution layers (conv-kernels.test.ts) on top, bottom first', function () {
    if (!blas) this.skip();
    assert.deepEqual(enabledKernelLayers(), [
      { name: 'wasm-transpose-first', kernels: ['BatchMatMul', '_FusedMatMul'] },
      { name: 'wasm-fast-kernels', kernels: ['GatherV2', 'Identity', 'Sum', 'Slice'] },
      { name: 'wasm-blas', kernels: ['BatchMatMul', '_FusedMatMul', 'Sum'] },
      {
        name: 'wasm-conv',
        kernels: ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Sum', 'Mean', 'MaxPoolGrad', 'AvgPoolGrad', 'Tile'],
      },
      {
        name: 'wasm-conv-blas',
        kernels: ['Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Sum', 'Mean'],
      },
    ]);
  });

  for (const [layer, cases] of Object.entries(LAYERS)) {
    describe(`${layer} alone`, () => {
      before(function () {
        // CI installs OpenBLAS (.ci/run); a machine without one still runs the other layers.
        if (layer === 'wasm-blas' && !blas) this.skip();
      });
      compareCases([layer], cases, layer === 'wasm-fast-kernels' ? 1e-6 : 1e-4);
    });
  }

  const everything = Object.values(LAYERS).flat();
  describe('the whole stack with BLAS', () => {
    before(function () {
      if (!blas) this.skip();
    });
    compareCases(['wasm-transpose-first', 'wasm-fast-kernels', 'wasm-blas'], everything);
  });

  describe('the whole stack without BLAS (--blas off)', () => {
    compareCases(['wasm-transpose-first', 'wasm-fast-kernels'], everything);
  });

  it('BLAS products allocate no extra tensors', function () {
    if (!blas) this.skip();
    withLayers(['wasm-blas'], () => {
      const x = normal([6, 6], 1);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) tf.matMul(x, x, true, false).dispose();
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
    });
  });

  it('transpose-first frees the transposed copies', () => {
    withLayers(['wasm-transpose-first'], () => {
      const x = normal([8, 8], 1);
      const [tensors, bytes] = [tf.memory().numTensors, tf.memory().numBytes];
      for (let i = 0; i < 5; i++) tf.matMul(x, x, true, true).dispose();
      assert.equal(tf.memory().numTensors, tensors);
      assert.equal(tf.memory().numBytes, bytes);
      x.dispose();
    });
  });

  it('uninstalling BLAS leaves the layers below in place', function () {
    if (!blas) this.skip();
    uninstallBlasKernels();
    assert.deepEqual(
      enabledKernelLayers().map((l) => l.name),
      ['wasm-transpose-first', 'wasm-fast-kernels', 'wasm-conv', 'wasm-conv-blas'],
    );
    installBlasKernels(blas!);
  });
});
