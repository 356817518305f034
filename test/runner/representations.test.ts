// Methods that read hidden representations: the layer a `features` index names, the student's model with its
// representation as a second output (gradients flow through it), the teacher's in inference mode, once or per batch.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../../src/registry/types.js';
import { createComponent } from '../../src/runner/model.js';
import {
  featureModel,
  insertedLayers,
  layerPosition,
  plannedFeatureShape,
  teacherFeatures,
} from '../../src/runner/representations.js';
import { builtinRegistry, useWasm } from '../helpers.js';

/** A model as the runner builds them: a reshape before a convolution, a flatten before the dense layers. */
function cnn(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.reshape({ targetShape: [4, 4, 1], inputShape: [16] }));
  // Seeded, and tanh: no unit is dead whatever the draw, so a gradient that should arrive does.
  const init = (seed: number) => tf.initializers.glorotNormal({ seed });
  model.add(
    tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: init(1) }),
  );
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 5, activation: 'tanh', kernelInitializer: init(2) }));
  model.add(tf.layers.dense({ units: 2, kernelInitializer: init(3) }));
  return model;
}

const CNN_LAYERS = [
  { name: 'conv2d', params: { filters: 3, kernel_size: 3, padding: 'same', activation: 'relu', strides: 1 } },
  { name: 'dense', params: { units: 5, activation: 'relu', use_bias: true } },
];

const IMAGES = {
  task: 'classification' as const,
  featureShape: [16],
  imageShape: [4, 4, 1],
  outputSize: 2,
  train: { x: new Float32Array(0), y: new Int32Array(0), n: 0 },
  test: { x: new Float32Array(0), y: new Int32Array(0), n: 0 },
};

describe('representations', () => {
  before(useWasm);

  it('a features index counts the layers the spec lists: 0 the first, -1 the last hidden one', () => {
    assert.equal(layerPosition(-1, 3, 'student'), 2);
    assert.equal(layerPosition(0, 3, 'student'), 0);
    assert.equal(layerPosition(-3, 3, 'teacher'), 0);
    assert.throws(
      () => layerPosition(3, 3, 'teacher'),
      'features.teacher is 3, and the teacher has 3 hidden layer(s): use 0 to 2, or -1 to -3 from the end',
    );
    assert.throws(() => layerPosition(-1, 0, 'student'), 'the student has no hidden layer');
  });

  it("skips the reshape and flatten the runner inserts: -1 is the dense layer's [5], 0 the convolution's maps", () => {
    const registry = builtinRegistry();
    assert.deepEqual(plannedFeatureShape(registry, CNN_LAYERS, IMAGES, -1, 'student'), [5]);
    assert.deepEqual(plannedFeatureShape(registry, CNN_LAYERS, IMAGES, 0, 'student'), [4, 4, 3]);
    const inserted = insertedLayers(registry, CNN_LAYERS, IMAGES);
    assert.deepEqual(inserted, [true, false, true, false, false]);
    const model = cnn();
    const maps = featureModel(model, 0, inserted);
    const dense = featureModel(model, 1, inserted);
    assert.deepEqual(maps.shape, [4, 4, 3]);
    assert.deepEqual(dense.shape, [5]);
    tf.tidy(() => {
      const x = tf.randomNormal([2, 16], 0, 1, 'float32', 3) as tf.Tensor2D;
      const [logits, features] = dense.apply(x, false);
      // The same layers: the view's logits are the model's own.
      assert.deepEqual(Array.from(logits.dataSync()), Array.from((model.predict(x) as tf.Tensor).dataSync()));
      assert.deepEqual(features.shape, [2, 5]);
    });
    model.dispose();
  });

  it("trains the student's layers below the representation through the second output, and the method's regressor", () => {
    const registry = builtinRegistry();
    const student = cnn();
    const view = featureModel(student, 1, insertedLayers(registry, CNN_LAYERS, IMAGES));
    const params: Record<string, unknown> = { label_weight: 0, weight: 1 };
    assert.isEmpty(registry.get('loss', 'fitnet').validate(params), 'the defaults filled in');
    const loss = createComponent<Loss>(
      registry,
      'loss',
      { name: 'fitnet', params },
      { seed: 1, baseDir: '.', task: 'classification', features: { student: [5], teacher: [7] } },
    );
    try {
      const { grads } = tf.tidy(() => {
        const x = tf.randomNormal([4, 16], 0, 1, 'float32', 5) as tf.Tensor2D;
        const teacherFeatures = tf.randomNormal([4, 7], 0, 1, 'float32', 6);
        const labels = tf.tensor1d([0, 1, 0, 1], 'int32');
        return tf.variableGrads(() => {
          const [logits, studentFeatures] = view.apply(x, true);
          return loss.compute(logits, labels, undefined, { epoch: 1, studentFeatures, teacherFeatures });
        });
      });
      const [, conv, , hidden, output] = student.layers.map((layer) => layer.trainableWeights.map((w) => w.name));
      const norm = (name: string) => (grads[name] ? tf.tidy(() => tf.norm(grads[name]).dataSync()[0]) : 0);
      assert.isAbove(norm(conv[0]), 0, 'the convolution below the representation learns from the hint');
      assert.isAbove(norm(hidden[0]), 0, 'the layer that gives the representation learns from it');
      assert.equal(norm(output[0]), 0, 'the output layer is above the representation: no hint reaches it');
      const [kernel, bias] = loss.variables ?? [];
      assert.deepEqual(kernel.shape, [5, 7]);
      assert.isAbove(norm(kernel.name), 0, 'the regressor is trained');
      assert.isAbove(norm(bias.name), 0);
      tf.dispose(Object.values(grads));
    } finally {
      loss.dispose?.();
      student.dispose();
    }
  });

  it("computes the teacher's representations in inference mode: dropout off, the same once or per batch", () => {
    const teacher = tf.sequential();
    teacher.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [6], kernelInitializer: 'ones' }));
    teacher.add(tf.layers.dropout({ rate: 0.5, seed: 2 } as never));
    teacher.add(tf.layers.dense({ units: 3 }));
    const view = featureModel(teacher, 1);
    assert.deepEqual(view.shape, [8]);
    const x = tf.randomUniform([10, 6], 0, 1, 'float32', 4) as tf.Tensor2D;
    const train = { x, y: tf.zeros([10], 'int32') as tf.Tensor1D, n: 10 };
    const once = teacherFeatures(view, train, 4);
    const perBatch = teacherFeatures(view, train, 4, 0);
    try {
      assert.isTrue(once.cached);
      assert.isFalse(perBatch.cached);
      // Without dropout, the dropout layer's output is the dense layer's: relu(x · 1) = the row sums, 8 times.
      const expected = tf.tidy(() => tf.tile(tf.relu(tf.sum(x, 1, true)), [1, 8]));
      const rows = tf.tensor1d([7, 2, 9], 'int32');
      const batch = tf.gather(x, rows);
      const gathered = once.rows(rows, batch);
      const computed = perBatch.rows(rows, batch);
      const want = tf.gather(expected, rows);
      for (const got of [gathered, computed]) {
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]);
        assert.isBelow(diff, 1e-5);
      }
      tf.dispose([expected, rows, batch, gathered, computed, want]);
    } finally {
      once.dispose();
      perBatch.dispose();
      tf.dispose([x, train.y]);
      teacher.dispose();
    }
  });
});
