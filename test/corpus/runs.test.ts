// Faults around a real run from the command line: signals then resume, concurrent writers, flags checked before work.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { readCsv } from '../../src/results/csv.js';
import { assertRefused, cli, distilRun, finished, fixture, root, startDistilRun } from '../cli-harness.js';
import { messagePattern } from '../helpers.js';

const SMALL = ['--set', 'dataset.train_limit=600', '--set', 'dataset.test_limit=200', '--teacher-cache', 'off'];
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'distil-corpus-'));

/** Starts a run and sends `signal` once the log shows `marker`. */
async function signalWhen(args: string[], marker: string, signal: NodeJS.Signals) {
  const child = startDistilRun(args);
  let sent = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    if (!sent && chunk.toString().includes(marker)) {
      sent = true;
      child.kill(signal);
    }
  });
  return finished(child);
}

describe('runs under faults (command line)', () => {
  it('SIGTERM stops like Ctrl-C: exit 143, a message, the role row, the manifest says interrupted; resume completes the table', async function () {
    this.timeout(180_000);
    const out = tmp();
    const args = [
      fixture('mnist-small.yaml'),
      '--out',
      out,
      '--run-id',
      'term',
      ...SMALL,
      '--set',
      'training.epochs=12',
    ];
    const stopped = await signalWhen(args, 'epoch 2/12', 'SIGTERM');
    assert.equal(stopped.code, 143, stopped.stderr);
    assert.include(
      stopped.stderr.split('\n'),
      'SIGTERM: stopping after the current batch (send it again to quit now); finished rows are kept',
      stopped.stderr,
    );
    const runDir = path.join(out, 'mnist-small', 'term');
    assert.deepEqual(
      readCsv(path.join(runDir, 'results.csv')).records.map((r) => [r.role, r.status]),
      [['teacher', 'interrupted']],
    );
    assert.equal(JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')).status, 'interrupted');
    assert.isFalse(existsSync(path.join(runDir, '.lock')));
    const resumed = distilRun(args, { timeout: 170_000 });
    assert.equal(resumed.code, 0, resumed.stderr);
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
    assert.lengthOf(history, 36, "one history row per role and epoch, the interrupted attempt's epochs gone");
  });

  it('SIGINT while a plugin is still loading: said, exit 130, and no run directory', async function () {
    this.timeout(60_000);
    const out = tmp();
    const plugin = path.join(out, 'slow-plugin.mjs');
    // A plugin whose import takes seconds (a heavy dependency): the signal arrives before the run starts.
    writeFileSync(
      plugin,
      "await new Promise((resolve) => setTimeout(resolve, 3000));\nexport default { name: 'slow', components: [] };\n",
    );
    const child = startDistilRun([
      fixture('mnist-small.yaml'),
      '--out',
      out,
      '--plugin',
      plugin,
      ...SMALL,
      '--no-report',
    ]);
    setTimeout(() => child.kill('SIGINT'), 1000);
    const stopped = await finished(child);
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.include(
      stopped.stderr,
      'distil-run: interrupted while loading the spec, before the run started; nothing was written',
    );
    assert.isFalse(existsSync(path.join(out, 'mnist-small')));
  });

  const seedCases: Array<[NodeJS.Signals, string, string]> = [
    ['SIGINT', 'seeds: [1, 2]', 'seeds=[1, 2]'],
    ['SIGTERM', 'a seed axis', 'grid={seed: [1, 2]}'],
  ];
  for (const [signal, what, set] of seedCases) {
    it(`${signal} during the second seed's teacher (${what}), then resume: one row per (seed, role), one history row per (seed, role, epoch)`, async function () {
      this.timeout(240_000);
      const out = tmp();
      const args = [
        fixture('mnist-small.yaml'),
        '--out',
        out,
        '--run-id',
        'seeds',
        ...SMALL,
        '--set',
        'training.epochs=12',
        '--set',
        set,
        '--no-report',
      ];
      const child = startDistilRun(args);
      let log = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        const before = log;
        log += chunk.toString();
        // The second teacher's second epoch: the first seed has finished, the second is training.
        const second = /teacher[^:\n]*: [\d,]+ params[^]*teacher[^:\n]*: [\d,]+ params[^]*epoch 2\/12/;
        if (!second.test(before) && second.test(log)) child.kill(signal);
      });
      const stopped = await finished(child);
      assert.equal(stopped.code, signal === 'SIGINT' ? 130 : 143, stopped.stderr);
      const runDir = path.join(out, 'mnist-small', 'seeds');
      const firstRows = readCsv(path.join(runDir, 'results.csv')).records;
      assert.deepEqual(
        firstRows.map((r) => `${r.seed}/${r.role}/${r.status}`),
        ['1/teacher/ok', '1/student/ok', '1/person/ok', '2/teacher/interrupted'],
      );
      const resumed = distilRun(args, { timeout: 230_000 });
      assert.equal(resumed.code, 0, resumed.stderr);
      const rows = readCsv(path.join(runDir, 'results.csv')).records;
      assert.deepEqual(
        rows.map((r) => `${r.seed}/${r.role}/${r.status}`),
        ['1/teacher/ok', '1/student/ok', '1/person/ok', '2/teacher/ok', '2/student/ok', '2/person/ok'],
      );
      const history = readCsv(path.join(runDir, 'history.csv')).records;
      assert.lengthOf(history, 72, '2 seeds x 3 roles x 12 epochs');
      assert.lengthOf(
        new Set(history.map((r) => `${r.cell_id}/${r.seed}/${r.role}/${r.epoch}`)),
        72,
        'no (cell, seed, role, epoch) twice',
      );
    });
  }

  it('a second process on the same run directory is refused with exit 2 while the first finishes every row', async function () {
    this.timeout(180_000);
    const out = tmp();
    const args = [
      fixture('mnist-small.yaml'),
      '--out',
      out,
      '--run-id',
      'both',
      ...SMALL,
      '--set',
      'training.epochs=25',
    ];
    const first = startDistilRun(args);
    const firstDone = finished(first);
    await new Promise<void>((resolve) =>
      first.stderr?.on('data', (chunk: Buffer) => chunk.toString().includes('epoch 1/25') && resolve()),
    );
    // Paused, the first writer holds its lock however fast this machine trains; its lock is fresh (refreshed every 20 s, stale after 120 s).
    first.kill('SIGSTOP');
    let second;
    try {
      second = distilRun(args);
    } finally {
      first.kill('SIGCONT');
    }
    const runDir = path.join(out, 'mnist-small', 'both');
    assertRefused(
      second,
      2,
      messagePattern`distil-run: ${runDir} is being written by another distil-run (pid ${/\d+/} on ${/.+/}, started ${/.+/}); use another --run-id (or leave it out), give each CI shard --shard i/n, or wait for it to finish (a lock its holder stops refreshing is taken over after 2 minutes; or delete ${path.join(runDir, '.lock')} if no such process runs)\n`,
    );
    const result = await firstDone;
    assert.equal(result.code, 0, result.stderr);
    assert.lengthOf(readCsv(path.join(out, 'mnist-small', 'both', 'results.csv')).records, 3);
  });

  for (const jobs of ['1', '2']) {
    it(`keeps training and writes every row when the reader of its output goes away (| head), --jobs ${jobs}`, async function () {
      this.timeout(180_000);
      const out = tmp();
      const child = startDistilRun([
        fixture('mnist-small.yaml'),
        '--out',
        out,
        '--run-id',
        'piped',
        '--plain',
        '--no-report',
        '--jobs',
        jobs,
        ...SMALL,
        '--set',
        'seeds=[1, 2]',
      ]);
      // Both pipes close after the first line, as `distil-run ... 2>&1 | head -1` closes them.
      child.stderr?.once('data', () => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      });
      const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? signal)));
      assert.equal(code, 0);
      const runDir = path.join(out, 'mnist-small', 'piped');
      assert.deepEqual(
        // Workers write their seeds in the order they finish.
        readCsv(path.join(runDir, 'results.csv'))
          .records.map((r) => [r.seed, r.role, r.status])
          .sort((a, b) => a[0].localeCompare(b[0])),
        [
          ['1', 'teacher', 'ok'],
          ['1', 'student', 'ok'],
          ['1', 'person', 'ok'],
          ['2', 'teacher', 'ok'],
          ['2', 'student', 'ok'],
          ['2', 'person', 'ok'],
        ],
      );
      assert.equal(JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')).status, 'ok');
    });
  }

  const RUN_ID =
    '--run-id: expected a folder name of letters, digits, ".", "_" or "-" (at most 100, not starting with "." or "-"),';
  const flagCases: Array<[string, string[], string]> = [
    [
      'a flag of another command',
      ['--max-regression', '0.1'],
      '--max-regression: is not a flag of "run", which takes --set, --grid, --plugin, --backend, --blas, --compiled-step, --teacher-cache, --out, --run-id, --shard, --selection, --save-models, --jobs, --dry-run, --plain, --report, --no-report (see distil-run --help)',
    ],

    [
      '--selection on a spec without search:',
      ['--selection', 'search.csv'],
      '--selection: the spec has no search: block, so there is nothing to select',
    ],
    [
      '--dry-run still checks --selection',
      ['--dry-run', '--selection', 'search.csv'],
      '--selection: the spec has no search: block, so there is nothing to select',
    ],
    [
      '--dry-run still checks --backend',
      ['--dry-run', '--backend', 'gpu'],
      '--backend: expected one of auto, tensorflow, wasm, cpu, got "gpu"',
    ],
    ['--dry-run still checks --run-id', ['--dry-run', '--run-id', '../../x'], `${RUN_ID} got "../../x"`],
    [
      '--dry-run still checks --shard',
      ['--dry-run', '--shard', '3/2'],
      '--shard: expected i/n with 1 <= i <= n (e.g. 1/4), got "3/2"',
    ],
    [
      'a shard count past 10000',
      ['--dry-run', '--shard', '1/99999999999999999999'],
      '--shard: expected i/n with n at most 10000 (a grid has at most 10000 cells), got "1/99999999999999999999"',
    ],
    [
      'a second spec file',
      [fixture('mnist-small.yaml'), '--dry-run'],
      `run: expected one spec file, got 2: ${fixture('mnist-small.yaml')} ${fixture('mnist-small.yaml')} (run them one at a time)`,
    ],
    [
      '--run-id given twice',
      ['--dry-run', '--run-id', 'a', '--run-id', 'b'],
      '--run-id: given 2 times ("a", "b"); give it once',
    ],
    ['a run id with a slash', ['--run-id', 'a/b'], `${RUN_ID} got "a/b"`],
    ['a run id of dots', ['--run-id', '..'], `${RUN_ID} got ".."`],
    [
      '--out below a file',
      ['--out', 'package.json/x'],
      '--out package.json: is a file, not a directory (choose a directory for the results)',
    ],
    [
      '--out a file',
      ['--out', 'package.json'],
      '--out package.json: is a file, not a directory (choose a directory for the results)',
    ],
    [
      '--teacher-cache a file',
      ['--teacher-cache', 'package.json'],
      '--teacher-cache package.json: is a file, not a directory (pass a directory, or --teacher-cache off)',
    ],
    [
      '--teacher-cache below a file',
      ['--teacher-cache', 'package.json/cache'],
      '--teacher-cache package.json: is a file, not a directory (pass a directory, or --teacher-cache off)',
    ],
  ];
  for (const [name, flags, message] of flagCases) {
    it(`refuses ${name} with exit 2 before any work`, () => {
      const out = tmp();
      const hasOut = flags.includes('--out');
      const result = distilRun([fixture('mnist-small.yaml'), ...(hasOut ? [] : ['--out', out]), ...flags]);
      assertRefused(result, 2, `distil-run: ${message}\n`);
      if (!hasOut) assert.isFalse(existsSync(path.join(out, 'mnist-small')), 'no run directory was created');
    });
  }

  it('validate refuses a second spec file instead of ignoring it', () => {
    const spec = fixture('mnist-small.yaml');
    const result = distilRun(['validate', spec, 'experiments/mnist.yaml']);
    assertRefused(
      result,
      2,
      `distil-run: validate: expected one spec file, got 2: ${spec} experiments/mnist.yaml (run them one at a time)\n`,
    );
  });

  it('without arguments prints the usage to stderr (exit 2), with --help to stdout (exit 0)', () => {
    const bare = distilRun([]);
    assert.equal(bare.code, 2);
    assert.equal(bare.stdout, '', 'stdout stays clean for data');
    assert.match(bare.stderr, /^distil-run \S+: knowledge-distillation experiments from YAML\n\nUsage\n/);
    const help = distilRun(['--help']);
    assert.equal(help.code, 0);
    assert.equal(help.stderr, '');
    assert.equal(help.stdout, bare.stderr);
  });

  it('refuses a read-only --out with exit 2 and no stack trace', function () {
    const out = tmp();
    chmodSync(out, 0o555);
    const args = [cli, fixture('mnist-small.yaml'), '--out', out, '--teacher-cache', 'off'];
    // Root ignores permissions: run as nobody when root (setpriv), else as this user.
    const asRoot = process.getuid?.() === 0;
    if (asRoot && spawnSync('setpriv', ['--version']).status !== 0) this.skip();
    const command = asRoot ? 'setpriv' : process.execPath;
    const prefix = asRoot ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [];
    const result = spawnSync(command, [...prefix, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, CI: '1', XDG_CACHE_HOME: out },
    });
    assertRefused(
      { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr },
      2,
      `distil-run: --out ${out}/mnist-small: cannot create it (EACCES) (choose a directory for the results)\n`,
    );
  });

  it('refuses to resume a run id with a changed spec from the command line, naming what differs', function () {
    this.timeout(120_000);
    const out = tmp();
    const base = [fixture('mnist-small.yaml'), '--out', out, '--run-id', 'chg', ...SMALL, '--set', 'training.epochs=1'];
    const first = distilRun(base);
    assert.equal(first.code, 0, first.stderr);
    const before = readFileSync(path.join(out, 'mnist-small', 'chg', 'results.csv'), 'utf8');
    const again = distilRun([...base, '--set', 'training.metrics=[accuracy]']);
    assertRefused(
      again,
      2,
      `distil-run: ${path.join(out, 'mnist-small', 'chg')} holds another experiment; a run id is resumed only with the same resolved spec:\n` +
        '  metrics: loss, accuracy in the run directory, accuracy now\n' +
        '  training.metrics: absent in the run directory, ["accuracy"] now\n' +
        'start a new run (leave out --run-id, or pass a new one), or restore the spec the run was started with\n',
    );
    assert.equal(readFileSync(path.join(out, 'mnist-small', 'chg', 'results.csv'), 'utf8'), before);
  });

  it('--dry-run on a run id shows what the run would do: finished cells are done, a changed spec is refused', function () {
    this.timeout(120_000);
    const out = tmp();
    const base = [fixture('mnist-small.yaml'), '--out', out, '--run-id', 'dry', ...SMALL, '--set', 'training.epochs=1'];
    const first = distilRun(base);
    assert.equal(first.code, 0, first.stderr);
    const again = distilRun([...base, '--dry-run']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /^experiment mnist-small: 0 cell\(s\) to run \(0 grid point\(s\) x 0 seed\(s\)\), 1 already done$/m,
    );
    const changed = distilRun([...base, '--set', 'training.epochs=2', '--dry-run']);
    assertRefused(
      changed,
      2,
      `distil-run: ${path.join(out, 'mnist-small', 'dry')} holds another experiment; a run id is resumed only with the same resolved spec:\n` +
        '  training.epochs: 1 in the run directory, 2 now\n' +
        'start a new run (leave out --run-id, or pass a new one), or restore the spec the run was started with\n',
    );
  });

  it('a damaged results table in a resumed run directory is refused, not appended to', () => {
    const out = tmp();
    const runDir = path.join(out, 'mnist-small', 'dmg');
    const first = distilRun([
      fixture('mnist-small.yaml'),
      '--out',
      out,
      '--run-id',
      'dmg',
      ...SMALL,
      '--set',
      'training.epochs=1',
    ]);
    assert.equal(first.code, 0, first.stderr);
    writeFileSync(path.join(runDir, 'results.csv'), 'something,else\n1,2\n');
    const again = distilRun([
      fixture('mnist-small.yaml'),
      '--out',
      out,
      '--run-id',
      'dmg',
      ...SMALL,
      '--set',
      'training.epochs=1',
    ]);
    assertRefused(
      again,
      2,
      `distil-run: ${path.join(runDir, 'results.csv')}: its header is not this run's (expected 20 columns: ` +
        'run_id,experiment,cell_id,cell,role,seed,backend,params,epochs,batch_size,train_seconds,train_samples_per_sec,test_loss,test_accuracy,distillation_gain,gain_metric,inference_ms_per_1000,source,status,error); ' +
        'start a new run with another --run-id\n',
    );
    assert.equal(readFileSync(path.join(runDir, 'results.csv'), 'utf8'), 'something,else\n1,2\n');
  });
});

/** A plugin whose components break their contracts: a loss that is NaN, a metric that returns a number, a layer that is not one. */
const BAD_PLUGIN = `export default {
  name: 'bad-plugin',
  components: [
    { kind: 'loss', name: 'nan-loss', description: 'NaN', params: { properties: {} }, create: () => ({ compute: (p) => p.sum().mul(NaN) }) },
    { kind: 'metric', name: 'plain-number', description: 'a number', params: { properties: {} }, higherIsBetter: true, create: () => ({ compute: () => 0.5 }) },
    { kind: 'layer', name: 'junk-layer', description: 'not a layer', params: { properties: {} }, create: () => ({ units: 3 }) },
    { kind: 'loss', name: 'row-loss', description: 'per row', params: { properties: {} }, create: () => ({ compute: (p) => p.sum(1) }) },
    { kind: 'metric', name: 'exploding', description: 'throws', params: { properties: {} }, higherIsBetter: true, create: () => { throw new Error('metric exploded'); } },
  ],
};
`;

describe('failed roles from the command line: the role named once, plugin faults named', () => {
  const dir = tmp();
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 === 0 ? 'x' : 'y'}`);
  writeFileSync(path.join(dir, 'data.csv'), `a,b,label\n${rows.join('\n')}\n`);
  writeFileSync(path.join(dir, 'plugin.mjs'), BAD_PLUGIN);
  const spec = (name: string, teacher: string, training = '{ epochs: 1, batch_size: 8 }') => {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      [
        `name: ${name}`,
        'plugins: [./plugin.mjs]',
        'dataset: { name: csv, path: data.csv, target: label, task: classification }',
        `models: { teacher: ${teacher}, student: { layers: [2] } }`,
        `training: ${training}`,
        '',
      ].join('\n'),
    );
    return file;
  };
  const cases = [
    {
      what: 'a NaN loss',
      spec: spec('nan', '{ layers: [4], training: { loss: nan-loss } }'),
      failed:
        'teacher: the training loss became NaN or infinite in epoch 1 (lower the learning rate, check the data for NaN, or standardise the features)',
    },
    {
      what: 'a plugin metric that returns a plain number',
      spec: spec('metric', '{ layers: [4] }', '{ epochs: 1, batch_size: 8, metrics: [loss, plain-number] }'),
      failed: 'teacher: metric "plain-number" (plugin bad-plugin): compute() must return a tf.Scalar, got number',
    },
    {
      what: 'a plugin loss that returns one value per row',
      spec: spec('rowloss', '{ layers: [4], training: { loss: row-loss } }'),
      failed:
        'teacher: loss "row-loss" (plugin bad-plugin): compute() must return a tf.Scalar (one number), got a tensor of shape [8]',
    },
    {
      what: 'a plugin metric whose create() throws',
      spec: spec('exploding', '{ layers: [4] }', '{ epochs: 1, batch_size: 8, metrics: [loss, exploding] }'),
      beforeProgress: true,
      failed: 'teacher: metric "exploding" (plugin bad-plugin): create() threw: metric exploded',
    },
    // The model is built before the role's progress line starts, so only the summary shows this one.
    {
      what: 'a plugin layer that returns junk',
      spec: spec('layer', '{ layers: [{ name: junk-layer }] }'),
      beforeProgress: true,
      failed:
        'teacher: layer "junk-layer" (plugin bad-plugin): create() must return a tf.layers.Layer (e.g. tf.layers.dense({ units })), got an object',
    },
  ];
  let results: Array<{ code: number | null; stdout: string; stderr: string }> = [];
  before(async function () {
    this.timeout(120_000);
    results = await Promise.all(
      cases.map((c) =>
        finished(
          startDistilRun([c.spec, '--out', path.join(dir, 'results'), '--teacher-cache', 'off', '--blas', 'off']),
        ),
      ),
    );
  });
  cases.forEach((c, i) => {
    it(`${c.what}: exit 1, the teacher failed with the message once, no stack trace`, () => {
      const { code, stdout, stderr } = results[i];
      const context = `exit ${code}\nstderr:\n${stderr}\nstdout:\n${stdout}`;
      assert.equal(code, 1, context);
      assert.notInclude(stderr, 'internal error', context);
      assert.include(stdout, `\nfailed:\n  ${c.failed}\n`, context);
      assert.equal(stdout.split(c.failed).length - 1, 1, `once in the summary\n${context}`);
      // The progress line names the role with its seed (the default, 42): `✖ teacher seed 42: ...`.
      if (!('beforeProgress' in c)) {
        assert.include(stderr, `✖ ${c.failed.replace(/^teacher: /, 'teacher seed 42: ')}`, context);
      }
      assert.notInclude(`${stdout}${stderr}`, 'teacher: teacher:', context);
    });
  });
});
