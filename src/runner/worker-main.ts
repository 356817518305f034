// A worker process of a run with --jobs: loads the same experiment, trains the groups of cells its parent sends,
// and sends every row, epoch and progress event back; the parent alone writes the tables.
import { describeBackend, selectBackend } from '../backend/index.js';
import type { ResolvedExperiment } from '../config/index.js';
import { DistilError, errorWorkerFailed } from '../errors/index.js';
import type { DistilWarning } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import { runKey } from '../results/index.js';
import type { Row } from '../results/index.js';
import { CellRunner, runFinalCells, runSearchCells } from './cell-runner.js';
import { numericsOf } from './context.js';
import type { ExecutionContext, RowSink } from './context.js';
import { readHandoff, writeHandoff } from './handoff.js';
import { DatasetCache } from './dataset-cache.js';
import { planRun } from './plan.js';
import type { Reporter } from './reporter.js';
import type {
  GroupRequest,
  ParentMessage,
  WorkerError,
  WorkerMessage,
  WorkerSettings,
  WorkerSpec,
} from './worker-protocol.js';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function asWorkerError(error: unknown): WorkerError {
  if (error instanceof DistilError) return { code: error.code, message: error.message, exitCode: error.exitCode };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** Rows and epochs go to the parent, in the order they are made. */
const parentSink: RowSink = {
  appendResult: (row: Row) => send({ type: 'result', row }),
  appendHistory: (rows: readonly Row[]) => send({ type: 'history', rows }),
  appendConfusion: (rows: readonly Row[]) => send({ type: 'confusion', rows }),
};

/** Progress goes to the parent, which says which worker trains what. */
const parentReporter: Reporter = {
  runStart: () => undefined,
  roleStart: (event) => send({ type: 'event', event: { method: 'roleStart', event } }),
  epoch: (event) => send({ type: 'event', event: { method: 'epoch', event } }),
  roleEnd: (event) => send({ type: 'event', event: { method: 'roleEnd', event } }),
  warn: (warning: DistilWarning) => send({ type: 'warn', warning }),
  note: (message) => send({ type: 'event', event: { method: 'note', event: message } }),
  runEnd: async () => undefined,
};

/** A worker's run: what it was given (the experiment, its data) and the runner of its cells. */
interface Worker {
  readonly context: ExecutionContext;
  readonly runner: CellRunner;
}

const controller = new AbortController();

/** Loads a spec as the command line does: the file, its overrides and plugins, with the built-in components. */
export type ExperimentLoader = (spec: WorkerSpec) => Promise<{ experiment: ResolvedExperiment; registry: Registry }>;

async function start(load: ExperimentLoader, spec: WorkerSpec, settings: WorkerSettings): Promise<Worker> {
  if (spec.cwd) process.chdir(spec.cwd);
  const { experiment, registry } = await load(spec);
  const backend = await selectBackend(settings.backend, {
    blas: settings.blas,
    compiledStep: settings.compiledStep,
  });
  const numerics = numericsOf(backend);
  if (numerics !== settings.numerics) {
    throw errorWorkerFailed(
      `a worker process computes with ${describeBackend(backend)}, the run with ${settings.numerics}: its numbers would differ`,
    );
  }
  const datasets = new DatasetCache(registry, experiment.baseDir);
  const context: ExecutionContext = {
    experiment,
    registry,
    writer: parentSink,
    reporter: parentReporter,
    runId: settings.runId,
    backend: settings.backendName,
    datasets,
    signal: controller.signal,
    teacherCache: settings.teacherCache,
    numerics,
    saveModels: settings.saveModels,
    runDir: settings.runDir,
    progress: { cell: 0 },
  };
  const runner = new CellRunner(context);
  send({ type: 'ready', backend: describeBackend(backend) });
  return { context, runner };
}

/** The group's cells as this process resolved them, in the parent's order. */
function groupCells(worker: Worker, request: GroupRequest) {
  const { experiment } = worker.context;
  const { search } = experiment;
  const cells =
    request.stage === 'search'
      ? (search?.cells ?? [])
      : search && request.winner !== undefined
        ? search.finals[request.winner]
        : experiment.cells;
  const byKey = new Map(planRun(experiment, { cells }).cells.map((p) => [runKey(p.cell.id, p.cell.seed), p]));
  return request.runKeys.map((key) => {
    const planned = byKey.get(key);
    if (!planned) {
      throw errorWorkerFailed(
        `a worker process found no cell ${key} in the spec: the spec or a file it names changed after the run started`,
      );
    }
    return planned;
  });
}

async function runGroup(worker: Worker, request: GroupRequest): Promise<void> {
  const cells = groupCells(worker, request);
  const { runner, context } = worker;
  const { experiment, datasets } = context;
  await datasets.loadAll(cells);
  if (request.stage === 'search') await runSearchCells(runner, cells);
  else {
    runner.stage = experiment.search ? 'final' : undefined;
    const { handoff } = request;
    const first = cells[0];
    // The teacher and the person of a sweep's cells, trained by another worker: taken before anything runs.
    if (handoff?.mode === 'read') {
      readHandoff(context, runner, first, await datasets.get(first), handoff.dir);
    }
    // Or handed on to the workers training the other cells' students, as soon as the first cell has them.
    const afterCell =
      handoff?.mode === 'write'
        ? async (planned: typeof first) => {
            if (planned === first) {
              await writeHandoff(context, runner, first, await datasets.get(first), handoff.dir);
            }
          }
        : undefined;
    await runFinalCells(runner, cells, afterCell);
  }
}

let worker: Promise<Worker> | undefined;
// One message at a time: a group starts once the previous one ended.
let queue: Promise<void> = Promise.resolve();

function handle(load: ExperimentLoader, message: ParentMessage): void {
  if (message.type === 'abort') {
    controller.abort();
    return;
  }
  if (message.type === 'init') {
    worker = start(load, message.spec, message.settings);
    queue = worker.then(
      () => undefined,
      (error: unknown) => {
        send({ type: 'stopped', error: asWorkerError(error) });
        process.exit(1);
      },
    );
    return;
  }
  queue = queue.then(async () => {
    if (message.type === 'exit') {
      const ready = await worker;
      ready?.runner.dispose();
      ready?.context.datasets.dispose();
      process.disconnect?.();
      return;
    }
    try {
      await runGroup(await (worker as Promise<Worker>), message);
      send({ type: 'done', group: message.group });
    } catch (error) {
      send({ type: 'stopped', group: message.group, error: asWorkerError(error) });
    }
  });
}

/**
 * Serves a run's parent in this process (started by the parent with an IPC channel): the parent decides when
 * to stop (it gets the terminal's Ctrl-C too, and SIGTERM is sent to it alone), so a worker finishes its batch
 * when the parent says abort, and leaves at once when the parent is gone.
 */
export function serveRunWorker(load: ExperimentLoader): void {
  process.on('message', (message) => handle(load, message as ParentMessage));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
  process.on('disconnect', () => process.exit(controller.signal.aborted ? 130 : 0));
}
