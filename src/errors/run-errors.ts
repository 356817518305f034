// Errors while a run runs: training that fails, signals, the run directory, the backend, the selection stage.
import { formatNumber } from '../shared/index.js';
import { DistilError } from './distil-error.js';

/** A role's training loss became NaN or infinite. The message leaves the role out: the row, the progress line and the summary name it. */
export function errorNonFiniteLoss(epoch: number): DistilError {
  return new DistilError(
    'NON_FINITE_LOSS',
    `the training loss became NaN or infinite in epoch ${epoch} ` +
      '(lower the learning rate, check the data for NaN, or standardise the features)',
  );
}

/** The run stopped at a signal's request: the finished rows are kept, the role that was training is marked interrupted. */
export function errorInterrupted(): DistilError {
  return new DistilError('INTERRUPTED', 'interrupted: results of finished roles are kept in the run directory');
}

/** The documented divergence rule: the last epoch's training loss above 10x the untrained model's. The role is named by whoever shows it. */
export function errorDiverged(epoch: number, loss: number, untrained: number): DistilError {
  return new DistilError(
    'DIVERGED',
    `diverged in epoch ${epoch}: training loss ${formatNumber(loss)} is more than 10x the untrained model's ` +
      `${formatNumber(untrained)} (lower the learning rate, use fewer epochs of a high rate, or standardise the features)`,
  );
}

/** A metric that gave NaN or an infinity: the role has no number to report. */
export function errorNonFiniteMetric(role: string, metric: string, split: string, value: number): DistilError {
  return new DistilError(
    'NON_FINITE_METRIC',
    `${role}: metric ${metric} is ${value} on the ${split} split (a metric must give a finite number; check a plugin metric, or the model's outputs)`,
  );
}

/** Another live process writes the run directory. Exit code 2. */
export function errorRunLocked(
  dir: string,
  holder: { pid: number; host: string; started: string } | undefined,
  lockFile: string,
): DistilError {
  const who = holder ? `pid ${holder.pid} on ${holder.host}, started ${holder.started}` : 'unknown process';
  return new DistilError(
    'RUN_LOCKED',
    `${dir} is being written by another distil-run (${who}); ` +
      'use another --run-id (or leave it out), give each CI shard --shard i/n, or wait for it to finish ' +
      `(a lock its holder stops refreshing is taken over after 2 minutes; or delete ${lockFile} if no such process runs)`,
    { exitCode: 2 },
  );
}

/** Resuming a run id whose directory holds a different experiment. Exit code 2. */
export function errorRunMismatch(dir: string, differences: readonly string[]): DistilError {
  const lines = differences.map((d) => `  ${d}`).join('\n');
  return new DistilError(
    'RUN_MISMATCH',
    `${dir} holds another experiment; a run id is resumed only with the same resolved spec:\n${lines}\n` +
      'start a new run (leave out --run-id, or pass a new one), or restore the spec the run was started with',
    { exitCode: 2 },
  );
}

/** A results file that cannot be written mid-run (disk full, read-only). Exit code 1: the run failed, its rows so far are kept. */
export function errorWrite(file: string, error: unknown): DistilError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new DistilError(
    'WRITE_FAILED',
    `cannot write ${file} (${code}); the rows written before are kept (free space or fix permissions, then run again with the same --run-id to resume)`,
  );
}

export function errorBackendUnavailable(backend: string, reason: string): DistilError {
  return new DistilError(
    'BACKEND_UNAVAILABLE',
    `backend "${backend}" is not available: ${reason} (use --backend auto to fall back to what loads)`,
    { exitCode: 2 },
  );
}

/** A resumed run whose earlier attempts chose wasm by timing, where wasm cannot run now. Exit code 2. */
export function errorEarlierBackendUnavailable(reason: string): DistilError {
  return new DistilError(
    'BACKEND_UNAVAILABLE',
    `this run's earlier attempts trained on wasm (auto chose it by timing), which cannot run now: ${reason}; resume with --backend tensorflow to go on there anyway (each row names its backend), or start a new run id`,
    { exitCode: 2 },
  );
}

/** The backend broke while training a role; later cells would fail the same way, so the run stops. Exit code 1. */
export function errorBackendFailure(cell: string, role: string, problem: string): DistilError {
  return new DistilError(
    'BACKEND_FAILURE',
    `${role} of cell ${cell}: the compute backend failed (${problem}); the run stopped so later cells are not run on a broken backend. ` +
      'Make that cell smaller (fewer units, a smaller batch_size or evaluation.batch_size) or run it with --backend cpu, then resume with the same --run-id',
  );
}

/**
 * A worker process of a run with --jobs could not start or stopped the run (it could not load the spec or its
 * backend). Exit code 1: the rows written before are kept.
 */
export function errorWorkerFailed(reason: string): DistilError {
  return new DistilError(
    'WORKER_FAILED',
    `--jobs: ${reason}; the rows written before are kept (resume with the same --run-id, or with --jobs 1 to train in this process)`,
  );
}

/** `--jobs` above 1 from the library without the spec file a worker process loads. Exit code 2. */
export function errorJobsWithoutSpec(): DistilError {
  return new DistilError(
    'INVALID_ARGUMENT',
    'jobs: worker processes load the spec themselves: pass workers: { spec: { file } } with jobs above 1 (the command line does)',
    { exitCode: 2 },
  );
}

/** No search point of a selection stage finished, so there is no teacher to carry on with. Exit code 1. */
export function errorNothingSelected(metric: string): DistilError {
  return new DistilError(
    'NOTHING_SELECTED',
    `no search point's teacher finished with val_${metric}, so nothing can be selected; the student and the person were not trained (see the failed rows, fix the search grid, and resume with the same --run-id)`,
  );
}
