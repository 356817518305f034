// The distil-run command end to end, as a user runs it (built output, separate process).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { readCsv } from '../src/results/csv.js';
import { assertRefused, cli, distilRun, fixture, root } from './cli-harness.js';
import { spawn } from 'node:child_process';

describe('distil-run CLI', () => {
  it('runs a small MNIST experiment and writes the three files', function () {
    this.timeout(300_000);
    const out = mkdtempSync(path.join(os.tmpdir(), 'distil-cli-'));
    const { code, stdout, stderr } = distilRun([fixture('mnist-small.yaml'), '--out', out, '--run-id', 'e2e']);
    assert.equal(code, 0, stderr);
    const runDir = path.join(out, 'mnist-small', 'e2e');
    assert.isTrue(stdout.trimEnd().endsWith(runDir), stdout);
    assert.match(stdout, /^role\s+params\s+loss\s+accuracy\s+gain\s+status$/m);
    assert.match(stderr, /backend wasm/);
    // Each role's last epoch line once (not again when the role ends).
    assert.lengthOf(stderr.match(/epoch 2\/2 {2}loss/g) ?? [], 3, stderr);
    const { records } = readCsv(path.join(runDir, 'results.csv'));
    assert.deepEqual(
      records.map((r) => [r.role, r.status, r.backend, r.epochs]),
      [
        ['teacher', 'ok', 'wasm', '2'],
        ['student', 'ok', 'wasm', '2'],
        ['person', 'ok', 'wasm', '2'],
      ],
    );
    assert.lengthOf(records, 3);
    for (const r of records) {
      assert.isAbove(Number(r.test_accuracy), 0.8, `${r.role} accuracy well above chance (0.1)`);
      assert.isAbove(Number(r.train_samples_per_sec), 0);
      assert.isAbove(Number(r.inference_ms_per_1000), 0);
    }
    assert.deepEqual(
      records.map((r) => Number(r.params)),
      [109_386, 25_450, 25_450],
    );
    assert.equal(readCsv(path.join(runDir, 'history.csv')).records.length, 6);
    const manifest = JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.status, 'ok');
    assert.equal(manifest.spec.dataset.train_limit, 3000);
  });

  it('validate prints every error located, without a stack trace, and exits 2', () => {
    const { code, stdout, stderr } = distilRun(['validate', fixture('broken.yaml')]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    const file = fixture('broken.yaml');
    assert.equal(
      stderr,
      [
        `distil-run: ${file}: 4 errors`,
        `  ${file}:2:7 seed: must be >= 0, got -1`,
        `  ${file}:3:18 dataset.name: unknown dataset "mnits" (Did you mean "mnist"?)`,
        `  ${file}:6:28 models.student.trainng: unknown key "trainng" (Did you mean "training"?)`,
        `  ${file}:8:32 training.optimizer.lr: must be > 0, got 0`,
        '',
      ].join('\n'),
    );
  });

  it('validate accepts the shipped experiments', () => {
    const specs = readdirSync(path.join(root, 'experiments'))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => `experiments/${f}`);
    const cells: Record<string, number> = {
      'experiments/cnn-to-mlp.yaml': 5,
      'experiments/fashion-cnn.yaml': 1,
      'experiments/hinton-mnist-no3.yaml': 5,
      'experiments/hinton-mnist.yaml': 5,
      'experiments/housing.yaml': 1,
      'experiments/methods-cnn-mlp.yaml': 35,
      'experiments/methods-cnn.yaml': 40,
      'experiments/methods-mnist.yaml': 40,
      'experiments/mnist-cnn.yaml': 1,
      'experiments/mnist-grid-halving.yaml': 1,
      'experiments/mnist-grid.yaml': 1,
      'experiments/mnist.yaml': 1,
    };
    assert.deepEqual(specs, Object.keys(cells));
    for (const spec of specs) {
      const { code, stdout, stderr } = distilRun(['validate', spec]);
      assert.equal(code, 0, stderr);
      assert.equal(stdout, `${spec}: valid (${cells[spec]} cell(s))\n`);
    }
  });

  it('refuses a missing spec file and an unknown command with exit 2', () => {
    const missing = distilRun(['validate', 'nope.yaml']);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      'distil-run: experiment spec not found: nope.yaml (check the path; specs usually live in experiments/)\n',
    );
    const unknown = distilRun(['valdate', 'x.yaml']);
    assert.equal(unknown.code, 2);
    assert.equal(
      unknown.stderr,
      'distil-run: unknown command "valdate". Did you mean "validate"? Run "distil-run --help" for the list.\n',
    );
    const badFlag = distilRun([fixture('mnist-small.yaml'), '--backend', 'gpu']);
    assert.equal(badFlag.code, 2);
    assert.equal(badFlag.stderr, 'distil-run: --backend: expected one of auto, tensorflow, wasm, cpu, got "gpu"\n');
  });

  it('refuses a mistyped flag, a flag without its value and a value for a switch, naming the flag (exit 2)', () => {
    const spec = fixture('mnist-small.yaml');
    const cases: ReadonlyArray<readonly [readonly string[], string]> = [
      [['validate', spec, '--plian'], '--plian: unknown flag. Did you mean "--plain"?'],
      [['best', 'results/x', '--metrc', 'm'], '--metrc: unknown flag. Did you mean "--metric"?'],
      [['validate', spec, '--threads', '2'], '--threads: unknown flag (see distil-run --help)'],
      [['validate', spec, '-x'], '-x: unknown flag (see distil-run --help)'],
      [
        ['validate', spec, '--seeds=3'],
        '--seeds: unknown flag; seeds is a key of the spec: --set seeds=3 sets it (see distil-run --help)',
      ],
      [
        ['validate', spec, '--seeds', '3'],
        '--seeds: unknown flag; seeds is a key of the spec: --set seeds=VALUE sets it (see distil-run --help)',
      ],
      [['validate', spec, '--out'], '--out: needs a value after it (see distil-run --help)'],
      [
        ['validate', spec, '--run-id', '--plain'],
        '--run-id: needs a value, got the flag --plain (a value starting with "-" is written --run-id=VALUE)',
      ],
      [['validate', spec, '--plain=1'], '--plain: takes no value, got "1" (give --plain alone)'],
      // A flag of another command keeps its own message.
      [
        ['best', 'results/x', '--out', 'x.csv'],
        '--out: is not a flag of "best", which takes --metric, --role, --plugin (see distil-run --help)',
      ],
      // A flag one typo away is the likelier meaning than a spec key; --set is what the spec key's advice says anyway.
      [
        ['validate', spec, '--plugins', 'x.mjs'],
        '--plugins: unknown flag. Did you mean "--plugin"? (plugins is also a key of the spec: --set plugins=VALUE sets it)',
      ],
      [
        ['validate', spec, '--seed=3'],
        '--seed: unknown flag; seed is a key of the spec: --set seed=3 sets it (see distil-run --help)',
      ],
      [
        ['validate', spec, '--dataset.test_limit=5'],
        '--dataset.test_limit: unknown flag; dataset is a key of the spec: --set dataset.test_limit=5 sets it (see distil-run --help)',
      ],
      // Odd shapes, each named as written.
      [['-h=3'], '-h: takes no value, got "3" (give -h alone)'],
      [['-hv=1'], '-hv: takes no value, got "1" (give -hv alone)'],
      [['-h3'], '-h3: unknown flag (see distil-run --help)'],
      [['validate', spec, '-plain'], '-plain: unknown flag. Did you mean "--plain"?'],
      [['validate', spec, '---plain'], '---plain: unknown flag. Did you mean "--plain"?'],
      [['validate', spec, '---x'], '---x: unknown flag (see distil-run --help)'],
      [['validate', spec, '---'], '---: no flag name after the dashes (see distil-run --help)'],
      [['validate', spec, '--=x'], '--=x: no flag name before "=" (see distil-run --help)'],
      [['validate', spec, '-='], '-=: no flag name before "=" (see distil-run --help)'],
      [['validate', '-'], '-: not a flag, and distil-run reads no standard input (a file named "-" is ./-)'],
    ];
    assert.lengthOf(cases, 23);
    for (const [args, message] of cases) {
      const result = distilRun(args);
      assert.equal(result.stderr, `distil-run: ${message}\n`, args.join(' '));
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stdout, '', args.join(' '));
    }
    // -- ends the flags, as in every command line: what follows is a file, even one that starts with "-".
    assert.equal(distilRun(['validate', '--', spec]).stdout, `${spec}: valid (1 cell(s))\n`);
    assert.equal(
      distilRun(['validate', spec, '--', '-']).stderr,
      'distil-run: validate: expected one spec file, got 2: test/fixtures/mnist-small.yaml - (run them one at a time)\n',
    );
  });

  it('lists the registered components with their params', () => {
    const { code, stdout } = distilRun(['list']);
    assert.equal(code, 0);
    const lines = stdout.split('\n');
    assert.include(
      lines,
      '  kd: Knowledge distillation (Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural Network", 2015): alpha * CE(labels) + (1 - alpha) * T^2 * KL(softmax(teacher/T) || softmax(student/T))',
    );
    assert.include(lines, '      temperature: number = 4  Softening temperature T.');
    // Every method names its paper, and its params with their defaults.
    for (const [method, paper] of [
      ['dkd', 'Zhao et al., "Decoupled Knowledge Distillation", CVPR 2022'],
      ['dist', 'Huang et al., "Knowledge Distillation from A Stronger Teacher", NeurIPS 2022'],
      ['fitnet', 'Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015'],
      ['pkt', 'Passalis & Tefas'],
      ['rkd', 'Park et al., "Relational Knowledge Distillation", CVPR 2019'],
      ['sp', 'Tung & Mori'],
      ['at', 'Zagoruyko & Komodakis'],
    ]) {
      assert.match(stdout, new RegExp(`^ {2}${method}: .*${paper.replace(/[().]/g, '\\$&')}`, 'm'), method);
    }
    assert.include(lines, '      beta: number = 8  Weight of NCKD, the non-target-class part.');
    assert.match(stdout, /^optimizers:\n {2}adam: Adam with bias correction$/m);
    // The count and per-class metrics, with the class as a required integer.
    assert.include(
      lines,
      '  errors: Number of examples whose highest-scoring class is not the label (lower is better)',
    );
    assert.include(
      lines,
      "  class-accuracy: Share of one class's examples classified as that class (its recall), column accuracy_class_<class>",
    );
    assert.include(
      lines,
      "      class: integer (required)  Class index (0-based; a CSV's labels are numbered in numeric, else text, order).",
    );
  });

  it('prints the plan with --dry-run and trains nothing', () => {
    const { code, stdout } = distilRun([
      fixture('mnist-small.yaml'),
      '--dry-run',
      '--set',
      'grid={distillation.temperature: [2, 4]}',
    ]);
    assert.equal(code, 0);
    assert.match(stdout, /^experiment mnist-small: 2 cell\(s\) to run \(2 grid point\(s\) x 1 seed\(s\)\)$/m);
    assert.match(stdout, /^trainings: teacher 1, student 2, person 1 /m);
    assert.match(
      stdout,
      /cell [0-9a-f]{12} {2}seed 1 {2}distillation\.temperature=4 {2}teacher [0-9a-f]{12} \[128-64\] {2}student \[32\]/,
    );
  });

  it('warns of a teacher no larger than its student with its code, naming both counts, and runs (not --dry-run, which loads no data)', function () {
    this.timeout(120_000);
    const out = mkdtempSync(path.join(os.tmpdir(), 'distil-cli-'));
    const args = [
      fixture('mnist-small.yaml'),
      '--out',
      out,
      '--run-id',
      'small-teacher',
      '--set',
      'models.teacher.layers=[]',
      '--set',
      'dataset.train_limit=600',
      '--set',
      'dataset.test_limit=200',
      '--set',
      'training.epochs=1',
      '--teacher-cache',
      'off',
      '--no-report',
    ];
    const { code, stderr } = distilRun(args);
    assert.equal(code, 0, stderr);
    const { records } = readCsv(path.join(out, 'mnist-small', 'small-teacher', 'results.csv'));
    assert.lengthOf(records, 3);
    // MNIST: 784 inputs, 10 classes. Teacher 784x10+10; student [32]: 784x32+32 + 32x10+10.
    assert.deepEqual(
      stderr.split('\n').filter((line) => line.includes('TEACHER_NOT_LARGER')),
      [
        `warning: TEACHER_NOT_LARGER: cell ${records[0].cell_id}: the teacher has 7,850 parameters and the student 25,450: a teacher no larger than its student is almost always a mistake (give the teacher more or wider layers)`,
      ],
    );
    const dry = distilRun([...args, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stderr, '');
  });

  it('stops on Ctrl-C with exit 130 and keeps what it wrote', async function () {
    this.timeout(120_000);
    const out = mkdtempSync(path.join(os.tmpdir(), 'distil-int-'));
    const child = spawn(
      process.execPath,
      [cli, fixture('mnist-small.yaml'), '--out', out, '--run-id', 'int', '--set', 'training.epochs=50'],
      { cwd: root, env: { ...process.env, CI: '1' } },
    );
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // One Ctrl-C: a second one would ask to quit at once.
      if (!sent && stderr.includes('epoch 2/50')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130, stderr);
    assert.include(
      stderr.split('\n'),
      'SIGINT: stopping after the current batch (send it again to quit now); finished rows are kept',
      stderr,
    );
    const runDir = path.join(out, 'mnist-small', 'int');
    assert.deepEqual(
      readCsv(path.join(runDir, 'results.csv')).records.map((r) => [r.role, r.status]),
      [['teacher', 'interrupted']],
    );
    assert.isAtLeast(readCsv(path.join(runDir, 'history.csv')).records.length, 2);
    assert.equal(JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')).status, 'interrupted');
  });
});

describe('the README plugin example', () => {
  it('loads with --plugin and reports its metric column in a run', function () {
    this.timeout(120_000);
    const listed = distilRun(['list', '--plugin', fixture('top2-plugin.mjs')]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.include(
      listed.stdout.split('\n'),
      '  top2-accuracy [plugin my-plugin]: Label among the two highest-scoring classes',
    );
    const out = mkdtempSync(path.join(os.tmpdir(), 'distil-plugin-'));
    const run = distilRun([
      fixture('mnist-small.yaml'),
      '--plugin',
      fixture('top2-plugin.mjs'),
      '--out',
      out,
      '--run-id',
      'p',
      '--set',
      'training.metrics=[accuracy, top2-accuracy]',
      '--set',
      'training.epochs=1',
      '--set',
      'dataset.train_limit=500',
      '--set',
      'dataset.test_limit=200',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const { records } = readCsv(path.join(out, 'mnist-small', 'p', 'results.csv'));
    assert.deepEqual(
      records.map((r) => r.role),
      ['teacher', 'student', 'person'],
    );
    for (const r of records) assert.isAtLeast(Number(r.test_top2_accuracy), Number(r.test_accuracy));
    // A saved model is judged by the metrics it was trained with: without the plugin, evaluate says which it lacks.
    const student = path.join(out, 'mnist-small', 'p', 'models', records[1].cell_id, records[1].seed, 'student');
    assertRefused(
      distilRun(['evaluate', student]),
      2,
      `distil-run: the evaluation of ${student}: 1 error
  the evaluation of ${student} (saved with the model) training.metrics[1].name: unknown metric "top2-accuracy" \
(Did you mean "top-k-accuracy"?)
`,
    );
  });
});

describe('BLAS selection from the command line', () => {
  it('--blas off runs on the fixed wasm kernels and says why no BLAS is used', function () {
    this.timeout(120_000);
    const out = mkdtempSync(path.join(os.tmpdir(), 'distil-noblas-'));
    const { code, stderr } = distilRun([fixture('mnist-small.yaml'), '--blas', 'off', '--out', out, '--run-id', 'x']);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /backend wasm \(no BLAS: BLAS disabled \(--blas off\)\)/);
    // It must train as well as with BLAS, not just finish.
    const { records } = readCsv(path.join(out, 'mnist-small', 'x', 'results.csv'));
    assert.deepEqual(
      records.map((r) => r.role),
      ['teacher', 'student', 'person'],
    );
    for (const r of records) assert.isAbove(Number(r.test_accuracy), 0.8, r.role);
    const manifest = JSON.parse(readFileSync(path.join(out, 'mnist-small', 'x', 'manifest.json'), 'utf8'));
    assert.isNull(manifest.backend.blas);
    assert.equal(manifest.backend.blas_skipped, 'BLAS disabled (--blas off)');
  });

  it('a BLAS path that does not load is an error (exit 2) naming the path and the reason; nothing runs', function () {
    this.timeout(120_000);
    const out = mkdtempSync(path.join(os.tmpdir(), 'distil-badblas-'));
    const run = distilRun([
      fixture('mnist-small.yaml'),
      '--blas',
      '/nonexistent/libblas.so',
      '--out',
      out,
      '--run-id',
      'y',
      '--set',
      'training.epochs=1',
      '--set',
      'dataset.train_limit=300',
      '--set',
      'dataset.test_limit=100',
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      run.stderr,
      'distil-run: --blas /nonexistent/libblas.so: cannot load cblas_sgemm (Failed to load shared library: cannot open shared object file: No such file or directory)\n',
    );
    assert.equal(run.stdout, '');
  });
});

describe('compare and merge from the command line', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-cmp-'));
  const header = 'run_id,experiment,cell_id,cell,role,test_loss,test_accuracy,status\n';
  const a = path.join(dir, 'a.csv');
  const b = path.join(dir, 'b.csv');
  before(() => {
    writeFileSync(a, `${header}a,m,x,,teacher,0.30,0.950,ok\na,m,x,,student,0.40,0.900,ok\n`);
    writeFileSync(b, `${header}b,m,x,,teacher,0.29,0.951,ok\nb,m,x,,student,0.45,0.880,ok\n`);
  });

  it('compare prints the changes and exits 1 when a metric regressed beyond the threshold', () => {
    const loose = distilRun(['compare', a, b]);
    assert.equal(loose.code, 0, loose.stderr);
    assert.match(loose.stdout, /^-\s+student\s+accuracy\s+0\.9\s+0\.88\s+-0\.02$/m);
    assert.match(loose.stdout, /^-\s+teacher\s+loss\s+0\.3\s+0\.29\s+\+0\.01$/m);
    const strict = distilRun(['compare', a, b, '--max-regression', '0.01']);
    assert.equal(strict.code, 1);
    assert.equal(
      strict.stderr,
      'compared 2 row(s) and 4 metric value(s) (loss, accuracy); change = b - a, positive = better\ndistil-run: 2 regression(s): 2 metric value(s) worse by more than 0.01\n',
    );
    assert.match(strict.stdout, /student\s+loss\s+0\.4\s+0\.45\s+-0\.05\s+REGRESSED/);
  });

  it('merge writes one table from shards', () => {
    const out = path.join(dir, 'merged.csv');
    const { code, stderr } = distilRun(['merge', a, b, '--out', out]);
    assert.equal(code, 0);
    assert.equal(stderr, `merged 4 row(s) from 2 file(s) into ${out}\n`);
    assert.deepEqual(
      readCsv(out).records.map((r) => `${r.run_id}/${r.role}`),
      ['a/teacher', 'a/student', 'b/teacher', 'b/student'],
    );
  });
});
