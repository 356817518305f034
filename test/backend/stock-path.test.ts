// The stock path (what tfjs-node runs: tfjs's optimizers, the tf.customGrad tensor losses) against the
// fast paths, both on the cpu backend: same loss values and gradients, same weights after a few steps.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { resetBackendSelection, selectBackend } from '../../src/backend/select.js';
import { fastPathsOff, hasDirectMemory, setFastPaths } from '../../src/backend/tfjs-internals.js';
import type { Loss } from '../../src/registry/types.js';
import { create, useWasm } from '../helpers.js';

/** Runs `fn` with the fast paths on or off (as on tfjs-node, or on another tfjs version). */
function withFastPaths<T>(enabled: boolean, fn: () => T): T {
  const before = fastPathsOff();
  setFastPaths(enabled, enabled ? undefined : 'fast paths off: stock-path test');
  try {
    return fn();
  } finally {
    setFastPaths(before === undefined, before);
  }
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: size`);
  for (let i = 0; i < expected.length; i++) {
    assert.closeTo(actual[i], expected[i], tolerance * (1 + Math.abs(expected[i])), `${what}[${i}]`);
  }
}

const N = 12;
const CLASSES = 5;
const logits = () => tf.randomNormal([N, CLASSES], 0, 2, 'float32', 3) as tf.Tensor2D;
const labels = () => tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 2, 2], 'int32');
const teacherLogits = () => tf.randomNormal([N, CLASSES], 0, 3, 'float32', 4) as tf.Tensor2D;

/** A loss component's value and its gradient with respect to the logits. */
function lossAndGradient(loss: Loss): { value: number; gradient: Float32Array } {
  return tf.tidy(() => {
    // Distillation losses (they prepare the teacher's outputs) get a teacher; label losses none.
    const teacher = loss.prepareTeacher ? loss.prepareTeacher(teacherLogits()) : undefined;
    const y = labels();
    const { value, grad } = tf.valueAndGrad((s: tf.Tensor) => loss.compute(s as tf.Tensor2D, y, teacher))(logits());
    return { value: value.dataSync()[0], gradient: grad.dataSync() as Float32Array };
  });
}

/**
 * A small classifier trained `steps` steps with `optimizer`: its weights after. Tanh, not ReLU: tfjs's
 * centred RMSProp takes sqrt(ms - mg^2 - epsilon), NaN for a weight whose gradient is 0 (a dead ReLU) or
 * tiny, on both paths alike.
 */
function trainWeights(optimizer: tf.Optimizer, steps: number): number[] {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 8,
        activation: 'tanh',
        inputShape: [6],
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.dense({ units: CLASSES, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const loss = create<Loss>('loss', 'cross-entropy');
  const x = tf.randomNormal([N, 6], 0, 1, 'float32', 5);
  const y = labels();
  for (let i = 0; i < steps; i++) {
    optimizer.minimize(() => loss.compute(model.apply(x) as tf.Tensor2D, y), true)?.dispose();
  }
  const weights = model.getWeights().flatMap((w) => [...w.dataSync()]);
  optimizer.dispose();
  model.dispose();
  tf.dispose([x, y]);
  return weights;
}

describe('the stock path (tfjs-node) on cpu, against the fast paths', () => {
  before(async () => {
    resetBackendSelection();
    const info = await selectBackend('cpu');
    assert.deepEqual(info.kernels, [], 'the fast paths are on for cpu with tfjs 4.22');
  });
  after(async () => {
    resetBackendSelection();
    await useWasm();
  });

  it('the switch takes the stock path', () => {
    assert.isTrue(hasDirectMemory());
    withFastPaths(false, () => assert.isFalse(hasDirectMemory()));
  });

  const losses: Array<[string, Record<string, unknown>]> = [
    ['cross-entropy', {}],
    ['kd', { temperature: 4, alpha: 0.5 }],
    ['kd', { temperature: 2, alpha: 0.1 }],
    ['kd', { temperature: 1, alpha: 1 }],
  ];
  for (const [name, params] of losses) {
    it(`${name} ${JSON.stringify(params)}: same value and gradient`, () => {
      const fast = withFastPaths(true, () => lossAndGradient(create<Loss>('loss', name, params)));
      const stock = withFastPaths(false, () => lossAndGradient(create<Loss>('loss', name, params)));
      assert.closeTo(stock.value, fast.value, 1e-5 * (1 + Math.abs(fast.value)));
      assertClose(stock.gradient, fast.gradient, 1e-5, 'gradient');
    });
  }

  const optimizers: Array<[string, Record<string, unknown>, string]> = [
    ['sgd', { lr: 0.1 }, 'SGD'],
    ['sgd', { lr: 0.05, momentum: 0.9 }, 'Momentum'],
    ['sgd', { lr: 0.05, momentum: 0.9, nesterov: true }, 'Momentum'],
    ['adam', { lr: 0.01 }, 'Adam'],
    ['rmsprop', { lr: 0.01 }, 'RMSProp'],
    // Tiny epsilon: see trainWeights (tfjs subtracts it, so at step 1 any |g| < sqrt(epsilon / 0.09) gives NaN).
    ['rmsprop', { lr: 0.01, momentum: 0.5, centered: true, epsilon: 1e-14 }, 'RMSProp'],
  ];
  for (const [name, params, stockClass] of optimizers) {
    it(`${name} ${JSON.stringify(params)}: tfjs's ${stockClass} gives the fused optimizer's weights after 5 steps`, () => {
      const fused = withFastPaths(true, () => create<tf.Optimizer>('optimizer', name, params));
      const stock = withFastPaths(false, () => create<tf.Optimizer>('optimizer', name, params));
      assert.equal(fused.getClassName(), 'DistilRunFusedOptimizer');
      assert.equal(stock.getClassName(), stockClass);
      const [a, b] = [
        withFastPaths(true, () => trainWeights(fused, 5)),
        withFastPaths(false, () => trainWeights(stock, 5)),
      ];
      assertClose(b, a, 1e-4, 'weights');
      assert.notDeepEqual(
        a,
        withFastPaths(true, () => trainWeights(create<tf.Optimizer>('optimizer', name, params), 0)),
        'the steps moved the weights',
      );
    });
  }
});
