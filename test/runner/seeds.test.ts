// Repeated seeds and the person shared by cells: one training per (config, seed), one row per (cell, seed, role).
import path from 'node:path';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { formatPlan, planRun } from '../../src/runner/plan.js';
import { readCsv } from '../../src/results/csv.js';
import { assertRejectsMessage, useWasm } from '../helpers.js';
import { experiment, outDir, SEEDLESS, SPEC } from './blobs.js';

const trainings = (reporter: RecordingReporter, role: string) =>
  reporter.events.filter((e) => e.type === 'roleStart' && e.role === role && (e.epochs as number) > 0).length;

describe('seeds and shared persons', () => {
  before(useWasm);

  it('repeats every cell once per seed: one cell id across seeds, a teacher per seed, the seed in both tables', async () => {
    const { experiment: exp, registry } = await experiment(`${SEEDLESS}seeds: [5, 6]\n`);
    assert.deepEqual(
      exp.cells.map((c) => c.seed),
      [5, 6],
    );
    assert.equal(exp.cells[0].id, exp.cells[1].id, 'the grid point keeps its id across seeds');
    const reporter = new RecordingReporter();
    const summary = await runExperiment(exp, registry, { outDir: outDir(), runId: 's', reporter, teacherCache: false });
    assert.deepEqual(
      summary.rows.map((r) => `${r.seed}/${r.role}`),
      ['5/teacher', '5/student', '5/person', '6/teacher', '6/student', '6/person'],
    );
    assert.equal(trainings(reporter, 'teacher'), 2, 'a teacher per seed');
    assert.notEqual(summary.rows[0].test_loss, summary.rows[3].test_loss, 'the seed changes the weights');
    const history = readCsv(path.join(summary.runDir, 'history.csv')).records;
    assert.deepEqual(
      [...new Set(history.map((r) => `${r.seed}/${r.role}`))],
      ['5/teacher', '5/student', '5/person', '6/teacher', '6/student', '6/person'],
    );
    assert.lengthOf(history, 24);
  });

  it('gives the same rows for one seed of seeds: [s] as for seed: s', async () => {
    const single = await experiment(SPEC.replace('seed: 3', 'seed: 9'));
    const listed = await experiment(`${SEEDLESS}seeds: [9]\n`);
    assert.equal(single.experiment.cells[0].id, listed.experiment.cells[0].id);
    const metrics = async (e: typeof single) =>
      (
        await runExperiment(e.experiment, e.registry, {
          outDir: outDir(),
          runId: 'x',
          reporter: new RecordingReporter(),
          teacherCache: false,
        })
      ).rows.map((r) => [r.role, r.seed, r.test_accuracy]);
    assert.deepEqual(await metrics(listed), await metrics(single));
  });

  it('trains the person once per seed for a sweep of distillation settings and reuses its row and epochs', async () => {
    const { experiment: exp, registry } = await experiment(`${SPEC}grid:\n  distillation.temperature: [1, 3, 5]\n`);
    const reporter = new RecordingReporter();
    const summary = await runExperiment(exp, registry, { outDir: outDir(), runId: 'p', reporter, teacherCache: false });
    assert.equal(trainings(reporter, 'person'), 1);
    assert.equal(trainings(reporter, 'student'), 3);
    const persons = summary.rows.filter((r) => r.role === 'person');
    assert.lengthOf(persons, 3);
    assert.equal(
      new Set(persons.map((r) => `${r.test_loss}/${r.test_accuracy}/${r.status}`)).size,
      1,
      'one person, the same row in every cell',
    );
    const history = readCsv(path.join(summary.runDir, 'history.csv')).records.filter((r) => r.role === 'person');
    assert.lengthOf(history, 12, "each cell shows the person's 4 epochs");
  });

  it('resumes per seed: a finished seed is kept, the interrupted one runs again', async () => {
    const { experiment: exp, registry } = await experiment(`${SEEDLESS}seeds: [1, 2]\n`);
    const dir = outDir();
    const controller = new AbortController();
    const first = new RecordingReporter();
    first.roleStart = (event) => {
      if (
        event.role === 'student' &&
        exp.cells[1] &&
        first.events.some((e) => e.type === 'roleEnd' && e.role === 'person')
      ) {
        controller.abort();
      }
    };
    first.roleEnd = (event) => first.events.push({ type: 'roleEnd', ...event });
    await assertRejectsMessage(
      runExperiment(exp, registry, {
        outDir: dir,
        runId: 'r',
        reporter: first,
        signal: controller.signal,
        teacherCache: false,
      }),
      'interrupted: results of finished roles are kept in the run directory',
      { code: 'INTERRUPTED' },
    );
    const second = new RecordingReporter();
    await runExperiment(exp, registry, { outDir: dir, runId: 'r', reporter: second, teacherCache: false });
    assert.equal(second.events.find((e) => e.type === 'runStart')?.skippedCells, 1);
    const rows = readCsv(path.join(dir, 'blobs', 'r', 'results.csv')).records;
    assert.deepEqual(
      rows.map((r) => `${r.seed}/${r.role}/${r.status}`),
      ['1/teacher/ok', '1/student/ok', '1/person/ok', '2/teacher/ok', '2/student/ok', '2/person/ok'],
    );
  });

  it('the dry-run plan shows seeds and how many trainings each role needs', async () => {
    const { experiment: exp } = await experiment(`${SEEDLESS}seeds: [1, 2]\ngrid:\n  distillation.alpha: [0.2, 0.8]\n`);
    const text = formatPlan(planRun(exp));
    assert.match(text, /^experiment blobs: 4 cell\(s\) to run \(2 grid point\(s\) x 2 seed\(s\)\)$/m);
    assert.match(text, /^trainings: teacher 2, student 4, person 2 /m);
  });

  it("frees each seed's teacher once no later cell needs it, so memory does not grow with the seeds", async () => {
    const { experiment: exp, registry } = await experiment(`${SEEDLESS}seeds: [1, 2, 3]\n`);
    const counts: number[] = [];
    const reporter = new RecordingReporter();
    reporter.roleStart = (event) => {
      if (event.role === 'teacher') counts.push(tf.memory().numTensors);
    };
    await runExperiment(exp, registry, { outDir: outDir(), runId: 'free', reporter, teacherCache: false });
    assert.lengthOf(counts, 3);
    assert.deepEqual(
      counts,
      [counts[0], counts[0], counts[0]],
      `tensors at each teacher's start: ${counts.join(', ')}`,
    );
  });
});
