// training.lr_decay: the rate of every optimizer, fused or tfjs's own, times decay^(epoch - 1), and steps that use it.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { fusedAdam, fusedRmsprop, fusedSgd } from '../../src/backend/fused-optimizers.js';
import { learningRateSchedule } from '../../src/runner/lr-schedule.js';
import path from 'node:path';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { readCsv } from '../../src/results/csv.js';
import { assertThrowsMessage, useWasm } from '../helpers.js';
import { experiment, outDir, SPEC } from './blobs.js';

/** The change one step of `optimizer` makes to a weight of 1 with gradient 1. */
function step(optimizer: tf.Optimizer): number {
  const w = tf.variable(tf.scalar(1));
  optimizer.minimize(() => tf.mul(w, 1) as tf.Scalar);
  const delta = w.dataSync()[0] - 1;
  w.dispose();
  return delta;
}

describe('learning-rate schedule (training.lr_decay)', () => {
  before(useWasm);

  const optimizers: Array<[string, () => tf.Optimizer]> = [
    ['fused sgd', () => fusedSgd(0.1, 0, false)],
    ['fused sgd with momentum', () => fusedSgd(0.1, 0.9, false)],
    ['fused adam', () => fusedAdam(0.1, 0.9, 0.999, 1e-7)],
    ['fused rmsprop', () => fusedRmsprop(0.1, 0.9, 0, 1e-7, false)],
    ['tfjs sgd', () => tf.train.sgd(0.1)],
    ['tfjs momentum', () => tf.train.momentum(0.1, 0.9)],
    ['tfjs adam', () => tf.train.adam(0.1)],
    ['tfjs rmsprop', () => tf.train.rmsprop(0.1)],
  ];
  for (const [name, make] of optimizers) {
    it(`${name}: epoch 3 with decay 0.5 steps a quarter as far as epoch 1`, () => {
      const first = make();
      learningRateSchedule(first, 0.5, name)?.(1);
      const full = step(first);
      const later = make();
      learningRateSchedule(later, 0.5, name)?.(3);
      const quarter = step(later);
      assert.isBelow(full, 0);
      assert.closeTo(quarter / full, 0.25, 1e-5);
      first.dispose();
      later.dispose();
    });
  }

  it('applies between epochs of a run: the first epoch is the same, the later ones step less', async () => {
    const lossOf = async (decay: number) => {
      const { experiment: exp, registry } = await experiment(
        SPEC.replace('training: { epochs: 4,', `training: { epochs: 3, lr_decay: ${decay},`),
      );
      const summary = await runExperiment(exp, registry, {
        outDir: outDir(),
        runId: 'd',
        reporter: new RecordingReporter(),
        teacherCache: false,
      });
      return readCsv(path.join(summary.runDir, 'history.csv'))
        .records.filter((r) => r.role === 'teacher')
        .map((r) => Number(r.train_loss));
    };
    const [constant, decayed] = [await lossOf(1), await lossOf(0.01)];
    assert.equal(decayed[0], constant[0], 'epoch 1 runs at the initial rate');
    assert.notEqual(decayed[2], constant[2]);
  });

  it('leaves the rate alone with decay 1, and refuses an optimizer whose rate it cannot change', () => {
    assert.isUndefined(learningRateSchedule(tf.train.sgd(0.1), 1, 'sgd'));
    const opaque = { minimize() {} } as unknown as tf.Optimizer;
    assert.isUndefined(learningRateSchedule(opaque, 1, 'mine'));
    assertThrowsMessage(
      () => learningRateSchedule(opaque, 0.9, 'mine'),
      'training.lr_decay: optimizer "mine" has no learningRate that distil-run can change (a plugin optimizer must expose a numeric learningRate, and setLearningRate if it caches it); remove lr_decay or use sgd, adam or rmsprop',
    );
  });
});
