// compare's thresholds: a default and per-metric ones (gain included), refused when they name a metric the tables cannot both give.
import { assert } from 'chai';
import { parseMaxRegression } from '../../src/results/compare-thresholds.js';
import type { CompareOptions } from '../../src/results/compare-types.js';
import { BASELINE, compareTexts, result, results, RESULTS_HEADER, roles, table } from './table-fixtures.js';
import { assertThrowsMessage } from '../helpers.js';


const compare = compareTexts;

/** The student 0.05 worse in loss, 0.02 in accuracy and 0.004 in gain; the teacher and the person unchanged. */
const WORSE = results(result('teacher'), result('student', { test_loss: 0.45, test_accuracy: 0.88, distillation_gain: 0.006 }), result('person'));
const checks = (comparison: ReturnType<typeof compare>) => comparison.deltas.filter((d) => d.role === 'student').map((d) => `${d.metric}:${d.check}`);

describe('compare thresholds', () => {
  describe('parseMaxRegression', () => {
    const valid: ReadonlyArray<readonly [readonly string[], object]> = [
      [[], { byMetric: {} }],
      [['0.01'], { maxRegression: 0.01, byMetric: {} }],
      [['test_accuracy=0.005', 'gain=0.002', '0.01'], { maxRegression: 0.01, byMetric: { accuracy: 0.005, gain: 0.002 } }],
      [['loss=0', 'distillation_gain=1e-3'], { byMetric: { loss: 0, gain: 0.001 } }],
    ];
    for (const [values, expected] of valid) it(`reads ${JSON.stringify(values)}`, () => assert.deepEqual(parseMaxRegression(values), expected));

    const invalid: ReadonlyArray<readonly [readonly string[], string]> = [
      [['abc'], '--max-regression: expected a number >= 0, got "abc"'],
      [['-0.1'], '--max-regression: expected a number >= 0, got "-0.1"'],
      [['test_accuracy='], '--max-regression: expected METRIC=X with X a number >= 0 (e.g. test_accuracy=0.005), got "test_accuracy="'],
      [['=0.1'], '--max-regression: expected METRIC=X with X a number >= 0 (e.g. test_accuracy=0.005), got "=0.1"'],
      [['gain=-1'], '--max-regression: expected METRIC=X with X a number >= 0 (e.g. test_accuracy=0.005), got "gain=-1"'],
      [['0.1', '0.2'], '--max-regression: given 2 plain thresholds ("0.1", "0.2"); give one for every metric, and name the others (e.g. --max-regression test_accuracy=0.005)'],
      [['test_accuracy=0.01', 'accuracy=0.02'], '--max-regression: test_accuracy given 2 times ("test_accuracy=0.01", "accuracy=0.02"); give it once'],
    ];
    for (const [values, message] of invalid) it(`refuses ${JSON.stringify(values)}`, () => assertThrowsMessage(() => parseMaxRegression(values), message));
  });

  it('a metric with its own threshold is checked against it, the others against the default', () => {
    const comparison = compare(BASELINE, WORSE, { maxRegression: 0.1, metricThresholds: { test_accuracy: 0.005 } });
    assert.deepEqual(checks(comparison), ['loss:ok', 'accuracy:regressed']);
    assert.isTrue(comparison.failed);
    assert.equal(comparison.verdict, "1 regression(s): 1 metric value(s) worse by more than their metric's threshold (accuracy 0.005, other metrics 0.1)");
    assert.deepEqual(comparison.deltas.map((d) => d.limit), [0.1, 0.005, 0.1, 0.005, 0.1, 0.005]);
  });

  it('passes when every change is within its metric threshold', () => {
    const comparison = compare(BASELINE, WORSE, { metricThresholds: { accuracy: 0.03, loss: 0.06 } });
    assert.deepEqual(checks(comparison), ['loss:ok', 'accuracy:ok']);
    assert.isFalse(comparison.failed);
    assert.isUndefined(comparison.verdict);
  });

  it('named thresholds only: other metrics are shown unchecked, and a lost row still fails the gate', () => {
    const comparison = compare(BASELINE, WORSE, { metricThresholds: { accuracy: 0.03 } });
    assert.deepEqual(checks(comparison), ['loss:unchecked', 'accuracy:ok']);
    assert.match(comparison.text, /^distillation\.temperature=2\s+student\s+loss\s+0\.4\s+0\.45\s+-0\.05\s+unchecked$/m);
    assert.isFalse(comparison.failed);
    const lost = compare(BASELINE, results(result('teacher'), result('student')), { metricThresholds: { accuracy: 0.03 } });
    assert.isTrue(lost.failed);
    assert.equal(lost.verdict, '1 regression(s): 1 row(s) failed, skipped, interrupted or missing in b');
  });

  it('gain: the distillation gain of results tables is compared when a threshold names it', () => {
    assert.deepEqual(compare(BASELINE, WORSE, { maxRegression: 0.1 }).metrics, ['loss', 'accuracy']);
    const failing = compare(BASELINE, WORSE, { maxRegression: 0.1, metricThresholds: { gain: 0.002 } });
    assert.deepEqual(failing.metrics, ['loss', 'accuracy', 'gain']);
    assert.deepEqual(failing.regressions.map((d) => `${d.role}/${d.metric}: ${d.a} -> ${d.b}`), ['student/gain: 0.01 -> 0.006']);
    assert.include(failing.notes, 'compared 3 row(s) and 7 metric value(s) (loss, accuracy, gain); change = b - a, positive = better');
    assert.isFalse(compare(BASELINE, WORSE, { metricThresholds: { gain: 0.005 } }).failed);
    const empty = compare(BASELINE, results(result('teacher'), result('student', { distillation_gain: '' }), result('person')), { metricThresholds: { gain: 0.005 } });
    assert.deepEqual(empty.lost.map((l) => `${l.role} ${l.metric}: ${l.reason}`), ['student gain: gain is empty in b, 0.01 in a']);
    assert.isTrue(empty.failed);
  });

  const refused: ReadonlyArray<readonly [string, string, string, Partial<CompareOptions>, string]> = [
    ['a metric in neither table', BASELINE, WORSE, { metricThresholds: { top5: 0.01 } },
      '--max-regression: no metric "test_top5" in a.csv or b.csv (they have test_loss, test_accuracy, gain)'],
    ['a misspelt metric, with a suggestion', BASELINE, WORSE, { metricThresholds: { test_acuracy: 0.01 } },
      '--max-regression: no metric "test_acuracy" in a.csv or b.csv (Did you mean "test_accuracy"? they have test_loss, test_accuracy, gain)'],
    ['a validation metric (compare checks test metrics and the gain)', BASELINE, WORSE, { metricThresholds: { val_accuracy: 0.01 } },
      '--max-regression: no metric "val_accuracy" in a.csv or b.csv (Did you mean "test_accuracy"? they have test_loss, test_accuracy, gain)'],
    ['a metric in one table only', table([...RESULTS_HEADER, 'test_top2'], roles({ test_top2: 0.99 })), BASELINE, { maxRegression: 0.1, metricThresholds: { test_top2: 0.01 } },
      '--max-regression: test_top2 is only in a.csv, not in b.csv, so it cannot be checked (compare runs that both record it, or drop its threshold)'],
    ['a threshold on a metric whose direction is unknown', table([...RESULTS_HEADER, 'test_top2'], roles({ test_top2: 0.99 })), table([...RESULTS_HEADER, 'test_top2'], roles({ test_top2: 0.9 })), { metricThresholds: { top2: 0.01 } },
      'b.csv: test_top2 is not a registered metric, so whether higher or lower is better is unknown and --max-regression cannot be checked (pass --plugin MODULE for the plugin that defines it)'],
  ];
  for (const [name, a, b, options, message] of refused) {
    it(`refuses ${name} (exit 2)`, () => {
      assertThrowsMessage(() => compare(a, b, options), message, { exitCode: 2 });
    });
  }

  it('a metric of unknown direction without a threshold of its own is compared (higher taken as better) when only others are gated', () => {
    const header = [...RESULTS_HEADER, 'test_top2'];
    const comparison = compare(table(header, roles({ test_top2: 0.99 })), table(header, roles({ test_top2: 0.5 })), { metricThresholds: { accuracy: 0.01 } });
    assert.isFalse(comparison.failed);
    assert.include(comparison.notes, 'metric "top2" is not a registered metric: higher is taken as better');
    assert.deepEqual([...new Set(comparison.deltas.filter((d) => d.metric === 'top2').map((d) => d.check))], ['unchecked']);
  });
});
