// --jobs 1 against --jobs 2 on the same sweeps, in the same bench run: each round runs both, in alternating
// order, so a busy neighbour slows both alike; the ratio of each round and the medians are reported.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCsv } from '../src/results/csv.js';

export interface JobsBenchRow {
  readonly sweep: string;
  readonly cells: number;
  readonly groups: string;
  readonly round: number;
  readonly jobs1_seconds: number;
  readonly jobs2_seconds: number;
  readonly ratio: number;
}

/** The sweeps timed: each is a spec of the repository with the flags that make it a sweep. */
export const JOBS_SWEEPS: ReadonlyArray<{ name: string; args: readonly string[] }> = [
  {
    // 4 seeds x 2 alphas: a teacher and a person per seed, so 4 groups of 2 cells.
    name: 'housing, 4 seeds x 2 alphas, 20 epochs',
    args: [
      'experiments/housing.yaml',
      '--set',
      'seeds=[1,2,3,4]',
      '--set',
      'training.epochs=20',
      '--grid',
      'distillation.alpha=[0.3,0.7]',
    ],
  },
  {
    // 8 distillation settings of one teacher and one person: one group, so --jobs 2 runs it in one process.
    name: 'mnist student grid, 1 teacher, 2 epochs',
    args: [
      'experiments/mnist.yaml',
      '--set',
      'training.epochs=2',
      '--grid',
      'distillation.temperature=[1,2,4,8]',
      '--grid',
      'distillation.alpha=[0.1,0.5]',
    ],
  },
];

function wall(
  root: string,
  args: readonly string[],
  jobs: number,
): { seconds: number; schedule: string; cells: number } {
  const out = mkdtempSync(path.join(os.tmpdir(), 'distil-run-bench-jobs-'));
  try {
    const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
    const common = [...args, '--out', out, '--run-id', 'r', '--teacher-cache', 'off', '--no-report', '--plain'];
    const plan = spawnSync(process.execPath, [cli, ...common, '--jobs', '2', '--dry-run'], {
      cwd: root,
      encoding: 'utf8',
    });
    const schedule = /schedule \(--jobs 2\): (.*)/.exec(plan.stdout)?.[1] ?? '';
    const cells = Number(/(\d+) cell\(s\) to run/.exec(plan.stdout)?.[1] ?? NaN);
    const started = performance.now();
    const result = spawnSync(process.execPath, [cli, ...common, '--jobs', String(jobs)], {
      cwd: root,
      encoding: 'utf8',
      timeout: 3_600_000,
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0) {
      throw new Error(`--jobs ${jobs}: exit ${result.status}: ${result.stderr.trim().split('\n').slice(-1)[0]}`);
    }
    const rows = readCsv(path.join(out, path.basename(args[0], '.yaml'), 'r', 'results.csv')).records;
    if (rows.some((row) => row.status !== 'ok')) throw new Error(`--jobs ${jobs}: a row is not ok`);
    return { seconds, schedule, cells };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Times each sweep `rounds` times with --jobs 1 and --jobs 2; a sweep that cannot run is skipped, saying why. */
export function benchJobs(root: string, rounds: number): { rows: JobsBenchRow[]; skipped: string[] } {
  const rows: JobsBenchRow[] = [];
  const skipped: string[] = [];
  for (const sweep of JOBS_SWEEPS) {
    try {
      timeSweep(root, sweep, rounds, rows);
    } catch (error) {
      skipped.push(`${sweep.name}: ${(error as Error).message}`);
    }
  }
  return { rows, skipped };
}

function timeSweep(root: string, sweep: (typeof JOBS_SWEEPS)[number], rounds: number, rows: JobsBenchRow[]): void {
  for (let round = 1; round <= rounds; round++) {
    process.stderr.write(`bench: jobs ${sweep.name}, round ${round}/${rounds}...\n`);
    // Alternating which goes first: a machine that warms up or gets busier favours neither.
    const order = round % 2 === 1 ? [1, 2] : [2, 1];
    const times = new Map(order.map((jobs) => [jobs, wall(root, sweep.args, jobs)]));
    const one = times.get(1)!;
    const two = times.get(2)!;
    rows.push({
      sweep: sweep.name,
      cells: two.cells,
      groups: two.schedule,
      round,
      jobs1_seconds: Math.round(one.seconds * 10) / 10,
      jobs2_seconds: Math.round(two.seconds * 10) / 10,
      ratio: Math.round((two.seconds / one.seconds) * 1000) / 1000,
    });
  }
}
