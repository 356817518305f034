// compare on run directories: results.csv (row by row for one seed, paired by seed for several), summary.csv without it, matched to a file on the other side; exit 2 without a table.
import { mkdirSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { compareResults } from '../../src/results/compare.js';
import type { CompareOptions } from '../../src/results/compare-types.js';
import { summarizeTable, summaryCsv } from '../../src/results/summary.js';
import { readTable } from '../../src/results/table-check.js';
import { distilRun } from '../cli-harness.js';
import { BASELINE, results, roles } from './table-fixtures.js';
import { assertThrowsMessage } from '../helpers.js';

const higherIsBetter = (metric: string) => (metric === 'loss' ? false : metric === 'accuracy' ? true : undefined);
const root = mkdtempSync(path.join(os.tmpdir(), 'distil-cinp-'));

/** A run directory `name` with `results` as its results.csv and, when `summary`, the summary.csv made from it. */
function run(name: string, resultsText: string | undefined, summary = false): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  if (resultsText !== undefined) writeFileSync(path.join(dir, 'results.csv'), resultsText);
  if (summary) {
    const { columns, rows } = summarizeTable(readTable(path.join(dir, 'results.csv')));
    writeFileSync(path.join(dir, 'summary.csv'), summaryCsv(columns, rows));
  }
  return dir;
}

/** Three seeds of one cell; `shift` moves every accuracy. */
const seeds = (shift = 0) => results(...[1, 2, 3].flatMap((seed) => roles({ seed, test_accuracy: 0.9 + seed / 1000 + shift })));
const compare = (a: string, b: string, options: Partial<CompareOptions> = {}) => compareResults(a, b, { higherIsBetter, ...options });

describe('compare on run directories', () => {
  it('one seed: compares the runs\' results.csv, row by row', () => {
    const [a, b] = [run('one-a', BASELINE, true), run('one-b', BASELINE, true)];
    const comparison = compare(a, b, { maxRegression: 0 });
    assert.equal(comparison.kind, 'results');
    assert.deepEqual(comparison.files, { a: path.join(a, 'results.csv'), b: path.join(b, 'results.csv') });
    assert.equal(comparison.notes[0], 'run directories: compared their results.csv (one seed)');
    assert.isFalse(comparison.failed);
  });

  it('several seeds: compares the runs\' results.csv, paired by seed', () => {
    const [a, b] = [run('seeds-a', seeds(), true), run('seeds-b', seeds(-0.0005), true)];
    const comparison = compare(a, b, { maxRegression: 0 });
    assert.equal(comparison.kind, 'paired');
    assert.equal(comparison.notes[0], 'run directories: compared their results.csv (3 seeds)');
    // Every seed 0.0005 lower: the paired test sees it (no spread), the means' intervals would not.
    assert.deepEqual([...new Set(comparison.deltas.filter((d) => d.metric === 'accuracy').map((d) => d.check))], ['regressed']);
    assert.isTrue(comparison.failed);
    assert.isFalse(compare(a, run('seeds-c', seeds(), true), { maxRegression: 0 }).failed);
  });

  it('several seeds and a run without results.csv: compares the summaries, unpaired, and says so', () => {
    const only = run('ns-a', seeds(), true);
    unlinkSync(path.join(only, 'results.csv'));
    const comparison = compare(only, run('ns-b', seeds(-0.0005), true), { maxRegression: 0 });
    assert.equal(comparison.kind, 'summary');
    assert.deepEqual(comparison.notes.slice(0, 2), [
      `run directories: compared their summary.csv (${path.join(root, 'ns-a')} has no results.csv)`,
      "unpaired: summary tables hold means over the seeds, not each seed (compare the runs' results.csv, or their directories, to pair the seeds)",
    ]);
    assert.deepEqual([...new Set(comparison.deltas.filter((d) => d.metric === 'accuracy').map((d) => d.check))], ['noise']);
  });

  it('a run directory against a file reads the same kind of table as the file', () => {
    const dir = run('mixed', seeds(), true);
    const summary = compare(path.join(dir, 'summary.csv'), dir);
    assert.equal(summary.kind, 'summary');
    assert.equal(summary.notes[0], `run directory ${dir}: compared its summary.csv (${path.join(dir, 'summary.csv')} is a summary table)`);
    const rows = compare(dir, path.join(dir, 'results.csv'));
    assert.equal(rows.kind, 'paired');
    assert.deepEqual(rows.files, { a: path.join(dir, 'results.csv'), b: path.join(dir, 'results.csv') });
  });

  it('two runs of different experiments: refused (exit 2) as their results tables are, unless allowed', () => {
    const a = run('exp-mnist', seeds(), true);
    const b = run('exp-housing', results(...[1, 2, 3].flatMap((seed) => roles({ seed, experiment: 'housing' }))), true);
    const message = `cannot compare different experiments: ${path.join(a, 'results.csv')} is "mnist", ${path.join(b, 'results.csv')} is "housing" (pass --allow-different-experiments to compare them anyway)`;
    const command = distilRun(['compare', a, b]);
    assert.equal(command.stderr, `distil-run: ${message}\n`);
    assert.equal(command.code, 2);
    assert.equal(command.stdout, '');
    // The same pair as results.csv files, for the same words.
    assert.equal(distilRun(['compare', path.join(a, 'results.csv'), path.join(b, 'results.csv')]).stderr, `distil-run: ${message}\n`);
    const allowed = compare(a, b, { allowDifferentExperiments: true });
    assert.equal(allowed.kind, 'paired');
    assert.equal(allowed.rowsCompared, 3);
  });

  const refused: ReadonlyArray<readonly [string, () => [string, string], string]> = [
    ['a directory without results.csv or summary.csv', () => [run('empty', undefined), run('one-b2', BASELINE)],
      `${path.join(root, 'empty')}: holds no results.csv or summary.csv to compare (pass the directory of one run, results/<experiment>/<run-id>/, or a results.csv or summary.csv)`],
    ['a sharded run\'s directory, pointing at the shards', () => {
      const dir = run('sharded', undefined);
      mkdirSync(path.join(dir, 'shard-1-of-2'));
      return [dir, dir];
    }, `${path.join(root, 'sharded')}: holds no results.csv or summary.csv to compare (a sharded run keeps its tables in shard-1-of-2/...: merge the shards' results.csv and compare the merged table)`],
    ['a directory without the summary a summary file needs', () => {
      const dir = run('with-summary', seeds(), true);
      return [path.join(dir, 'summary.csv'), run('no-summary', seeds())];
    }, `${path.join(root, 'no-summary')}: holds no summary.csv to compare with ${path.join(root, 'with-summary', 'summary.csv')} (write one with distil-run summarize ${path.join(root, 'no-summary', 'results.csv')} --out ${path.join(root, 'no-summary', 'summary.csv')}, or compare results.csv with results.csv)`],
    ['a run with only a summary against one with only results', () => {
      const only = run('only-summary', seeds(), true);
      unlinkSync(path.join(only, 'results.csv'));
      return [only, run('only-results', BASELINE)];
    }, `${path.join(root, 'only-results')}: holds no summary.csv to compare with ${path.join(root, 'only-summary', 'summary.csv')} (write one with distil-run summarize ${path.join(root, 'only-results', 'results.csv')} --out ${path.join(root, 'only-results', 'summary.csv')}, or compare results.csv with results.csv)`],
  ];
  for (const [name, make, message] of refused) {
    it(`refuses ${name} (exit 2)`, () => {
      const [a, b] = make();
      assertThrowsMessage(() => compare(a, b), message, { exitCode: 2 });
    });
  }
});
