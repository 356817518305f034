// The wasm transpose-first matMul kernels give the stock kernels' results, gradients included.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { installWasmMatMulFix, uninstallWasmMatMulFix } from '../../src/backend/wasm-matmul.js';
import { useWasm } from '../helpers.js';

function run(fn: () => tf.Tensor): Float32Array {
  const out = fn();
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

function assertClose(actual: Float32Array, expected: Float32Array): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) assert.closeTo(actual[i], expected[i], 1e-4 * (1 + Math.abs(expected[i])), `element ${i}`);
}

describe('wasm matMul kernels', () => {
  before(useWasm);
  after(installWasmMatMulFix);

  const a = () => tf.randomNormal([3, 17, 9], 0, 1, 'float32', 1);
  const b = () => tf.randomNormal([3, 17, 5], 0, 1, 'float32', 2);
  const cases: Array<[string, () => tf.Tensor]> = [
    ['a^T b (batched)', () => tf.tidy(() => tf.matMul(a(), b(), true, false))],
    ['a b^T', () => tf.tidy(() => tf.matMul(tf.randomNormal([6, 4], 0, 1, 'float32', 3), tf.randomNormal([7, 4], 0, 1, 'float32', 4), false, true))],
    ['a^T b^T with a size-1 dimension', () => tf.tidy(() => tf.matMul(tf.randomNormal([1, 6], 0, 1, 'float32', 5), tf.randomNormal([3, 1], 0, 1, 'float32', 6), true, true))],
    ['gradients of a dense layer', () => tf.tidy(() => {
      const x = tf.randomNormal([16, 12], 0, 1, 'float32', 10);
      const w = tf.randomNormal([12, 6], 0, 1, 'float32', 11);
      const grads = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.relu(tf.matMul(xx, ww))))([x, w]);
      return tf.concat([grads[0].flatten(), grads[1].flatten()]);
    })],
  ];

  for (const [name, fn] of cases) {
    it(`${name} equals the stock kernel`, () => {
      installWasmMatMulFix();
      const fixed = run(fn);
      uninstallWasmMatMulFix();
      const stock = run(fn);
      assertClose(fixed, stock);
    });
  }

  // The stock wasm _FusedMatMul gets transposeB with a bias wrong (tfjs 4.22), so this case is checked
  // against the same math done with separate, untransposed ops instead of against the stock kernel.
  it('fused a^T b^T + bias, relu equals separate ops', () => {
    installWasmMatMulFix();
    const inputs = () => ({ a: tf.randomNormal([8, 5], 0, 1, 'float32', 7), b: tf.randomNormal([4, 8], 0, 1, 'float32', 8), bias: tf.randomNormal([4], 0, 1, 'float32', 9) });
    const fused = run(() => tf.tidy(() => tf.fused.matMul({ ...inputs(), transposeA: true, transposeB: true, activation: 'relu' })));
    const separate = run(() => tf.tidy(() => {
      const { a, b, bias } = inputs();
      return tf.relu(tf.add(tf.matMul(tf.transpose(a), tf.transpose(b)), bias));
    }));
    assertClose(fused, separate);
  });

  it('frees the transposed copies', () => {
    installWasmMatMulFix();
    const x = tf.randomNormal([8, 8]);
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    for (let i = 0; i < 5; i++) tf.matMul(x, x, true, true).dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.equal(tf.memory().numBytes, bytesBefore);
    x.dispose();
  });
});
