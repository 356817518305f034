// An axis over epochs costs one training: the largest count, with each smaller count served on the way.
import path from 'node:path';
import { assert } from 'chai';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { formatPlan, planRun } from '../../src/runner/plan.js';
import { readCsv } from '../../src/results/csv.js';
import type { Row } from '../../src/results/rows.js';
import { useWasm } from '../helpers.js';
import { experiment, outDir, SPEC } from './blobs.js';

const trainings = (reporter: RecordingReporter, role: string) =>
  reporter.events
    .filter((e) => e.type === 'roleStart' && e.role === role && (e.epochs as number) > 0)
    .map((e) => e.epochs);

/** What a row says about the model: everything but where and how fast it ran. */
const TIMING = [
  'run_id',
  'cell_id',
  'cell',
  'train_seconds',
  'train_samples_per_sec',
  'inference_ms_per_1000',
  'seconds',
  'samples_per_sec',
  'source',
  'distillation_gain',
  'gain_metric',
];
function figures(row: Row | Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row)
      .filter(([key]) => !TIMING.includes(key) && !key.includes('.'))
      .map(([k, v]) => [k, String(v ?? '')]),
  );
}

async function run(text: string) {
  const { experiment: exp, registry } = await experiment(text);
  const reporter = new RecordingReporter();
  const summary = await runExperiment(exp, registry, { outDir: outDir(), runId: 'e', reporter, teacherCache: false });
  const history = readCsv(path.join(summary.runDir, 'history.csv')).records;
  return { summary, reporter, history, plan: formatPlan(planRun(exp)) };
}

const WITH_EVAL = SPEC.replace('training: { epochs: 4,', 'training: { epochs: 4, eval_every: 3, lr_decay: 0.7,');

describe('an epochs axis', () => {
  before(useWasm);

  it("trains the teacher once to the largest count; the smaller count's rows and epochs equal a separate run of that many epochs", async () => {
    const axis = await run(`${WITH_EVAL}grid:\n  models.teacher.training.epochs: [2, 5]\n`);
    assert.deepEqual(trainings(axis.reporter, 'teacher'), [5], 'one teacher training, to 5 epochs');
    assert.deepEqual(trainings(axis.reporter, 'person'), [4], 'the person does not depend on the teacher');
    assert.lengthOf(trainings(axis.reporter, 'student'), 2, 'each student learns from its own teacher');
    const teachers = axis.summary.rows.filter((r) => r.role === 'teacher');
    assert.deepEqual(
      teachers.map((r) => [r.epochs, r.kept_epoch, r.source]),
      [
        [2, 2, 'checkpoint'],
        [5, 5, 'trained'],
      ],
    );

    for (const epochs of [2, 5]) {
      const alone = await run(
        WITH_EVAL.replace(
          'teacher: { layers: [32, 16] }',
          `teacher: { layers: [32, 16], training: { epochs: ${epochs} } }`,
        ),
      );
      const cell = axis.summary.rows.find((r) => r.role === 'teacher' && r.epochs === epochs);
      const separate = alone.summary.rows.filter((r) => r.role !== 'person');
      const served = axis.summary.rows.filter((r) => r.cell_id === cell?.cell_id && r.role !== 'person');
      assert.deepEqual(
        served.map(figures),
        separate.map(figures),
        `the teacher and student of ${epochs} epochs, as trained alone`,
      );
      const curve = (history: Array<Record<string, string>>, cellId?: string) =>
        history.filter((r) => r.role === 'teacher' && (!cellId || r.cell_id === cellId)).map(figures);
      assert.deepEqual(
        curve(axis.history, String(cell?.cell_id)),
        curve(alone.history),
        `the teacher's ${epochs} epochs, evaluated where a run of ${epochs} epochs evaluates`,
      );
    }
    const early = axis.history.find(
      (r) => r.role === 'teacher' && r.epoch === '2' && r.cell_id === teachers[1].cell_id,
    );
    assert.equal(early?.test_accuracy, '', 'the 5-epoch run is not evaluated at the 2-epoch checkpoint (eval_every 3)');
  });

  it("shows on each cell's progress line the test figures and epoch of its own model, the checkpoint's for a served count", async () => {
    const axis = await run(`${SPEC}grid:\n  models.teacher.training.epochs: [1, 2]\n`);
    const alone = (epochs: number) =>
      run(
        SPEC.replace('teacher: { layers: [32, 16] }', `teacher: { layers: [32, 16], training: { epochs: ${epochs} } }`),
      );
    // The seconds differ from run to run; everything else on the line is the model's.
    const ends = (reporter: RecordingReporter) =>
      reporter.events
        .filter((e) => e.type === 'roleEnd' && e.role === 'teacher')
        .map((e) => `${e.cellLabel}: ${e.status}: ${String(e.summary).replace(/ \(\d+\.\d s\)$/, ' (N s)')}`);
    const [one] = ends((await alone(1)).reporter);
    const [two] = ends((await alone(2)).reporter);
    assert.deepEqual(ends(axis.reporter), [
      `models.teacher.training.epochs=1${one.replace(' (N s)', ' at epoch 1 (N s)')}`,
      `models.teacher.training.epochs=2${two.replace(' (N s)', '')}`,
    ]);
    assert.deepEqual(
      axis.summary.rows.filter((r) => r.role === 'teacher').map((r) => [r.epochs, r.source]),
      [
        [1, 'checkpoint'],
        [2, 'trained'],
      ],
    );
  });

  it('serves a student epochs axis from one student training, and counts trainings that way in the dry run', async () => {
    const text = `${SPEC}grid:\n  models.student.training.epochs: [1, 3, 2]\n  distillation.alpha: [0.5]\n`;
    const axis = await run(text);
    assert.deepEqual(trainings(axis.reporter, 'teacher'), [4]);
    assert.deepEqual(trainings(axis.reporter, 'student'), [3], 'one student training to 3 epochs serves 1 and 2');
    assert.match(axis.plan, /^trainings: teacher 1, student 1, person 1 /m);
    const students = axis.summary.rows.filter((r) => r.role === 'student');
    assert.deepEqual(
      students.map((r) => [r.epochs, r.source, r.status]),
      [
        [1, 'checkpoint', 'ok'],
        [3, 'trained', 'ok'],
        [2, 'checkpoint', 'ok'],
      ],
    );
    assert.lengthOf(
      axis.history.filter((r) => r.role === 'student'),
      6,
      'each cell records its own count of student epochs',
    );
    assert.isTrue(
      students.every((r) => r.distillation_gain !== undefined),
      'each student row has its gain',
    );
  });

  it('serves a searched epochs axis from one teacher training, and the winner goes on to the final stage untrained', async () => {
    const text = `${SPEC.replace('dataset: blobs', 'dataset: { name: blobs, validation: 0.2 }')}search:
  grid:
    training.epochs: [1, 3]
  select: val_loss
  carry: [training.epochs]
`;
    const axis = await run(text);
    assert.deepEqual(
      trainings(axis.reporter, 'teacher'),
      [3],
      'one search training serves both points, and the winner is not trained again',
    );
    const rows = axis.summary.rows;
    assert.deepEqual(
      rows.filter((r) => r.stage === 'search').map((r) => [r.epochs, r.source]),
      [
        [1, 'checkpoint'],
        [3, 'trained'],
      ],
    );
    const final = rows.find((r) => r.stage === 'final' && r.role === 'teacher');
    const winner = rows.find((r) => r.stage === 'search' && r.epochs === final?.epochs);
    assert.equal(final?.test_loss, winner?.test_loss);
    assert.deepEqual(
      rows.filter((r) => r.stage === 'final' && r.role !== 'teacher').map((r) => r.epochs),
      [final?.epochs, final?.epochs],
      "the winner's epochs carried",
    );
  });

  it('trains each count separately when early stopping depends on it', async () => {
    const text = SPEC.replace('dataset: blobs', 'dataset: { name: blobs, validation: 0.2 }').replace(
      'teacher: { layers: [32, 16] }',
      'teacher: { layers: [32, 16], training: { early_stopping: { metric: val_accuracy, patience: 2 } } }',
    );
    const axis = await run(`${text}grid:\n  models.teacher.training.epochs: [2, 3]\n`);
    assert.deepEqual(trainings(axis.reporter, 'teacher'), [2, 3]);
    assert.match(axis.plan, /^trainings: teacher 2, /m);
  });
});
