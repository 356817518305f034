// distil-run compare from the command line: --format, repeatable --max-regression, run directories, and a gate that never passes what it could not check.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { assertRefused, distilRun } from '../cli-harness.js';

const HEADER = 'run_id,experiment,cell_id,cell,role,test_loss,test_accuracy,status,error\n';
const A = `${HEADER}a,m,x,,teacher,0.30,0.950,ok,\na,m,x,,student,0.40,0.900,ok,\na,m,x,,person,0.42,0.890,ok,\n`;
/** The student worse by 0.05 loss and 0.02 accuracy. */
const WORSE = `${HEADER}b,m,x,,teacher,0.29,0.951,ok,\nb,m,x,,student,0.45,0.880,ok,\nb,m,x,,person,0.42,0.890,ok,\n`;
/** The person failed. */
const FAILED = `${HEADER}b,m,x,,teacher,0.30,0.950,ok,\nb,m,x,,student,0.40,0.900,ok,\nb,m,x,,person,,,failed,loss is NaN\n`;
const FORMATS = ['table', 'markdown', 'json', 'csv'] as const;

describe('compare from the command line: formats, thresholds, run directories', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-ccli-'));
  const compare = (...args: string[]) => distilRun(['compare', ...args], { cwd: dir });
  before(() => {
    for (const [name, text] of Object.entries({ 'a.csv': A, 'worse.csv': WORSE, 'failed.csv': FAILED, 'other.csv': A.replace(/,x,,/g, ',y,T=8,') })) writeFileSync(path.join(dir, name), text);
    for (const [run, text] of [['runs/a', A], ['runs/b', WORSE]]) {
      mkdirSync(path.join(dir, run), { recursive: true });
      writeFileSync(path.join(dir, run, 'results.csv'), text);
    }
    mkdirSync(path.join(dir, 'runs/empty'), { recursive: true });
  });

  it('--format markdown prints the comment on stdout; the notes and verdict stay on stderr as with the table', () => {
    const markdown = compare('a.csv', 'worse.csv', '--max-regression', '0.01', '--format', 'markdown');
    const table = compare('a.csv', 'worse.csv', '--max-regression', '0.01');
    assert.equal(markdown.code, 1, markdown.stderr);
    assert.equal(markdown.stdout.split('\n').slice(0, 12).join('\n'), [
      '### distil-run compare: FAIL, 2 regression(s)',
      '',
      '2 regression(s): 2 metric value(s) worse by more than 0.01',
      '',
      'Baseline `a.csv`, new `worse.csv`: compared 3 row(s) and 6 metric value(s) (loss, accuracy); change = b - a, positive = better. Thresholds: 0.01 for every metric.',
      '',
      '**Regressed values (2)**',
      '',
      '| cell | role | metric | a | b | change | threshold | check |',
      '| --- | --- | --- | ---: | ---: | ---: | ---: | --- |',
      '| - | student | loss | 0.4 | 0.45 | -0.05 | 0.01 | **REGRESSED** |',
      '| - | student | accuracy | 0.9 | 0.88 | -0.02 | 0.01 | **REGRESSED** |',
    ].join('\n'));
    assert.equal(markdown.stderr, table.stderr);
    assert.equal(table.stderr, 'compared 3 row(s) and 6 metric value(s) (loss, accuracy); change = b - a, positive = better\ndistil-run: 2 regression(s): 2 metric value(s) worse by more than 0.01\n');
  });

  it('--max-regression is repeatable: a default and per-metric thresholds (pass and fail)', () => {
    const pass = compare('a.csv', 'worse.csv', '--max-regression', 'test_accuracy=0.03', '--max-regression', 'loss=0.06', '--format', 'json');
    assert.equal(pass.code, 0, pass.stderr);
    const json = JSON.parse(pass.stdout);
    assert.equal(json.status, 'pass');
    assert.deepEqual(json.thresholds, { default: null, metrics: { accuracy: 0.03, loss: 0.06 } });
    const fail = compare('a.csv', 'worse.csv', '--max-regression', '0.1', '--max-regression', 'test_accuracy=0.005');
    assert.equal(fail.code, 1, fail.stderr);
    assert.equal(fail.stderr, 'compared 3 row(s) and 6 metric value(s) (loss, accuracy); change = b - a, positive = better\n'
      + "distil-run: 1 regression(s): 1 metric value(s) worse by more than their metric's threshold (accuracy 0.005, other metrics 0.1)\n");
    assert.match(fail.stdout, /^-\s+student\s+loss\s+0\.4\s+0\.45\s+-0\.05\s+ok$/m);
  });

  const refused: ReadonlyArray<readonly [string, readonly string[], string]> = [
    ['a threshold on a metric in neither table', ['a.csv', 'worse.csv', '--max-regression', 'test_top5=0.01'],
      'distil-run: --max-regression: no metric "test_top5" in a.csv or worse.csv (they have test_loss, test_accuracy)\n'],
    ['two plain thresholds', ['a.csv', 'worse.csv', '--max-regression', '0.1', '--max-regression', '0.2'],
      'distil-run: --max-regression: given 2 plain thresholds ("0.1", "0.2"); give one for every metric, and name the others (e.g. --max-regression test_accuracy=0.005)\n'],
    ['an unknown format', ['a.csv', 'worse.csv', '--format', 'html'], 'distil-run: --format: expected one of table, markdown, json, csv, got "html"\n'],
    ['a directory without a results or summary table', ['runs/empty', 'runs/a'],
      'distil-run: runs/empty: holds no results.csv or summary.csv to compare (pass the directory of one run, results/<experiment>/<run-id>/, or a results.csv or summary.csv)\n'],
  ];
  for (const [name, args, message] of refused) {
    it(`refuses ${name} (exit 2, nothing on stdout)`, () => {
      const result = compare(...args);
      assertRefused(result, 2, message);
    });
  }

  it('takes run directories: their results.csv for one seed', () => {
    const result = compare('runs/a', 'runs/b', '--max-regression', '0.01', '--format', 'csv');
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^,,student,accuracy,0\.9,0\.88,-0\.02,,,,,,,1,0\.01,regressed,$/m);
    assert.equal(result.stderr.split('\n')[0], 'run directories: compared their results.csv (one seed)');
  });

  for (const format of FORMATS) {
    it(`--format ${format}: a row failed in b fails the gate; tables with no row in common are refused`, () => {
      const failed = compare('a.csv', 'failed.csv', '--max-regression', '0.01', '--format', format);
      assert.equal(failed.code, 1, failed.stderr);
      assert.equal(failed.stderr, ['role person: failed in b, ok in a (loss is NaN)', 'compared 3 row(s) and 4 metric value(s) (loss, accuracy); change = b - a, positive = better',
        'distil-run: 1 regression(s): 1 row(s) failed, skipped, interrupted or missing in b', ''].join('\n'));
      if (format !== 'table') assert.include(failed.stdout, 'failed in b, ok in a (loss is NaN)');
      const named = compare('a.csv', 'failed.csv', '--max-regression', 'accuracy=0.5', '--format', format);
      assert.equal(named.code, 1, 'a per-metric threshold gates lost rows too');
      const apart = compare('a.csv', 'other.csv', '--max-regression', '0.01', '--format', format);
      assertRefused(apart, 2, 'distil-run: no row in common: a.csv and other.csv share no cell and role (a.csv has the one cell of a spec without a grid; other.csv has cell(s) "T=8") (compare runs of the same grid)\n');
    });
  }
});
