// The convolution kernels for wasm (wasm-conv without a BLAS, wasm-conv-blas with one) against the cpu
// backend: forward, fused forward, both gradients and the bias gradient, for every mix of 1/3/8
// channels, 1x1/3x3/5x5 filters, strides 1 and 2, same and valid padding, batches of 1 and 2; each
// layer alone (a guard fails any case it passes down), chunked, with the JavaScript loops, and in the
// whole stack. Cases worked out by hand catch a mistake the cpu reference might share.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { BLAS_CHUNK_ROWS, convGeometry, imagesPerChunk, setColumnLimit } from '../../src/backend/conv-geometry.js';
import { convWasm } from '../../src/backend/conv-im2col.js';
import { wasmHeapF32 } from '../../src/backend/tfjs-internals.js';
import { useWasm } from '../helpers.js';
import { MODES, assertClose, blas, inMode, onCpu, values } from './conv-helpers.js';

interface ConvCase {
  name: string;
  input: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid';
}

function convCases(): ConvCase[] {
  const cases: ConvCase[] = [];
  for (const channels of [1, 3, 8]) {
    for (const size of [1, 3, 5]) {
      for (const strides of [1, 2]) {
        for (const pad of ['same', 'valid'] as const) {
          for (const batch of [1, 2]) {
            // 7x6 images (not square: height and width cannot be swapped unnoticed), 5 filters.
            cases.push({
              name: `${batch}x7x6x${channels} * ${size}x${size}, stride ${strides}, ${pad}`,
              input: [batch, 7, 6, channels],
              filter: [size, size, channels, 5],
              strides,
              pad,
            });
          }
        }
      }
    }
  }
  cases.push({
    name: '2x9x8x4 * 3x1, strides [2, 1], same',
    input: [2, 9, 8, 4],
    filter: [3, 1, 4, 6],
    strides: [2, 1],
    pad: 'same',
  });
  cases.push({
    name: '1x8x9x2 * 2x4, strides [1, 3], valid',
    input: [1, 8, 9, 2],
    filter: [2, 4, 2, 3],
    strides: [1, 3],
    pad: 'valid',
  });
  cases.push({
    name: '3x5x5x16 * 3x3 to 32, same',
    input: [3, 5, 5, 16],
    filter: [3, 3, 16, 32],
    strides: 1,
    pad: 'same',
  });
  return cases;
}

const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/**
 * Conv2D; FusedConv2D with a bias and relu (and with elu, which the BLAS layer passes down); and the
 * gradients of a weighted sum of the fused linear convolution with respect to input, filter and bias.
 */
function convValues(c: ConvCase): number[] {
  return values(() => {
    const [x, w, bias] = [
      normal(c.input, 1) as tf.Tensor4D,
      normal(c.filter, 2) as tf.Tensor4D,
      normal([c.filter[3]], 3) as tf.Tensor1D,
    ];
    const y = tf.conv2d(x, w, c.strides, c.pad);
    const relu = tf.fused.conv2d({ x, filter: w, bias, strides: c.strides, pad: c.pad, activation: 'relu' });
    const elu = tf.fused.conv2d({ x, filter: w, bias, strides: c.strides, pad: c.pad, activation: 'elu' });
    const weights = normal(y.shape, 4);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, bias: d, strides: c.strides, pad: c.pad }),
          weights,
        ),
      ),
    )([x, w, bias]);
    return [y, relu, elu, ...grads];
  });
}

describe('wasm convolution kernels', () => {
  const cases = convCases();
  let expected: number[][] = [];
  before(async () => {
    await useWasm();
    expected = await onCpu(() => cases.map(convValues));
  });
  after(async () => {
    setColumnLimit(undefined);
    await useWasm();
  });

  for (const mode of MODES) {
    describe(mode.name, () => {
      before(function () {
        if (mode.needsBlas && !blas) this.skip();
      });

      it(`every case matches the cpu backend (${cases.length} cases)`, () => {
        cases.forEach((c, i) =>
          assertClose(
            inMode(mode, () => convValues(c)),
            expected[i],
            1e-4,
            c.name,
          ),
        );
      });

      it('a 3x3 input and a 2x2 filter, worked out by hand', () => {
        const [y, dx, dw] = inMode(mode, () => {
          const x = tf.range(1, 10).reshape([1, 3, 3, 1]) as tf.Tensor4D;
          const w = tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]);
          const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid')),
          )([x, w]);
          return [values(() => tf.conv2d(x, w, 1, 'valid')), values(() => gx), values(() => gw)];
        });
        assert.deepEqual(y, [37, 47, 67, 77]);
        assert.deepEqual(dx, [1, 3, 2, 4, 10, 6, 3, 7, 4]);
        assert.deepEqual(dw, [12, 16, 24, 28]);
      });

      it('stride 2, same padding: the extra padding row and column go to the bottom and right, worked out by hand', () => {
        const [y, dx, dw] = inMode(mode, () => {
          const x = tf.range(1, 17).reshape([1, 4, 4, 1]) as tf.Tensor4D;
          const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
          const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')),
          )([x, w]);
          return [values(() => tf.conv2d(x, w, 2, 'same')), values(() => gx), values(() => gw)];
        });
        assert.deepEqual(y, [54, 45, 72, 54]);
        assert.deepEqual(dx, [1, 1, 2, 1, 1, 1, 2, 1, 2, 2, 4, 2, 1, 1, 2, 1]);
        assert.deepEqual(dw, [24, 28, 14, 40, 44, 22, 20, 22, 11]);
      });

      it('channels in and out keep their order, worked out by hand', () => {
        const [pointwise, centre, dw] = inMode(mode, () => {
          const x = tf.tensor4d([1, 10], [1, 1, 1, 2]);
          // 3x3 filter on a 1x1 image, same padding: only the centre tap [1, 1] meets the image.
          const w = tf.tensor4d(
            Array.from({ length: 18 }, (_, i) => (i >= 8 && i < 10 ? [2, 3][i - 8] : 100)),
            [3, 3, 2, 1],
          );
          const gw = tf.grad((b: tf.Tensor) => tf.sum(tf.conv2d(x, b as tf.Tensor4D, 1, 'same')))(w);
          return [
            values(() => tf.conv2d(x, tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]), 1, 'valid')),
            values(() => tf.conv2d(x, w, 1, 'same')),
            values(() => gw),
          ];
        });
        assert.deepEqual(pointwise, [41, 52, 63]);
        assert.deepEqual(centre, [32]);
        assert.deepEqual(dw, [0, 0, 0, 0, 0, 0, 0, 0, 1, 10, 0, 0, 0, 0, 0, 0, 0, 0]);
      });

      it('frees its column buffers and copies', () => {
        inMode(mode, () => {
          const c = cases[cases.length - 1];
          convValues(c);
          const [tensors, dataIds] = [tf.memory().numTensors, tf.backend().numDataIds()];
          convValues(c);
          assert.equal(tf.memory().numTensors, tensors);
          assert.equal(tf.backend().numDataIds(), dataIds);
        });
      });
    });
  }

  it('chunks a batch so that each column buffer stays within the limit (and, for BLAS, about 2,048 rows)', () => {
    const geometry = convGeometry([128, 28, 28, 32], [3, 3, 32, 64], { strides: 1, pad: 'same' });
    assert.exists(geometry);
    assert.equal(geometry!.patch, 288);
    assert.equal(imagesPerChunk(geometry!), 4, '2^20 values / (784 pixels x 288) per image');
    assert.equal(imagesPerChunk(geometry!, BLAS_CHUNK_ROWS), 3, '2,048 rows / 784 pixels, rounded up');
    setColumnLimit(2 ** 22);
    assert.equal(imagesPerChunk(geometry!), 18, '2^22 values / (784 pixels x 288) per image');
    setColumnLimit(1);
    assert.equal(imagesPerChunk(geometry!), 1, 'at least one image');
    setColumnLimit(undefined);
  });

  it('runs the wasm kernels of src/backend/wasm/conv.wat here (the "JavaScript loops" modes are the other path)', () => {
    assert.exists(convWasm(wasmHeapF32()));
  });

  it('leaves NCHW and dilated convolutions to the kernels below', () => {
    assert.isUndefined(convGeometry([1, 4, 4, 2], [3, 3, 2, 1], { strides: 1, pad: 'same', dataFormat: 'NCHW' }));
    assert.isUndefined(convGeometry([1, 4, 4, 2], [3, 3, 2, 1], { strides: 1, pad: 'same', dilations: 2 }));
    assert.isTrue(convGeometry([1, 4, 4, 2], [1, 1, 2, 1], { strides: 1, pad: 'same' })?.pointwise);
    assert.isFalse(convGeometry([1, 4, 4, 2], [1, 1, 2, 1], { strides: 2, pad: 'same' })?.pointwise);
  });
});
