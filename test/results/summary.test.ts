// summary.csv: per cell and role over seeds, only ok rows, the gain paired over seeds where student and person are both ok.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import type { CsvRecord } from '../../src/results/csv.js';
import {
  resultsShape,
  summarizeResults,
  summarizeTable,
  summaryColumns,
  summaryCsv,
  writeRunSummary,
} from '../../src/results/summary.js';
import { readTable } from '../../src/results/table-check.js';
import { result, results } from './table-fixtures.js';

const AXIS = 'distillation.temperature';

/** A results record of cell c1 (temperature 2) for one seed; numbers as the table text holds them. */
const record = (role: string, seed: number, over: Record<string, string | number> = {}): CsvRecord =>
  Object.fromEntries(Object.entries({ ...result(role, { seed, [AXIS]: 2, ...over }) }).map(([k, v]) => [k, String(v)]));

const summarize = (records: CsvRecord[]) => summarizeResults({ records, axes: [AXIS], metrics: ['test_accuracy'] });

describe('summary', () => {
  it('has one column per axis, then n, mean / std / ci95 per metric and the gain columns', () => {
    assert.deepEqual(summaryColumns([AXIS], ['test_loss', 'test_accuracy']), [
      'cell_id', AXIS, 'cell', 'role', 'n', 'test_loss_mean', 'test_loss_std', 'test_loss_ci95',
      'test_accuracy_mean', 'test_accuracy_std', 'test_accuracy_ci95', 'gain_n', 'gain_mean', 'gain_std', 'gain_ci95', 'gain_p', 'gain_metric',
    ]);
  });

  it('finds the axis columns (between cell and role) and the test_ / val_ metric columns of a results header', () => {
    assert.deepEqual(resultsShape(['run_id', 'cell_id', 'cell', 'a.b', 'c', 'role', 'seed', 'test_loss', 'val_loss', 'status']), { axes: ['a.b', 'c'], metrics: ['test_loss', 'val_loss'] });
    assert.deepEqual(resultsShape(['run_id', 'cell_id', 'cell', 'role', 'test_loss']), { axes: [], metrics: ['test_loss'] });
  });

  // Gains 0.01, 0.02, 0.04: t = 0.023333 / (0.015275 / sqrt 3) = 2.6458 with 2 df, p = 1 - 2.6458 / sqrt(2 + 2.6458²) = 0.1181.
  it('averages over seeds with the 95% interval and pairs the gain per seed (t-test p)', () => {
    const records = [1, 2, 3].flatMap((seed, i) => [
      record('teacher', seed, { test_accuracy: 0.95 + i / 100 }),
      record('student', seed, { test_accuracy: 0.9 + i / 100, distillation_gain: [0.01, 0.02, 0.04][i] }),
      record('person', seed, { test_accuracy: 0.89 + i / 100 }),
    ]);
    const [teacher, student, person] = summarize(records);
    assert.deepEqual(teacher, { cell_id: 'c1', [AXIS]: 2, cell: 'distillation.temperature=2', role: 'teacher', n: 3, test_accuracy_mean: 0.96, test_accuracy_std: 0.01, test_accuracy_ci95: 0.0248414 });
    assert.deepEqual(student, {
      cell_id: 'c1', [AXIS]: 2, cell: 'distillation.temperature=2', role: 'student', n: 3, test_accuracy_mean: 0.91, test_accuracy_std: 0.01, test_accuracy_ci95: 0.0248414,
      gain_n: 3, gain_mean: 0.0233333, gain_std: 0.0152753, gain_ci95: 0.0379458, gain_p: 0.1181, gain_metric: 'accuracy',
    });
    assert.equal(person.n, 3);
    assert.notProperty(person, 'gain_mean');
  });

  it('one seed: n = 1, the mean alone, no interval and no p', () => {
    const [, student] = summarize([record('teacher', 7), record('student', 7), record('person', 7)]);
    assert.include(student, { n: 1, test_accuracy_mean: 0.9, test_accuracy_std: '', test_accuracy_ci95: '', gain_n: 1, gain_mean: 0.01, gain_std: '', gain_ci95: '', gain_p: '' });
  });

  it('counts only ok rows, and pairs only the seeds where student and person are both ok', () => {
    const records = [
      record('student', 1, { distillation_gain: 0.01 }), record('person', 1),
      record('student', 2, { distillation_gain: '' }), record('person', 2, { status: 'failed', test_accuracy: '' }),
      record('student', 3, { status: 'failed', test_accuracy: '', distillation_gain: '' }), record('person', 3),
      record('student', 4, { distillation_gain: 0.03 }), record('person', 4),
    ];
    const [student, person] = summarize(records);
    assert.include(student, { role: 'student', n: 3, gain_n: 2, gain_mean: 0.02, gain_metric: 'accuracy' });
    assert.include(person, { role: 'person', n: 3 });
  });

  it('a cell with no ok row gets n = 0 and empty statistics', () => {
    const [teacher] = summarize([record('teacher', 1, { status: 'failed', test_accuracy: '' })]);
    assert.deepEqual(teacher, { cell_id: 'c1', [AXIS]: 2, cell: 'distillation.temperature=2', role: 'teacher', n: 0, test_accuracy_mean: '', test_accuracy_std: '', test_accuracy_ci95: '' });
  });

  it('keeps axis values as the table wrote them: numbers as numbers, JSON lists as text (quoted in the CSV)', () => {
    const rows = summarizeResults({ records: [record('teacher', 1, { 'models.student.layers': '[16,8]' })], axes: [AXIS, 'models.student.layers'], metrics: [] });
    assert.deepEqual(rows[0], { cell_id: 'c1', [AXIS]: 2, 'models.student.layers': '[16,8]', cell: 'distillation.temperature=2', role: 'teacher', n: 1 });
    assert.equal(summaryCsv(['cell_id', AXIS, 'models.student.layers', 'role', 'n'], rows), 'cell_id,distillation.temperature,models.student.layers,role,n\nc1,2,"[16,8]",teacher,1\n');
  });

  it('writeRunSummary writes summary.csv next to results.csv, and warns (without throwing) when it cannot read it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-summary-'));
    const header = ['run_id', 'experiment', 'cell_id', 'cell', 'role', 'seed', 'test_accuracy', 'distillation_gain', 'gain_metric', 'status'];
    const rows = [record('student', 1), record('person', 1)].map((r) => header.map((c) => r[c]).join(','));
    writeFileSync(path.join(dir, 'results.csv'), [header.join(','), ...rows, ''].join('\n'));
    const warnings: string[] = [];
    const written = writeRunSummary(dir, (w) => warnings.push(`${w.code}: ${w.message}`));
    assert.lengthOf(written, 2);
    assert.deepEqual(warnings, []);
    assert.equal(readFileSync(path.join(dir, 'summary.csv'), 'utf8'), [
      'cell_id,cell,role,n,test_accuracy_mean,test_accuracy_std,test_accuracy_ci95,gain_n,gain_mean,gain_std,gain_ci95,gain_p,gain_metric',
      'c1,distillation.temperature=2,student,1,0.9,,,1,0.01,,,,accuracy',
      'c1,distillation.temperature=2,person,1,0.89,,,,,,,,',
      '',
    ].join('\n'));
    writeFileSync(path.join(dir, 'results.csv'), `${header.join(',')}\nr1,mnist,c1`);
    assert.deepEqual(writeRunSummary(dir, (w) => warnings.push(`${w.code}: ${w.message}`)), []);
    assert.lengthOf(warnings, 1);
    const results = path.join(dir, 'results.csv');
    assert.equal(warnings[0], `SUMMARY_NOT_WRITTEN: could not write ${path.join(dir, 'summary.csv')}: results.csv cannot be summarized \
(${results}:2: row has 3 fields, the header has 10 (the file may be cut short; re-run or resume the run)); \
once it is fixed, distil-run summarize ${results} makes the summary from it`);
  });

  it('writeRunSummary says results.csv is complete when only summary.csv cannot be written', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-summary-'));
    const results = path.join(dir, 'results.csv');
    writeFileSync(results, 'run_id,experiment,cell_id,cell,role,seed,test_accuracy,distillation_gain,gain_metric,status\n');
    mkdirSync(path.join(dir, 'summary.csv'));
    const warnings: string[] = [];
    assert.deepEqual(writeRunSummary(dir, (w) => warnings.push(`${w.code}: ${w.message}`)), []);
    assert.deepEqual(warnings, [
      `SUMMARY_NOT_WRITTEN: could not write ${path.join(dir, 'summary.csv')} (EISDIR); results.csv is complete: distil-run summarize ${results} makes the summary from it`,
    ]);
  });
});

describe('summarizing a results table', () => {
  it('refuses an ok row whose metric is NaN or infinite, at its line (a run fails such a role instead)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-summary-'));
    const file = path.join(dir, 'results.csv');
    for (const bad of ['NaN', 'Infinity']) {
      writeFileSync(file, results(result('teacher'), result('student', { test_accuracy: bad }), result('person')));
      assert.throws(
        () => summarizeTable(readTable(file)),
        `${file}:3: the student row has status ok but test_accuracy "${bad}", not a number (a run writes such a metric only on a failed row, so the file is damaged or was edited: re-run the run, or correct the line)`,
      );
    }
    writeFileSync(file, results(result('teacher'), result('student', { test_accuracy: 'NaN', status: 'failed' }), result('person')));
    assert.lengthOf(summarizeTable(readTable(file)).rows, 3);
  });
});
