// The runner on a small synthetic dataset: rows, reproducibility, tensor hygiene, NaN, interrupt, resume.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { DistilError } from '../../src/errors/index.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { readCsv } from '../../src/results/csv.js';
import { assertRejectsMessage, useWasm } from '../helpers.js';
import { experiment, outDir, SPEC } from './blobs.js';

describe('runner', () => {
  before(useWasm);

  it('trains teacher, student and person and writes one row each, history per epoch, and a manifest', async () => {
    const { experiment: exp, registry } = await experiment();
    const reporter = new RecordingReporter();
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'r1',
      reporter,
      teacherCache: false,
    });
    assert.equal(summary.status, 'ok');
    assert.deepEqual(
      summary.rows.map((r) => [r.role, r.status]),
      [
        ['teacher', 'ok'],
        ['student', 'ok'],
        ['person', 'ok'],
      ],
    );
    for (const row of summary.rows) {
      assert.isAbove(row.test_accuracy as number, 0.8, `${row.role} beats chance (0.33) clearly`);
    }
    assert.equal(summary.rows[1].params, summary.rows[2].params);
    assert.equal(summary.rows[1].gain_metric, 'accuracy');
    assert.closeTo(
      summary.rows[1].distillation_gain as number,
      (summary.rows[1].test_accuracy as number) - (summary.rows[2].test_accuracy as number),
      1e-6,
    );
    const results = readCsv(path.join(summary.runDir, 'results.csv')).records;
    assert.deepEqual(
      results.map((r) => r.role),
      ['teacher', 'student', 'person'],
    );
    const history = readCsv(path.join(summary.runDir, 'history.csv')).records;
    assert.lengthOf(history, 12);
    assert.deepEqual(
      history.slice(0, 4).map((r) => r.epoch),
      ['1', '2', '3', '4'],
    );
    const manifest = JSON.parse(readFileSync(path.join(summary.runDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.status, 'ok');
    assert.equal(manifest.backend.name, 'wasm');
    assert.equal(manifest.seeds[0], 3);
    assert.deepEqual(
      reporter.events.filter((e) => e.type === 'roleEnd').map((e) => e.role),
      ['teacher', 'student', 'person'],
    );
    assert.lengthOf(
      reporter.events.filter((e) => e.type === 'epoch'),
      12,
    );
  });

  it('is reproducible: the same spec and seed give the same numbers, each run training every role', async () => {
    const { experiment: exp, registry } = await experiment();
    // No teacher cache: the second run trains its own teacher instead of reading the first run's (see the cache test below).
    const run = async () =>
      (
        await runExperiment(exp, registry, {
          outDir: outDir(),
          runId: 'r',
          reporter: new RecordingReporter(),
          teacherCache: false,
        })
      ).rows;
    const first = await run();
    const second = await run();
    const trained = [
      ['teacher', 'trained'],
      ['student', 'trained'],
      ['person', 'trained'],
    ];
    assert.deepEqual(
      first.map((r) => [r.role, r.source]),
      trained,
    );
    assert.deepEqual(
      second.map((r) => [r.role, r.source]),
      trained,
    );
    const metrics = (rows: typeof first) =>
      rows.map((r) => [r.role, r.test_loss, r.test_accuracy, r.distillation_gain]);
    assert.deepEqual(metrics(second), metrics(first));
  });

  it('does not grow the number of tensors across epochs', async () => {
    const { experiment: exp, registry } = await experiment(SPEC.replace('epochs: 4', 'epochs: 6'));
    const counts: number[] = [];
    const reporter = new RecordingReporter();
    reporter.epoch = () => {
      counts.push(tf.memory().numTensors);
    };
    const before = tf.memory().numTensors;
    await runExperiment(exp, registry, { outDir: outDir(), runId: 'leak', reporter, teacherCache: false });
    // Within each role the count is flat from the second epoch on (the first creates optimizer slots).
    for (const role of [0, 1, 2]) {
      const mine = counts.slice(role * 6 + 1, role * 6 + 6);
      assert.deepEqual(mine, Array(mine.length).fill(mine[0]), `role ${role}: ${counts.join(',')}`);
    }
    assert.equal(tf.memory().numTensors, before, 'everything is disposed at the end of the run');
  });

  it('reports a NaN loss as a failed teacher and skips the roles that need it', async () => {
    const { experiment: exp, registry } = await experiment(
      SPEC.replace('dataset: blobs', 'dataset: { name: blobs, poison: true }'),
    );
    const before = tf.memory().numTensors;
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'nan',
      reporter: new RecordingReporter(),
    });
    assert.equal(tf.memory().numTensors, before, 'the failed role leaves no tensors behind');
    assert.equal(summary.status, 'failed');
    assert.deepEqual(
      summary.rows.map((r) => [r.role, r.status]),
      [
        ['teacher', 'failed'],
        ['student', 'skipped'],
        ['person', 'skipped'],
      ],
    );
    assert.equal(
      summary.rows[0].error,
      'the training loss became NaN or infinite in epoch 1 (lower the learning rate, check the data for NaN, or standardise the features)',
    );
  });

  it('stops on abort, keeping the rows already finished', async () => {
    const { experiment: exp, registry } = await experiment();
    const controller = new AbortController();
    const reporter = new RecordingReporter();
    reporter.roleStart = (event) => {
      if (event.role === 'person') controller.abort();
    };
    const dir = outDir();
    let caught: unknown;
    try {
      await runExperiment(exp, registry, {
        outDir: dir,
        runId: 'int',
        reporter,
        signal: controller.signal,
        teacherCache: false,
      });
    } catch (error) {
      caught = error;
    }
    assert.instanceOf(caught, DistilError);
    assert.equal((caught as DistilError).code, 'INTERRUPTED');
    const rows = readCsv(path.join(dir, 'blobs', 'int', 'results.csv')).records;
    assert.deepEqual(
      rows.map((r) => [r.role, r.status]),
      [
        ['teacher', 'ok'],
        ['student', 'ok'],
        ['person', 'interrupted'],
      ],
    );
    assert.equal(
      JSON.parse(readFileSync(path.join(dir, 'blobs', 'int', 'manifest.json'), 'utf8')).status,
      'interrupted',
    );
  });

  it('resumes a run id, skipping finished cells, and trains one teacher for a grid', async () => {
    const grid = `${SPEC}grid:\n  distillation.alpha: [0.2, 0.8]\n`;
    const { experiment: exp, registry } = await experiment(grid);
    const dir = outDir();
    const controller = new AbortController();
    const first = new RecordingReporter();
    first.roleStart = (event) => {
      if (event.cellLabel === 'distillation.alpha=0.8') controller.abort();
    };
    await assertRejectsMessage(
      runExperiment(exp, registry, {
        outDir: dir,
        runId: 'g',
        reporter: first,
        signal: controller.signal,
        teacherCache: false,
      }),
      'interrupted: results of finished roles are kept in the run directory',
      { code: 'INTERRUPTED' },
    );
    const second = new RecordingReporter();
    const rest = await runExperiment(exp, registry, { outDir: dir, runId: 'g', reporter: second, teacherCache: false });
    assert.deepEqual(second.events.find((e) => e.type === 'runStart')?.skippedCells, 1);
    assert.deepEqual(
      rest.rows.map((r) => `${r.cell}/${r.role}`),
      ['distillation.alpha=0.8/teacher', 'distillation.alpha=0.8/student', 'distillation.alpha=0.8/person'],
    );
    const all = readCsv(path.join(dir, 'blobs', 'g', 'results.csv')).records;
    assert.deepEqual(
      all.map((r) => `${r.cell}/${r.role}/${r.status}`),
      [
        'distillation.alpha=0.2/teacher/ok',
        'distillation.alpha=0.2/student/ok',
        'distillation.alpha=0.2/person/ok',
        'distillation.alpha=0.8/teacher/ok',
        'distillation.alpha=0.8/student/ok',
        'distillation.alpha=0.8/person/ok',
      ],
    );
    assert.lengthOf(
      second.events.filter((e) => e.type === 'roleStart' && e.role === 'teacher'),
      1,
    );
    const manifest = JSON.parse(readFileSync(path.join(dir, 'blobs', 'g', 'manifest.json'), 'utf8'));
    assert.deepEqual(
      manifest.attempts.map((a: { status: string }) => a.status),
      ['interrupted', 'ok'],
    );
  });

  it('reuses a trained teacher from the teacher cache in a later run, with the same results', async () => {
    const { experiment: exp, registry } = await experiment();
    const cache = outDir();
    const first = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'c1',
      reporter: new RecordingReporter(),
      teacherCache: cache,
    });
    const reporter = new RecordingReporter();
    const second = await runExperiment(exp, registry, { outDir: outDir(), runId: 'c2', reporter, teacherCache: cache });
    assert.deepEqual(
      first.rows.map((r) => r.source),
      ['trained', 'trained', 'trained'],
    );
    assert.deepEqual(
      second.rows.map((r) => r.source),
      ['cache', 'trained', 'trained'],
    );
    const metrics = (rows: typeof first.rows) => rows.map((r) => [r.role, r.test_loss, r.test_accuracy]);
    assert.deepEqual(metrics(second.rows), metrics(first.rows));
    assert.lengthOf(
      reporter.events.filter((e) => e.type === 'epoch' && e.role === 'teacher'),
      0,
      'the teacher was not trained again',
    );
    // Another architecture is another entry: it trains.
    const { experiment: other } = await experiment(SPEC.replace('[32, 16]', '[24, 16]'));
    const third = await runExperiment(other, registry, {
      outDir: outDir(),
      runId: 'c3',
      reporter: new RecordingReporter(),
      teacherCache: cache,
    });
    assert.equal(third.rows[0].source, 'trained');
  });

  it('ignores a damaged teacher cache entry and trains', async () => {
    const { experiment: exp, registry } = await experiment();
    const cache = outDir();
    await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'd1',
      reporter: new RecordingReporter(),
      teacherCache: cache,
    });
    for (const entry of readdirSync(cache)) writeFileSync(path.join(cache, entry, 'weights.bin'), 'junk');
    const again = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'd2',
      reporter: new RecordingReporter(),
      teacherCache: cache,
    });
    assert.equal(again.rows[0].source, 'trained');
  });

  it('trains the teacher once for all cells that share it', async () => {
    const grid = `${SPEC}grid:\n  distillation.temperature: [1, 3, 5]\n`;
    const { experiment: exp, registry } = await experiment(grid);
    const reporter = new RecordingReporter();
    // No teacher cache: the teacher is trained in this run, once, and not read from an earlier test's entry.
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'once',
      reporter,
      teacherCache: false,
    });
    assert.lengthOf(summary.rows, 9);
    assert.deepEqual(
      summary.rows.filter((r) => r.role === 'teacher').map((r) => r.source),
      ['trained', 'trained', 'trained'],
    );
    assert.lengthOf(
      reporter.events.filter((e) => e.type === 'roleStart' && e.role === 'teacher'),
      1,
    );
    assert.lengthOf(
      reporter.events.filter((e) => e.type === 'epoch' && e.role === 'teacher'),
      4,
      'its 4 epochs, once',
    );
    const teacherRows = summary.rows.filter((r) => r.role === 'teacher');
    assert.deepEqual(new Set(teacherRows.map((r) => r.test_accuracy)).size, 1);
  });
});
