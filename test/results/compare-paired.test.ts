// compare of two runs with several seeds: paired by seed when they share seeds (the mean change, its interval and p), unpaired when not; a shared model once.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { compareResults } from '../../src/results/compare.js';
import type { SummaryDelta } from '../../src/results/compare-summary.js';
import { formatComparison } from '../../src/results/compare-format.js';
import { shownCell } from '../../src/results/compare-shared.js';
import { summarizeTable, summaryCsv } from '../../src/results/summary.js';
import { readTable } from '../../src/results/table-check.js';
import { round } from '../../src/results/rows.js';
import { CELL, compareTexts, higherIsBetter, results, roles } from './table-fixtures.js';
import type { Values } from './table-fixtures.js';

/** One cell's rows for each seed; the student's accuracy of each seed given (its gain over the person's 0.89), the others fixed. */
const seeded = (students: Record<number, number>, over: Values = {}): Values[] =>
  Object.entries(students).flatMap(([seed, accuracy]) =>
    roles({ seed: Number(seed), ...over }).map((row) =>
      row.role === 'student' ? { ...row, test_accuracy: accuracy, distillation_gain: round(accuracy - 0.89) } : row,
    ),
  );

/** a's student accuracy per seed, and b's: each seed's b beats a by 0.003, 0.006 and 0.004. */
const A = results(...seeded({ 1: 0.9, 2: 0.91, 3: 0.92 }));
const B = results(...seeded({ 1: 0.903, 2: 0.916, 3: 0.924 }));

/** The summary.csv a run of these results writes. */
function summaryText(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-paired-'));
  writeFileSync(path.join(dir, 'results.csv'), text);
  const { columns, rows } = summarizeTable(readTable(path.join(dir, 'results.csv')));
  return summaryCsv(columns, rows);
}

const find = (deltas: readonly unknown[], role: string, metric: string) =>
  (deltas as Array<SummaryDelta & { p?: number }>).find((d) => d.role === role && d.metric === metric)!;

describe('compare paired by seed', () => {
  it('pairs runs that share seeds: per metric the mean change over the seeds, its 95% interval (t) and the paired p', () => {
    const comparison = compareTexts(A, B);
    assert.equal(comparison.kind, 'paired');
    const student = find(comparison.deltas, 'student', 'accuracy');
    assert.deepEqual(
      [student.a, student.b, student.nA, student.nB, student.noise, student.check].map((v) => (typeof v === 'number' ? Number(v.toFixed(6)) : v)),
      [0.91, 0.914333, 3, 3, false, 'unchecked'],
    );
    // Differences 0.003, 0.006, 0.004: mean 0.004333, std 0.001528, t(0.975, 2) = 4.303.
    assert.closeTo(student.improvement, 0.0043333, 1e-6);
    assert.closeTo(student.combined!, 0.0037947, 1e-6);
    assert.closeTo(student.p!, 0.039, 0.001);
    assert.match(comparison.text, /^distillation\.temperature=2\s+student\s+accuracy\s+0\.91 \(n=3\)\s+0\.9143 \(n=3\)\s+\+0\.0043\s+± 0\.0038\s+0\.039\s*$/m);
    // The unchanged teacher: no change, within the noise.
    assert.equal(find(comparison.deltas, 'teacher', 'accuracy').check, 'noise');
    assert.equal(comparison.scope, 'compared 3 cell/role row(s) and 7 value(s) (loss, accuracy, gain) paired by seed over the 3 seed(s) both runs have (1, 2, 3); change = mean over the seeds of b - a, positive = better');
    assert.include(comparison.notes, 'noise = the 95% interval of the mean paired change, mean ± t(0.975, n-1) · std / √n over the seeds, contains 0 (paired t-test p >= 0.05); a change within it is marked noise and never fails the gate');
  });

  it('judges a change by the paired test: a drop every seed shows fails the gate where the unpaired means call it noise', () => {
    const worse = results(...seeded({ 1: 0.897, 2: 0.904, 3: 0.916 }));
    const paired = compareTexts(A, worse, { maxRegression: 0.001 });
    assert.deepEqual(paired.regressions.map((d) => `${d.role}/${d.metric}`), ['student/accuracy', 'student/gain']);
    assert.equal(paired.verdict, "2 regression(s): 2 mean change(s) worse by more than 0.001 and beyond their paired 95% interval");
    // The same runs' summaries: each mean is known to ± 0.025 over 3 seeds, so the unpaired rule calls it noise.
    const unpaired = compareTexts(summaryText(A), summaryText(worse), { maxRegression: 0.001 });
    assert.equal(find(unpaired.deltas, 'student', 'accuracy').check, 'noise');
    assert.isFalse(unpaired.failed);
    assert.include(unpaired.notes, 'unpaired: summary tables hold means over the seeds, not each seed (compare the runs\' results.csv, or their directories, to pair the seeds)');
  });

  it('compares the means unpaired when the runs share no seed, and says so', () => {
    const other = results(...seeded({ 4: 0.9, 5: 0.91, 6: 0.92 }));
    const comparison = compareTexts(A, other);
    assert.equal(comparison.kind, 'summary');
    assert.equal(comparison.notes[0], 'unpaired: a.csv has seed(s) 1, 2, 3, b.csv has 4, 5, 6, none in common: compared the means over the seeds with their 95% intervals');
    assert.equal(find(comparison.deltas, 'student', 'accuracy').check, 'noise');
  });

  it('pairs the seeds both have: a seed ok in a and missing in b is lost, a seed only in b is noted', () => {
    const b = results(...seeded({ 2: 0.916, 3: 0.924, 4: 0.93 }));
    const comparison = compareTexts(A, b);
    assert.equal(comparison.kind, 'paired');
    assert.deepEqual(comparison.lost.map((l) => `${l.seed}/${l.role}: ${l.reason}`), ['1/teacher: missing in b, ok in a', '1/student: missing in b, ok in a', '1/person: missing in b, ok in a']);
    assert.include(comparison.notes, `cell "${CELL}", seed 4, role teacher: only in b`);
    const student = find(comparison.deltas, 'student', 'accuracy');
    assert.deepEqual([student.nA, Number(student.improvement.toFixed(6))], [2, 0.005]);
  });

  it('shows a teacher or person that cells share once, in every format', () => {
    // A sweep of the temperature: the teacher and the person are one model in both cells, the students differ.
    const sweep = (shift: number) =>
      results(
        ...seeded({ 1: 0.9 + shift, 2: 0.91 + shift }),
        ...seeded({ 1: 0.89 + shift, 2: 0.9 + shift }, { cell: 'T=4', cell_id: 'c2' }),
      );
    const comparison = compareTexts(sweep(0), sweep(0.002));
    assert.deepEqual(
      comparison.deltas.filter((d) => d.metric === 'accuracy').map((d) => `${d.cell}/${d.role}:${d.cells?.length ?? 1}`),
      [`${CELL}/teacher:2`, `${CELL}/student:1`, `${CELL}/person:2`, 'T=4/student:1'],
    );
    const lines = comparison.text.split('\n').filter((l) => / accuracy /.test(l));
    assert.lengthOf(lines, 4);
    assert.match(lines[0], /^all 2 cells \(the same model\)\s+teacher\s+accuracy\s/);
    assert.match(lines[3], /^T=4\s+student\s+accuracy\s/);
    const json = JSON.parse(formatComparison(comparison, 'json')) as { rows: Array<Record<string, unknown>> };
    assert.deepEqual(json.rows.filter((r) => r.metric === 'accuracy').map((r) => `${r.cell}/${r.role}:${r.shared_by}`), [`${CELL}/teacher:2`, `${CELL}/student:1`, `${CELL}/person:2`, 'T=4/student:1']);
    // Two summaries, unpaired: the same, told by equal means and spreads.
    const summaries = compareTexts(summaryText(sweep(0)), summaryText(sweep(0.002)));
    assert.deepEqual(
      summaries.deltas.filter((d) => d.metric === 'accuracy').map((d) => `${d.cell}/${d.role}:${d.cells?.length ?? 1}`),
      [`${CELL}/teacher:2`, `${CELL}/student:1`, `${CELL}/person:2`, 'T=4/student:1'],
    );
    // One seed, row by row: the same.
    const single = (shift: number) => results(...roles({ test_accuracy: 0.9 + shift }), ...roles({ cell: 'T=4', cell_id: 'c2', test_accuracy: 0.9 + shift }).map((r) => (r.role === 'student' ? { ...r, test_accuracy: 0.8 } : r)));
    const one = compareTexts(single(0), single(0));
    assert.deepEqual(one.deltas.filter((d) => d.metric === 'loss').map((d) => shownCell(d)), ['all 2 cells (the same model)', CELL, 'all 2 cells (the same model)', 'T=4']);
  });

  it('run directories with several seeds: their results.csv, paired by seed', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'distil-paired-runs-'));
    const run = (name: string, text: string) => {
      const dir = path.join(root, name);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'results.csv'), text);
      const { columns, rows } = summarizeTable(readTable(path.join(dir, 'results.csv')));
      writeFileSync(path.join(dir, 'summary.csv'), summaryCsv(columns, rows));
      return dir;
    };
    const comparison = compareResults(run('a', A), run('b', B), { higherIsBetter });
    assert.equal(comparison.kind, 'paired');
    assert.equal(comparison.notes[0], 'run directories: compared their results.csv (3 seeds)');
  });
});
