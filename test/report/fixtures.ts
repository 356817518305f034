// Small run directories for the report tests: synthetic tables written as the runner writes them, or a real in-process run.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { experiment, outDir, SEEDLESS, SPEC } from '../runner/blobs.js';

export { SEEDLESS, SPEC };

const ROLES = ['teacher', 'student', 'person'] as const;
const PARAMS = { teacher: 1000, student: 100, person: 100 } as const;

/** A grid cell of a synthetic run: its id and its values on the grid's axes. */
export interface FixtureCell {
  readonly id: string;
  /** Numbers, or the exact text of a whole component (`{"name":"kd","temperature":2}`). */
  readonly axes: Readonly<Record<string, number | string>>;
  /** The cell column, when not `a=1, b=2` from the axes. */
  readonly label?: string;
}

const line = (fields: ReadonlyArray<string | number>) =>
  `${fields.map((f) => (typeof f === 'string' && /[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')}\n`;

/** The cell's label as the runner writes it: `a=1, b=2`. */
const label = (cell: FixtureCell) =>
  cell.label ??
  Object.entries(cell.axes)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/**
 * Writes a run directory with results.csv, history.csv and manifest.json for `cells` × `seeds`: accuracy
 * rises over `epochs`, the student's by `gain(cell, seed)` + seed / 500 more than the person's, the teacher's test metrics only on the last epoch.
 */
export function writeRun(options: {
  cells: readonly FixtureCell[];
  seeds: readonly number[];
  epochs?: number;
  gain?: (cell: FixtureCell, seed: number) => number;
  status?: string;
  /** Each role's confusion matrix (`[true][predicted]`), written to confusion.csv; none when absent. */
  confusion?: (cell: FixtureCell, seed: number, role: (typeof ROLES)[number]) => number[][];
  /** Class names for confusion.csv's name columns. */
  classNames?: readonly string[];
  /** The epochs a role trained (early stopping: fewer than `epochs`); history.csv holds that many. */
  ran?: (cell: FixtureCell, seed: number, role: (typeof ROLES)[number]) => number;
  /** The epoch a role kept: writes results.csv's `kept_epoch` column. */
  kept?: (cell: FixtureCell, seed: number, role: (typeof ROLES)[number]) => number;
  /** The manifest's `overrides` (`{ set, grid, plugins }`); none when absent, as in a manifest of an older version. */
  overrides?: Readonly<Record<string, readonly string[]>>;
  /** The spec's description in the manifest. */
  description?: string;
}): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'distil-report-')), 'run');
  mkdirSync(dir);
  const axes = Object.keys(options.cells[0]?.axes ?? {});
  const epochs = options.epochs ?? 3;
  const gain = options.gain ?? (() => 0.01);
  let results = line([
    'run_id',
    'experiment',
    'cell_id',
    'cell',
    ...axes,
    'role',
    'seed',
    'backend',
    'params',
    'epochs',
    'batch_size',
    'train_seconds',
    'train_samples_per_sec',
    'test_loss',
    'test_accuracy',
    ...(options.kept ? ['kept_epoch'] : []),
    'distillation_gain',
    'gain_metric',
    'inference_ms_per_1000',
    'source',
    'status',
    'error',
  ]);
  let history = line([
    'run_id',
    'cell_id',
    'seed',
    'role',
    'epoch',
    'train_loss',
    'seconds',
    'samples_per_sec',
    'test_loss',
    'test_accuracy',
  ]);
  for (const cell of options.cells) {
    for (const seed of options.seeds) {
      const noise = seed / 1000;
      const accuracy = { teacher: 0.95 + noise, person: 0.8 + noise, student: 0.8 + 3 * noise + gain(cell, seed) };
      for (const role of ROLES) {
        const studentGain =
          role === 'student' ? [Number((accuracy.student - accuracy.person).toFixed(6)), 'accuracy'] : ['', ''];
        results += line([
          'r1',
          'fixture',
          cell.id,
          label(cell),
          ...axes.map((a) => cell.axes[a]),
          role,
          seed,
          'cpu',
          PARAMS[role],
          epochs,
          32,
          1.5,
          1000,
          0.3,
          accuracy[role],
          ...(options.kept ? [options.kept(cell, seed, role)] : []),
          ...studentGain,
          1,
          'trained',
          'ok',
          '',
        ]);
        const ran = options.ran?.(cell, seed, role) ?? epochs;
        for (let epoch = 1; epoch <= ran; epoch++) {
          const evaluated = role !== 'teacher' || epoch === ran;
          const value = accuracy[role] - (epochs - epoch) * 0.05;
          history += line([
            'r1',
            cell.id,
            seed,
            role,
            epoch,
            1 / epoch + noise,
            0.1,
            1000,
            evaluated ? 0.3 : '',
            evaluated ? Number(value.toFixed(6)) : '',
          ]);
        }
      }
    }
  }
  writeFileSync(path.join(dir, 'results.csv'), results);
  writeFileSync(path.join(dir, 'history.csv'), history);
  if (options.confusion) writeConfusion(dir, options.cells, options.seeds, options.confusion, axes, options.classNames);
  const manifest = {
    experiment: 'fixture',
    run_id: 'r1',
    status: options.status ?? 'ok',
    backend: { name: 'cpu', requested: 'auto', skipped: [], kernels: [] },
    versions: { node: 'v20' },
    spec: { description: options.description ?? 'A synthetic run' },
    ...(options.overrides ? { overrides: options.overrides } : {}),
    axes,
    selection: null,
  };
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/** confusion.csv as the runner writes it: every (true, predicted) pair of every cell, seed and role. */
function writeConfusion(
  dir: string,
  cells: readonly FixtureCell[],
  seeds: readonly number[],
  matrix: (cell: FixtureCell, seed: number, role: (typeof ROLES)[number]) => number[][],
  axes: readonly string[],
  names?: readonly string[],
): void {
  const nameColumns = names ? ['true_name', 'predicted_name'] : [];
  let text = line([
    'run_id',
    'experiment',
    'cell_id',
    'cell',
    ...axes,
    'role',
    'seed',
    'true_class',
    'predicted_class',
    ...nameColumns,
    'count',
  ]);
  for (const cell of cells) {
    for (const seed of seeds) {
      for (const role of ROLES) {
        matrix(cell, seed, role).forEach((row, t) =>
          row.forEach((count, p) => {
            const named = names ? [names[t], names[p]] : [];
            text += line([
              'r1',
              'fixture',
              cell.id,
              label(cell),
              ...axes.map((a) => cell.axes[a]),
              role,
              seed,
              t,
              p,
              ...named,
              count,
            ]);
          }),
        );
      }
    }
  }
  writeFileSync(path.join(dir, 'confusion.csv'), text);
}

const DKD = '{"name":"dkd","beta":8}';
const KD4 = '{"name":"kd","temperature":4}';
const KD2 = '{"name":"kd","temperature":2}';
const LABELS: Record<string, string> = { [DKD]: 'dkd', [KD4]: 'kd(temperature=4)', [KD2]: 'kd(temperature=2)' };

/** The cells of a distillation axis (dkd, kd T=4, kd T=2; and an lr axis before it when given), labelled as the runner labels them. */
export function methodCells(lrs: readonly number[] = []): FixtureCell[] {
  return (lrs.length > 0 ? lrs : [undefined]).flatMap((lr) =>
    [DKD, KD4, KD2].map((method, i) => {
      const axes: Record<string, number | string> =
        lr === undefined ? { distillation: method } : { lr, distillation: method };
      const label = `${lr === undefined ? '' : `lr=${lr}, `}distillation=${LABELS[method]}`;
      return { id: `m${i}${lr ?? ''}`.replace(/\./g, ''), axes, label };
    }),
  );
}

/**
 * The gains of {@link methodCells} for seeds 1 to 3: against kd(T=4), the first kd entry, dkd is +0.021, +0.022,
 * +0.0215 (better, Holm p well under 0.05) and kd(T=2) +0.001, -0.001, +0.0005 (not different).
 */
export function methodGain(cell: FixtureCell, seed: number): number {
  if (cell.axes.distillation === DKD) return 0.03 + [0.001, 0.002, 0.0015][seed - 1];
  if (cell.axes.distillation === KD2) return 0.01 + [0.001, -0.001, 0.0005][seed - 1];
  return 0.01;
}

/** The cells of a grid over two axes, `a` × `b`. */
export function grid2(as: readonly number[], bs: readonly number[]): FixtureCell[] {
  return as.flatMap((a) => bs.map((b) => ({ id: `c${a}${b}`.replace(/\./g, ''), axes: { a, b } })));
}

/** Runs the synthetic blobs experiment in process (seconds) and returns its run directory. */
export async function runBlobs(specText = SPEC): Promise<string> {
  const { experiment: exp, registry } = await experiment(specText);
  const summary = await runExperiment(exp, registry, {
    outDir: outDir(),
    reporter: new RecordingReporter(),
    teacherCache: false,
  });
  return summary.runDir;
}
