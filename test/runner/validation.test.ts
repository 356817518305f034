// The validation split and early stopping: held-out rows, val_ columns, and the best epoch's weights kept.
import path from 'node:path';
import { assert } from 'chai';
import { holdOut } from '../../src/runner/dataset-cache.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { readCsv } from '../../src/results/csv.js';
import { assertRejectsMessage, useWasm } from '../helpers.js';
import { experiment, outDir, SPEC } from './blobs.js';

const WITH_VALIDATION = SPEC.replace('dataset: blobs', 'dataset: { name: blobs, validation: 0.2 }');

describe('validation split and early stopping', () => {
  before(useWasm);

  it('holds out a seeded share of the training rows, disjoint from the rest, the same for the same seed', () => {
    const n = 50;
    const x = Float32Array.from({ length: n * 2 }, (_, i) => Math.floor(i / 2));
    const y = Int32Array.from({ length: n }, (_, i) => i);
    const a = holdOut({ x, y, n }, 0.2, 7, 2);
    assert.equal(a.validation.n, 10);
    assert.equal(a.train.n, 40);
    const rows = [...a.train.y, ...a.validation.y].sort((p, q) => p - q);
    assert.deepEqual(rows, [...y], 'every row once, in one split or the other');
    assert.deepEqual(
      [...a.validation.x.subarray(0, 2)],
      [a.validation.y[0], a.validation.y[0]],
      'features travel with their label',
    );
    assert.deepEqual([...holdOut({ x, y, n }, 0.2, 7, 2).validation.y], [...a.validation.y]);
    assert.notDeepEqual([...holdOut({ x, y, n }, 0.2, 8, 2).validation.y], [...a.validation.y]);
  });

  it('records val_ metrics per evaluated epoch and in the results, and which epoch was kept', async () => {
    const { experiment: exp, registry } = await experiment(WITH_VALIDATION);
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'v',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    const rows = readCsv(path.join(summary.runDir, 'results.csv'));
    assert.includeMembers(rows.columns, ['val_loss', 'val_accuracy', 'kept_epoch']);
    assert.lengthOf(rows.records, 3);
    for (const row of rows.records) {
      assert.isAbove(Number(row.val_accuracy), 0.8, row.role);
      assert.equal(row.kept_epoch, '4', 'without early stopping the last epoch is kept');
    }
    const history = readCsv(path.join(summary.runDir, 'history.csv')).records;
    assert.lengthOf(history, 12);
    assert.isTrue(
      history.every((r) => r.val_accuracy !== ''),
      'every evaluated epoch has validation metrics',
    );
  });

  it("stops when the validation metric stops improving and keeps the best epoch's weights", async () => {
    const spec = WITH_VALIDATION.replace(
      'training: { epochs: 4,',
      'training: { epochs: 40, early_stopping: { metric: val_accuracy, patience: 2 },',
    );
    const { experiment: exp, registry } = await experiment(spec);
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'es',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    const history = readCsv(path.join(summary.runDir, 'history.csv')).records;
    assert.deepEqual(
      summary.rows.map((r) => r.role),
      ['teacher', 'student', 'person'],
    );
    for (const row of summary.rows) {
      const epochs = history.filter((r) => r.role === row.role);
      const kept = Number(row.kept_epoch);
      assert.isBelow(epochs.length, 40, `${row.role} stopped early`);
      assert.equal(epochs.length, kept + 2, `${row.role} stopped after patience (2) epochs without improvement`);
      // The first epoch with the highest val_accuracy (a later tie is no improvement).
      const best = epochs.reduce((a, b) => (Number(b.val_accuracy) > Number(a.val_accuracy) ? b : a));
      assert.equal(Number(best.epoch), kept, `${row.role} kept the epoch with the highest val_accuracy`);
      assert.equal(Number(row.val_loss), Number(best.val_loss), 'the row reports the kept epoch');
      assert.equal(
        Number(row.test_accuracy),
        Number(best.test_accuracy),
        "the kept weights give the kept epoch's test figures",
      );
    }
  });

  it('records the validation metrics early stopping computes on every epoch in history.csv, with eval_every: 0 too', async () => {
    const spec = WITH_VALIDATION.replace(
      'training: { epochs: 4,',
      'training: { epochs: 40, eval_every: 0, early_stopping: { metric: val_accuracy, patience: 2 },',
    );
    const { experiment: exp, registry } = await experiment(spec);
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'es0',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    const history = readCsv(path.join(summary.runDir, 'history.csv')).records;
    assert.lengthOf(summary.rows, 3);
    for (const row of summary.rows) {
      const epochs = history.filter((r) => r.role === row.role);
      const kept = Number(row.kept_epoch);
      assert.equal(epochs.length, kept + 2, `${row.role} stopped after patience (2) epochs without improvement`);
      assert.deepEqual(
        epochs.filter((r) => r.val_accuracy === '' || r.val_loss === '').map((r) => r.epoch),
        [],
        `${row.role}: every epoch has its validation metrics`,
      );
      assert.deepEqual(
        epochs.filter((r) => r.test_accuracy !== '').map((r) => r.epoch),
        [],
        `${row.role}: eval_every 0 evaluates the test split only after the last planned epoch`,
      );
      const best = epochs.find((r) => Number(r.epoch) === kept);
      assert.equal(best?.val_loss, row.val_loss, `${row.role}: the kept epoch's validation loss is the row's`);
    }
  });

  it('refuses early stopping without a validation split, and an unknown validation metric, located', async () => {
    const noSplit = SPEC.replace(
      'training: { epochs: 4,',
      'training: { epochs: 4, early_stopping: { metric: val_loss },',
    );
    await assertRejectsMessage(
      experiment(noSplit),
      'blobs.yaml: 1 error\n  blobs.yaml:3:10 dataset: early_stopping watches a validation metric, and the dataset has no validation split (add validation: 0.1 to the dataset, the share of the training split to hold out)',
      { code: 'INVALID_SPEC' },
    );
    const typo = WITH_VALIDATION.replace(
      'training: { epochs: 4,',
      'training: { epochs: 4, early_stopping: { metric: val_acuracy },',
    );
    await assertRejectsMessage(
      experiment(typo),
      'blobs.yaml: 1 error\n  blobs.yaml:7:50 training.early_stopping.metric: "val_acuracy" is not a metric this role records (Did you mean "val_accuracy"?)',
      { code: 'INVALID_SPEC' },
    );
    await assertRejectsMessage(
      experiment(SPEC.replace('dataset: blobs', 'dataset: { name: blobs, validation: 1.5 }')),
      'blobs.yaml: 1 error\n  blobs.yaml:3:37 dataset.validation: must be a number above 0 and at most 0.5 (the share of the training split held out), got 1.5 (e.g. validation: 0.1)',
      { code: 'INVALID_SPEC' },
    );
  });
});
