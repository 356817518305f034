// The selection stage: search the teacher, select on validation only, carry the winner's values to the student and person.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import { DistilError } from '../../src/errors.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { selectWinner } from '../../src/runner/selection.js';
import { readCsv } from '../../src/results/csv.js';
import { useWasm } from '../helpers.js';
import { experiment, outDir, SPEC } from './blobs.js';

const SEARCH = `${SPEC.replace('dataset: blobs', 'dataset: { name: blobs, validation: 0.2 }')}search:
  grid:
    training.optimizer.lr: [0.00001, 0.01]
  select: val_accuracy
  carry: [training.optimizer.lr]
`;

describe('selection stage', () => {
  before(useWasm);

  it('trains the teacher at every search point, selects on validation, and trains student and person with the carried values', async () => {
    const { experiment: exp, registry } = await experiment(SEARCH);
    const stage = exp.search!;
    assert.deepEqual(stage.points, [{ 'training.optimizer.lr': 0.00001 }, { 'training.optimizer.lr': 0.01 }]);
    // The planted winner (a learning rate that learns) carries its rate to the student and the person.
    assert.equal(stage.finals[1][0].config.models.student.training.optimizer.params.lr, 0.01);
    assert.equal(stage.finals[1][0].config.models.person.training.optimizer.params.lr, 0.01);
    assert.equal(stage.finals[1][0].config.models.teacher.training.optimizer.name, 'adam', 'the searched path keeps the rest of the optimizer');
    const reporter = new RecordingReporter();
    const summary = await runExperiment(exp, registry, { outDir: outDir(), runId: 'sel', reporter, teacherCache: false });
    assert.equal(summary.status, 'ok');
    const rows = readCsv(path.join(summary.runDir, 'results.csv')).records;
    assert.deepEqual(rows.map((r) => `${r.stage}/${r.role}`), ['search/teacher', 'search/teacher', 'final/teacher', 'final/student', 'final/person']);
    assert.equal(rows[2].test_accuracy, rows[1].test_accuracy, 'the final teacher is the winning search teacher, not trained again');
    assert.lengthOf(reporter.events.filter((e) => e.type === 'roleStart' && e.role === 'teacher' && (e.epochs as number) > 0), 2);
    const selection = readCsv(path.join(summary.runDir, 'selection.csv')).records;
    assert.deepEqual(selection.map((r) => [r.point, r['training.optimizer.lr'], r.selected]), [['1', '0.00001', ''], ['2', '0.01', 'yes']]);
    assert.match(String(reporter.events.find((e) => e.type === 'note')?.message), /^selected training\.optimizer\.lr=0\.01 by mean val_accuracy \S+ over 1 seed\(s\) \(highest of 2 search point\(s\); the test split was not used\)$/);
    const manifest = JSON.parse(readFileSync(path.join(summary.runDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.selection.winner, 1);
  });

  it('chooses on the validation metric only, even where the test metric disagrees', () => {
    // Two seeds per point.
    const stage = { metric: 'accuracy', higherIsBetter: true, points: [{ lr: 1 }, { lr: 2 }, { lr: 3 }], pointIds: ['a', 'b', 'c'], axes: [{ path: 'lr', values: [1, 2, 3] }], cells: Array(6).fill({}) };
    const rows = [
      { cell_id: 'a', status: 'ok', val_accuracy: '0.90', test_accuracy: '0.99' },
      { cell_id: 'a', status: 'ok', val_accuracy: '0.90', test_accuracy: '0.99' },
      { cell_id: 'b', status: 'ok', val_accuracy: '0.95', test_accuracy: '0.50' },
      { cell_id: 'b', status: 'ok', val_accuracy: '0.95', test_accuracy: '0.50' },
      { cell_id: 'c', status: 'ok', val_accuracy: '0.99', test_accuracy: '0.99' },
      { cell_id: 'c', status: 'failed', val_accuracy: '', test_accuracy: '' },
    ];
    const selection = selectWinner(stage as never, rows);
    assert.equal(selection?.winner, 1, 'b: the best validation among points that finished on every seed');
    assert.deepEqual(selection?.candidates.map((c) => c.n), [2, 2, 1], 'a failed seed does not count, and c is not judged on its survivor');
  });

  it('refuses a selection on a metric that is not a validation metric, a carry of an unsearched path, and a search without a validation split', async () => {
    const onTest = await experiment(SEARCH.replace('select: val_accuracy', 'select: test_accuracy')).catch((e: unknown) => e as DistilError);
    assert.include((onTest as DistilError).message, 'search.select: "test_accuracy" is not a validation metric the teacher records; the winner is chosen on the validation split, never the test split (Did you mean "val_accuracy"?)');
    const carry = await experiment(SEARCH.replace('carry: [training.optimizer.lr]', 'carry: [training.optimizer.lrr]')).catch((e: unknown) => e as DistilError);
    assert.include((carry as DistilError).message, 'search.carry[0]: "training.optimizer.lrr" is not a searched path, so there is no winning value to carry (Did you mean "training.optimizer.lr"?)');
    const noSplit = await experiment(SEARCH.replace('dataset: { name: blobs, validation: 0.2 }', 'dataset: blobs')).catch((e: unknown) => e as DistilError);
    assert.include((noSplit as DistilError).message, 'search.select: selects on the validation split, and the dataset has none (add validation: 0.1 to the dataset)');
  });

  it('refuses a search value listed twice, and a search too large, before building its points', async () => {
    const twice = await experiment(SEARCH.replace('[0.00001, 0.01]', '[0.01, 0.02, 0.01]')).catch((e: unknown) => e as DistilError);
    assert.include((twice as DistilError).message, 'search.grid.training.optimizer.lr[2]: 0.01 is listed twice (also at [0]); each value makes one search point (list each value once)');
    const values = (n: number, scale: number) => `[${Array.from({ length: n }, (_, i) => (i + 1) / scale).join(', ')}]`;
    const big = SEARCH.replace('[0.00001, 0.01]', values(1000, 1e4)).replace('  select:', `    training.epochs: ${values(20, 1).replace(/\./g, '')}\n  select:`);
    const huge = await experiment(big).catch((e: unknown) => e as DistilError);
    assert.include((huge as DistilError).message, 'search.grid: makes 20000 search points; at most 10000 are allowed (search fewer values)');
  });

  it('resumes a selection: finished search points are kept, and the same winner carries on', async () => {
    const { experiment: exp, registry } = await experiment(SEARCH);
    const dir = outDir();
    const controller = new AbortController();
    const first = new RecordingReporter();
    first.roleStart = (event) => {
      if (event.role === 'student') controller.abort();
    };
    await runExperiment(exp, registry, { outDir: dir, runId: 'r', reporter: first, signal: controller.signal, teacherCache: false }).catch(() => undefined);
    const second = new RecordingReporter();
    const summary = await runExperiment(exp, registry, { outDir: dir, runId: 'r', reporter: second, teacherCache: false });
    assert.equal(summary.status, 'ok');
    assert.equal(second.events.find((e) => e.type === 'runStart')?.skippedCells, 2, 'both search points were done');
    const rows = readCsv(path.join(dir, 'blobs', 'r', 'results.csv')).records;
    assert.deepEqual(rows.map((r) => `${r.stage}/${r.role}/${r.status}`), ['search/teacher/ok', 'search/teacher/ok', 'final/teacher/ok', 'final/student/ok', 'final/person/ok']);
    assert.isTrue(existsSync(path.join(dir, 'blobs', 'r', 'selection.csv')));
  });
});
