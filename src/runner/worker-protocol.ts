// The messages between a run (the parent, the one writer of its tables) and its worker processes (--jobs).
import type { DistilWarning } from '../errors/index.js';
import type { Row } from '../results/index.js';
import type { BackendRequest, BlasRequest } from '../backend/index.js';
import type { SaveModels, WorkerSpec } from './run-options.js';

export type { WorkerSpec } from './run-options.js';

/** What a worker needs besides the spec to train cells as the parent would. */
export interface WorkerSettings {
  readonly backend: BackendRequest;
  readonly blas?: BlasRequest;
  readonly compiledStep?: boolean;
  /** The parent's arithmetic (backend, BLAS or not): a worker computing otherwise would give other numbers. */
  readonly numerics: string;
  readonly teacherCache: string | false;
  readonly saveModels: SaveModels;
  readonly runDir: string;
  readonly runId: string;
  /** The backend's name as the rows record it. */
  readonly backendName: string;
}

/** A group of cells (by run key, in order) of one stage, for one worker. */
export interface GroupRequest {
  readonly type: 'group';
  readonly group: number;
  /** `search`: the search points' teachers; `final`: the cells (after the search's `winner`, if any). */
  readonly stage: 'search' | 'final';
  readonly winner?: number;
  readonly runKeys: readonly string[];
  /** `write`: hand the first cell's teacher and person on, in `dir`; `read`: take them from there first. */
  readonly handoff?: { readonly mode: 'write' | 'read'; readonly dir: string };
}

export type ParentMessage =
  | { readonly type: 'init'; readonly spec: WorkerSpec; readonly settings: WorkerSettings }
  | GroupRequest
  | { readonly type: 'abort' }
  | { readonly type: 'exit' };

/** An error as it crosses the process boundary. */
export interface WorkerError {
  readonly code?: string;
  readonly message: string;
  readonly exitCode?: 1 | 2;
}

/** A progress event of the reporter interface, by method name. */
export interface WorkerEvent {
  readonly method: 'roleStart' | 'epoch' | 'roleEnd' | 'note';
  readonly event: unknown;
}

export type WorkerMessage =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'result'; readonly row: Row }
  | { readonly type: 'history'; readonly rows: readonly Row[] }
  | { readonly type: 'confusion'; readonly rows: readonly Row[] }
  | { readonly type: 'event'; readonly event: WorkerEvent }
  | { readonly type: 'warn'; readonly warning: DistilWarning }
  | { readonly type: 'done'; readonly group: number }
  /** The group stopped: interrupted, or a failure that stops the run (a broken backend, a spec that changed). */
  | { readonly type: 'stopped'; readonly group?: number; readonly error: WorkerError };
