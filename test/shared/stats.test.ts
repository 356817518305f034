// Statistics for repeated seeds, checked against published values (t tables, R's t.test on Student's sleep data).
import { assert } from 'chai';
import {
  ci95,
  holmAdjust,
  incompleteBeta,
  mean,
  pairedTTest,
  sampleStd,
  studentTCdf,
  studentTQuantile,
} from '../../src/shared/stats.js';

// Student's sleep data (R's `sleep`): extra hours of sleep of 10 patients under two drugs.
const DRUG_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const DRUG_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('stats', () => {
  it('mean and sample standard deviation; nothing for too few values', () => {
    assert.equal(mean([1, 2, 3, 4]), 2.5);
    assert.closeTo(sampleStd([2, 4, 4, 4, 5, 5, 7, 9]) ?? NaN, 2.138089935299395, 1e-12);
    assert.isUndefined(mean([]));
    assert.isUndefined(sampleStd([3]));
    assert.isUndefined(sampleStd([]));
  });

  it('Student-t quantiles match the tables', () => {
    const table: Array<[number, number, number]> = [
      [0.975, 1, 12.706205],
      [0.975, 2, 4.302653],
      [0.975, 4, 2.776445],
      [0.975, 9, 2.262157],
      [0.975, 29, 2.04523],
      [0.95, 10, 1.812461],
      [0.995, 5, 4.032143],
      [0.975, 1000, 1.962339],
    ];
    for (const [p, df, t] of table) assert.closeTo(studentTQuantile(p, df), t, 1e-6, `t(${p}, ${df})`);
    assert.closeTo(studentTQuantile(0.025, 4), -2.776445, 1e-6);
    assert.equal(studentTQuantile(0.5, 3), 0);
  });

  it('the Student-t CDF matches closed forms (df 1 and 2) and inverts the quantile', () => {
    // df = 1 is the Cauchy distribution, df = 2 has F(t) = 1/2 + t / (2 sqrt(2 + t²)).
    for (const t of [-3, -0.5, 0, 1, 2, 10]) {
      assert.closeTo(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-12, `df 1, t ${t}`);
      assert.closeTo(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-12, `df 2, t ${t}`);
    }
    assert.closeTo(studentTCdf(2.262157, 9), 0.975, 1e-7);
    assert.closeTo(studentTCdf(-4.0621, 9), 0.0014165, 1e-6);
    for (const df of [1, 3, 7.5, 50]) assert.closeTo(studentTCdf(studentTQuantile(0.9, df), df), 0.9, 1e-12);
    assert.equal(studentTCdf(Infinity, 3), 1);
  });

  it('the regularized incomplete beta function at known points', () => {
    assert.closeTo(incompleteBeta(0.5, 2, 3), 0.6875, 1e-12);
    assert.closeTo(incompleteBeta(0.3, 1, 1), 0.3, 1e-12);
    assert.closeTo(incompleteBeta(0.9, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(0.9)), 1e-12);
    assert.equal(incompleteBeta(0, 2, 2), 0);
    assert.equal(incompleteBeta(1, 2, 2), 1);
  });

  it('the 95% interval of a mean: t(0.975, n-1) * std / sqrt(n); none for one value', () => {
    const differences = DRUG_1.map((v, i) => v - DRUG_2[i]);
    // R: t.test(extra ~ group, data = sleep, paired = TRUE): 95 percent CI -2.4598858 -0.7001142, mean -1.58.
    assert.closeTo(ci95(differences) ?? NaN, 0.8798858, 1e-7);
    assert.closeTo(ci95([1, 3]) ?? NaN, 12.706205, 1e-6);
    assert.isUndefined(ci95([0.5]));
    assert.isUndefined(ci95([]));
  });

  it("the paired t-test of the sleep data gives R's t = -4.0621, df = 9, p = 0.002833", () => {
    const test = pairedTTest(DRUG_1.map((v, i) => v - DRUG_2[i]));
    assert.closeTo(test?.t ?? NaN, -4.062128, 1e-6);
    assert.equal(test?.df, 9);
    assert.closeTo(test?.p ?? NaN, 0.00283289, 1e-8);
  });

  it('the paired t-test: none for fewer than 2 pairs; no spread means p 1 (all zero) or 0', () => {
    assert.isUndefined(pairedTTest([0.1]));
    assert.deepEqual(pairedTTest([0, 0, 0]), { t: 0, df: 2, p: 1 });
    assert.deepEqual(pairedTTest([0.2, 0.2]), { t: Infinity, df: 1, p: 0 });
    assert.closeTo(pairedTTest([1, -1, 0.5, -0.5])?.p ?? NaN, 1, 1e-12);
  });

  // Wikipedia's example of the Holm-Bonferroni method (p1..p4 = 0.01, 0.04, 0.03, 0.005), adjusted by hand as R's
  // p.adjust(c(0.01, 0.04, 0.03, 0.005), method = "holm") does: in ascending order 4 x 0.005 = 0.02, 3 x 0.01 = 0.03,
  // 2 x 0.03 = 0.06, 1 x 0.04 = 0.04 raised to the 0.06 before it; back in the order given: 0.03 0.06 0.06 0.02.
  it('Holm\'s step-down adjustment matches R\'s p.adjust(method = "holm")', () => {
    const close = (actual: number[], expected: number[]) => {
      assert.lengthOf(actual, expected.length);
      actual.forEach((p, i) => assert.closeTo(p, expected[i], 1e-12, `p[${i}] of ${actual.join(', ')}`));
    };
    close(holmAdjust([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02]);
    // p.adjust(c(0.2, 0.6, 0.01), "holm"): 3 x 0.01 = 0.03, 2 x 0.2 = 0.4, 1 x 0.6 = 0.6.
    close(holmAdjust([0.2, 0.6, 0.01]), [0.4, 0.6, 0.03]);
    // Capped at 1 and never below an adjusted p before it: 2 x 0.6 = 1.2 -> 1, then 0.7 -> 1.
    close(holmAdjust([0.7, 0.6]), [1, 1]);
    close(holmAdjust([0.5, 0.4]), [0.8, 0.8]);
    // Ties: 2 x 0.02 = 0.04 for both.
    close(holmAdjust([0.02, 0.02]), [0.04, 0.04]);
    // A family of one is not adjusted; none gives none.
    close(holmAdjust([0.03]), [0.03]);
    assert.deepEqual(holmAdjust([]), []);
  });
});
