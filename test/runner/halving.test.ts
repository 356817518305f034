// search.halving: every point to the first rung, the best 1/eta on, the rest stopped (rows `pruned`). The rung
// decisions are checked against the validation losses history.csv recorded at each rung, a stopped point's row
// against a training of that many epochs, and the winner against a full training; an interrupt neither hangs nor
// keeps half a search.
import path from 'node:path';
import { assert } from 'chai';
import { resolveExperiment } from '../../src/config/experiment.js';
import { parseSpecSource } from '../../src/config/load.js';
import { DistilError } from '../../src/errors/index.js';
import { readCsv } from '../../src/results/csv.js';
import type { CsvRecord } from '../../src/results/csv.js';
import { runExperiment } from '../../src/runner/execute.js';
import { promoted } from '../../src/runner/halving.js';
import { planStages } from '../../src/runner/stages.js';
import { loadRunData } from '../../src/report/run-data.js';
import { searchPoints } from '../../src/report/chart-data.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { builtinRegistry } from '../helpers.js';
import { outDir } from './blobs.js';
import { specProblems } from '../config/spec-problems.js';
import { VALID } from '../config/valid-spec.js';

const FIXTURES = path.resolve('test/fixtures');

const BASE = `name: halv
seeds: [1, 2]
dataset: { name: csv, path: three-blobs.csv, target: label, task: classification, test_fraction: 0.25, validation: 0.25 }
models:
  teacher: { layers: [16] }
  student: { layers: [4] }
training: { epochs: 9, batch_size: 8, optimizer: { name: sgd, lr: 0.02, momentum: 0.9 }, metrics: [loss, accuracy] }
`;

const LRS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3];

const HALVING = `${BASE}search:
  grid:
    training.optimizer.lr: [${LRS.join(', ')}]
  halving: { min_epochs: 1, eta: 3 }
  select: { metric: val_loss, goal: min }
  carry: [training.optimizer.lr]
`;

async function run(
  text: string,
  options: { runId?: string; out?: string; reporter?: RecordingReporter; signal?: AbortSignal } = {},
) {
  const registry = builtinRegistry();
  const { experiment } = await resolveExperiment(parseSpecSource(text, path.join(FIXTURES, 'halv.yaml')), { registry });
  const summary = await runExperiment(experiment, registry, {
    outDir: options.out ?? outDir(),
    runId: options.runId ?? 'r',
    reporter: options.reporter ?? new RecordingReporter(),
    teacherCache: false,
    signal: options.signal,
  });
  return {
    summary,
    results: readCsv(path.join(summary.runDir, 'results.csv')).records,
    history: readCsv(path.join(summary.runDir, 'history.csv')).records,
    selection: experiment.search ? readCsv(path.join(summary.runDir, 'selection.csv')).records : [],
  };
}

/** The metrics of a row, as two runs of one model must agree on them. */
const figures = (row: CsvRecord) =>
  Object.fromEntries(Object.entries(row).filter(([column]) => /^(test|val)_/.test(column) || column === 'params'));

describe('successive halving', function () {
  this.timeout(120_000);

  it('keeps the best 1/eta at each rung by the mean validation metric, and stops the rest where they are', async () => {
    const reporter = new RecordingReporter();
    const { summary, results, history, selection } = await run(HALVING, { reporter });
    const search = results.filter((row) => row.stage === 'search');
    // 6 points x 2 seeds: at epoch 1, 2 points go on; at epoch 3, 1 of them; it trains to epoch 9.
    const fates = search.map((row) => `${row.cell}|${row.seed}|${row.status}|${row.epochs}`).sort();
    const byLr = (lr: number) => `models.teacher.training.optimizer.lr=${lr}`;
    // The reference: the validation loss history.csv has for each point at epoch 1, mean over its seeds.
    const idOf = (lr: number) => search.find((row) => row.cell === byLr(lr))?.cell_id;
    const valAt = (epoch: number, lr: number) => {
      const rows = history.filter((h) => h.cell_id === idOf(lr) && h.role === 'teacher' && Number(h.epoch) === epoch);
      assert.lengthOf(rows, 2, `${lr} at epoch ${epoch}`);
      return (Number(rows[0].val_loss) + Number(rows[1].val_loss)) / 2;
    };
    const first = [...LRS].sort((a, b) => valAt(1, a) - valAt(1, b)).slice(0, 2);
    const second = [...first].sort((a, b) => valAt(3, a) - valAt(3, b)).slice(0, 1);
    const expected = LRS.flatMap((lr) =>
      [1, 2].map((seed) => {
        const [status, epochs] = second.includes(lr) ? ['ok', 9] : first.includes(lr) ? ['pruned', 3] : ['pruned', 1];
        return `${byLr(lr)}|${seed}|${status}|${epochs}`;
      }),
    );
    assert.deepEqual(fates, expected.sort());
    // Every epoch a point trained is in history.csv once: 8 x 1 + 2 x 3 + 2 x 9, then the final cells' roles.
    const searchEpochs = history.filter((h) => search.some((r) => r.cell_id === h.cell_id));
    assert.lengthOf(searchEpochs, 8 + 6 + 18);
    // One point trains at a time, from a rung to the next: 12 stretches to epoch 1, 4 from 1 to 3, 2 from 3 to 9
    // (fewer blocks of consecutive rows if one stretch follows another of the same training; far more if interleaved).
    const order = searchEpochs.map((h) => `${h.cell_id}/${h.seed}`);
    const blocks = order.filter((key, i) => i === 0 || key !== order[i - 1]).length;
    assert.isAtMost(blocks, 18);
    assert.isAtLeast(blocks, 12);
    // The winner is the point that reached the end; its teacher is not trained again for the cells after it.
    assert.deepEqual(
      selection.map((row) => row.fate),
      LRS.map((lr) => (second.includes(lr) ? 'selected' : 'pruned')),
    );
    const final = results.filter((row) => row.stage === 'final');
    assert.lengthOf(final, 6);
    assert.isTrue(final.every((row) => row.status === 'ok'));
    // The report's selection chart shows every point: a stopped one at the rung it reached.
    const points = searchPoints(loadRunData(summary.runDir));
    assert.lengthOf(points, 6);
    assert.deepEqual(points.map((p) => p.outcome).sort(), [
      'pruned',
      'pruned',
      'pruned',
      'pruned',
      'pruned',
      'selected',
    ]);
    const stopped = points.find((p) => p.label.endsWith('(stopped at epoch 3)'))!;
    assert.closeTo(
      stopped.value,
      valAt(
        3,
        first.find((lr) => !second.includes(lr))!,
      ),
      1e-5,
    );
    const notes = reporter.events.filter((e) => e.type === 'note').map((e) => String(e.message));
    assert.include(
      notes,
      "halving trained the search's teachers for 32 epoch(s) in all, 0.30x the 108 of training every point to epoch 9",
    );
  });

  it("gives a stopped point the row a training of that many epochs gives, and the winner a full training's", async () => {
    const { results } = await run(HALVING);
    const search = results.filter((row) => row.stage === 'search');
    for (const row of [search.find((r) => r.epochs === '3')!, search.find((r) => r.status === 'ok')!]) {
      const lr = Number(String(row.cell).split('=')[1]);
      const plain = BASE.replace('lr: 0.02', `lr: ${lr}`).replace('epochs: 9', `epochs: ${row.epochs}`);
      const alone = (await run(plain)).results.find((r) => r.role === 'teacher' && r.seed === row.seed)!;
      assert.deepEqual(figures(row), figures(alone), `lr ${lr}, ${row.epochs} epochs`);
    }
  });

  it('stops on an interrupt while points wait at a rung, and a resume runs the whole search again', async () => {
    const out = outDir();
    const controller = new AbortController();
    // Aborted as the first rung is decided: some trainings are held, others about to go on.
    class AbortAtRung extends RecordingReporter {
      override note(message: string): void {
        super.note(message);
        if (message.startsWith('halving, epoch')) controller.abort();
      }
    }
    const stopped = await run(HALVING, {
      out,
      runId: 'cut',
      reporter: new AbortAtRung(),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    assert.instanceOf(stopped, DistilError);
    assert.equal((stopped as DistilError).code, 'INTERRUPTED');
    const resumed = await run(HALVING, { out, runId: 'cut' });
    const whole = await run(HALVING);
    const comparable = (rows: readonly CsvRecord[]) =>
      rows.map((row) => JSON.stringify([row.cell_id, row.seed, row.role, row.status, row.epochs, figures(row)])).sort();
    assert.deepEqual(comparable(resumed.results), comparable(whole.results));
    assert.lengthOf(resumed.history, whole.history.length);
  });

  it('refuses --shard for a halving search: a shard cannot decide a rung alone', async () => {
    const { experiment } = await resolveExperiment(parseSpecSource(HALVING, path.join(FIXTURES, 'halv.yaml')), {
      registry: builtinRegistry(),
    });
    assert.throws(() => planStages(experiment, { shard: { index: 1, count: 2 } }), /--shard: successive halving/);
  });

  it('ranks a rung by the metric, lowest first for a loss, a NaN last and a tie in the order listed', () => {
    const values = new Map([
      [0, 0.5],
      [1, NaN],
      [2, 0.2],
      [3, 0.2],
      [4, 0.9],
      [5, 0.1],
    ]);
    assert.deepEqual([...promoted(values, 3, false)], [5, 2]);
    assert.deepEqual([...promoted(values, 2, true)], [4, 0, 2]);
    // Fewer points than eta: the best one goes on.
    assert.deepEqual(
      [
        ...promoted(
          new Map([
            [7, 1],
            [8, 2],
          ]),
          3,
          true,
        ),
      ],
      [8],
    );
  });

  it('refuses what halving cannot judge: the epochs searched, early stopping, min_epochs not below the epochs', async () => {
    const spec = (search: string, training = '') =>
      `${VALID.replace('train_limit: 100', 'train_limit: 100, validation: 0.1').replace('  epochs: 2\n', `  epochs: 2\n${training}`)}search:\n${search}`;
    assert.deepEqual(
      await specProblems(
        spec('  grid: { training.epochs: [1, 2] }\n  halving: { min_epochs: 1 }\n  select: val_accuracy\n'),
      ),
      [
        "spec.yaml:13:3 search.halving: sets the epochs of each point itself, so training.epochs cannot be searched with it (leave training.epochs out of the search; the teacher's training.epochs is the last rung)",
      ],
    );
    assert.deepEqual(
      await specProblems(
        spec(
          '  grid: { training.optimizer.lr: [0.01, 0.1] }\n  halving: { min_epochs: 1 }\n  select: val_accuracy\n',
          '  early_stopping: { metric: val_accuracy, patience: 1 }\n',
        ),
      ),
      [
        "spec.yaml:14:3 search.halving: judges every point at the same epochs, and the teacher's early stopping would end points on its own (remove the teacher's early_stopping, or the halving)",
      ],
    );
    assert.deepEqual(
      await specProblems(
        spec('  grid: { training.optimizer.lr: [0.01, 0.1] }\n  halving: { min_epochs: 2 }\n  select: val_accuracy\n'),
      ),
      [
        "spec.yaml:13:14 search.halving.min_epochs: 2 is not below the teacher's 2 epochs, so nothing would be cut (a min_epochs below 2, e.g. 1)",
      ],
    );
  });
});
