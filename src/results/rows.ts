// The rows of results.csv and history.csv, and the distillation gain, built from what a role's training returned.
import type { Role } from '../shared/index.js';

export type Row = Record<string, string | number | undefined>;

/** A confusion matrix: `counts[t][p]` test examples of class t predicted as class p (classes 0..k-1). */
export type ConfusionCounts = readonly (readonly number[])[];

/** A role's confusion matrix on the test split, with the dataset's class names when it has them. */
export interface Confusion {
  readonly counts: ConfusionCounts;
  readonly names?: readonly string[];
}

/** A role's outcome as the tables record it (a subset of what training returns). */
export interface RoleOutcome {
  readonly params: number;
  readonly trainSeconds: number;
  readonly samplesPerSec: number;
  readonly test: Readonly<Record<string, number>>;
  /** Metrics on the validation split (of the kept epoch), when the cell has one. */
  readonly val?: Readonly<Record<string, number>>;
  /** The epoch whose weights the role kept (early stopping keeps its best validation epoch). */
  readonly keptEpoch?: number;
  readonly inferenceMsPer1000: number;
  /** Set when the model is an earlier epoch of a longer training (an epochs axis): that training's epoch count. */
  readonly checkpointOf?: number;
  /** True for a teacher loaded from a saved model (`load:`) and not trained in this run. */
  readonly loaded?: boolean;
  /** Weights the student's distillation method trained besides the student (FitNets' regressor); set for representation methods. */
  readonly extraParams?: number;
  /** The training examples the role trained on (fewer than the split's with a transfer set). */
  readonly trainExamples?: number;
  /** The confusion matrix on the test split (`confusion[t][p]`: examples of class t predicted as p); classification only. */
  readonly confusion?: Confusion;
  /** The epoch at which successive halving stopped this search point (its row's `epochs`; status `pruned`). */
  readonly prunedAt?: number;
}

export type RowStatus = 'ok' | 'failed' | 'skipped' | 'interrupted' | 'pruned';

/** What a row records of its cell: its id, its grid values, its seed and each role's epochs and batch size. */
export interface RowCell {
  readonly id: string;
  readonly overrides: Readonly<Record<string, unknown>>;
  readonly config: {
    readonly seed: number;
    readonly models: Readonly<Record<Role, { readonly training: { readonly epochs: number; readonly batchSize: number } }>>;
  };
}

/** Where a results row comes from: the run, the cell and how the role ended. */
export interface RowContext {
  readonly runId: string;
  readonly experiment: string;
  readonly cell: RowCell;
  readonly label: string;
  readonly backend: string;
  /** `search` or `final` in an experiment with a selection stage. */
  readonly stage?: string;
}

/** Rounds to `digits` significant digits, as the tables show numbers. */
export function round(value: number, digits = 6): number {
  return Number(value.toPrecision(digits));
}

/** Metrics as table columns: `{ accuracy: 0.98 }` → `{ test_accuracy: 0.98 }` (or `val_`), rounded. */
export function testColumns(test: Readonly<Record<string, number>> | undefined, prefix = 'test'): Row {
  return Object.fromEntries(Object.entries(test ?? {}).map(([k, v]) => [`${prefix}_${k}`, round(v)]));
}

/** The swept paths of a run's cells, each once, in first-seen order (the axis columns of results.csv). */
export function axesOf(cells: ReadonlyArray<{ readonly overrides: Readonly<Record<string, unknown>> }>): string[] {
  return [...new Set(cells.flatMap((cell) => Object.keys(cell.overrides)))];
}

/** A cell's grid values as results columns: numbers and strings as they are, anything else (lists, objects, booleans) as JSON. */
export function axisValues(overrides: Readonly<Record<string, unknown>>): Row {
  return Object.fromEntries(Object.entries(overrides).map(([axis, value]) => [axis, typeof value === 'number' || typeof value === 'string' ? value : JSON.stringify(value)]));
}

/** One results.csv row; `outcome` is undefined for roles that produced no model (failed, skipped, interrupted). */
export function resultRow(context: RowContext, role: Role, outcome: RoleOutcome | undefined, status: RowStatus, error = '', source = outcome ? (outcome.loaded ? 'loaded' : outcome.checkpointOf ? 'checkpoint' : 'trained') : ''): Row {
  const { config } = context.cell;
  const training = config.models[role].training;
  return {
    run_id: context.runId, experiment: context.experiment, cell_id: context.cell.id, cell: context.label, ...axisValues(context.cell.overrides), role,
    seed: config.seed, backend: context.backend, params: outcome?.params, extra_params: outcome?.extraParams, train_examples: outcome?.trainExamples, epochs: outcome?.loaded ? 0 : (outcome?.prunedAt ?? training.epochs), batch_size: training.batchSize,
    train_seconds: outcome ? round(outcome.trainSeconds, 4) : undefined,
    train_samples_per_sec: outcome ? Math.round(outcome.samplesPerSec) : undefined,
    ...testColumns(outcome?.test),
    ...testColumns(outcome?.val, 'val'),
    kept_epoch: outcome?.keptEpoch,
    stage: context.stage,
    inference_ms_per_1000: outcome ? round(outcome.inferenceMsPer1000, 4) : undefined, source, status, error,
  };
}

/** One history.csv row: a role's epoch. */
export function historyRow(runId: string, cell: { id: string; seed: number }, role: Role, record: { epoch: number; trainLoss: number; seconds: number; samplesPerSec: number; test?: Readonly<Record<string, number>>; val?: Readonly<Record<string, number>> }): Row {
  return {
    run_id: runId, cell_id: cell.id, seed: cell.seed, role, epoch: record.epoch, train_loss: round(record.trainLoss),
    seconds: round(record.seconds, 4), samples_per_sec: Math.round(record.samplesPerSec), ...testColumns(record.test), ...testColumns(record.val, 'val'),
  };
}

/** A metric as the gain needs it: its column and which direction is better. */
export interface GainMetric {
  readonly column: string;
  readonly higherIsBetter: boolean;
}

/**
 * The student's primary metric (the first that is not the loss) minus the person's, signed so that
 * positive means distillation helped. Empty when either side lacks the metric.
 */
export function gain(metrics: readonly GainMetric[], student: RoleOutcome, person: RoleOutcome): { distillation_gain?: number; gain_metric?: string } {
  const metric = metrics.find((m) => m.column !== 'loss') ?? metrics[0];
  if (!metric || !(metric.column in student.test) || !(metric.column in person.test)) return {};
  // Subtract the values as the table shows them, so float32 noise does not show up as a gain.
  const difference = round(student.test[metric.column]) - round(person.test[metric.column]);
  return { distillation_gain: round(metric.higherIsBetter ? difference : -difference), gain_metric: metric.column };
}
