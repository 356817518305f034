// The report from the command line: `distil-run report <run dir>`, and report.html at the end of a run unless --no-report.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { assertNoStackTrace, assertRefused, distilRun, fixture, startDistilRun } from '../cli-harness.js';
import { writeRun } from './fixtures.js';

/** A small MNIST run's flags: a few hundred samples, one epoch, no teacher cache. */
const SMALL = [
  '--set',
  'dataset.train_limit=300',
  '--set',
  'dataset.test_limit=100',
  '--set',
  'training.epochs=1',
  '--teacher-cache',
  'off',
];

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'distil-report-cli-'));

/** The one run directory under `out`. */
function runDirIn(out: string): string {
  const base = path.join(out, 'mnist-small');
  const [id] = readdirSync(base);
  return path.join(base, id);
}

describe('distil-run report (CLI)', () => {
  it('a run writes report.html when it ends and says where on stderr; stdout is the run table as before', () => {
    const out = tmp();
    const result = distilRun([fixture('mnist-small.yaml'), '--out', out, ...SMALL]);
    assert.equal(result.code, 0, result.stderr);
    const dir = runDirIn(out);
    assert.include(result.stderr, `report: ${path.join(dir, 'report.html')}\n`);
    assert.equal(result.stdout.trimEnd().split('\n').at(-1), dir, 'the run directory stays the last line of stdout');
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    assert.include(html, '<h1>mnist-small</h1>');
    assert.lengthOf(
      html.match(/<svg /g) ?? [],
      4,
      'parameters, the confusion matrices and their difference, learning curves (one cell: no gain chart)',
    );
  });

  it('--no-report skips it; distil-run report writes it afterwards and prints its path', () => {
    const out = tmp();
    const run = distilRun([fixture('mnist-small.yaml'), '--out', out, '--no-report', ...SMALL]);
    assert.equal(run.code, 0, run.stderr);
    const dir = runDirIn(out);
    assert.isFalse(existsSync(path.join(dir, 'report.html')));
    assert.notInclude(run.stderr, 'report:');
    const report = distilRun(['report', dir]);
    assert.equal(report.code, 0, report.stderr);
    assert.equal(report.stdout, `${path.join(dir, 'report.html')}\n`);
    assert.isTrue(existsSync(path.join(dir, 'report.html')));
  });

  it('a run that fails still gets its report; a report that cannot be written is a warning and keeps the exit code', () => {
    const out = tmp();
    // report.html is a directory, so the report cannot be written; the learning rate makes the training diverge.
    mkdirSync(path.join(out, 'mnist-small', 'r', 'report.html'), { recursive: true });
    const failed = distilRun([
      fixture('mnist-small.yaml'),
      '--out',
      out,
      '--run-id',
      'r',
      '--set',
      'training.optimizer.lr=1e12',
      ...SMALL,
    ]);
    assert.equal(failed.code, 1, failed.stderr);
    const dir = path.join(out, 'mnist-small', 'r');
    assert.include(
      failed.stderr.split('\n'),
      `distil-run: warning: REPORT_NOT_WRITTEN: could not write report.html (${path.join(dir, 'report.html')}: \
cannot write it (EISDIR); remove or rename the directory in its place); the run's results are unchanged (distil-run report ${dir} writes it once that is fixed)`,
      failed.stderr,
    );
    assertNoStackTrace(failed.stderr);
    assert.include(readFileSync(path.join(dir, 'results.csv'), 'utf8'), ',failed,');
    assertRefused(
      distilRun(['report', dir]),
      2,
      `distil-run: ${path.join(dir, 'report.html')}: cannot write it (EISDIR); remove or rename the directory in its place\n`,
    );
    rmSync(path.join(dir, 'report.html'), { recursive: true });
    const report = distilRun(['report', dir]);
    assert.equal(report.code, 0, report.stderr);
    assert.equal(report.stderr, "the run's status is failed: the report shows what finished\n");
    assert.include(readFileSync(path.join(dir, 'report.html'), 'utf8'), 'failed: the report shows what finished');
  });

  it('an interrupted run (Ctrl-C) gets a report of what finished and keeps exit code 130', async () => {
    const out = tmp();
    const child = startDistilRun([
      fixture('mnist-small.yaml'),
      '--out',
      out,
      '--run-id',
      'int',
      ...SMALL,
      '--set',
      'training.epochs=50',
    ]);
    let stderr = '';
    let sent = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && stderr.includes('epoch 2/50')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130, stderr);
    const file = path.join(out, 'mnist-small', 'int', 'report.html');
    assert.include(stderr, `report: ${file}\n`);
    const html = readFileSync(file, 'utf8');
    assert.include(html, 'interrupted: the report shows what finished');
    assert.lengthOf(html.match(/<svg /g) ?? [], 1, 'the learning curves of the epochs that finished');
  });

  it('refuses bad input with exit code 2, naming the file', () => {
    const dir = writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1] });
    assertRefused(
      distilRun(['report']),
      2,
      'distil-run: report: expected one run directory, got 0 (see distil-run --help)\n',
    );
    assertRefused(
      distilRun(['report', path.join(dir, 'results.csv')]),
      2,
      `distil-run: ${path.join(dir, 'results.csv')}: is a file, not a run directory (pass the directory that holds results.csv)\n`,
    );
    rmSync(path.join(dir, 'history.csv'));
    assertRefused(
      distilRun(['report', dir]),
      2,
      `distil-run: ${path.join(dir, 'history.csv')}: no such file (check the path; a run writes results/<experiment>/<run-id>/results.csv)\n`,
    );
    assertRefused(
      distilRun([fixture('mnist-small.yaml'), '--report', '--no-report']),
      2,
      'distil-run: --no-report: given with --report; give one of them\n',
    );
  });
});
