// compare's formats: the text table unchanged, markdown for a pull-request comment, JSON and CSV; each with the same facts.
import { assert } from 'chai';
import { compareTexts } from './table-fixtures.js';
import { formatComparison, parseCompareFormat } from '../../src/results/compare-format.js';
import { parseCsvRows } from '../../src/shared/csv.js';
import { assertThrowsMessage } from '../helpers.js';

const HEADER = 'run_id,experiment,cell_id,cell,role,test_loss,test_accuracy,status,error\n';
/** Teacher better, student worse by 0.05 loss and 0.02 accuracy, person failed in b. */
const A = `${HEADER}a,m,x,,teacher,0.30,0.950,ok,\na,m,x,,student,0.40,0.900,ok,\na,m,x,,person,0.42,0.890,ok,\n`;
const B = `${HEADER}b,m,x,,teacher,0.29,0.951,ok,\nb,m,x,,student,0.45,0.880,ok,\nb,m,x,,person,,,failed,loss is NaN\n`;
const SUMMARY = 'cell_id,cell,role,n,test_loss_mean,test_loss_std,test_loss_ci95,test_accuracy_mean,test_accuracy_std,test_accuracy_ci95,gain_n,gain_mean,gain_std,gain_ci95,gain_p,gain_metric\n';

const compare = compareTexts;

describe('compare formats', () => {
  const gated = compare(A, B, { maxRegression: 0.01 });

  it('table: the text table as before, with its check column under a threshold', () => {
    assert.equal(formatComparison(gated, 'table'), [
      'cell  role     metric       a      b  change  check',
      '----  -------  --------  ----  -----  ------  ---------',
      '-     teacher  loss       0.3   0.29  +0.01   ok',
      '-     teacher  accuracy  0.95  0.951  +0.001  ok',
      '-     student  loss       0.4   0.45  -0.05   REGRESSED',
      '-     student  accuracy   0.9   0.88  -0.02   REGRESSED',
      '',
    ].join('\n'));
  });

  it('markdown: the verdict as heading, regressions and lost results first, the rest collapsed', () => {
    assert.equal(formatComparison(gated, 'markdown'), [
      '### distil-run compare: FAIL, 3 regression(s)',
      '',
      '3 regression(s): 2 metric value(s) worse by more than 0.01; 1 row(s) failed, skipped, interrupted or missing in b',
      '',
      'Baseline `a.csv`, new `b.csv`: compared 3 row(s) and 4 metric value(s) (loss, accuracy); change = b - a, positive = better. Thresholds: 0.01 for every metric.',
      '',
      '**Regressed values (2)**',
      '',
      '| cell | role | metric | a | b | change | threshold | check |',
      '| --- | --- | --- | ---: | ---: | ---: | ---: | --- |',
      '| - | student | loss | 0.4 | 0.45 | -0.05 | 0.01 | **REGRESSED** |',
      '| - | student | accuracy | 0.9 | 0.88 | -0.02 | 0.01 | **REGRESSED** |',
      '',
      '**Lost in b (1)**: failed, skipped, interrupted, missing or empty; each is a regression',
      '',
      '- role person: failed in b, ok in a (loss is NaN)',
      '',
      '<details><summary>Other values (2)</summary>',
      '',
      '| cell | role | metric | a | b | change | threshold | check |',
      '| --- | --- | --- | ---: | ---: | ---: | ---: | --- |',
      '| - | teacher | loss | 0.3 | 0.29 | +0.01 | 0.01 | ok |',
      '| - | teacher | accuracy | 0.95 | 0.951 | +0.001 | 0.01 | ok |',
      '',
      '</details>',
      '',
    ].join('\n'));
  });

  it('json: one object with stable keys, the counts, every value, the lost results and the notes', () => {
    const text = formatComparison(gated, 'json');
    const document = JSON.parse(text) as Record<string, unknown>;
    assert.equal(text, `${JSON.stringify(document, null, 2)}\n`);
    assert.deepEqual(Object.keys(document), ['status', 'verdict', 'failed', 'kind', 'a', 'b', 'change', 'thresholds', 'noise_rule', 'metrics', 'counts', 'rows', 'lost', 'only_in_a', 'only_in_b', 'notes']);
    const row = (role: string, metric: string, a: number, b: number, change: number, check: string) => ({
      cell: '', seed: null, role, metric, a, b, change, a_ci95: null, b_ci95: null, a_n: null, b_n: null, noise_half_width: null, p: null, shared_by: 1, threshold: 0.01, check,
    });
    assert.deepEqual(document, {
      status: 'fail',
      verdict: '3 regression(s): 2 metric value(s) worse by more than 0.01; 1 row(s) failed, skipped, interrupted or missing in b',
      failed: true,
      kind: 'results',
      a: 'a.csv',
      b: 'b.csv',
      change: 'b - a, positive = better',
      thresholds: { default: 0.01, metrics: {} },
      noise_rule: null,
      metrics: ['loss', 'accuracy'],
      counts: { rows_compared: 3, values_compared: 4, regressions: 3, regressed_values: 2, lost: 1, noise: 0, only_in_a: 0, only_in_b: 0 },
      rows: [
        row('teacher', 'loss', 0.3, 0.29, 0.01, 'ok'), row('teacher', 'accuracy', 0.95, 0.951, 0.001, 'ok'),
        row('student', 'loss', 0.4, 0.45, -0.05, 'regressed'), row('student', 'accuracy', 0.9, 0.88, -0.02, 'regressed'),
      ],
      lost: [{ cell: '', seed: null, role: 'person', metric: null, reason: 'failed in b, ok in a (loss is NaN)' }],
      only_in_a: [],
      only_in_b: [],
      notes: [],
    });
  });

  it('csv: one row per compared value, then one per lost result, always the same columns', () => {
    const text = formatComparison(gated, 'csv');
    assert.equal(text, [
      'cell,seed,role,metric,a,b,change,a_ci95,b_ci95,a_n,b_n,noise_half_width,p,shared_by,threshold,check,reason',
      ',,teacher,loss,0.3,0.29,0.01,,,,,,,1,0.01,ok,',
      ',,teacher,accuracy,0.95,0.951,0.001,,,,,,,1,0.01,ok,',
      ',,student,loss,0.4,0.45,-0.05,,,,,,,1,0.01,regressed,',
      ',,student,accuracy,0.9,0.88,-0.02,,,,,,,1,0.01,regressed,',
      ',,person,,,,,,,,,,,,,lost,"failed in b, ok in a (loss is NaN)"',
      '',
    ].join('\n'));
    assert.lengthOf(parseCsvRows(text), 6);
  });

  it('markdown without a threshold: a warning for the lost row, and nothing called a regression', () => {
    const text = formatComparison(compare(A, B), 'markdown');
    assert.equal(text, [
      '### distil-run compare: WARNING, 1 result(s) lost in b',
      '',
      '1 row(s) ok in a are failed, skipped, interrupted or missing in b (pass --max-regression to fail on this)',
      '',
      'Baseline `a.csv`, new `b.csv`: compared 3 row(s) and 4 metric value(s) (loss, accuracy); change = b - a, positive = better. Thresholds: none (report only).',
      '',
      '**Lost in b (1)**: failed, skipped, interrupted, missing or empty; not gated: pass --max-regression to fail on this',
      '',
      '- role person: failed in b, ok in a (loss is NaN)',
      '',
      '<details><summary>Values (4)</summary>',
      '',
      '| cell | role | metric | a | b | change |',
      '| --- | --- | --- | ---: | ---: | ---: |',
      '| - | teacher | loss | 0.3 | 0.29 | +0.01 |',
      '| - | teacher | accuracy | 0.95 | 0.951 | +0.001 |',
      '| - | student | loss | 0.4 | 0.45 | -0.05 |',
      '| - | student | accuracy | 0.9 | 0.88 | -0.02 |',
      '',
      '</details>',
      '',
    ].join('\n'));
    assert.equal(JSON.parse(formatComparison(compare(A, B), 'json')).status, 'warning');
  });

  it('markdown of summaries: mean ± ci95 (n), the noise half-width, the rule, and a pass when only noise got worse', () => {
    const a = `${SUMMARY}c1,T=2,student,3,0.4,0.01,0.02,0.9,0.002,0.005,3,0.01,0.002,0.005,0.02,accuracy\n`;
    const b = `${SUMMARY}c1,T=2,student,3,0.4,0.01,0.02,0.894,0.002,0.005,3,0.004,0.002,0.005,0.2,accuracy\n`;
    const comparison = compare(a, b, { maxRegression: 0.001 });
    assert.isFalse(comparison.failed);
    assert.equal(formatComparison(comparison, 'markdown'), [
      '### distil-run compare: PASS, no regression',
      '',
      'no regression (2 worse by more than 0.001 but within the noise, not counted)',
      '',
      'Baseline `a.csv`, new `b.csv`: compared the means of 1 cell/role row(s) and 3 value(s) (loss, accuracy, gain); change = b - a, positive = better. Thresholds: 0.001 for every metric.',
      '',
      'Noise: a change within sqrt(ci95_a^2 + ci95_b^2), the 95% interval of the difference of the two means, is marked noise and never fails the gate.',
      '',
      '<details><summary>Values (3, 3 within the noise)</summary>',
      '',
      '| cell | role | metric | a | b | change | noise | threshold | check |',
      '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
      '| T=2 | student | loss | 0.400 ± 0.020 (n=3) | 0.400 ± 0.020 (n=3) | +0.000 | ± 0.028 | 0.001 | noise |',
      '| T=2 | student | accuracy | 0.9000 ± 0.0050 (n=3) | 0.8940 ± 0.0050 (n=3) | -0.0060 | ± 0.0071 | 0.001 | noise |',
      '| T=2 | student | gain | 0.0100 ± 0.0050 (n=3) | 0.0040 ± 0.0050 (n=3) | -0.0060 | ± 0.0071 | 0.001 | noise |',
      '',
      '</details>',
      '',
      'Notes:',
      '',
      "- unpaired: summary tables hold means over the seeds, not each seed (compare the runs' results.csv, or their directories, to pair the seeds)",
      '',
    ].join('\n'));
    const json = JSON.parse(formatComparison(comparison, 'json'));
    assert.equal(json.status, 'pass');
    assert.equal(json.counts.noise, 3);
    assert.deepEqual(json.rows[1], {
      cell: 'T=2', seed: null, role: 'student', metric: 'accuracy', a: 0.9, b: 0.894, change: -0.006, a_ci95: 0.005, b_ci95: 0.005, a_n: 3, b_n: 3,
      noise_half_width: 0.00707106781187, p: null, shared_by: 1, threshold: 0.001, check: 'noise',
    });
    assert.equal(json.noise_rule, 'noise = |b - a| <= sqrt(ci95_a^2 + ci95_b^2), the 95% interval of the difference; a change within it is marked noise and never fails the gate');
    assert.equal(formatComparison(comparison, 'csv').split('\n')[2], 'T=2,,student,accuracy,0.9,0.894,-0.006,0.005,0.005,3,3,0.00707106781187,,1,0.001,noise,');
  });

  it('escapes a | in a cell label so the markdown table keeps its columns', () => {
    const text = formatComparison(compare(A.replace(/,x,,/g, ',x,a|b,'), B.replace(/,x,,/g, ',x,a|b,')), 'markdown');
    assert.include(text, '| a\\|b | teacher | loss | 0.3 | 0.29 | +0.01 |');
  });

  it('--format takes table, markdown, json or csv', () => {
    assert.equal(parseCompareFormat(undefined), 'table');
    assert.equal(parseCompareFormat('markdown'), 'markdown');
    assertThrowsMessage(() => parseCompareFormat('md'), '--format: expected one of table, markdown, json, csv, got "md"');
  });
});
