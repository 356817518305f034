// --jobs: groups of cells on worker processes, the parent the one writer. The same spec with --jobs 1 and
// --jobs 2 gives the same rows to the last digit; a worker that dies fails its group's rows and the run goes on;
// an interrupt keeps every finished row and leaves no worker behind.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { assert } from 'chai';
import { assertNoStackTrace, distilRun, finished, root, startDistilRun } from '../cli-harness.js';
import { readCsv } from '../../src/results/csv.js';
import type { CsvRecord } from '../../src/results/csv.js';
import { independentGroups } from '../../src/runner/groups.js';
import { blasThreadsPerWorker, parseJobs } from '../../src/runner/jobs.js';
import { planRun } from '../../src/runner/plan.js';
import { experiment } from './blobs.js';
import { resolveExperiment } from '../../src/config/experiment.js';
import { parseSpecSource } from '../../src/config/load.js';
import { builtinRegistry } from '../helpers.js';
import { runExperiment } from '../../src/runner/execute.js';
import { WorkerPool } from '../../src/runner/parallel.js';
import type { PoolOptions, StageGroups } from '../../src/runner/parallel.js';
import type { PlannedCell } from '../../src/runner/plan.js';
import { DistilError } from '../../src/errors/index.js';

/** A directory with the three-blobs CSV and a spec over it (the workers load the spec from disk). */
function specDir(spec: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-run-jobs-'));
  copyFileSync(path.join(root, 'test', 'fixtures', 'three-blobs.csv'), path.join(dir, 'three-blobs.csv'));
  writeFileSync(path.join(dir, 'spec.yaml'), spec);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const SPEC = `name: jobs
seeds: [1, 2, 3]
dataset: { name: csv, path: three-blobs.csv, target: label, task: classification, test_fraction: 0.25, validation: 0.25 }
models:
  teacher: { layers: [16] }
  student: { layers: [4] }
training: { epochs: 3, batch_size: 8, optimizer: { name: adam, lr: 0.02 }, metrics: [loss, accuracy, errors] }
distillation: { temperature: 2, alpha: 0.5 }
grid:
  distillation.temperature: [2, 4]
`;

/** Columns that measure time, which no two runs share. */
const TIMING = /seconds|per_sec|inference_ms|^run_id$/;

/** A table's rows without their timings, in a stable order: what two runs of one spec must agree on. */
function comparable(file: string): string[] {
  const { records } = readCsv(file);
  return records
    .map((record: CsvRecord) => JSON.stringify(Object.entries(record).filter(([column]) => !TIMING.test(column))))
    .sort();
}

function run(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return distilRun(['run', 'spec.yaml', '--teacher-cache', 'off', '--no-report', '--plain', ...args], {
    cwd: dir,
    env,
    timeout: 180_000,
  });
}

const runDir = (dir: string, id: string) => path.join(dir, 'results', 'jobs', id);

/** The worker processes of this checkout still alive. */
function livingWorkers(): string[] {
  const worker = path.join(root, 'dist', 'src', 'cli', 'worker.js');
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter((line) => line.includes(worker));
}

describe('--jobs: cells on worker processes', function () {
  this.timeout(300_000);

  it('gives the same rows, epochs, confusion counts and summary with --jobs 1 and --jobs 2, to the last digit', () => {
    const dir = specDir(SPEC);
    const one = run(dir, ['--jobs', '1', '--run-id', 'one']);
    assert.equal(one.code, 0, one.stderr);
    const two = run(dir, ['--jobs', '2', '--run-id', 'two']);
    assert.equal(two.code, 0, two.stderr);
    assertNoStackTrace(two.stderr);
    // The workers said what they trained: three seeds are three groups on two workers.
    assert.match(two.stderr, /\[worker \d\] teacher \[distillation.temperature=2\] seed 1: ok /);
    assert.match(two.stderr, /\[worker 2\] teacher/);
    assert.notInclude(one.stderr, '[worker');
    for (const table of ['results.csv', 'history.csv', 'confusion.csv', 'summary.csv']) {
      const a = comparable(path.join(runDir(dir, 'one'), table));
      assert.isAbove(a.length, 0, table);
      assert.deepEqual(comparable(path.join(runDir(dir, 'two'), table)), a, table);
    }
    // One row per cell, seed and role: 2 temperatures x 3 seeds x 3 roles.
    const rows = readCsv(path.join(runDir(dir, 'two'), 'results.csv')).records;
    assert.lengthOf(rows, 18);
    assert.lengthOf(new Set(rows.map((r) => `${r.cell_id}/${r.seed}/${r.role}`)), 18);
    // The summary table on stdout is the same but for the timings and the run directory.
    const lines = (text: string) => text.split('\n').filter((line) => /^(teacher|student|person) /.test(line));
    assert.deepEqual(lines(two.stdout), lines(one.stdout));
  });

  it('splits a sweep of one teacher and person: the same rows and saved models with --jobs 1 and --jobs 2', () => {
    const dir = specDir(
      SPEC.replace('seeds: [1, 2, 3]', 'seeds: [1]').replace(
        'distillation.temperature: [2, 4]',
        'distillation.temperature: [1, 2, 4]\n  distillation.alpha: [0.2, 0.8]',
      ),
    );
    const one = run(dir, ['--run-id', 'one']);
    assert.equal(one.code, 0, one.stderr);
    const two = run(dir, ['--jobs', '2', '--run-id', 'two']);
    assert.equal(two.code, 0, two.stderr);
    for (const table of ['results.csv', 'history.csv', 'confusion.csv', 'summary.csv']) {
      assert.deepEqual(
        comparable(path.join(runDir(dir, 'two'), table)),
        comparable(path.join(runDir(dir, 'one'), table)),
        table,
      );
    }
    // The teacher is trained once, by one worker; the sweep is split into groups that read its hand-off
    // (which worker takes them depends on which is free first: a fast machine may give worker 1 all three).
    assert.lengthOf(two.stderr.match(/teacher \[[^\]]*\] seed 1: ok /g) ?? [], 1);
    assert.match(two.stderr, /\[worker [12]\] student/);
    const plan = run(dir, ['--jobs', '2', '--dry-run']);
    assert.include(
      plan.stdout,
      'schedule (--jobs 2): 3 groups of cells (1, 3, 2 cell(s)) on 2 worker process(es); 2 of them train students with the teacher and person another group trained',
    );
    // Every cell's models are saved, as with one process; nothing handed between workers is left behind.
    const models = (id: string) =>
      readdirSync(path.join(runDir(dir, id), 'models'), { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('model.json'))
        .sort();
    assert.lengthOf(models('one'), 18);
    assert.deepEqual(models('two'), models('one'));
    assert.isFalse(existsSync(path.join(runDir(dir, 'two'), '.handoff')));
    // A saved student of a cell whose teacher another worker trained evaluates to its recorded figures.
    const student = models('two').find(
      (f) =>
        f.includes('student') &&
        !f.startsWith(readCsv(path.join(runDir(dir, 'two'), 'results.csv')).records[0].cell_id),
    )!;
    const evaluated = distilRun(['evaluate', path.dirname(path.join(runDir(dir, 'two'), 'models', student))], {
      cwd: dir,
    });
    assert.equal(evaluated.code, 0, evaluated.stderr);
  });

  it('runs a search stage on the workers and selects the same winner as one process', () => {
    const spec = SPEC.replace(
      'grid:\n  distillation.temperature: [2, 4]\n',
      'search:\n  grid: { training.optimizer.lr: [0.002, 0.02, 0.05] }\n  select: val_accuracy\n',
    );
    const dir = specDir(spec);
    const one = run(dir, ['--run-id', 'one']);
    assert.equal(one.code, 0, one.stderr);
    const two = run(dir, ['--jobs', '2', '--run-id', 'two']);
    assert.equal(two.code, 0, two.stderr);
    for (const table of ['results.csv', 'history.csv', 'selection.csv']) {
      assert.deepEqual(
        comparable(path.join(runDir(dir, 'two'), table)),
        comparable(path.join(runDir(dir, 'one'), table)),
        table,
      );
    }
    // 3 points x 3 seeds teachers, then the winner's teacher, student and person per seed.
    const rows = readCsv(path.join(runDir(dir, 'two'), 'results.csv')).records;
    assert.deepEqual(
      [rows.filter((r) => r.stage === 'search').length, rows.filter((r) => r.stage === 'final').length],
      [9, 9],
    );
  });

  it('fails the rows of a group whose worker died, says why, and trains the other groups', () => {
    // A metric that ends its process the first time any worker computes it (the flag file is made once).
    const plugin = `import { openSync, closeSync } from 'node:fs';
export default {
  name: 'crash-once',
  components: [{
    kind: 'metric', name: 'crash-once', description: 'ends a worker process once', params: { properties: {} },
    higherIsBetter: true,
    create: () => ({
      compute: (prediction) => {
        if (process.send) {
          try { closeSync(openSync(process.env.CRASH_FLAG, 'wx')); process.exit(7); } catch {}
        }
        return prediction.sum().mul(0).add(1);
      },
    }),
  }],
};
`;
    const dir = specDir(
      `${SPEC.replace('metrics: [loss, accuracy, errors]', 'metrics: [loss, accuracy, crash-once]')}plugins: [./crash.mjs]\n`,
      { 'crash.mjs': plugin },
    );
    const flag = path.join(dir, 'crashed');
    const result = run(dir, ['--jobs', '2', '--run-id', 'crash'], { CRASH_FLAG: flag });
    assert.isTrue(existsSync(flag), 'a worker computed the metric');
    assert.equal(result.code, 1, result.stderr);
    assertNoStackTrace(result.stderr);
    const rows = readCsv(path.join(runDir(dir, 'crash'), 'results.csv')).records;
    // Every cell, seed and role has exactly one row: none lost, none repeated.
    assert.lengthOf(rows, 18);
    assert.lengthOf(new Set(rows.map((r) => `${r.cell_id}/${r.seed}/${r.role}`)), 18);
    const failed = rows.filter((r) => r.status === 'failed');
    // The dead worker's group is one seed (both temperatures share its teacher and person): its 6 rows failed.
    assert.lengthOf(failed, 6);
    assert.lengthOf(new Set(failed.map((r) => r.seed)), 1);
    for (const row of failed) {
      assert.match(
        String(row.error),
        /^worker process \d exited \(code 7\) while training this cell('s teacher and person)?$/,
      );
    }
    assert.isTrue(rows.filter((r) => r.seed !== failed[0].seed).every((r) => r.status === 'ok'));
    assert.deepEqual(livingWorkers(), []);
  });

  it('keeps every finished row on SIGTERM, leaves no worker behind, and resumes to the rows of an uninterrupted run', async () => {
    const spec = SPEC.replace('epochs: 3', 'epochs: 300').replace('seeds: [1, 2, 3]', 'seeds: [1, 2, 3, 4]');
    const dir = specDir(spec);
    const child = startDistilRun(
      ['run', 'spec.yaml', '--teacher-cache', 'off', '--no-report', '--plain', '--jobs', '2', '--run-id', 'cut'],
      { cwd: dir },
    );
    let stderr = '';
    // Stopped once the first role of some worker has finished.
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/\[worker \d\] teacher \[[^\]]*\] seed \d: ok/.test(stderr) && !child.killed) child.kill('SIGTERM');
    });
    const result = await finished(child);
    assert.equal(result.code, 143, stderr);
    assertNoStackTrace(stderr);
    assert.deepEqual(livingWorkers(), []);
    const cut = readCsv(path.join(runDir(dir, 'cut'), 'results.csv')).records;
    assert.isAbove(cut.length, 0);
    assert.isBelow(cut.length, 24);
    assert.lengthOf(new Set(cut.map((r) => `${r.cell_id}/${r.seed}/${r.role}`)), cut.length);
    const resumed = run(dir, ['--jobs', '2', '--run-id', 'cut']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const whole = run(dir, ['--run-id', 'whole']);
    assert.equal(whole.code, 0, whole.stderr);
    for (const table of ['results.csv', 'history.csv']) {
      assert.deepEqual(
        comparable(path.join(runDir(dir, 'cut'), table)),
        comparable(path.join(runDir(dir, 'whole'), table)),
        table,
      );
    }
  });

  it('shows the schedule in the dry run, and refuses a --jobs that is not a number of processes', () => {
    const dir = specDir(SPEC);
    const plan = distilRun(['run', 'spec.yaml', '--dry-run', '--jobs', '2'], { cwd: dir });
    assert.equal(plan.code, 0, plan.stderr);
    assert.include(
      plan.stdout,
      'schedule (--jobs 2): 6 groups of cells (1, 1, 1, 1, 1, 1 cell(s)) on 2 worker process(es); 3 of them train students with the teacher and person another group trained (a sweep of the distillation settings); this process writes the tables',
    );
    // Seeds enough for the workers: a group each, not split.
    const seeds = specDir(SPEC.replace('seeds: [1, 2, 3]', 'seeds: [1, 2, 3, 4]'));
    assert.include(
      distilRun(['run', 'spec.yaml', '--dry-run', '--jobs', '2'], { cwd: seeds }).stdout,
      'schedule (--jobs 2): 4 groups of cells (2, 2, 2, 2 cell(s)) on 2 worker process(es); this process writes the tables',
    );
    // A student's epochs axis is one training: its cells stay together, here every cell.
    const axis = specDir(
      SPEC.replace('seeds: [1, 2, 3]', 'seeds: [1]').replace(
        'distillation.temperature: [2, 4]',
        'models.student.training.epochs: [1, 2]',
      ),
    );
    assert.include(
      distilRun(['run', 'spec.yaml', '--dry-run', '--jobs', '2'], { cwd: axis }).stdout,
      'schedule (--jobs 2): the 2 cell(s) share their trainings (a teacher, a person or an epochs axis): one after another in this process',
    );
    for (const bad of ['0', 'two', '1.5', '-1', '257']) {
      const refused = distilRun(['run', 'spec.yaml', `--jobs=${bad}`], { cwd: dir });
      assert.equal(refused.code, 2, refused.stderr);
      assert.include(refused.stderr, `--jobs: expected a whole number of worker processes from 1 to 256, or auto`);
      assert.include(refused.stderr, `got "${bad}"`);
    }
    assert.isFalse(existsSync(path.join(dir, 'results')), 'nothing was written');
  });
});

describe('independent groups of cells', () => {
  it('keeps cells that share a teacher, a person or an epochs axis together, and splits the rest', async () => {
    const base = `name: g
dataset: blobs
models: { teacher: { layers: [8] }, student: { layers: [4] } }
training: { epochs: 2, batch_size: 16 }
`;
    const groupsOf = async (text: string) => {
      const { experiment: exp } = await experiment(text);
      return independentGroups(planRun(exp).cells).map((group) => group.map((p) => p.cell.index));
    };
    // Seeds share nothing: a group each.
    assert.deepEqual(await groupsOf(`${base}seeds: [1, 2, 3]\n`), [[0], [1], [2]]);
    // A sweep of the distillation shares the teacher and the person: one group per seed, in order.
    assert.deepEqual(
      await groupsOf(`${base}seeds: [1, 2]\ngrid: { distillation.temperature: [2, 4] }\n`),
      // Cells are numbered grid point first, seed second: seed 1 is cells 0 and 2.
      [
        [0, 2],
        [1, 3],
      ],
    );
    // Teachers that differ still share the person of their seed.
    assert.deepEqual(await groupsOf(`${base}seed: 1\ngrid: { models.teacher.layers: [[8], [16]] }\n`), [[0, 1]]);
    // The student's epochs are one training to the largest count (an epochs axis): together.
    assert.deepEqual(await groupsOf(`${base}seed: 1\ngrid: { models.student.training.epochs: [1, 2] }\n`), [[0, 1]]);
    // A teacher of its own seed is one teacher for every seed: every seed in one group.
    assert.deepEqual(await groupsOf(`${base.replace('layers: [8] }', 'layers: [8], seed: 9 }')}seeds: [1, 2]\n`), [
      [0, 1],
    ]);
  });

  it("splits a search's points by their teachers alone: a point trains no person to share", async () => {
    const spec = SPEC.replace('seeds: [1, 2, 3]', 'seed: 1').replace(
      'grid:\n  distillation.temperature: [2, 4]\n',
      'search:\n  grid: { training.optimizer.lr: [0.01, 0.1, 0.3] }\n  select: val_accuracy\n',
    );
    const { experiment: exp } = await resolveExperiment(
      parseSpecSource(spec, path.join(root, 'test', 'fixtures', 'jobs.yaml')),
      { registry: builtinRegistry() },
    );
    const points = planRun(exp, { cells: exp.search?.cells }).cells;
    assert.lengthOf(points, 3);
    // All three share the seed's person (and their students' config), which none of them trains.
    assert.lengthOf(independentGroups(points), 1);
    assert.deepEqual(
      independentGroups(points, ['teacher']).map((group) => group.map((p) => p.cell.index)),
      [[0], [1], [2]],
    );
  });

  it('refuses jobs above 1 from the library without the spec file its workers load, before anything is written', async () => {
    const { experiment: exp, registry } = await experiment(
      `name: g\ndataset: blobs\nmodels: { teacher: { layers: [8] }, student: { layers: [4] } }\n`,
    );
    const out = mkdtempSync(path.join(os.tmpdir(), 'distil-run-jobs-'));
    const error = await runExperiment(exp, registry, { outDir: out, jobs: 2, teacherCache: false }).catch(
      (e: unknown) => e,
    );
    assert.instanceOf(error, DistilError);
    assert.equal((error as DistilError).code, 'INVALID_ARGUMENT');
    assert.include((error as DistilError).message, 'pass workers: { spec: { file } }');
    assert.isFalse(existsSync(path.join(out, 'g')));
  });

  it('reads --jobs as a whole number of processes or auto, and shares the cores among the workers', () => {
    assert.equal(parseJobs('3'), 3);
    assert.equal(parseJobs('auto'), 'auto');
    assert.throws(() => parseJobs('0'), /--jobs: expected a whole number/);
    assert.deepEqual(
      [1, 2, 3, 4, 16].map((workers) => blasThreadsPerWorker(workers, 8)),
      [8, 4, 2, 2, 1],
    );
  });
});

/**
 * A worker program that speaks the pool's protocol and trains nothing: it finishes each group at once. It is
 * ready after `FAKE_READY_MS` of its environment (a worker on a busy machine), or then exits instead with
 * `FAKE_EXIT` (a worker that cannot start); each group takes it `FAKE_GROUP_MS`.
 */
function fakeWorker(): { entry: string; dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-run-pool-'));
  const entry = path.join(dir, 'fake-worker.mjs');
  writeFileSync(
    entry,
    `process.on('message', (message) => {
  if (message.type === 'init') {
    const start = () => (process.env.FAKE_EXIT ? process.exit(3) : process.send({ type: 'ready', backend: 'cpu' }));
    setTimeout(start, Number(process.env.FAKE_READY_MS ?? 0));
  } else if (message.type === 'group') {
    setTimeout(() => process.send({ type: 'done', group: message.group }), Number(process.env.FAKE_GROUP_MS ?? 0));
  }
  else if (message.type === 'exit') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
`,
  );
  return { entry, dir };
}

/** Sets `env` in this process's environment (inherited by workers started now); returns what undoes it. */
function setEnv(env: Record<string, string>): () => void {
  const saved = Object.keys(env).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, env);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

describe('the worker pool', function () {
  this.timeout(30_000);

  const cell = (id: string) => ({ cell: { id, seed: 1 } }) as unknown as PlannedCell;
  /** The lines the pools' reporters noted. */
  let notes: string[] = [];
  beforeEach(() => (notes = []));
  /**
   * A pool of two fake workers, the first already started and ready (by a stage of one group), with
   * `firstEnv` in its environment.
   */
  async function poolWithOneWorker(firstEnv: Record<string, string> = {}): Promise<WorkerPool> {
    const { entry, dir } = fakeWorker();
    const restore = setEnv(firstEnv);
    const pool = new WorkerPool({
      size: 2,
      entry,
      spec: { file: path.join(dir, 'spec.yaml') } as unknown as PoolOptions['spec'],
      settings: { runDir: dir } as unknown as PoolOptions['settings'],
      writer: { appendResult() {}, appendHistory() {}, appendConfusion() {} } as unknown as PoolOptions['writer'],
      reporter: { warn() {}, note: (line: string) => notes.push(line) } as unknown as PoolOptions['reporter'],
      rowContext: () => {
        throw new Error('no row is written by the parent here');
      },
    });
    try {
      await pool.run({ stage: 'final', groups: [{ cells: [cell('first')] }] });
    } finally {
      restore();
    }
    return pool;
  }
  // The second lane finds nothing to take (both later groups wait for the first) and starts a worker; the
  // first worker trains all three groups before that start ends.
  const stage: StageGroups = {
    stage: 'final',
    groups: [{ cells: [cell('a')] }, { cells: [cell('b')], after: 0 }, { cells: [cell('c')], after: 0 }],
  };
  /** Runs `stage` on `pool` with `env` set while the second worker starts; how it ended, within 10 s. */
  async function runWith(pool: WorkerPool, env: Record<string, string>): Promise<string> {
    const restore = setEnv(env);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        pool.run(stage).then(
          () => 'ended',
          (error: unknown) => `failed: ${(error as Error).message}`,
        ),
        new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still waiting after 10 s'), 10_000))),
      ]);
    } finally {
      clearTimeout(timer);
      restore();
      await pool.close();
    }
  }

  it('ends a stage whose groups another worker finished while a second worker was still starting', async () => {
    assert.equal(await runWith(await poolWithOneWorker(), { FAKE_READY_MS: '1500' }), 'ended');
  });

  it('ends a stage its workers finished although a spare worker started meanwhile could not start, and says so', async () => {
    assert.equal(await runWith(await poolWithOneWorker(), { FAKE_READY_MS: '1000', FAKE_EXIT: '1' }), 'ended');
    assert.deepEqual(notes, [
      'worker process 2 exited (code 3) before it was ready; the stage needed no more workers by then',
    ]);
  });

  it('fails the stage when a spare worker cannot start while groups still wait for it', async () => {
    // The first worker trains the teacher's group for a second; the spare exits before that ends.
    const pool = await poolWithOneWorker({ FAKE_GROUP_MS: '1000' });
    assert.match(
      await runWith(pool, { FAKE_EXIT: '1' }),
      /^failed: --jobs: worker process 2 exited \(code 3\) before it was ready;/,
    );
    assert.deepEqual(notes, []);
  });
});
