// compare on two summary.csv tables: means per cell and role with both intervals; a change within the noise is not a regression.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { compareResults } from '../../src/results/compare.js';
import { BASELINE } from './table-fixtures.js';
import { assertThrowsMessage } from '../helpers.js';

const HEADER = 'cell_id,cell,role,n,test_loss_mean,test_loss_std,test_loss_ci95,test_accuracy_mean,test_accuracy_std,test_accuracy_ci95,gain_n,gain_mean,gain_std,gain_ci95,gain_p,gain_metric\n';
const higherIsBetter = (metric: string) => (metric === 'loss' ? false : true);

function compare(a: string, b: string, maxRegression?: number, metricThresholds?: Record<string, number>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-csum-'));
  writeFileSync(path.join(dir, 'a.csv'), a);
  writeFileSync(path.join(dir, 'b.csv'), b);
  return compareResults(path.join(dir, 'a.csv'), path.join(dir, 'b.csv'), { higherIsBetter, maxRegression, metricThresholds });
}

describe('compare summaries', () => {
  const a = `${HEADER}c1,T=2,teacher,3,0.3,0.01,0.02,0.95,0.002,0.005,,,,,,\nc1,T=2,student,3,0.4,0.01,0.02,0.90,0.002,0.005,3,0.01,0.002,0.005,0.02,accuracy\n`;

  it('marks a change within sqrt(ci_a² + ci_b²) as noise, and only a change beyond it as a regression', () => {
    // teacher accuracy -0.006 (noise: sqrt(0.005² + 0.005²) = 0.00707); student accuracy -0.02 (beyond).
    const b = `${HEADER}c1,T=2,teacher,3,0.3,0.01,0.02,0.944,0.002,0.005,,,,,,\nc1,T=2,student,3,0.4,0.01,0.02,0.88,0.002,0.005,3,0.012,0.002,0.005,0.01,accuracy\n`;
    const comparison = compare(a, b, 0.005);
    assert.match(comparison.text, /^T=2\s+teacher\s+accuracy\s+0\.9500 ± 0\.0050 \(n=3\)\s+0\.9440 ± 0\.0050 \(n=3\)\s+-0\.0060\s+± 0\.0071\s+noise$/m);
    assert.match(comparison.text, /^T=2\s+student\s+accuracy\s+0\.9000 ± 0\.0050 \(n=3\)\s+0\.8800 ± 0\.0050 \(n=3\)\s+-0\.0200\s+± 0\.0071\s+REGRESSED$/m);
    assert.match(comparison.text, /^T=2\s+student\s+gain\s+0\.0100 ± 0\.0050 \(n=3\)\s+0\.0120 ± 0\.0050 \(n=3\)\s+\+0\.0020\s+± 0\.0071\s+noise$/m);
    assert.deepEqual(comparison.regressions.map((d) => `${d.role}/${d.metric}`), ['student/accuracy']);
    assert.isTrue(comparison.failed);
    assert.equal(comparison.verdict, "1 regression(s): 1 mean(s) worse by more than 0.005 and beyond the seeds' noise (1 worse by more than 0.005 but within the noise, not counted)");
    assert.include(comparison.notes, 'noise = |b - a| <= sqrt(ci95_a^2 + ci95_b^2), the 95% interval of the difference; a change within it is marked noise and never fails the gate');
  });

  it('without intervals (one seed) every change beyond the threshold counts; a role with no ok seed in b is lost', () => {
    const one = (accuracy: number, n = 1) => `${HEADER}c1,T=2,teacher,${n},0.3,,,${accuracy},,,,,,,,\n`;
    assert.deepEqual(compare(one(0.95), one(0.94), 0.005).regressions.map((d) => d.metric), ['accuracy']);
    const lost = compare(one(0.95), `${HEADER}c1,T=2,teacher,0,,,,,,,,,,,,\n`, 0.005);
    assert.deepEqual(lost.lost, [{ cell: 'T=2', role: 'teacher', reason: 'no ok seed in b, n=1 in a' }]);
    assert.isTrue(lost.failed);
  });

  it('noise never fails the gate, even with a threshold of 0', () => {
    const b = `${HEADER}c1,T=2,teacher,3,0.31,0.01,0.02,0.946,0.002,0.005,,,,,,\nc1,T=2,student,3,0.41,0.01,0.02,0.896,0.002,0.005,3,0.006,0.002,0.005,0.1,accuracy\n`;
    const comparison = compare(a, b, 0);
    assert.deepEqual([...new Set(comparison.deltas.map((d) => d.check))], ['noise']);
    assert.isFalse(comparison.failed);
    assert.equal(comparison.verdict, 'no regression (5 worse by more than 0 but within the noise, not counted)');
  });

  it('a change beyond the noise is a regression only beyond its metric threshold (gain named)', () => {
    // gain -0.009 is beyond the noise (0.0071); accuracy -0.02 too.
    const b = `${HEADER}c1,T=2,teacher,3,0.3,0.01,0.02,0.95,0.002,0.005,,,,,,\nc1,T=2,student,3,0.4,0.01,0.02,0.88,0.002,0.005,3,0.001,0.002,0.005,0.5,accuracy\n`;
    const gainOnly = compare(a, b, undefined, { gain: 0.005 });
    assert.deepEqual(gainOnly.regressions.map((d) => d.metric), ['gain']);
    assert.deepEqual(gainOnly.deltas.filter((d) => d.role === 'student').map((d) => `${d.metric}:${d.check}`), ['loss:noise', 'accuracy:unchecked', 'gain:regressed']);
    assert.equal(gainOnly.verdict, "1 regression(s): 1 mean(s) worse by more than their metric's threshold (gain 0.005) and beyond the seeds' noise");
    const loose = compare(a, b, 0.001, { test_accuracy: 0.05, gain: 0.01 });
    assert.isFalse(loose.failed);
    assertThrowsMessage(() => compare(a, b, undefined, { top1: 0.01 }), /^--max-regression: no metric "test_top1" in .*a\.csv or .*b\.csv \(they have test_loss, test_accuracy, gain\)$/);
  });

  it('a cell and role with fewer ok seeds in b is lost, its means still compared', () => {
    const b = a.replace('c1,T=2,student,3,', 'c1,T=2,student,2,');
    const comparison = compare(a, b, 0.01);
    assert.deepEqual(comparison.lost, [{ cell: 'T=2', role: 'student', reason: '1 ok seed(s) fewer in b, n=2 in b, n=3 in a' }]);
    assert.equal(comparison.rowsCompared, 2);
    assert.isTrue(comparison.failed);
    assert.equal(comparison.verdict, '1 regression(s): 1 result(s) missing, with fewer ok seeds or empty in b');
    assert.equal(compare(a, b).verdict, 'warning: RESULTS_LOST: 1 result(s) with ok seeds in a are missing, with fewer ok seeds or empty in b (pass --max-regression to fail on this)');
  });

  it('refuses a threshold on a metric whose direction is unknown', () => {
    const header = HEADER.replace('gain_n', 'test_top2_mean,test_top2_std,test_top2_ci95,gain_n');
    const top2 = (v: number) => `${header}c1,T=2,teacher,3,0.3,0.01,0.02,0.95,0.002,0.005,${v},0.01,0.02,,,,,,\n`;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-csum-'));
    writeFileSync(path.join(dir, 'a.csv'), top2(0.9));
    writeFileSync(path.join(dir, 'b.csv'), top2(0.8));
    const unknown = (metric: string) => (metric === 'loss' ? false : metric === 'accuracy' ? true : undefined);
    assertThrowsMessage(() => compareResults(path.join(dir, 'a.csv'), path.join(dir, 'b.csv'), { higherIsBetter: unknown, maxRegression: 0.01 }),
      `${path.join(dir, 'b.csv')}: test_top2 is not a registered metric, so whether higher or lower is better is unknown and --max-regression cannot be checked (pass --plugin MODULE for the plugin that defines it)`);
    const report = compareResults(path.join(dir, 'a.csv'), path.join(dir, 'b.csv'), { higherIsBetter: unknown });
    assert.include(report.notes, 'metric "top2" is not a registered metric: higher is taken as better');
  });

  it('refuses comparing a summary with a results table', () => {
    assertThrowsMessage(() => compare(a, BASELINE), /^cannot compare a summary table \(.*a\.csv\) with a results table \(.*b\.csv\) \(compare summary\.csv with summary\.csv, or results\.csv with results\.csv\)$/);
  });

  it('matches rows by their exact grid values (the axis columns before cell), not their readable labels', () => {
    const header = HEADER.replace('cell_id,cell,', 'cell_id,distillation,cell,');
    const kd = '"{""name"":""kd"",""temperature"":2}"';
    const old = `${header}c1,${kd},"distillation={""name"":""kd"",""temperature"":2}",teacher,3,0.3,0.01,0.02,0.95,0.002,0.005,,,,,,\n`;
    const now = `${header}c1,${kd},distillation=kd,teacher,3,0.3,0.01,0.02,0.95,0.002,0.005,,,,,,\n`;
    const comparison = compare(old, now, 0.005);
    assert.equal(comparison.rowsCompared, 1);
    assert.deepEqual(comparison.lost, []);
    assert.isFalse(comparison.failed);
  });
});
