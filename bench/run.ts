// npm run bench: training speed per backend and role, the backend's raw matMul rate, CNN training speed
// with the conv kernels' GFLOP/s (mnist-cnn), and the full seed-004 MNIST experiment's wall time and peak
// RSS. Writes CSVs and prints tables.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createObjectCsvStringifier } from 'csv-writer';
import { packageRoot } from '../src/shared/package-root.js';
import { readCsv } from '../src/results/csv.js';
import { formatTable } from '../src/results/table.js';
import type { CnnBenchRow } from './cnn-worker.js';
import type { BenchRow } from './worker.js';
import type { MethodBenchRow } from './methods-worker.js';
import type { AugmentBenchRow } from './augment-worker.js';
import { benchJobs } from './jobs.js';

const CONFIGS = ['tensorflow', 'wasm+blas', 'wasm', 'cpu'];
// CNN rows: wasm+blas-1t is the BLAS limited to one thread (OPENBLAS_NUM_THREADS=1), which beats two
// threads on a machine whose other core is busy. No cpu row: the cpu backend's Conv2DBackpropFilter alone
// takes ~160 s for the teacher's second convolution at batch 128.
const CNN_CONFIGS = ['tensorflow', 'wasm+blas', 'wasm+blas-1t', 'wasm'];

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '40' },
    repeats: { type: 'string', default: '5' },
    'max-ms': { type: 'string', default: '4000' },
    'skip-full': { type: 'boolean', default: false },
    'skip-cnn': { type: 'boolean', default: false },
    'cnn-only': { type: 'boolean', default: false },
    'skip-methods': { type: 'boolean', default: false },
    'methods-only': { type: 'boolean', default: false },
    'skip-augment': { type: 'boolean', default: false },
    'augment-only': { type: 'boolean', default: false },
    'skip-jobs': { type: 'boolean', default: false },
    'jobs-only': { type: 'boolean', default: false },
    'jobs-rounds': { type: 'string', default: '3' },
    'skip-peer': { type: 'boolean', default: false },
    'peer-only': { type: 'boolean', default: false },
    'peer-rounds': { type: 'string', default: '1' },
    'peer-experiments': { type: 'string', default: 'mnist,housing' },
    out: { type: 'string', default: path.join('results', 'bench') },
  },
});

const root = packageRoot();
const worker = path.join(root, 'dist', 'bench', 'worker.js');
const cnnWorker = path.join(root, 'dist', 'bench', 'cnn-worker.js');
const methodsWorker = path.join(root, 'dist', 'bench', 'methods-worker.js');
const augmentWorker = path.join(root, 'dist', 'bench', 'augment-worker.js');
// The methods' speed where they run in practice (no tensorflow here; cpu is too slow to matter).
const METHOD_CONFIGS = ['tensorflow', 'wasm+blas', 'wasm'];

/** Writes rows as a CSV under --out; returns its path. */
function writeRows(name: string, rows: readonly object[]): string {
  const file = path.join(values.out!, name);
  const stringifier = createObjectCsvStringifier({
    header: Object.keys(rows[0] ?? { config: '' }).map((id) => ({ id, title: id })),
  });
  writeFileSync(file, stringifier.getHeaderString() + stringifier.stringifyRecords(rows as Record<string, unknown>[]));
  return file;
}

/** The JSON rows a worker prints for each config of METHOD_CONFIGS, and why each config that gave none failed. */
function workerRows<T>(what: string, file: string): { rows: T[]; skipped: string[] } {
  const rows: T[] = [];
  const skipped: string[] = [];
  for (const config of METHOD_CONFIGS) {
    process.stderr.write(`bench: ${what} ${config}...\n`);
    const result = spawnSync(process.execPath, [file, config, values.steps!, values.repeats!], {
      encoding: 'utf8',
      timeout: 900_000,
    });
    if (result.status !== 0) {
      skipped.push(
        `${config}: ${(result.stderr || `exit ${result.status ?? result.signal}`).trim().split('\n').slice(-1)[0]}`,
      );
    } else rows.push(...(JSON.parse(result.stdout) as T[]));
  }
  return { rows, skipped };
}

/**
 * Each distillation method's student training speed against kd's (bench/methods-worker.ts): a table and
 * bench-<stamp>-methods.csv. The target: a representation method at >= 0.8x kd's samples/s.
 */
function runMethods(stamp: string): void {
  const { rows, skipped } = workerRows<MethodBenchRow>('methods', methodsWorker);
  const file = writeRows(`bench-${stamp}-methods.csv`, rows);
  process.stdout.write(
    `\n${formatTable(
      ['config', 'method (methods-mnist student)', 'batch', 'samples/s', 'x kd', 'target >= 0.8x'],
      rows.map((r) => [
        r.config,
        r.method,
        r.batch_size,
        r.samples_per_sec,
        r.ratio_to_kd,
        // The target is for the representation methods on tfjs's step.
        /^(kd|dkd|dist)\b/.test(r.method) || r.method.endsWith('(compiled step)')
          ? ''
          : r.ratio_to_kd >= 0.8
            ? 'met'
            : 'missed',
      ]),
    )}\n`,
  );
  for (const s of skipped) process.stdout.write(`skipped methods ${s}\n`);
  process.stdout.write(`${file}\n`);
}

/**
 * What augmentation costs (bench/augment-worker.ts): hinton-mnist's teacher with and without its jitter,
 * and its student from cached teacher outputs against an augmented student whose teacher runs per batch.
 */
function runAugment(stamp: string): void {
  const { rows, skipped } = workerRows<AugmentBenchRow>('augmentation', augmentWorker);
  const file = writeRows(`bench-${stamp}-augment.csv`, rows);
  process.stdout.write(
    `\n${formatTable(
      ['config', 'hinton-mnist step', 'batch', 'samples/s', 'x without augmentation'],
      rows.map((r) => [r.config, r.setup, r.batch_size, r.samples_per_sec, r.ratio_to_plain]),
    )}\n`,
  );
  for (const s of skipped) process.stdout.write(`skipped augmentation ${s}\n`);
  process.stdout.write(`${file}\n`);
}

function runConfig(config: string): BenchRow[] | string {
  const result = spawnSync(process.execPath, [worker, config, values.steps!, values.repeats!, values['max-ms']!], {
    encoding: 'utf8',
    timeout: 900_000,
  });
  if (result.status !== 0) return (result.stderr || `exit ${result.status}`).trim().split('\n')[0];
  return JSON.parse(result.stdout) as BenchRow[];
}

/** The CNN rows of one configuration (bench/cnn-worker.ts), or why it was skipped. */
function runCnnConfig(config: string): CnnBenchRow[] | string {
  const env = config.endsWith('-1t') ? { ...process.env, OPENBLAS_NUM_THREADS: '1' } : process.env;
  const result = spawnSync(process.execPath, [cnnWorker, config, values.steps!, values.repeats!, values['max-ms']!], {
    encoding: 'utf8',
    timeout: 900_000,
    env,
  });
  // The last line of stderr: the worker's reason (tfjs prints a banner there first).
  if (result.status !== 0) {
    return (result.stderr || `exit ${result.status ?? result.signal}`).trim().split('\n').slice(-1)[0];
  }
  return JSON.parse(result.stdout) as CnnBenchRow[];
}

/** CNN training speed and the conv kernels' GFLOP/s against the raw matMul rate: a table and bench-<stamp>-cnn.csv. */
function runCnn(stamp: string): void {
  const rows: CnnBenchRow[] = [];
  const skipped: string[] = [];
  for (const config of CNN_CONFIGS) {
    process.stderr.write(`bench: cnn ${config}...\n`);
    const result = runCnnConfig(config);
    if (typeof result === 'string') skipped.push(`${config}: ${result}`);
    else rows.push(...result);
  }
  const file = path.join(values.out!, `bench-${stamp}-cnn.csv`);
  const stringifier = createObjectCsvStringifier({
    header: Object.keys(rows[0] ?? { config: '' }).map((id) => ({ id, title: id })),
  });
  writeFileSync(file, stringifier.getHeaderString() + stringifier.stringifyRecords(rows));
  process.stdout.write(
    `\n${formatTable(
      [
        'config',
        'experiment',
        'role',
        'batch',
        'samples/s',
        'compiled samples/s',
        'compiled / tfjs',
        'conv GFLOP/step',
        'conv GFLOP/s',
        'raw GFLOP/s',
        'ratio',
      ],
      rows.map((r) => [
        r.config,
        'mnist-cnn',
        r.role,
        r.batch_size,
        r.samples_per_sec,
        r.compiled_samples_per_sec || 'not covered',
        r.compiled_ratio || '',
        r.conv_gflop_per_step,
        r.conv_gflops,
        r.raw_gflops,
        r.ratio,
      ]),
    )}\n`,
  );
  for (const s of skipped) process.stdout.write(`skipped cnn ${s}\n`);
  process.stdout.write(`${file}\n`);
  runTorch();
}

/** $PYTHON, else the first python3 that has torch (Debian's python3-torch lives in /usr/bin/python3, which a pyenv or venv python3 on the PATH hides). */
function torchPython(): string | undefined {
  return [process.env.PYTHON, 'python3', '/usr/bin/python3'].find(
    (p) => p && spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  );
}

/** The same teacher trained with PyTorch (bench/torch_cnn.py): one line, after the CNN rows. */
function runTorch(): void {
  const python = torchPython();
  if (!python) {
    process.stdout.write('torch: skipped (no python3 with torch: apt-get install python3-torch, or set PYTHON)\n');
    return;
  }
  process.stderr.write('bench: cnn torch...\n');
  const result = spawnSync(
    python,
    [path.join(root, 'bench', 'torch_cnn.py'), '--steps', values.steps!, '--repeats', values.repeats!],
    { encoding: 'utf8', timeout: 900_000 },
  );
  process.stdout.write(
    `${result.status === 0 ? result.stdout.trim() : `torch: failed (${(result.stderr || `exit ${result.status}`).trim().split('\n').slice(-1)[0]})`}\n`,
  );
}

/**
 * Sweeps with --jobs 1 and --jobs 2 (bench/jobs.ts): per round the wall times and their ratio, then the median
 * ratio per sweep. The target: --jobs 2 at <= 0.6x the wall time of --jobs 1 on a sweep of independent groups.
 */
function runJobs(stamp: string): void {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const { rows, skipped } = benchJobs(root, Number(values['jobs-rounds']));
  for (const reason of skipped) process.stdout.write(`jobs: skipped ${reason}\n`);
  if (rows.length === 0) return;
  const file = writeRows(`bench-${stamp}-jobs.csv`, rows);
  const sweeps = [...new Set(rows.map((row) => row.sweep))];
  process.stdout.write(
    `\n${formatTable(
      [
        'sweep',
        'cells',
        'schedule with --jobs 2',
        'rounds',
        '--jobs 1 s (median)',
        '--jobs 2 s (median)',
        'ratio (median of rounds)',
      ],
      sweeps.map((sweep) => {
        const mine = rows.filter((row) => row.sweep === sweep);
        return [
          sweep,
          mine[0].cells,
          mine[0].groups,
          mine.length,
          median(mine.map((row) => row.jobs1_seconds)),
          median(mine.map((row) => row.jobs2_seconds)),
          median(mine.map((row) => row.ratio)),
        ];
      }),
    )}\n${file}\n`,
  );
}

/** One round of a shipped experiment: distil-run with the compiled step, without it, and the PyTorch peer, one after the other. */
export interface PeerRow {
  experiment: string;
  round: number;
  compiled_seconds: number;
  tfjs_step_seconds: number;
  torch_seconds: number;
  compiled_ratio: number;
  tfjs_step_ratio: number;
  /** Per role: distil-run's samples/s with the compiled step, and PyTorch's. */
  roles: string;
  small_role_speedup: number;
}

/** Wall seconds of a command, timed from outside (start-up included), with its stdout. */
function timed(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): { seconds: number; stdout: string; error?: string } {
  const started = performance.now();
  const result = spawnSync(command, args, { encoding: 'utf8', env, timeout: 3_600_000 });
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  const error =
    result.status === 0
      ? undefined
      : (result.stderr || `exit ${result.status ?? result.signal}`).trim().split('\n').slice(-1)[0];
  return { seconds, stdout: result.stdout, error };
}

/** California Housing's data file for both sides: $DISTIL_DATA_DIR, else the copy beside the package (../shared). */
function housingDir(): string | undefined {
  const candidates = [process.env.DISTIL_DATA_DIR, path.join(root, '..', 'shared', 'datasets', 'california-housing')];
  return candidates.find((dir) => dir && existsSync(path.join(dir, 'cal_housing.data')));
}

/**
 * experiments/mnist.yaml and housing.yaml against bench/torch_peer.py (the same models written by hand in
 * PyTorch, the teacher's outputs computed once): distil-run with the compiled step, with tfjs's step (the
 * previous path), and PyTorch, one after the other, timed from outside. Targets: mnist <= 0.7x PyTorch's wall
 * time, housing <= 0.5x, its 8-16-8-1 roles >= 5x PyTorch's samples/s.
 */
function runPeer(stamp: string): void {
  const python = torchPython();
  if (!python) {
    process.stdout.write('peer: skipped (no python3 with torch: apt-get install python3-torch, or set PYTHON)\n');
    return;
  }
  const dataDir = housingDir();
  const rows: PeerRow[] = [];
  const rounds = Number(values['peer-rounds']);
  for (const experiment of values['peer-experiments']!.split(',')) {
    if (experiment === 'housing' && !dataDir) {
      process.stdout.write('peer: housing skipped (set DISTIL_DATA_DIR to the directory of cal_housing.data)\n');
      continue;
    }
    const env = { ...process.env, ...(dataDir ? { DISTIL_DATA_DIR: dataDir } : {}) };
    for (let round = 1; round <= rounds; round++) {
      const run = (step: 'on' | 'off') => {
        process.stderr.write(`bench: peer ${experiment} round ${round}: distil-run --compiled-step ${step}...\n`);
        const runId = `peer-${stamp}-${experiment}-${round}-${step}`;
        const args = [
          path.join(root, 'dist', 'src', 'cli', 'main.js'),
          path.join(root, 'experiments', `${experiment}.yaml`),
          ...['--out', values.out!, '--run-id', runId, '--plain', '--no-report', '--teacher-cache', 'off'],
          ...['--compiled-step', step],
        ];
        const result = timed(process.execPath, args, env);
        if (result.error) throw new Error(`distil-run ${experiment} --compiled-step ${step}: ${result.error}`);
        const { records } = readCsv(path.join(values.out!, experiment, runId, 'results.csv'));
        return { seconds: result.seconds, records };
      };
      const compiled = run('on');
      const previous = run('off');
      process.stderr.write(`bench: peer ${experiment} round ${round}: PyTorch...\n`);
      const torch = timed(
        python,
        [
          path.join(root, 'bench', 'torch_peer.py'),
          experiment,
          ...(dataDir ? ['--data', path.join(dataDir, 'cal_housing.data')] : []),
        ],
        env,
      );
      if (torch.error) throw new Error(`torch_peer.py ${experiment}: ${torch.error}`);
      const peer = JSON.parse(torch.stdout) as { roles: Record<string, { samples_per_sec: number; metric: number }> };
      const rate = (role: string) => Number(compiled.records.find((r) => r.role === role)?.train_samples_per_sec);
      const small = ['student', 'person'].map((role) => rate(role) / peer.roles[role].samples_per_sec);
      rows.push({
        experiment,
        round,
        compiled_seconds: compiled.seconds,
        tfjs_step_seconds: previous.seconds,
        torch_seconds: torch.seconds,
        compiled_ratio: Number((compiled.seconds / torch.seconds).toFixed(3)),
        tfjs_step_ratio: Number((previous.seconds / torch.seconds).toFixed(3)),
        roles: ['teacher', 'student', 'person']
          .map((role) => `${role} ${Math.round(rate(role))} vs ${peer.roles[role].samples_per_sec}/s`)
          .join('; '),
        small_role_speedup: Number(Math.min(...small).toFixed(2)),
      });
    }
  }
  if (rows.length === 0) return;
  const file = writeRows(`bench-${stamp}-peer.csv`, rows);
  const target: Record<string, number> = { mnist: 0.7, housing: 0.5 };
  process.stdout.write(
    `\n${formatTable(
      [
        'experiment',
        'round',
        'compiled s',
        'tfjs step s',
        'PyTorch s',
        'compiled / PyTorch',
        'tfjs step / PyTorch',
        'target',
        'samples/s (distil-run vs PyTorch)',
        'small roles x PyTorch',
      ],
      rows.map((r) => [
        r.experiment,
        r.round,
        r.compiled_seconds,
        r.tfjs_step_seconds,
        r.torch_seconds,
        r.compiled_ratio,
        r.tfjs_step_ratio,
        `<= ${target[r.experiment]}x: ${r.compiled_ratio <= target[r.experiment] ? 'met' : 'missed'}`,
        r.roles,
        r.experiment === 'housing'
          ? `${r.small_role_speedup} (>= 5x: ${r.small_role_speedup >= 5 ? 'met' : 'missed'})`
          : '',
      ]),
    )}\n${file}\n`,
  );
}

interface FullRun {
  config: string;
  wall_seconds: number;
  peak_rss_mb: number;
  roles: string;
}

/** The full seed-004 experiment under GNU time (for peak RSS): stage seconds and accuracies from results.csv. */
function runFull(config: string): FullRun | string {
  const time = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p));
  const runId = `bench-${config.replace('+', '-')}`;
  const args = [
    path.join(root, 'dist', 'src', 'cli', 'main.js'),
    path.join(root, 'experiments', 'mnist.yaml'),
    '--out',
    values.out!,
    '--run-id',
    runId,
    '--plain',
    '--backend',
    config.split('+')[0],
    '--blas',
    config.endsWith('+blas') ? 'auto' : 'off',
  ];
  const started = performance.now();
  const result = time
    ? spawnSync(time, ['-f', 'PEAK_RSS_KB=%M', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = (performance.now() - started) / 1000;
  if (result.status !== 0) return (result.stderr || '').trim().split('\n').slice(-1)[0];
  const rss = /PEAK_RSS_KB=(\d+)/.exec(result.stderr)?.[1];
  const { records } = readCsv(path.join(values.out!, 'mnist', runId, 'results.csv'));
  const roles = records
    .map((r) => `${r.role} ${Number(r.train_seconds).toFixed(1)} s acc ${r.test_accuracy}`)
    .join('; ');
  return {
    config,
    wall_seconds: Number(wall.toFixed(1)),
    peak_rss_mb: rss ? Math.round(Number(rss) / 1024) : NaN,
    roles,
  };
}

function main(): void {
  mkdirSync(values.out!, { recursive: true });
  if (values['cnn-only']) {
    runCnn(new Date().toISOString().replace(/[-:]/g, '').slice(0, 15));
    return;
  }
  if (values['methods-only']) {
    runMethods(new Date().toISOString().replace(/[-:]/g, '').slice(0, 15));
    return;
  }
  if (values['augment-only']) {
    runAugment(new Date().toISOString().replace(/[-:]/g, '').slice(0, 15));
    return;
  }
  if (values['jobs-only']) {
    runJobs(new Date().toISOString().replace(/[-:]/g, '').slice(0, 15));
    return;
  }
  if (values['peer-only']) {
    runPeer(new Date().toISOString().replace(/[-:]/g, '').slice(0, 15));
    return;
  }
  const rows: BenchRow[] = [];
  const skipped: string[] = [];
  for (const config of CONFIGS) {
    process.stderr.write(`bench: ${config}...\n`);
    const result = runConfig(config);
    if (typeof result === 'string') skipped.push(`${config}: ${result}`);
    else rows.push(...result);
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  const file = path.join(values.out!, `bench-${stamp}.csv`);
  const header = Object.keys(rows[0] ?? { config: '' }).map((id) => ({ id, title: id }));
  const stringifier = createObjectCsvStringifier({ header });
  writeFileSync(file, stringifier.getHeaderString() + stringifier.stringifyRecords(rows));
  process.stdout.write(
    `${formatTable(
      ['config', 'experiment', 'role', 'step', 'batch', 'samples/s', 'MFLOP/sample', 'GFLOP/s', 'raw GFLOP/s', 'ratio'],
      rows.map((r) => [
        r.config,
        r.experiment,
        r.role,
        r.step,
        r.batch_size,
        r.samples_per_sec,
        r.mflop_per_sample,
        r.achieved_gflops,
        r.raw_gflops,
        r.ratio,
      ]),
    )}\n`,
  );
  for (const s of skipped) process.stdout.write(`skipped ${s}\n`);
  if (!values['skip-cnn']) runCnn(stamp);
  if (!values['skip-methods']) runMethods(stamp);
  if (!values['skip-augment']) runAugment(stamp);
  if (!values['skip-jobs']) runJobs(stamp);
  if (!values['skip-peer']) runPeer(stamp);
  if (!values['skip-full']) {
    const fulls: FullRun[] = [];
    for (const config of ['tensorflow', 'wasm+blas'].filter((c) => !skipped.some((s) => s.startsWith(`${c}:`)))) {
      process.stderr.write(`bench: full experiments/mnist.yaml on ${config}...\n`);
      const full = runFull(config);
      if (typeof full === 'string') process.stdout.write(`full run on ${config} failed: ${full}\n`);
      else fulls.push(full);
    }
    const fullFile = path.join(values.out!, `bench-${stamp}-full.csv`);
    const s = createObjectCsvStringifier({
      header: ['config', 'wall_seconds', 'peak_rss_mb', 'roles'].map((id) => ({ id, title: id })),
    });
    writeFileSync(fullFile, s.getHeaderString() + s.stringifyRecords(fulls));
    process.stdout.write(
      `\n${formatTable(
        ['config', 'wall s', 'peak RSS MB', 'roles'],
        fulls.map((f) => [f.config, f.wall_seconds, f.peak_rss_mb, f.roles]),
      )}\n${fullFile}\n`,
    );
  }
  process.stdout.write(`${file}\n`);
}

main();
