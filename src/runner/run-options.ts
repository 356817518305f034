// What a run takes (RunOptions, and the same as text from a command line, checked) and what it gives back (RunSummary).
import { assertBlasRequest, BACKEND_REQUESTS } from '../backend/index.js';
import type { BackendInfo, BackendRequest, BlasRequest } from '../backend/index.js';
import { errorInvalidArgument } from '../errors/index.js';
import { assertRunId } from '../results/index.js';
import type { Row } from '../results/index.js';
import type { Shard } from './shard.js';
import type { Reporter } from './reporter.js';
import type { JobsRequest } from './jobs.js';

export interface RunOptions {
  /** @default 'auto' */
  readonly backend?: BackendRequest;
  /** System BLAS for the wasm backend's matrix products: 'auto', 'off' or a library path. @default 'auto' */
  readonly blas?: BlasRequest;
  /**
   * Whether the roles the compiled training step covers train through it (`false`: every role on tfjs's
   * path). It gives the same weights as tfjs's path, to the bit. @default true
   */
  readonly compiledStep?: boolean;
  /** Root of the results tree. @default 'results' */
  readonly outDir?: string;
  /** Run id; reusing one resumes that run (same experiment only), skipping cells it finished. @default a UTC timestamp and a random suffix */
  readonly runId?: string;
  /**
   * Run only this shard's cells; its tables go to `<run dir>/shard-i-of-n/`. With a `search:` and no
   * `selection`, only this shard's share of the search points (stage 1).
   */
  readonly shard?: Shard;
  /**
   * A results table holding every search point's teacher (the merged tables of the shards that ran the
   * search): the search is not run, its winner is selected from this table, and the cells after it run.
   */
  readonly selection?: string;
  readonly reporter?: Reporter;
  /** Aborting stops training at the next batch; finished rows stay written. */
  readonly signal?: AbortSignal;
  /** Directory of trained teachers reused across runs, or false to always train. @default ~/.cache/distil-run/teachers */
  readonly teacherCache?: string | false;
  /**
   * Which trained models to keep in `<run dir>/models/`: every role's, the teachers', none, or `auto`:
   * every role's for a run of up to {@link SAVE_ALL_UP_TO} cells, else the teachers'. @default 'auto'
   */
  readonly saveModels?: SaveModels | 'auto';
  /**
   * Worker processes that train groups of cells side by side (cells sharing a teacher, a person or an epochs
   * axis stay in one group); this process alone writes the tables. Above 1, `workers.spec` is needed. @default 1
   */
  readonly jobs?: JobsRequest;
  /** How a worker process loads the same experiment: the spec file and the command line's overrides and plugins. */
  readonly workers?: { readonly spec: WorkerSpec; readonly entry?: string };
}

/** How a worker loads the same experiment as its parent: the spec file and what the command line changed. */
export interface WorkerSpec {
  readonly file: string;
  readonly set?: readonly string[];
  readonly grid?: readonly string[];
  readonly plugins?: readonly string[];
  /** The directory the spec path and plugin paths are relative to. @default the parent's working directory */
  readonly cwd?: string;
}

export type RunStatus = 'ok' | 'failed' | 'interrupted';

export interface RunSummary {
  readonly runId: string;
  readonly runDir: string;
  readonly backend: BackendInfo;
  /** The results rows written by this invocation, in order. */
  readonly rows: readonly Row[];
  readonly status: RunStatus;
  /** summary.csv's rows: per cell and role over the run's seeds (the whole run directory, resumed rows too). */
  readonly summary: readonly Row[];
}

/** Which trained models a run keeps in `<run dir>/models/`. */
export type SaveModels = 'all' | 'teacher' | 'none';

const SAVE_MODELS = ['all', 'teacher', 'none', 'auto'] as const;

/** `--save-models auto` keeps every role's model for runs of up to this many cells (search points included). */
export const SAVE_ALL_UP_TO = 12;

/** The roles whose models a run keeps: `auto` is every role's for a run of up to {@link SAVE_ALL_UP_TO} cells, else the teachers'. */
export function saveModelsFor(request: RunOptions['saveModels'], cells: number): SaveModels {
  if (request === undefined || request === 'auto') return cells <= SAVE_ALL_UP_TO ? 'all' : 'teacher';
  return request;
}

/** The options as text, e.g. from `--backend`, `--blas`, `--run-id` and `--save-models`. */
export interface RunOptionsText {
  readonly backend?: string;
  readonly blas?: string;
  readonly compiledStep?: string;
  readonly runId?: string;
  readonly saveModels?: string;
}

/**
 * Checks the options that need no run (a backend name, a BLAS path that loads, a run id that is one folder
 * name, which models to keep) and gives them typed.
 * @throws DistilError INVALID_ARGUMENT naming the flag.
 */
export function checkRunOptions(text: RunOptionsText): {
  backend?: BackendRequest;
  blas?: string;
  compiledStep?: boolean;
  runId?: string;
  saveModels?: SaveModels | 'auto';
} {
  if (text.compiledStep !== undefined && text.compiledStep !== 'on' && text.compiledStep !== 'off') {
    throw errorInvalidArgument('--compiled-step', `expected on or off, got "${text.compiledStep}"`);
  }
  if (text.saveModels !== undefined && !(SAVE_MODELS as readonly string[]).includes(text.saveModels)) {
    throw errorInvalidArgument('--save-models', `expected one of ${SAVE_MODELS.join(', ')}, got "${text.saveModels}"`);
  }
  if (text.backend !== undefined && !(BACKEND_REQUESTS as readonly string[]).includes(text.backend)) {
    throw errorInvalidArgument('--backend', `expected one of ${BACKEND_REQUESTS.join(', ')}, got "${text.backend}"`);
  }
  if (text.runId !== undefined) assertRunId(text.runId);
  if (text.blas !== undefined) assertBlasRequest(text.blas);
  return {
    backend: text.backend as BackendRequest | undefined,
    blas: text.blas,
    ...(text.compiledStep === undefined ? {} : { compiledStep: text.compiledStep === 'on' }),
    runId: text.runId,
    saveModels: text.saveModels as SaveModels | 'auto' | undefined,
  };
}
