// fitnet's two stages (Romero et al. 2015): the hint alone for hint_epochs, then the labels and kd without it.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../../../../src/registry/types.js';
import { createComponent } from '../../../../src/runner/model.js';
import { builtinRegistry, useWasm } from '../../../helpers.js';

function fitnet(params: Record<string, unknown>): Loss {
  const registry = builtinRegistry();
  const filled = structuredClone(params);
  assert.isEmpty(registry.get('loss', 'fitnet').validate(filled));
  return createComponent<Loss>(
    registry,
    'loss',
    { name: 'fitnet', params: filled },
    {
      seed: 3,
      baseDir: '.',
      task: 'classification',
      features: { student: [4], teacher: [6] },
    },
  );
}

describe('loss fitnet: stages', () => {
  before(useWasm);

  it('trains on the hint alone up to hint_epochs, then on labels and kd without the hint', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([
        [1, 2, 0],
        [0.5, -1, 2],
      ]);
      const teacher = tf.tensor2d([
        [2, 1, 0],
        [0, 0, 3],
      ]);
      const labels = tf.tensor1d([1, 2], 'int32');
      const studentFeatures = tf.tensor2d([
        [1, 0, 2, 1],
        [0, 3, 1, 0],
      ]);
      const teacherFeatures = tf.tensor2d([
        [1, 2, 3, 4, 5, 6],
        [0, 1, 0, 1, 0, 1],
      ]);
      const at = (loss: Loss, epoch: number) =>
        loss.compute(logits, labels, teacher, { epoch, studentFeatures, teacherFeatures }).dataSync()[0];
      const staged = fitnet({ hint_epochs: 2, weight: 3, kd_weight: 0.5, label_weight: 0.7 });
      // The same regressor (same seed and shapes): the one-stage losses with the other terms off.
      const hintOnly = fitnet({ weight: 3, kd_weight: 0, label_weight: 0 });
      const rest = fitnet({ weight: 0, kd_weight: 0.5, label_weight: 0.7 });
      assert.closeTo(at(staged, 1), at(hintOnly, 1), 1e-6);
      assert.closeTo(at(staged, 2), at(hintOnly, 2), 1e-6);
      assert.closeTo(at(staged, 3), at(rest, 3), 1e-6);
      assert.isAbove(at(hintOnly, 1), 0);
      for (const loss of [staged, hintOnly, rest]) loss.dispose?.();
    });
  });
});
