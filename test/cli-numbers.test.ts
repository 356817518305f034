// From the command line: a one-seed gain is called a single draw (with a command that runs), a gain within its
// interval not significant, and a number prints the same way in the run's table, best and summarize.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { readCsv } from '../src/results/csv.js';
import { cli, distilRun, fixture, root } from './cli-harness.js';
import type { CliResult } from './cli-harness.js';

const SPEC = `name: blobs
seed: 1
dataset: { name: csv, path: three-blobs.csv, target: label, task: classification, test_fraction: 0.5 }
models:
  teacher: { layers: [16] }
  student: { layers: [4] }
training: { epochs: 3, batch_size: 8, optimizer: { name: adam, lr: 0.01 } }
distillation: { temperature: 4, alpha: 0.5 }
`;

const SINGLE_DRAW =
  'one seed: the gain is a single draw, not a measured effect (another seed can change its size and its sign); to repeat the run over five seeds:';

/** The README's rule, worked again here: the interval to 2 significant digits, the mean to the same decimal place. */
function byHand(mean: number, ci: number, sign: boolean): string {
  const interval = Number(ci.toPrecision(2));
  const decimals = 1 - Math.floor(Math.log10(interval));
  return `${sign && mean >= 0 ? '+' : ''}${mean.toFixed(decimals)} ± ${interval.toFixed(decimals)}`;
}

describe('printed numbers and single draws from the command line', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-numbers-'));
  const run = (...args: string[]) => distilRun(['blobs.yaml', '--out', 'res', '--no-report', ...args], { cwd: dir });
  // Two runs every test reads: one seed (run id `one`) and three seeds (`three`).
  let one: CliResult;
  let three: CliResult;
  before(() => {
    copyFileSync(path.join(root, fixture('three-blobs.csv')), path.join(dir, 'three-blobs.csv'));
    writeFileSync(path.join(dir, 'blobs.yaml'), SPEC);
    one = run('--run-id', 'one', '--set', 'training.epochs=2');
    three = run('--run-id', 'three', '--set', 'seeds=[1,2,3]');
  });

  it('a one-seed run says its gain is a single draw and prints the command that repeats it over seeds, which a shell runs', () => {
    const { code, stdout, stderr } = one;
    assert.equal(code, 0, stderr);
    const lines = stdout.trimEnd().split('\n');
    const at = lines.indexOf(
      'gain = student - person on the first non-loss metric, signed so positive means distillation helped',
    );
    assert.isAbove(at, 0, stdout);
    assert.deepEqual(lines.slice(at + 1, at + 3), [
      SINGLE_DRAW,
      "  distil-run blobs.yaml --out res --no-report --set training.epochs=2 --set 'seeds=[1,2,3,4,5]'",
    ]);
    assert.equal(lines[lines.length - 1], path.join('res', 'blobs', 'one'));
    // The printed command as a shell reads it (the quotes around the brackets included), planned without training.
    const command = lines[at + 2].trim().replace(/^distil-run/, `'${process.execPath}' '${cli}'`);
    const planned = spawnSync('sh', ['-c', `${command} --dry-run`], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CI: '1' },
    });
    assert.equal(planned.status, 0, planned.stderr);
    assert.match(planned.stdout, /^experiment blobs: 5 cell\(s\) to run \(1 grid point\(s\) x 5 seed\(s\)\)$/m);
  });

  it('a seeded run calls a gain whose interval contains 0 not significant; best prints the run table’s numbers the same way', () => {
    const { code, stdout, stderr } = three;
    assert.equal(code, 0, stderr);
    assert.notInclude(stdout, 'single draw');
    const summary = readCsv(path.join(dir, 'res', 'blobs', 'three', 'summary.csv')).records;
    const student = summary.find((r) => r.role === 'student');
    assert.isDefined(student);
    const [mean, ci, p] = [Number(student!.gain_mean), Number(student!.gain_ci95), Number(student!.gain_p)];
    // The case under test: the seeds' interval of the gain contains 0.
    assert.isAtMost(Math.abs(mean), ci, `gain ${mean} ± ${ci}`);
    const row = stdout.split('\n').find((line) => line.startsWith('student'));
    const accuracy = byHand(Number(student!.test_accuracy_mean), Number(student!.test_accuracy_ci95), false);
    const gain = `${byHand(mean, ci, true)} accuracy (not significant, p=${p.toPrecision(2)})`;
    assert.match(
      row ?? '',
      new RegExp(
        `^student\\s+3\\s+\\S+ ± \\S+\\s+${accuracy.replace(/[.+]/g, '\\$&')}\\s+${gain.replace(/[.+()]/g, '\\$&')}$`,
      ),
      stdout,
    );
    // best reads summary.csv: the same mean prints as the run's table printed it.
    const runDir = path.join(dir, 'res', 'blobs', 'three');
    const byAccuracy = distilRun(['best', runDir, '--role', 'student']);
    assert.equal(byAccuracy.code, 0, byAccuracy.stderr);
    assert.match(
      byAccuracy.stdout.split('\n')[2],
      new RegExp(`^student\\s+\\S+\\s+-\\s+${accuracy.replace(/[.+]/g, '\\$&')}\\s+3$`),
    );
    const byGain = distilRun(['best', runDir, '--metric', 'gain']);
    assert.equal(byGain.code, 0, byGain.stderr);
    assert.equal(byGain.stdout.split('\n')[2].split(/\s{2,}/)[3], gain);
    assert.notInclude(byGain.stderr, 'single draw');
  });

  it('best and summarize of a one-seed run say single draw, with the command from the run’s manifest', () => {
    assert.equal(one.code, 0, one.stderr);
    const runDir = path.join(dir, 'res', 'blobs', 'one');
    const manifest = JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')) as { attempts: unknown[] };
    assert.lengthOf(manifest.attempts, 1);
    const command = "  distil-run blobs.yaml --out res --no-report --set training.epochs=2 --set 'seeds=[1,2,3,4,5]'";
    const best = distilRun(['best', runDir, '--metric', 'gain']);
    assert.equal(best.code, 0, best.stderr);
    assert.match(best.stdout.split('\n')[2], /^student\s+\S+\s+-\s+[+-]\S+ accuracy \(single draw\)\s+1$/);
    assert.deepEqual(best.stderr.trimEnd().split('\n').slice(1), [SINGLE_DRAW, command]);
    const summarize = distilRun(['summarize', path.join(runDir, 'results.csv')]);
    assert.equal(summarize.code, 0, summarize.stderr);
    assert.equal(
      summarize.stderr,
      ['summarized 3 row(s) into 3 cell/role row(s)', SINGLE_DRAW, command, ''].join('\n'),
    );
  });
});
