// `models.teacher.seed`: one teacher, trained once, teaches every seed's student; the seeds vary the rest.
import { assert } from 'chai';
import { useWasm } from '../helpers.js';
import { specProblems } from '../config/spec-problems.js';
import { experiment, runSpec, SEEDLESS } from './blobs.js';
import { formatPlan, planRun } from '../../src/runner/plan.js';

async function run(spec: string) {
  const { results, reporter } = await runSpec(spec, 'seeds');
  return { results: results.records, reporter };
}

describe('a teacher with a seed of its own', () => {
  before(useWasm);

  it('is trained once for every seed, whatever the experiment seed', async function () {
    this.timeout(60_000);
    const shared = SEEDLESS.replace('teacher: { layers: [32, 16] }', 'teacher: { layers: [32, 16], seed: 5 }');
    const { results, reporter } = await run(`${shared}seeds: [1, 2, 3]\n`);
    const trained = reporter.events.filter((e) => e.type === 'epoch' && e.role === 'teacher');
    assert.lengthOf(trained, 4, 'one teacher: 4 epochs in all');
    const teachers = results.filter((r) => r.role === 'teacher');
    assert.deepEqual(
      teachers.map((r) => [r.seed, r.status]),
      [
        ['1', 'ok'],
        ['2', 'ok'],
        ['3', 'ok'],
      ],
    );
    assert.equal(new Set(teachers.map((r) => r.test_loss)).size, 1, 'one teacher, one loss');
    const students = results.filter((r) => r.role === 'student');
    assert.equal(new Set(students.map((r) => r.test_loss)).size, 3, 'each seed its own student');
    // The teacher does not depend on the experiment's seed: a run of seed 1 alone trains the same one.
    const alone = await run(`${shared}seed: 1\n`);
    assert.equal(alone.results.find((r) => r.role === 'teacher')!.test_loss, teachers[0].test_loss);
    const own = await run(`${SEEDLESS}seed: 1\n`);
    assert.notEqual(own.results.find((r) => r.role === 'teacher')!.test_loss, teachers[0].test_loss);
  });

  it('counts one teacher training for every seed in --dry-run', async () => {
    const { experiment: exp } = await experiment(
      `${SEEDLESS.replace('teacher: { layers: [32, 16] }', 'teacher: { layers: [32, 16], seed: 5 }')}seeds: [1, 2, 3]\n`,
    );
    const text = formatPlan(planRun(exp));
    assert.include(
      text,
      'trainings: teacher 1, student 3, person 3 (a teacher or person shared by cells of the same seed is trained once, a teacher with its own seed once for every seed;',
    );
  });

  it('is refused on the student and the person, whose seeds are the experiment’s', async () => {
    const spec =
      'name: t\ndataset: mnist\nmodels:\n  teacher: { layers: [4], seed: 1 }\n  student: { layers: [2], seed: 3 }\n';
    assert.deepEqual(await specProblems(spec), [
      'spec.yaml:5:27 models.student.seed: only the teacher takes a seed of its own; the student trains with each seed of the experiment (remove models.student.seed (seeds: [1, 2, 3] repeats the student over seeds))',
    ]);
  });
});
