// A run with seeds and a grid writes axis columns in results.csv and summary.csv at its end (also when interrupted).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { readCsv } from '../../src/results/csv.js';
import { findBest } from '../../src/results/best.js';
import { formatRunSummary } from '../../src/cli/format-run.js';
import { assertRejectsMessage, useWasm } from '../helpers.js';
import { experiment, outDir, SEEDLESS, SPEC } from './blobs.js';

const AXIS = 'distillation.temperature';

describe('summary.csv at the end of a run', () => {
  before(useWasm);

  it('seeds x grid: axis columns in results.csv, one summary row per cell and role with n, intervals and the paired gain', async () => {
    const { experiment: exp, registry } = await experiment(`${SEEDLESS}seeds: [1, 2, 3]\ngrid:\n  ${AXIS}: [1, 3]\n`);
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 's',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    const results = readCsv(path.join(summary.runDir, 'results.csv'));
    assert.deepEqual(results.columns.slice(2, 6), ['cell_id', 'cell', AXIS, 'role']);
    assert.deepEqual([...new Set(results.records.map((r) => r[AXIS]))], ['1', '3']);
    const table = readCsv(path.join(summary.runDir, 'summary.csv'));
    assert.deepEqual(table.columns.slice(0, 5), ['cell_id', AXIS, 'cell', 'role', 'n']);
    assert.deepEqual(
      table.records.map((r) => `${r[AXIS]}/${r.role}/${r.n}`),
      ['1/teacher/3', '1/student/3', '1/person/3', '3/teacher/3', '3/student/3', '3/person/3'],
    );
    const student = table.records[1];
    const gains = results.records
      .filter((r) => r.role === 'student' && r[AXIS] === '1')
      .map((r) => Number(r.distillation_gain));
    assert.closeTo(Number(student.gain_mean), gains.reduce((a, b) => a + b) / 3, 1e-6);
    assert.equal(student.gain_n, '3');
    assert.equal(student.gain_metric, 'accuracy');
    // Every seed is tested on the first seed's split (easy blobs: often the same accuracy); the loss shows the seeds' training noise.
    assert.isAbove(Number(student.test_loss_ci95), 0);
    assert.deepEqual(
      summary.summary.map((r) => r.n),
      [3, 3, 3, 3, 3, 3],
    );
    const text = formatRunSummary(summary);
    assert.match(text, /^cell\s+role\s+n\s+loss\s+accuracy\s+gain$/m);
    assert.match(
      text,
      /^distillation\.temperature=1\s+student\s+3\s+\d\S* ± \d\S*\s+\d\S* ± \d\S*\s+[+-]\d\S* ± \d\S* accuracy \((not significant, )?p[=<]/m,
    );
    const best = findBest(summary.runDir, { metric: 'accuracy', role: 'student', higherIsBetter: () => true });
    assert.deepEqual(
      best.winners.map((w) => w.role),
      ['student'],
    );
  });

  it('a single-seed run writes summary.csv with n = 1 and empty intervals, and keeps the per-row stdout table', async () => {
    const { experiment: exp, registry } = await experiment();
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'one',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    const lines = readFileSync(path.join(summary.runDir, 'summary.csv'), 'utf8').split('\n');
    assert.equal(
      lines[0],
      'cell_id,cell,role,n,test_loss_mean,test_loss_std,test_loss_ci95,test_accuracy_mean,test_accuracy_std,test_accuracy_ci95,gain_n,gain_mean,gain_std,gain_ci95,gain_p,gain_metric',
    );
    assert.match(lines[2], /^\w+,,student,1,[\d.]+,,,[\d.]+,,,1,-?[\d.e-]+,,,,accuracy$/);
    assert.match(formatRunSummary(summary), /^role\s+params\s+loss\s+accuracy\s+gain\s+status$/m);
  });

  it('refuses to resume a run whose axis columns differ, even when the cells are the same', async () => {
    const dir = outDir();
    const swept = await experiment(`${SPEC}grid:\n  ${AXIS}: [2]\n`);
    const plain = await experiment();
    assert.equal(swept.experiment.cells[0].id, plain.experiment.cells[0].id, 'the same config, so the same cell');
    await runExperiment(swept.experiment, swept.registry, {
      outDir: dir,
      runId: 'a',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    await assertRejectsMessage(
      runExperiment(plain.experiment, plain.registry, {
        outDir: dir,
        runId: 'a',
        reporter: new RecordingReporter(),
        teacherCache: false,
      }),
      `${path.join(dir, 'blobs', 'a')} holds another experiment; a run id is resumed only with the same resolved spec:
  grid axes: ${AXIS} in the run directory, none now
  grid: {"${AXIS}":[2]} in the run directory, absent now
start a new run (leave out --run-id, or pass a new one), or restore the spec the run was started with`,
      { code: 'RUN_MISMATCH' },
    );
  });

  it('an interrupted run still gets a summary of what finished', async () => {
    const { experiment: exp, registry } = await experiment(`${SEEDLESS}seeds: [1, 2]\n`);
    const controller = new AbortController();
    const reporter = new RecordingReporter();
    reporter.roleStart = (event) => {
      if (event.role === 'teacher' && reporter.events.some((e) => e.type === 'roleEnd' && e.role === 'person')) {
        controller.abort();
      }
    };
    reporter.roleEnd = (event) => reporter.events.push({ type: 'roleEnd', ...event });
    const dir = outDir();
    await assertRejectsMessage(
      runExperiment(exp, registry, {
        outDir: dir,
        runId: 'i',
        reporter,
        signal: controller.signal,
        teacherCache: false,
      }),
      'interrupted: results of finished roles are kept in the run directory',
      { code: 'INTERRUPTED' },
    );
    const table = readCsv(path.join(dir, 'blobs', 'i', 'summary.csv')).records;
    assert.deepEqual(
      table.map((r) => `${r.role}/${r.n}`),
      ['teacher/1', 'student/1', 'person/1'],
    );
  });
});
