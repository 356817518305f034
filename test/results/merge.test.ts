// mergeResults: each kind by its own key, duplicates and conflicts, mixed tables, and writing --out.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { parseCsvRows } from '../../src/shared/csv.js';
import { mergeResults } from '../../src/results/merge.js';
import { writeOutputFile } from '../../src/results/output-file.js';
import { BASELINE, HISTORY_HEADER, RESULTS_HEADER, history, result, results, roles, table } from './table-fixtures.js';
import { assertThrowsMessage } from '../helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-merge-'));
let count = 0;
/** Writes each text to a fresh file and returns their paths. */
const files = (...texts: string[]): string[] =>
  texts.map((text) => {
    const name = path.join(dir, `${count++}.csv`);
    writeFileSync(name, text);
    return name;
  });

describe('mergeResults', () => {
  it('unions the columns, putting a metric column one shard adds after the other metrics', () => {
    const header = [...RESULTS_HEADER.slice(0, 14), 'test_top2', ...RESULTS_HEADER.slice(14)];
    const merged = mergeResults(files(BASELINE, table(header, roles({ cell_id: 'c2', test_top2: 0.99 }))));
    const [columns, ...rows] = parseCsvRows(merged.csv);
    assert.deepEqual(columns, header);
    assert.equal(merged.rows, 6);
    assert.deepEqual(rows.map((r) => r[columns.indexOf('test_top2')]), ['', '', '', '0.99', '0.99', '0.99']);
  });

  it('refuses two different rows for one key within one file (the writer never writes them), naming both lines', () => {
    const [file] = files(results(result('teacher'), result('student', { status: 'interrupted', test_loss: '', test_accuracy: '' }), ...roles()));
    assertThrowsMessage(() => mergeResults([file]), `${file}:5: two different rows for run "r1", cell c1, seed 42, role student on lines 3 and 5 (test_loss: (empty) vs 0.4; test_accuracy: (empty) vs 0.9; status: interrupted vs ok) (a run writes one row per key, so the file is damaged or was edited: re-run the run, or delete the wrong line)`);
  });

  it('keeps an identical line repeated within one file once, counted with the duplicates', () => {
    const merged = mergeResults(files(results(result('teacher'), ...roles())));
    assert.deepEqual([merged.rows, merged.duplicates], [3, 1]);
  });

  it('keeps rows that differ only by seed, and collapses identical rows from two copies of a shard', () => {
    const [one, copy] = files(BASELINE, BASELINE);
    const merged = mergeResults([one, copy, ...files(results(...roles({ seed: 43 })))]);
    assert.deepEqual([merged.rows, merged.duplicates], [6, 3]);
  });

  it('merges history tables by epoch', () => {
    const merged = mergeResults(files(table(HISTORY_HEADER, history({}, 10)), table(HISTORY_HEADER, history({ role: 'student' }, 10))));
    assert.deepEqual([merged.kind, merged.rows], ['history', 20]);
  });

  it('gives a header-only table for header-only shards', () => {
    assert.equal(mergeResults(files(results(), results())).csv, `${RESULTS_HEADER.join(',')}\n`);
  });

  it('refuses two different history rows for one epoch, naming both places and the differences', () => {
    const [a, b] = files(table(HISTORY_HEADER, history({}, 2)), table(HISTORY_HEADER, history({ train_loss: 9, seconds: 2 }, 1)));
    assertThrowsMessage(() => mergeResults([a, b]), `${a}:2 and ${b}:2: two different rows for run "r1", cell c1, role teacher, epoch 1 (train_loss: 1 vs 9; seconds: 0.5 vs 2) (merge each shard once; if one file is a newer re-run, keep only that one)`);
  });

  it('refuses a CSV that is not a results table', () => {
    const [a, b] = files(BASELINE, 'run_id,cell_id,role\nr1,c1,teacher\n');
    assertThrowsMessage(() => mergeResults([a, b]), `${b}:1: not a distil-run results table: missing columns experiment, cell, status (expected the header of a run's results.csv or history.csv)`);
  });

  it('refuses a history table first and a results table after, naming each by its kind', () => {
    const [h, r] = files(table(HISTORY_HEADER, history({}, 1)), BASELINE);
    assertThrowsMessage(() => mergeResults([h, r]), `cannot merge a results table (${r}) with a history table (${h}) (merge results.csv files and history.csv files separately)`);
  });
});

describe('writeOutputFile', () => {
  it('creates the missing directories of the output', () => {
    const out = path.join(dir, 'new', 'dir', 'merged.csv');
    writeOutputFile(out, 'a\n');
    assert.equal(readFileSync(out, 'utf8'), 'a\n');
  });

  it('refuses a directory and a path under a file', () => {
    const outDir = path.join(dir, 'out');
    mkdirSync(outDir);
    assertThrowsMessage(() => writeOutputFile(outDir, 'a\n'), `--out: ${outDir} is a directory, expected a file path (e.g. ${path.join(outDir, 'results.csv')})`);
    const [file] = files('x\n');
    assertThrowsMessage(() => writeOutputFile(path.join(file, 'merged.csv'), 'a\n'), `--out: cannot write ${path.join(file, 'merged.csv')} (a parent of it is a file, not a directory)`);
  });
});
