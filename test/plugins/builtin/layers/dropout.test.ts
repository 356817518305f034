// Layer "dropout": a new mask at every training step, the same sequence for the same seed; its params.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { builtinRegistry, useWasm } from '../../../helpers.js';
import { createComponent } from '../../../../src/runner/model.js';
import { describeParams } from '../params-table.js';

const layer = (seed: number) =>
  createComponent<tf.layers.Layer>(
    builtinRegistry(),
    'layer',
    { name: 'dropout', params: { rate: 0.5 } },
    { seed, baseDir: '.', inputShape: [64] },
  );
const masks = (dropout: tf.layers.Layer, steps: number, training = true) =>
  Array.from({ length: steps }, () =>
    tf
      .tidy(() => (dropout.apply(tf.ones([4, 64]), { training }) as tf.Tensor).arraySync() as number[][])
      .flat()
      .map((v) => (v === 0 ? 0 : 1))
      .join(''),
  );

describe('dropout layer', () => {
  before(useWasm);

  it('draws a new mask at every training step', () => {
    const drawn = masks(layer(7), 5);
    assert.equal(new Set(drawn).size, 5, 'five steps, five masks');
    for (const mask of drawn) assert.closeTo(mask.split('').filter((c) => c === '0').length / mask.length, 0.5, 0.15);
  });

  it('repeats the sequence for the same seed and changes it for another', () => {
    assert.deepEqual(masks(layer(7), 3), masks(layer(7), 3));
    assert.notDeepEqual(masks(layer(7), 3), masks(layer(8), 3));
  });

  it("keeps every activation outside training, and stays tfjs's own Dropout class (saved models load anywhere)", () => {
    assert.deepEqual(masks(layer(7), 2, false), ['1'.repeat(256), '1'.repeat(256)]);
    assert.equal(layer(7).getClassName(), 'Dropout');
  });
});

describeParams('layer', 'dropout', {
  slot: 'layer',
  valid: [
    ['{ name: dropout, rate: 0 }', { rate: 0 }],
    ['{ name: dropout, rate: 0.5 }', { rate: 0.5 }],
    ['{ name: dropout, rate: 0.99 }', { rate: 0.99 }],
  ],
  invalid: [
    ['{ name: dropout, rate: 1 }', 'spec.yaml:4:46 models.teacher.layers[0].rate: must be < 1, got 1'],
    ['{ name: dropout, rate: -0.1 }', 'spec.yaml:4:46 models.teacher.layers[0].rate: must be >= 0, got -0.1'],
    ['{ name: dropout, rate: half }', 'spec.yaml:4:46 models.teacher.layers[0].rate: must be number, got "half"'],
    [
      '{ name: dropout, rate: 0.2, seed: 1 }',
      'spec.yaml:4:51 models.teacher.layers[0].seed: unknown key "seed" (allowed keys: rate)',
    ],
    [
      '{ name: dropot, rate: 0.2 }',
      'spec.yaml:4:31 models.teacher.layers[0].name: unknown layer "dropot" (Did you mean "dropout"?)',
    ],
    ['{ name: dropout }', 'spec.yaml:4:23 models.teacher.layers[0]: missing required key "rate"'],
    [
      '{ name: dropout, rat: 0.2 }',
      'spec.yaml:4:23 models.teacher.layers[0]: missing required key "rate"',
      'spec.yaml:4:40 models.teacher.layers[0].rat: unknown key "rat" (Did you mean "rate"?)',
    ],
  ],
});
