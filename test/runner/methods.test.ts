// Every built-in distillation method trains from a spec: its loss falls, its own weights are trained and not
// saved, tensors do not pile up between epochs, and a method that cannot read its representations is refused first.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import type { Reporter } from '../../src/runner/reporter.js';
import { readCsv } from '../../src/results/csv.js';
import { assertRejectsMessage, useWasm } from '../helpers.js';
import { experiment, outDir, SPEC } from './blobs.js';

/** Records the live tensors at each of the student's epochs. */
class TensorCounter extends RecordingReporter {
  readonly counts = new Map<string, number[]>();
  override epoch(event: Parameters<Reporter['epoch']>[0]): void {
    super.epoch(event);
    if (event.role !== 'student') return;
    const counts = this.counts.get(event.cellLabel) ?? [];
    counts.push(tf.memory().numTensors);
    this.counts.set(event.cellLabel, counts);
  }
}

const METHODS = process.env.ONLY_METHOD
  ? [process.env.ONLY_METHOD]
  : [
      '{ name: kd, standardize: true }',
      '{ name: dkd, warmup: 2 }',
      '{ name: dist }',
      '{ name: fitnet }',
      '{ name: pkt, weight: 3000 }',
      '{ name: rkd }',
      '{ name: sp, weight: 300 }',
      '{ name: fitnet, features: { student: 0, teacher: 0 }, kd_weight: 0.5 }',
    ];

describe('distillation methods in a run', () => {
  before(useWasm);

  it('trains a student with each method: the loss falls, tensors stay flat, the regressor is counted apart and not saved', async function () {
    this.timeout(120_000);
    const spec = `${SPEC.replace('epochs: 4', 'epochs: 5')}grid:\n  distillation: [${METHODS.join(', ')}]\n`;
    const { experiment: exp, registry } = await experiment(spec);
    const reporter = new TensorCounter();
    const before = tf.memory().numTensors;
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'methods',
      reporter,
      teacherCache: false,
      saveModels: 'all',
    });
    assert.equal(tf.memory().numTensors, before, 'every tensor of the run is freed');
    assert.equal(summary.status, 'ok');
    const results = readCsv(path.join(summary.runDir, 'results.csv')).records;
    const students = results.filter((r) => r.role === 'student');
    assert.lengthOf(students, METHODS.length);
    assert.isTrue(students.every((r) => r.status === 'ok'));
    // The teacher [32, 16], the student [8]: a dense regressor 8 -> 16 at the last hidden layers, 8 -> 32 at the first.
    assert.deepEqual(
      students.map((r) => r.extra_params),
      ['', '', '', '144', '0', '0', '0', '288'],
    );
    assert.isTrue(results.filter((r) => r.role !== 'student').every((r) => r.extra_params === ''));
    const history = readCsv(path.join(summary.runDir, 'history.csv')).records.filter((r) => r.role === 'student');
    for (const student of students) {
      const losses = history.filter((r) => r.cell_id === student.cell_id).map((r) => Number(r.train_loss));
      assert.lengthOf(losses, 5);
      // dkd's warm-up raises its weight over the first epochs: its loss is compared from the full weight on.
      const from = student.distillation.includes('dkd') ? 1 : 0;
      assert.isBelow(
        losses[4],
        losses[from],
        `${student.distillation}: the training loss falls (${losses.join(', ')})`,
      );
      // The student is saved alone: its weights are the student's params, the regressor is not among them.
      const saved = path.join(summary.runDir, 'models', student.cell_id, student.seed, 'student', 'model.json');
      const manifest = JSON.parse(readFileSync(saved, 'utf8')) as {
        weightsManifest: { weights: { shape: number[] }[] }[];
      };
      const weights = manifest.weightsManifest
        .flatMap((group) => group.weights)
        .reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
      assert.equal(weights, Number(student.params), `${student.distillation}: only the student is saved`);
    }
    for (const [cell, counts] of reporter.counts) {
      assert.equal(new Set(counts.slice(1)).size, 1, `${cell}: live tensors after each epoch ${counts.join(', ')}`);
    }
  });

  it('refuses a method that cannot read what it names before anything trains (exit 2)', async () => {
    const at = `${SPEC}grid:\n  distillation: [ { name: at }, { name: fitnet, features: { teacher: 5 } } ]\n`;
    const { experiment: exp, registry } = await experiment(at);
    const reporter = new RecordingReporter();
    await assertRejectsMessage(
      runExperiment(exp, registry, { outDir: outDir(), runId: 'refused', reporter, teacherCache: false }),
      /^these distillation methods cannot read the representations they name; nothing was run:\n {2}cell \w+ \(distillation=.*\), distillation at: attention transfer compares feature maps \[height, width, channels\], and the student's representation is \[8\] \(a dense layer's\): set features.student to a convolution or pooling layer, or use another method \(fitnet, pkt, rkd, sp work on any layer\)\n {2}cell \w+ \(distillation=.*\), distillation fitnet: features.teacher is 5, and the teacher has 2 hidden layer\(s\): use 0 to 1, or -1 to -2 from the end$/,
      { code: 'METHOD_FEATURES', exitCode: 2 },
    );
    assert.notInclude(
      reporter.events.map((e) => e.type),
      'roleStart',
      'nothing trained',
    );
  });
});
