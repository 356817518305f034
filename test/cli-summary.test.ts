// summarize, best and compare of summaries from the command line (built output, separate process).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { assertRefused, distilRun } from './cli-harness.js';

describe('summarize, best and summary compare from the command line', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-sum-'));
  const results = path.join(dir, 'results.csv');
  const header =
    'run_id,experiment,cell_id,cell,distillation.temperature,role,seed,test_loss,test_accuracy,distillation_gain,gain_metric,status\n';
  before(() => {
    const rows = [
      [1, 0.01],
      [2, 0.02],
      [3, 0.04],
    ].map(
      ([seed, gain]) =>
        `r,m,c1,distillation.temperature=2,2,student,${seed},0.4,${0.9 + gain},${gain},accuracy,ok\nr,m,c1,distillation.temperature=2,2,person,${seed},0.42,0.9,,,ok\n`,
    );
    writeFileSync(results, header + rows.join(''));
  });

  it('summarize writes summary.csv of a results table (stdout, or --out)', () => {
    const { code, stdout, stderr } = distilRun(['summarize', results]);
    assert.equal(code, 0, stderr);
    assert.equal(
      stdout,
      [
        'cell_id,distillation.temperature,cell,role,n,test_loss_mean,test_loss_std,test_loss_ci95,test_accuracy_mean,test_accuracy_std,test_accuracy_ci95,gain_n,gain_mean,gain_std,gain_ci95,gain_p,gain_metric',
        'c1,2,distillation.temperature=2,student,3,0.4,0,0,0.923333,0.0152753,0.0379458,3,0.0233333,0.0152753,0.0379458,0.1181,accuracy',
        'c1,2,distillation.temperature=2,person,3,0.42,0,0,0.9,0,0,,,,,,',
        '',
      ].join('\n'),
    );
    assert.equal(stderr, 'summarized 6 row(s) into 2 cell/role row(s)\n');
    const out = path.join(dir, 'run', 'summary.csv');
    assert.equal(distilRun(['summarize', results, '--out', out]).code, 0);
    assert.equal(readFileSync(out, 'utf8'), stdout);
  });

  it('best prints the winning cell per role; exit 2 for an unknown metric or a missing run directory', () => {
    const run = path.join(dir, 'run');
    const { code, stdout, stderr } = distilRun(['best', run, '--role', 'student']);
    assert.equal(code, 0, stderr);
    assert.equal(
      stdout,
      [
        'role     cell_id  cell                        test_accuracy  n',
        '-------  -------  --------------------------  -------------  -',
        'student  c1       distillation.temperature=2  0.923 ± 0.038  3',
        '',
      ].join('\n'),
    );
    assert.equal(
      stderr,
      `best by test_accuracy (higher is better) among 1 cell(s): mean over the ok seeds (± 95% interval) from ${path.join(run, 'summary.csv')}\n`,
    );
    assertRefused(
      distilRun(['best', run, '--metric', 'val_accuracy']),
      2,
      `distil-run: --metric: ${path.join(run, 'summary.csv')} has no metric "val_accuracy" (Did you mean "test_accuracy"? it has test_loss, test_accuracy, gain)\n`,
    );
    assertRefused(
      distilRun(['best', path.join(dir, 'missing')]),
      2,
      `distil-run: ${path.join(dir, 'missing')}: no such run directory (a run writes results/<experiment>/<run-id>/)\n`,
    );
  });

  it('best --metric gain ranks the cells by the paired gain, with its interval and p', () => {
    const run = path.join(dir, 'run');
    const { code, stdout, stderr } = distilRun(['best', run, '--metric', 'gain']);
    assert.equal(code, 0, stderr);
    assert.equal(
      stdout,
      [
        'role     cell_id  cell                        gain                                               n',
        '-------  -------  --------------------------  -------------------------------------------------  -',
        'student  c1       distillation.temperature=2  +0.023 ± 0.038 accuracy (not significant, p=0.12)  3',
        '',
      ].join('\n'),
    );
    assert.equal(
      stderr,
      `best by the gain (student - person on accuracy, paired per seed; positive = distillation helped) among 1 cell(s): mean over the seed pairs (n) ± 95% interval, with the paired t-test's p, from ${path.join(run, 'summary.csv')}\n`,
    );
  });

  it('compare of two summaries marks changes within the intervals as noise', () => {
    const a = path.join(dir, 'run', 'summary.csv');
    const b = path.join(dir, 'b-summary.csv');
    mkdirSync(path.dirname(b), { recursive: true });
    writeFileSync(b, readFileSync(a, 'utf8').replace('0.923333,0.0152753', '0.91,0.0152753'));
    const { code, stdout, stderr } = distilRun(['compare', a, b, '--max-regression', '0.001']);
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      /^distillation\.temperature=2\s+student\s+accuracy\s+0\.923 ± 0\.038 \(n=3\)\s+0\.910 ± 0\.038 \(n=3\)\s+-0\.013\s+± 0\.054\s+noise$/m,
    );
    assert.equal(
      stderr,
      [
        "unpaired: summary tables hold means over the seeds, not each seed (compare the runs' results.csv, or their directories, to pair the seeds)",
        'compared the means of 2 cell/role row(s) and 5 value(s) (loss, accuracy, gain); change = b - a, positive = better',
        'noise = |b - a| <= sqrt(ci95_a^2 + ci95_b^2), the 95% interval of the difference; a change within it is marked noise and never fails the gate',
        'distil-run: no regression (1 worse by more than 0.001 but within the noise, not counted)',
        '',
      ].join('\n'),
    );
  });
});
