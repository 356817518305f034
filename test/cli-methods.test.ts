// A distillation axis end to end (built output, separate process): readable labels, the ranking against kd, resume and compare.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { readCsv } from '../src/results/csv.js';
import { distilRun } from './cli-harness.js';

/** Two kd entries on a tiny MNIST, three seeds: kd(temperature=4) is the reference, kd(temperature=2) is ranked against it. */
const SPEC = `name: methods
seeds: [1, 2, 3]
dataset: { name: mnist, train_limit: 500, test_limit: 200 }
models:
  teacher: { layers: [32] }
  student: { layers: [16] }
training: { epochs: 2, batch_size: 64, optimizer: { name: adam, lr: 0.005 } }
grid:
  distillation: [{ name: kd, temperature: 4 }, { name: kd, temperature: 2 }]
`;

const KD4 = '{"name":"kd","temperature":4}';
const KD2 = '{"name":"kd","temperature":2}';

describe('a distillation axis from the command line', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-methods-'));
  const spec = path.join(dir, 'methods.yaml');
  const run = path.join(dir, 'out', 'methods', 'm');
  const args = [spec, '--out', path.join(dir, 'out'), '--run-id', 'm', '--teacher-cache', 'off'];
  before(() => writeFileSync(spec, SPEC));

  it('--dry-run labels each entry by its name and the params that differ', () => {
    const { code, stdout, stderr } = distilRun([...args, '--dry-run']);
    assert.equal(code, 0, stderr);
    const cells = stdout.split('\n').filter((line) => line.startsWith('  cell '));
    assert.lengthOf(cells, 6);
    assert.match(cells[0], /^ {2}cell [0-9a-f]{12} {2}seed 1 {2}distillation=kd\(temperature=4\) {2}teacher /);
    assert.match(cells[3], /^ {2}cell [0-9a-f]{12} {2}seed 1 {2}distillation=kd\(temperature=2\) {2}teacher /);
  });

  it('runs: readable cell labels beside the exact values, and kd(temperature=2) ranked against kd(temperature=4)', () => {
    const { code, stdout, stderr } = distilRun(args);
    assert.equal(code, 0, stderr);
    const { records } = readCsv(path.join(run, 'results.csv'));
    assert.lengthOf(records, 18);
    assert.deepEqual(
      [...new Set(records.map((r) => `${r.cell} | ${r.distillation}`))],
      [`distillation=kd(temperature=4) | ${KD4}`, `distillation=kd(temperature=2) | ${KD2}`],
    );
    const summary = readCsv(path.join(run, 'summary.csv'));
    assert.includeOrderedMembers(summary.columns, [
      'cell_id',
      'distillation',
      'cell',
      'distillation_label',
      'role',
      'n',
    ]);
    assert.deepEqual(summary.columns.slice(-8), [
      'vs_kd_ref',
      'vs_kd_n',
      'vs_kd_mean',
      'vs_kd_std',
      'vs_kd_ci95',
      'vs_kd_p',
      'vs_kd_p_holm',
      'vs_kd_metric',
    ]);
    const students = summary.records.filter((r) => r.role === 'student');
    assert.lengthOf(students, 2);
    const [reference, ranked] = students;
    assert.deepEqual(
      [reference.distillation_label, ranked.distillation_label],
      ['kd(temperature=4)', 'kd(temperature=2)'],
    );
    assert.equal(reference.vs_kd_mean, '');
    // The paired difference, from results.csv: kd(temperature=2)'s student minus kd(temperature=4)'s, seed by seed.
    const accuracy = (cell: string, seed: string) =>
      Number(records.find((r) => r.cell_id === cell && r.seed === seed && r.role === 'student')!.test_accuracy);
    const differences = ['1', '2', '3'].map(
      (seed) => accuracy(ranked.cell_id, seed) - accuracy(reference.cell_id, seed),
    );
    assert.include(ranked, { vs_kd_ref: reference.cell_id, vs_kd_n: '3', vs_kd_metric: 'accuracy' });
    assert.closeTo(Number(ranked.vs_kd_mean), differences.reduce((a, b) => a + b) / 3, 1e-6);
    // One method compared with kd: Holm leaves its p as it is.
    assert.equal(ranked.vs_kd_p_holm, ranked.vs_kd_p);
    assert.match(stdout, /^cell\s+role\s+n\s+loss\s+accuracy\s+gain\s+vs kd$/m);
    assert.match(stdout, /^distillation=kd\(temperature=4\)\s+student\s+3\s+.*kd reference$/m);
    const html = readFileSync(path.join(run, 'report.html'), 'utf8');
    assert.include(html, '<h2>Methods against kd</h2>');
    assert.include(html, '<figure class="chart" data-chart="methods">');
  });

  it('a resumed run written with JSON labels gets the readable ones, no row lost or repeated; compare still matches it', () => {
    const results = path.join(run, 'results.csv');
    const readable = readFileSync(results, 'utf8');
    // As an earlier version wrote the table: the cell column held the JSON.
    const old = readable
      .replaceAll('distillation=kd(temperature=4)', `"distillation=${KD4.replaceAll('"', '""')}"`)
      .replaceAll('distillation=kd(temperature=2)', `"distillation=${KD2.replaceAll('"', '""')}"`);
    assert.notEqual(old, readable);
    writeFileSync(results, old);
    const baseline = path.join(dir, 'old-results.csv');
    copyFileSync(results, baseline);
    const { code, stderr } = distilRun([...args, '--no-report']);
    assert.equal(code, 0, stderr);
    assert.equal(readFileSync(results, 'utf8'), readable);
    const compared = distilRun(['compare', baseline, results, '--max-regression', '0']);
    assert.equal(compared.code, 0, compared.stderr);
    // Every row matched: the 2 cells x 3 roles, each over the 3 seeds, paired by seed.
    assert.include(compared.stderr, 'compared 6 cell/role row(s) and ');
    assert.include(compared.stderr, ' paired by seed over the 3 seed(s) both runs have (1, 2, 3);');
    assert.notInclude(compared.stderr, 'only in');
  });
});
