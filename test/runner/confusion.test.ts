// confusion.csv and the count metrics in real runs: each role's matrix against a count made from its saved model,
// `errors` and `class-accuracy` against the same count, and the table's guarantees on resume; refusals before a run.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { assert } from 'chai';
import { resolveExperiment } from '../../src/config/experiment.js';
import { parseSpecSource } from '../../src/config/load.js';
import { readCsv } from '../../src/results/csv.js';
import { loadSavedModel } from '../../src/results/saved-model.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import type { Dataset } from '../../src/registry/types.js';
import { assertRefused, distilRun } from '../cli-harness.js';
import { assertRejectsMessage, builtinRegistry, useWasm } from '../helpers.js';
import { experiment, outDir, SPEC, testPlugin } from './blobs.js';

const METRICS =
  'metrics: [loss, accuracy, errors, { name: class-accuracy, class: 0 }, { name: class-accuracy, class: 2 }], ';
const COUNTED = SPEC.replace('training: {', `training: { ${METRICS}`);
const FIXTURES = path.resolve('test/fixtures');

const warnings = (reporter: RecordingReporter): string[] =>
  reporter.events.flatMap((e) => (e.type === 'warn' ? [String(e.message)] : []));

/** The blobs test split, as the dataset gives it to the run (split seed 3). */
async function blobsTest(): Promise<{ x: tf.Tensor2D; y: Int32Array }> {
  const blobs = testPlugin.components[0] as { create(p: unknown, c: unknown): Promise<Dataset> };
  const dataset = await blobs.create({ poison: false }, { tf, seed: 3, baseDir: '.' });
  return { x: tf.tensor2d(dataset.test.x, [dataset.test.n, 6]), y: dataset.test.y as Int32Array };
}

/** The confusion matrix of a saved model on a split, counted here from its predictions. */
async function countedMatrix(modelDir: string, split: { x: tf.Tensor2D; y: Int32Array }): Promise<number[][]> {
  const { model } = await loadSavedModel(modelDir);
  const predicted = tf.tidy(() => tf.argMax(model.predict(split.x) as tf.Tensor2D, 1).dataSync());
  model.dispose();
  const counts = [0, 1, 2].map(() => [0, 0, 0]);
  split.y.forEach((truth, i) => counts[truth][predicted[i]]++);
  return counts;
}

/** confusion.csv's matrix of one cell, seed and role. */
function tableMatrix(records: readonly Record<string, string>[], cell: string, role: string): number[][] {
  const counts = [0, 1, 2].map(() => [NaN, NaN, NaN]);
  for (const r of records.filter((r) => r.cell_id === cell && r.role === role)) {
    assert.isNaN(counts[+r.true_class][+r.predicted_class], 'each pair once');
    counts[+r.true_class][+r.predicted_class] = Number(r.count);
  }
  return counts;
}

describe('confusion.csv and the count metrics', () => {
  before(useWasm);

  it("records each role's test confusion matrix as its saved model predicts it; errors and class-accuracy agree", async () => {
    const { experiment: exp, registry } = await experiment(COUNTED);
    const run = await runExperiment(exp, registry, {
      outDir: outDir(),
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    const confusion = readCsv(path.join(run.runDir, 'confusion.csv'));
    assert.deepEqual(confusion.columns, [
      'run_id',
      'experiment',
      'cell_id',
      'cell',
      'role',
      'seed',
      'true_class',
      'predicted_class',
      'count',
    ]);
    assert.lengthOf(confusion.records, 3 * 9, 'every pair of 3 classes for each role, zeros included');
    const results = readCsv(path.join(run.runDir, 'results.csv')).records;
    assert.lengthOf(results, 3);
    const test = await blobsTest();
    const cell = exp.cells[0].id;
    for (const row of results) {
      const counted = await countedMatrix(path.join(run.runDir, 'models', cell, '3', row.role), test);
      assert.deepEqual(tableMatrix(confusion.records, cell, row.role), counted, row.role);
      const wrong = counted.flatMap((r, t) => r.filter((_, p) => p !== t)).reduce((a, b) => a + b, 0);
      assert.strictEqual(row.test_errors, String(wrong), `${row.role} errors`);
      for (const k of [0, 2]) {
        const accuracy = counted[k][k] / counted[k].reduce((a, b) => a + b, 0);
        assert.closeTo(Number(row[`test_accuracy_class_${k}`]), accuracy, 1e-6, `${row.role} class ${k}`);
      }
      assert.deepEqual(
        confusion.records.filter((r) => r.role === row.role).map((r) => [r.run_id, r.experiment, r.cell_id, r.seed]),
        Array(9).fill([row.run_id, row.experiment, row.cell_id, row.seed]),
        'identified like its results row',
      );
    }
    test.x.dispose();
  });

  it('names the classes of a dataset that has names, and writes no confusion.csv for a regression', async () => {
    const named = `name: named
dataset: { name: csv, path: three-blobs.csv, target: label, task: classification, test_fraction: 0.25 }
models: { teacher: { layers: [8] }, student: { layers: [4] } }
training: { epochs: 1, batch_size: 16, metrics: [accuracy, errors] }
`;
    const registry = builtinRegistry();
    const resolve = async (text: string) =>
      (await resolveExperiment(parseSpecSource(text, path.join(FIXTURES, 'named.yaml')), { registry })).experiment;
    const options = () => ({ outDir: outDir(), reporter: new RecordingReporter(), teacherCache: false as const });
    const classified = await runExperiment(await resolve(named), registry, options());
    const { columns, records } = readCsv(path.join(classified.runDir, 'confusion.csv'));
    assert.deepEqual(columns.slice(-5), ['true_class', 'predicted_class', 'true_name', 'predicted_name', 'count']);
    assert.deepEqual(
      records
        .filter((r) => r.role === 'teacher')
        .map((r) => `${r.true_class}${r.true_name}-${r.predicted_class}${r.predicted_name}`),
      ['0a-0a', '0a-1b', '0a-2c', '1b-0a', '1b-1b', '1b-2c', '2c-0a', '2c-1b', '2c-2c'],
    );
    const regression = named
      .replace('target: label, task: classification', 'target: x1, features: [x2, x3], task: regression')
      .replace('metrics: [accuracy, errors]', 'metrics: [mse]');
    const regressed = await runExperiment(await resolve(regression), registry, options());
    assert.deepEqual(
      readCsv(path.join(regressed.runDir, 'results.csv')).records.map((r) => r.status),
      ['ok', 'ok', 'ok'],
    );
    assert.throws(() => readFileSync(path.join(regressed.runDir, 'confusion.csv')), /ENOENT/);
  });

  it("writes a shared teacher and person once per cell, and a resume keeps the finished cells' rows as they were", async () => {
    const { experiment: exp, registry } = await experiment(`${COUNTED}grid:\n  distillation.alpha: [0.2, 0.8]\n`);
    const dir = outDir();
    const controller = new AbortController();
    const reporter = new RecordingReporter();
    reporter.roleStart = (event) => {
      if (event.cellLabel === 'distillation.alpha=0.8' && event.role === 'student') controller.abort();
    };
    await assertRejectsMessage(
      runExperiment(exp, registry, {
        outDir: dir,
        runId: 'cut',
        reporter,
        signal: controller.signal,
        teacherCache: false,
      }),
      'interrupted: results of finished roles are kept in the run directory',
    );
    const file = path.join(dir, 'blobs', 'cut', 'confusion.csv');
    const [first, second] = exp.cells.map((c) => c.id);
    const before = readFileSync(file, 'utf8');
    // The first cell's three roles and the second's teacher (shared): the interrupted student has no matrix.
    assert.lengthOf(readCsv(file).records, 4 * 9);
    // A kill in the middle of a write leaves part of a row without its newline.
    appendFileSync(file, `cut,blobs,${second},distillation.alpha=0.8,stud`);
    const again = new RecordingReporter();
    await runExperiment(exp, registry, { outDir: dir, runId: 'cut', reporter: again, teacherCache: false });
    assert.deepEqual(warnings(again), [
      'dropped 1 cut-short line(s) left by a run that was killed while writing; their cells run again',
    ]);
    const after = readFileSync(file, 'utf8');
    const lines = (text: string, cell: string) => text.split('\n').filter((l) => l.includes(`,${cell},`));
    assert.deepEqual(lines(after, first), lines(before, first), "the finished cell's rows, as they were");
    const records = readCsv(file).records;
    assert.lengthOf(records, 2 * 3 * 9, 'each cell, role and pair once');
    assert.equal(new Set(records.map((r) => [r.cell_id, r.role, r.true_class, r.predicted_class].join())).size, 54);
    // The teacher and the person are trained once and shared: the same matrix in both cells.
    for (const role of ['teacher', 'person']) {
      assert.deepEqual(tableMatrix(records, first, role), tableMatrix(records, second, role), role);
    }
  });

  it('runs a finished cell again when its confusion rows were damaged, and keeps a run without confusion.csv (an older version)', async () => {
    const { experiment: exp, registry } = await experiment(COUNTED);
    const dir = outDir();
    const options = (reporter: RecordingReporter) => ({
      outDir: dir,
      runId: 'dmg',
      reporter,
      teacherCache: false as const,
    });
    const run = await runExperiment(exp, registry, options(new RecordingReporter()));
    const file = path.join(run.runDir, 'confusion.csv');
    const lines = readFileSync(file, 'utf8').split('\n');
    // Line 12 is the student's third pair: a row lost by a hand edit.
    writeFileSync(file, [...lines.slice(0, 11), ...lines.slice(12)].join('\n'));
    const damaged = new RecordingReporter();
    await runExperiment(exp, registry, options(damaged));
    assert.deepEqual(warnings(damaged), [
      `confusion.csv has 8 rows, not the k x k of a whole matrix for the student of cell ${exp.cells[0].id}, seed 3; the cell runs again`,
    ]);
    assert.lengthOf(readCsv(file).records, 27);
    assert.equal(damaged.events.filter((e) => e.type === 'roleEnd').length, 3, 'the cell ran again');

    // A run begun by a version without confusion.csv: its finished cell is kept, without a matrix, and said so in the manifest.
    rmSync(file);
    const older = new RecordingReporter();
    await runExperiment(exp, registry, options(older));
    assert.deepEqual(warnings(older), []);
    assert.equal(older.events.filter((e) => e.type === 'roleEnd').length, 0, 'nothing ran again');
    assert.lengthOf(readCsv(file).records, 0);
    const manifest = JSON.parse(readFileSync(path.join(run.runDir, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.deepEqual(manifest.confusion_missing, [`${exp.cells[0].id}/3`]);
    // Resumed again, the manifest still names it: it is not taken for a cell whose rows were lost.
    const later = new RecordingReporter();
    await runExperiment(exp, registry, options(later));
    assert.deepEqual(warnings(later), []);
    assert.equal(later.events.filter((e) => e.type === 'roleEnd').length, 0);
  });

  it('refuses class-accuracy of a class the loaded data lacks, before any run directory (exit 2, no stack trace)', () => {
    const spec = path.join(mkdtempSync(path.join(os.tmpdir(), 'distil-class-')), 'spec.yaml');
    writeFileSync(
      spec,
      `name: classes
dataset: { name: csv, path: ${path.join(FIXTURES, 'three-blobs.csv')}, target: label, task: classification }
models: { teacher: { layers: [8] }, student: { layers: [4] } }
training: { epochs: 1, metrics: [accuracy, { name: class-accuracy, class: 5 }] }
`,
    );
    const out = path.join(path.dirname(spec), 'results');
    const result = distilRun([spec, '--out', out, '--teacher-cache', 'off']);
    assertRefused(
      result,
      2,
      'distil-run: these metrics cannot be computed on their dataset; nothing was run:\n' +
        '  cell ' +
        `${/cell ([0-9a-f]+)/.exec(result.stderr)?.[1]}` +
        ', teacher, student and person: metric class-accuracy (class: 5): class 5 is not a class of the dataset, which has 3 (0 to 2: 0 "a", 1 "b", 2 "c")\n',
    );
    assert.throws(() => readFileSync(out), /ENOENT/, 'no run directory');
  });
});
