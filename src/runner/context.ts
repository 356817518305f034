// What every part of an execution shares: the experiment, the registry, the tables, progress and the run's settings.
import type { ResolvedExperiment } from '../config/index.js';
import type { Registry } from '../registry/index.js';
import type { BackendInfo } from '../backend/index.js';
import type { RowContext, RunWriter } from '../results/index.js';
import { formatNumber } from '../shared/index.js';
import type { Role } from '../shared/index.js';
import type { DatasetCache } from './dataset-cache.js';
import type { PlannedCell } from './plan.js';
import type { Reporter, RoleEvent } from './reporter.js';
import type { SaveModels } from './run-options.js';

/** Where a run's rows go: the run's tables, or (in a worker process) the parent that writes them. */
export type RowSink = Pick<RunWriter, 'appendResult' | 'appendHistory' | 'appendConfusion'>;

export interface ExecutionContext {
  readonly experiment: ResolvedExperiment;
  readonly registry: Registry;
  readonly writer: RowSink;
  readonly reporter: Reporter;
  readonly runId: string;
  readonly backend: string;
  readonly datasets: DatasetCache;
  readonly signal?: AbortSignal;
  readonly teacherCache: string | false;
  /** Identifies the arithmetic (backend, and BLAS or not): cached teachers are only reused under the same. */
  readonly numerics: string;
  /** Which roles' models go to `<run dir>/models/`. */
  readonly saveModels: SaveModels;
  readonly runDir: string;
  /** The place, from 1, of the cell being run among the cells this invocation runs (set as each one starts). */
  readonly progress: { cell: number };
}

/** What every progress event of a role in a cell says: the cell, its seed, its place in the run, the training. */
export function roleEvent(context: ExecutionContext, planned: PlannedCell, role: Role): RoleEvent {
  return {
    cellId: planned.cell.id,
    cellLabel: planned.label,
    role,
    seed: planned.cell.seed,
    cell: context.progress.cell,
    training: planned.trainingKeys[role],
  };
}

/** The arithmetic a backend computes with, as cached teachers and worker processes compare it: `wasm-blas`, `wasm`. */
export function numericsOf(backend: Pick<BackendInfo, 'name' | 'blas'>): string {
  return backend.blas ? `${backend.name}-blas` : backend.name;
}

/** What a results row of a cell records of its run: the run, the experiment, the cell and the stage. */
export function rowContextOf(
  context: Pick<ExecutionContext, 'runId' | 'experiment' | 'backend'>,
  planned: PlannedCell,
  stage: RowContext['stage'],
): RowContext {
  const { runId, experiment, backend } = context;
  return { runId, experiment: experiment.name, cell: planned.cell, label: planned.label, backend, stage };
}

/** Test metrics for a progress line: `loss 0.0917, accuracy 0.981, errors 190`. */
export function describeMetrics(test: Readonly<Record<string, number>>): string {
  return Object.entries(test)
    .map(([k, v]) => `${k} ${formatNumber(v)}`)
    .join(', ');
}
