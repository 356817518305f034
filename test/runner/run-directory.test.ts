// Result tables under faults: concurrent writers, resume with a changed spec, cut rows, interrupted roles, divergence.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import { DistilError } from '../../src/errors/index.js';
import { defaultRunId } from '../../src/results/run-dir.js';
import { LOCK_FILE, acquireRunLock, removeLockFile } from '../../src/results/lock.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { readCsv } from '../../src/results/csv.js';
import { assertErrorMessage, messagePattern, useWasm } from '../helpers.js';
import { builtinPlugin } from '../../src/plugins/builtin/index.js';
import { Registry } from '../../src/registry/registry.js';
import { definePlugin } from '../../src/registry/types.js';
import { resolveExperiment } from '../../src/config/experiment.js';
import { parseSpecSource } from '../../src/config/load.js';
import { experiment, outDir, SPEC, testPlugin } from './blobs.js';

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<DistilError> {
  try {
    await promise;
  } catch (error) {
    assert.instanceOf(error, DistilError, String((error as Error).stack));
    return error as DistilError;
  }
  return assert.fail('expected a rejection');
}

const keyOf = (r: Record<string, string>) => `${r.cell_id}/${r.role}`;
const historyKeyOf = (r: Record<string, string>) => `${r.cell_id}/${r.role}/${r.epoch}`;

/** The warnings a run reported, in order. */
const warnings = (reporter: RecordingReporter): string[] =>
  reporter.events.flatMap((e) => (e.type === 'warn' ? [String(e.message)] : []));

function assertUnique(keys: readonly string[], what: string): void {
  assert.equal(new Set(keys).size, keys.length, `${what} has duplicate keys: ${keys.join(' ')}`);
}

describe('run directory', () => {
  before(useWasm);

  it('gives two runs started in the same millisecond different default ids', () => {
    const now = new Date('2026-11-23T12:00:00.000Z');
    const a = defaultRunId(now);
    const b = defaultRunId(now);
    assert.notEqual(a, b);
    assert.match(a, /^20261123-120000-[0-9a-f]{6}$/);
  });

  it('refuses a second writer of the same run directory while the first runs, losing no row', async () => {
    const { experiment: exp, registry } = await experiment(SPEC.replace('epochs: 4', 'epochs: 30'));
    const dir = outDir();
    const first = runExperiment(exp, registry, { outDir: dir, runId: 'same', reporter: new RecordingReporter() });
    const second = await rejection(
      runExperiment(exp, registry, { outDir: dir, runId: 'same', reporter: new RecordingReporter() }),
    );
    assert.equal(second.code, 'RUN_LOCKED');
    assert.equal(second.exitCode, 2);
    const runDir = path.join(dir, 'blobs', 'same');
    assertErrorMessage(
      second,
      messagePattern`${runDir} is being written by another distil-run (pid ${/\d+/} on ${/.+/}, started ${/.+/}); use another --run-id (or leave it out), give each CI shard --shard i/n, or wait for it to finish (a lock its holder stops refreshing is taken over after 2 minutes; or delete ${path.join(runDir, '.lock')} if no such process runs)`,
    );
    const summary = await first;
    assert.equal(summary.status, 'ok');
    const rows = readCsv(path.join(summary.runDir, 'results.csv')).records;
    assert.deepEqual(
      rows.map((r) => r.role),
      ['teacher', 'student', 'person'],
    );
    assert.isFalse(existsSync(path.join(summary.runDir, '.lock')), 'the lock is released');
  });

  it('takes over the lock of a process that no longer exists', async () => {
    const { experiment: exp, registry } = await experiment();
    const dir = outDir();
    const runDir = path.join(dir, 'blobs', 'stale');
    await runExperiment(exp, registry, { outDir: dir, runId: 'stale', reporter: new RecordingReporter() });
    writeFileSync(
      path.join(runDir, '.lock'),
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        host: (await import('node:os')).hostname(),
        started: '2026-01-01T00:00:00Z',
      }),
    );
    const reporter = new RecordingReporter();
    const again = await runExperiment(exp, registry, { outDir: dir, runId: 'stale', reporter });
    assert.equal(again.status, 'ok');
    assert.deepEqual(warnings(reporter), [
      `took over the stale lock of ${runDir} (pid ${2 ** 22 + 12345} is no longer running)`,
    ]);
  });

  it('takes over a lock from another host once it has not been refreshed for 2 minutes (a pod retried elsewhere), not before', async () => {
    const { experiment: exp, registry } = await experiment();
    const dir = outDir();
    const runDir = path.join(dir, 'blobs', 'moved');
    await runExperiment(exp, registry, {
      outDir: dir,
      runId: 'moved',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    const lock = path.join(runDir, '.lock');
    writeFileSync(lock, JSON.stringify({ pid: 1, host: 'another-pod', started: '2026-01-01T00:00:00Z' }));
    const fresh = await rejection(
      runExperiment(exp, registry, {
        outDir: dir,
        runId: 'moved',
        reporter: new RecordingReporter(),
        teacherCache: false,
      }),
    );
    assert.equal(fresh.code, 'RUN_LOCKED');
    const old = new Date(Date.now() - 180_000);
    utimesSync(lock, old, old);
    const reporter = new RecordingReporter();
    const again = await runExperiment(exp, registry, { outDir: dir, runId: 'moved', reporter, teacherCache: false });
    assert.equal(again.status, 'ok');
    const [warning, ...more] = warnings(reporter);
    assert.deepEqual(more, []);
    // The age is the lock file's, seen a moment after it was set 180 s back.
    assert.match(
      warning,
      messagePattern`took over the stale lock of ${runDir} (not refreshed for ${/1[89]\d/} s by another-pod)`,
    );
  });

  it('writes each shard into its own directory, so shards given one run id never share a file', async () => {
    const grid = `${SPEC}grid:\n  distillation.alpha: [0.2, 0.8]\n`;
    const { experiment: exp, registry } = await experiment(grid);
    const dir = outDir();
    const [a, b] = await Promise.all(
      [1, 2].map((index) =>
        runExperiment(exp, registry, {
          outDir: dir,
          runId: 'ci',
          shard: { index, count: 2 },
          reporter: new RecordingReporter(),
        }),
      ),
    );
    assert.equal(a.runDir, path.join(dir, 'blobs', 'ci', 'shard-1-of-2'));
    assert.equal(b.runDir, path.join(dir, 'blobs', 'ci', 'shard-2-of-2'));
    for (const s of [a, b]) assert.lengthOf(readCsv(path.join(s.runDir, 'results.csv')).records, 3);
  });

  it('writes a header-only results table for a shard with no cells', async () => {
    const { experiment: exp, registry } = await experiment();
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'empty',
      shard: { index: 2, count: 2 },
      reporter: new RecordingReporter(),
    });
    const table = readCsv(path.join(summary.runDir, 'results.csv'));
    assert.include(table.columns, 'test_accuracy');
    assert.lengthOf(table.records, 0);
    assert.lengthOf(readCsv(path.join(summary.runDir, 'history.csv')).records, 0);
  });

  it('refuses to resume a run id with a changed spec, says what differs, and leaves the tables alone', async () => {
    const { experiment: exp, registry } = await experiment();
    const dir = outDir();
    const summary = await runExperiment(exp, registry, { outDir: dir, runId: 'x', reporter: new RecordingReporter() });
    const before = readFileSync(path.join(summary.runDir, 'results.csv'), 'utf8');
    const manifest = readFileSync(path.join(summary.runDir, 'manifest.json'), 'utf8');
    const { experiment: changed } = await experiment(SPEC.replace('epochs: 4', 'epochs: 5'));
    const error = await rejection(
      runExperiment(changed, registry, { outDir: dir, runId: 'x', reporter: new RecordingReporter() }),
    );
    assert.equal(error.code, 'RUN_MISMATCH');
    assert.equal(error.exitCode, 2);
    assert.equal(
      error.message,
      `${summary.runDir} holds another experiment; a run id is resumed only with the same resolved spec:
  training.epochs: 4 in the run directory, 5 now
start a new run (leave out --run-id, or pass a new one), or restore the spec the run was started with`,
    );
    assert.equal(readFileSync(path.join(summary.runDir, 'results.csv'), 'utf8'), before);
    assert.equal(readFileSync(path.join(summary.runDir, 'manifest.json'), 'utf8'), manifest);
  });

  it('refuses to resume when the metrics changed (no row may shift under the old header)', async () => {
    const { experiment: exp, registry } = await experiment();
    const dir = outDir();
    await runExperiment(exp, registry, { outDir: dir, runId: 'm', reporter: new RecordingReporter() });
    const { experiment: changed } = await experiment(SPEC.replace('training: {', 'training: { metrics: [accuracy],'));
    const error = await rejection(
      runExperiment(changed, registry, { outDir: dir, runId: 'm', reporter: new RecordingReporter() }),
    );
    assert.equal(error.code, 'RUN_MISMATCH');
    assert.equal(
      error.message,
      `${path.join(dir, 'blobs', 'm')} holds another experiment; a run id is resumed only with the same resolved spec:
  metrics: loss, accuracy in the run directory, accuracy now
  training.metrics: absent in the run directory, ["accuracy"] now
start a new run (leave out --run-id, or pass a new one), or restore the spec the run was started with`,
    );
  });

  it('drops a half-written last row on resume instead of gluing the next row onto it', async () => {
    const grid = `${SPEC}grid:\n  distillation.alpha: [0.2, 0.8]\n`;
    const { experiment: exp, registry } = await experiment(grid);
    const dir = outDir();
    const controller = new AbortController();
    const reporter = new RecordingReporter();
    reporter.roleStart = (event) => {
      if (event.cellLabel === 'distillation.alpha=0.8' && event.role === 'student') controller.abort();
    };
    await rejection(runExperiment(exp, registry, { outDir: dir, runId: 'cut', reporter, signal: controller.signal }));
    const runDir = path.join(dir, 'blobs', 'cut');
    // A kill in the middle of a write leaves part of a row without its newline.
    appendFileSync(path.join(runDir, 'results.csv'), 'cut,blobs,abc123,distillation.alpha=0.8,stud');
    appendFileSync(path.join(runDir, 'history.csv'), 'cut,abc123,stud');
    const resumed = await runExperiment(exp, registry, {
      outDir: dir,
      runId: 'cut',
      reporter: new RecordingReporter(),
    });
    assert.equal(resumed.status, 'ok');
    const rows = readCsv(path.join(runDir, 'results.csv')).records;
    assert.lengthOf(rows, 6);
    assertUnique(rows.map(keyOf), 'results.csv');
    assert.deepEqual(
      rows.map((r) => r.status),
      Array(6).fill('ok'),
    );
    const history = readCsv(path.join(runDir, 'history.csv')).records;
    assert.lengthOf(history, 24);
    assertUnique(history.map(historyKeyOf), 'history.csv');
  });

  it('replaces an interrupted role and its epochs when resuming: one row per cell and role, one history row per epoch', async () => {
    const { experiment: exp, registry } = await experiment();
    const dir = outDir();
    const controller = new AbortController();
    const reporter = new RecordingReporter();
    reporter.epoch = (event) => {
      if (event.role === 'student' && event.record.epoch === 2) controller.abort();
    };
    await rejection(runExperiment(exp, registry, { outDir: dir, runId: 'again', reporter, signal: controller.signal }));
    const runDir = path.join(dir, 'blobs', 'again');
    assert.deepEqual(
      readCsv(path.join(runDir, 'results.csv')).records.map((r) => [r.role, r.status]),
      [
        ['teacher', 'ok'],
        ['student', 'interrupted'],
      ],
      'the person never started, so it has no row',
    );
    await runExperiment(exp, registry, { outDir: dir, runId: 'again', reporter: new RecordingReporter() });
    const rows = readCsv(path.join(runDir, 'results.csv')).records;
    assert.deepEqual(
      rows.map((r) => [r.role, r.status]),
      [
        ['teacher', 'ok'],
        ['student', 'ok'],
        ['person', 'ok'],
      ],
    );
    const history = readCsv(path.join(runDir, 'history.csv')).records;
    assertUnique(history.map(historyKeyOf), 'history.csv');
    assert.lengthOf(history, 12);
  });

  it('reports a finite but exploding loss as diverged, by the documented rule', async () => {
    const { experiment: exp, registry } = await experiment(SPEC.replace('lr: 0.01', 'lr: 50'));
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'div',
      reporter: new RecordingReporter(),
    });
    assert.equal(summary.status, 'failed');
    // Adam at lr 50 on these blobs: the teacher and the person recover from early spikes, the student ends far above its start.
    assert.deepEqual(
      summary.rows.map((r) => [r.role, r.status]),
      [
        ['teacher', 'ok'],
        ['student', 'failed'],
        ['person', 'ok'],
      ],
    );
    // The losses depend on the machine's arithmetic (BLAS or not): only they may vary.
    assert.match(
      String(summary.rows[1].error),
      messagePattern`diverged in epoch 4: training loss ${/\S+/} is more than 10x the untrained model's ${/\S+/} (lower the learning rate, use fewer epochs of a high rate, or standardise the features)`,
    );
  });

  it('refuses a run id that would leave the results directory', async () => {
    const { experiment: exp, registry } = await experiment();
    const runIds = ['../../x', 'a/b', '.', '..', '', 'x'.repeat(200)];
    const messages: string[] = [];
    for (const runId of runIds) {
      const error = await rejection(
        runExperiment(exp, registry, { outDir: outDir(), runId, reporter: new RecordingReporter() }),
      );
      assert.equal(error.code, 'INVALID_ARGUMENT', runId);
      messages.push(error.message);
    }
    assert.deepEqual(
      messages,
      runIds.map(
        (runId) =>
          `--run-id: expected a folder name of letters, digits, ".", "_" or "-" (at most 100, not starting with "." or "-"), got "${runId}"`,
      ),
    );
  });

  it('refuses an --out that is a file before training anything', async () => {
    const { experiment: exp, registry } = await experiment();
    const file = path.join(outDir(), 'file');
    writeFileSync(file, 'x');
    const reporter = new RecordingReporter();
    const error = await rejection(runExperiment(exp, registry, { outDir: file, runId: 'r', reporter }));
    assert.equal(error.exitCode, 2);
    assert.equal(error.message, `--out ${file}: is a file, not a directory (choose a directory for the results)`);
    assert.lengthOf(
      reporter.events.filter((e) => e.type === 'roleStart'),
      0,
    );
  });

  it('refuses a --teacher-cache that is a file before training anything', async () => {
    const { experiment: exp, registry } = await experiment();
    const file = path.join(outDir(), 'file');
    writeFileSync(file, 'x');
    const reporter = new RecordingReporter();
    const error = await rejection(
      runExperiment(exp, registry, { outDir: outDir(), runId: 'r', reporter, teacherCache: file }),
    );
    assert.equal(error.exitCode, 2);
    assert.equal(
      error.message,
      `--teacher-cache ${file}: is a file, not a directory (pass a directory, or --teacher-cache off)`,
    );
    assert.lengthOf(
      reporter.events.filter((e) => e.type === 'roleStart'),
      0,
    );
  });

  it('treats a damaged teacher cache entry of any kind as a miss and says so', async () => {
    const { experiment: exp, registry } = await experiment();
    const cache = outDir();
    await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'd1',
      reporter: new RecordingReporter(),
      teacherCache: cache,
    });
    const meta = path.join(cache, readdirSync(cache)[0], 'model.json');
    const saved = readFileSync(meta, 'utf8');
    const other = saved.replace(/"shape":\[(\d+)/, (_, n) => `"shape":[${Number(n) + 1}`);
    const withoutSummary = saved.replace('"extra":', '"unused":');
    const junks = [
      '{"modelTopology": null}',
      '{}',
      '[1]',
      'null',
      '{"modelTopology": {}, "weightsManifest": 3}',
      other,
      withoutSummary,
      saved.slice(0, 100),
    ];
    const said: string[][] = [];
    for (const junk of junks) {
      writeFileSync(meta, junk);
      const reporter = new RecordingReporter();
      const again = await runExperiment(exp, registry, {
        outDir: outDir(),
        runId: 'd2',
        reporter,
        teacherCache: cache,
      });
      assert.equal(again.status, 'ok', junk);
      assert.equal(again.rows[0].source, 'trained', junk);
      said.push(warnings(reporter));
    }
    const entry = path.dirname(meta);
    const damaged = (reason: string) => [
      `teacher cache entry ${entry} is damaged (${reason}); training the teacher instead`,
    ];
    const notLayers = `${meta}: no modelTopology: not a TensorFlow.js layers model (save it with model.save() in the layers format)`;
    const [cut, ...others] = said.reverse();
    assert.deepEqual(others.reverse(), [
      damaged(notLayers),
      damaged(notLayers),
      damaged(notLayers),
      damaged(notLayers),
      damaged(`${meta}: no weightsManifest`),
      damaged(`${meta}: its weights have 3212 bytes, the manifest describes 3340`),
      damaged('it was not saved by the teacher cache'),
    ]);
    // The last reason quotes the JSON parser's own words, which change with the Node version.
    assert.lengthOf(cut, 1);
    assert.match(
      cut[0],
      messagePattern`teacher cache entry ${entry} is damaged (${meta}: not JSON (${/.+/})); training the teacher instead`,
    );
  });

  it('refuses a cell that cannot fit the wasm heap before anything is allocated or written', async () => {
    const grid = `${SPEC}grid:\n  models.teacher.layers: [[32, 16], [40000, 40000]]\n`;
    const { experiment: exp, registry } = await experiment(grid);
    const dir = outDir();
    const error = await rejection(
      runExperiment(exp, registry, { outDir: dir, runId: 'big', reporter: new RecordingReporter() }),
    );
    assert.equal(error.code, 'CELLS_TOO_LARGE');
    assert.equal(error.exitCode, 2);
    assert.equal(
      error.message,
      `1 cell(s) cannot fit the wasm backend's memory; nothing was run:
  cell ${exp.cells[1].id} (models.teacher.layers=[40000,40000]): teacher needs ~33 GiB for layers 6-40000-40000-3 at batch 32; wasm memory is limited to 4 GiB: use fewer units`,
    );
    assert.isFalse(existsSync(path.join(dir, 'blobs')), 'no run directory');
  });

  it('stops the run at a backend failure, naming the cell, instead of failing every later cell the same way', async () => {
    const broken = definePlugin({
      name: 'broken-backend',
      components: [
        {
          kind: 'loss',
          name: 'crashes-backend',
          description: 'Fails like an exhausted wasm heap',
          params: { properties: {} },
          create: () => ({
            compute: () => {
              throw new WebAssembly.RuntimeError('memory access out of bounds');
            },
          }),
        },
      ],
    });
    const registry = new Registry().use(builtinPlugin).use(testPlugin).use(broken);
    const text = `${SPEC}grid:\n  models.teacher.training.loss: [crashes-backend, cross-entropy]\n`;
    const { experiment: exp } = await resolveExperiment(parseSpecSource(text, 'blobs.yaml'), { registry });
    const dir = outDir();
    const error = await rejection(
      runExperiment(exp, registry, {
        outDir: dir,
        runId: 'fatal',
        reporter: new RecordingReporter(),
        teacherCache: false,
      }),
    );
    assert.equal(error.code, 'BACKEND_FAILURE');
    assert.equal(error.exitCode, 1);
    assert.equal(
      error.message,
      'teacher of cell models.teacher.training.loss=crashes-backend: the compute backend failed (memory access out of bounds); ' +
        'the run stopped so later cells are not run on a broken backend. Make that cell smaller (fewer units, a smaller batch_size or evaluation.batch_size) ' +
        'or run it with --backend cpu, then resume with the same --run-id',
    );
    const rows = readCsv(path.join(dir, 'blobs', 'fatal', 'results.csv')).records;
    assert.deepEqual(
      rows.map((r) => [r.cell, r.role, r.status]),
      [['models.teacher.training.loss=crashes-backend', 'teacher', 'failed']],
      'the later cell was not run on the broken backend',
    );
    assert.equal(JSON.parse(readFileSync(path.join(dir, 'blobs', 'fatal', 'manifest.json'), 'utf8')).status, 'failed');
  });

  it('treats a teacher cache entry whose weights changed (same size) as damaged, not as the teacher it claims to be', async () => {
    const { experiment: exp, registry } = await experiment();
    const cache = outDir();
    await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'w1',
      reporter: new RecordingReporter(),
      teacherCache: cache,
    });
    const bin = path.join(cache, readdirSync(cache)[0], 'weights.bin');
    const bytes = readFileSync(bin);
    bytes.writeFloatLE(123.5, 8);
    writeFileSync(bin, bytes);
    const reporter = new RecordingReporter();
    const again = await runExperiment(exp, registry, { outDir: outDir(), runId: 'w2', reporter, teacherCache: cache });
    assert.equal(again.rows[0].source, 'trained');
    const entry = path.dirname(bin);
    assert.deepEqual(warnings(reporter), [
      `teacher cache entry ${entry} is damaged (${path.join(entry, 'model.json')}: its weights do not match the checksum recorded when it was saved); training the teacher instead`,
    ]);
  });

  /** The results table with the teacher's `column` set to `value` (the rows of a finished run hold no quoted commas). */
  const withTeacherValue =
    (column: string, value: string) =>
    (text: string): string => {
      const [header, ...rows] = text.split('\n');
      const columns = header.split(',');
      const fields = (row: string) => row.split(',');
      return [
        header,
        ...rows.map((row) =>
          fields(row)[columns.indexOf('role')] === 'teacher'
            ? fields(row)
                .map((f, i) => (i === columns.indexOf(column) ? value : f))
                .join(',')
            : row,
        ),
      ].join('\n');
    };
  for (const [what, damage, warning] of [
    [
      'a repeated row',
      (text: string) => {
        const lines = text.split('\n');
        return [...lines.slice(0, 2), lines[1], ...lines.slice(2)].join('\n');
      },
      (cell: string) =>
        `results.csv row 2 (cell ${cell}, seed 3, teacher): a second row for this role; the cell runs again`,
    ],
    [
      'a metric that is not a number',
      withTeacherValue('test_accuracy', 'abc'),
      (cell: string) =>
        `results.csv row 1 (cell ${cell}, seed 3, teacher): test_accuracy "abc" is not a number; the cell runs again`,
    ],
  ] as const) {
    it(`does not keep ${what} when resuming: the cell runs again and the table is whole`, async () => {
      const { experiment: exp, registry } = await experiment();
      const dir = outDir();
      const first = await runExperiment(exp, registry, {
        outDir: dir,
        runId: 'dmg',
        reporter: new RecordingReporter(),
        teacherCache: false,
      });
      const file = path.join(first.runDir, 'results.csv');
      writeFileSync(file, damage(readFileSync(file, 'utf8')));
      const reporter = new RecordingReporter();
      await runExperiment(exp, registry, { outDir: dir, runId: 'dmg', reporter, teacherCache: false });
      assert.deepEqual(warnings(reporter), [warning(exp.cells[0].id)]);
      const rows = readCsv(file).records;
      assert.deepEqual(
        rows.map((r) => [r.role, r.status]),
        [
          ['teacher', 'ok'],
          ['student', 'ok'],
          ['person', 'ok'],
        ],
      );
      assert.isTrue(rows.every((r) => Number.isFinite(Number(r.test_loss))));
    });
  }

  it('runs a finished cell again when history.csv lost its epochs', async () => {
    const { experiment: exp, registry } = await experiment();
    const dir = outDir();
    const first = await runExperiment(exp, registry, {
      outDir: dir,
      runId: 'hist',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    const file = path.join(first.runDir, 'history.csv');
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, [...lines.slice(0, 5), ...lines.slice(6)].join('\n'));
    const reporter = new RecordingReporter();
    await runExperiment(exp, registry, { outDir: dir, runId: 'hist', reporter, teacherCache: false });
    // Line 6 of history.csv is the student's first epoch (the header, then the teacher's 4 epochs).
    assert.deepEqual(warnings(reporter), [
      `history.csv lacks epochs of the student of cell ${exp.cells[0].id}, seed 3; the cell runs again`,
    ]);
    assert.lengthOf(readCsv(file).records, 12, 'every epoch of every role again');
    assert.lengthOf(readCsv(path.join(first.runDir, 'results.csv')).records, 3);
  });

  it('fails a role whose metric gives NaN instead of writing NaN as a result', async () => {
    const nanMetric = definePlugin({
      name: 'nan-metric',
      components: [
        {
          kind: 'metric',
          name: 'always-nan',
          description: 'NaN',
          params: { properties: {} },
          higherIsBetter: true,
          create: () => ({ compute: (p) => p.sum().mul(NaN) as never }),
        },
      ],
    });
    const registry = new Registry().use(builtinPlugin).use(testPlugin).use(nanMetric);
    const { experiment: exp } = await resolveExperiment(
      parseSpecSource(SPEC.replace('training: {', 'training: { metrics: [accuracy, always-nan],'), 'blobs.yaml'),
      { registry },
    );
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'nan',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    assert.deepEqual(
      summary.rows.map((r) => [r.role, r.status]),
      [
        ['teacher', 'failed'],
        ['student', 'skipped'],
        ['person', 'skipped'],
      ],
    );
    assert.equal(
      summary.rows[0].error,
      "teacher: metric always_nan is NaN on the test split (a metric must give a finite number; check a plugin metric, or the model's outputs)",
    );
  });
});

describe('the run lock', () => {
  it('is released without failing when its file cannot be removed (a file system gone read-only)', () => {
    const dir = outDir();
    mkdirSync(dir, { recursive: true });
    const release = acquireRunLock(dir, () => undefined);
    const file = path.join(dir, LOCK_FILE);
    assert.isTrue(existsSync(file));
    // A lock path that rmSync refuses (a directory that is not empty), standing in for EROFS.
    const stuck = path.join(dir, 'stuck');
    mkdirSync(path.join(stuck, 'inside'), { recursive: true });
    assert.doesNotThrow(() => removeLockFile(stuck));
    assert.isTrue(existsSync(stuck));
    release();
    assert.isFalse(existsSync(file));
  });
});
