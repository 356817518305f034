// Runs groups of cells on worker processes (--jobs N): each worker trains whole groups (cells that share no
// training with another group) and sends its rows here, where the run's one writer appends them.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DistilError, errorInterrupted, errorWorkerFailed } from '../errors/index.js';
import { blasThreadsPerWorker } from './jobs.js';
import { resultRow, runKey } from '../results/index.js';
import type { Row, RowContext } from '../results/index.js';
import type { Role } from '../shared/index.js';
import type { RowSink } from './context.js';
import type { PlannedCell } from './plan.js';
import type { ScheduledGroup } from './groups.js';
import { handoffDir, handoffRoot } from './handoff.js';
import { eventLine } from './lines-reporter.js';
import type { AnyRoleEvent } from './lines-reporter.js';
import type { Reporter } from './reporter.js';
import type { RunStatus } from './run-options.js';
import type {
  ParentMessage,
  WorkerError,
  WorkerEvent,
  WorkerMessage,
  WorkerSettings,
  WorkerSpec,
} from './worker-protocol.js';

/** The worker's entry file beside this one's build: `cli/worker.js` (or `.ts` when run from the sources). */
export function defaultWorkerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const extension = here.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`../cli/worker${extension}`, import.meta.url));
}

export interface PoolOptions {
  readonly size: number;
  readonly spec: WorkerSpec;
  readonly settings: WorkerSettings;
  /** The worker's entry file. @default {@link defaultWorkerEntry} */
  readonly entry?: string;
  readonly writer: RowSink;
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
  /** The row context of a cell, for the rows the parent writes itself (a worker that died). */
  rowContext(planned: PlannedCell, stage: 'search' | 'final'): RowContext;
}

/** One stage's groups as the workers take them. */
export interface StageGroups {
  readonly stage: 'search' | 'final';
  readonly winner?: number;
  readonly groups: readonly ScheduledGroup<PlannedCell>[];
}

/** A worker process and what it is doing. */
/** Why a worker did not start, by the error its start failed with (for a line of the log that is not that error). */
const startReasons = new WeakMap<Error, string>();

/** The error of a worker that did not start: `reason` (e.g. `worker process 2 exited (code 3) before it was ready`). */
function startFailure(reason: string): DistilError {
  const error = errorWorkerFailed(reason);
  startReasons.set(error, reason);
  return error;
}

interface WorkerHandle {
  readonly number: number;
  readonly child: ChildProcess;
  /** Settles when the group it trains ends: done, stopped (an error that stops the run) or the process died. */
  current?: { resolve(outcome: GroupOutcome): void };
  exited: boolean;
}

type GroupOutcome = { kind: 'done' } | { kind: 'stopped'; error: WorkerError } | { kind: 'died'; reason: string };

/** A worker's error as the run throws it: its own code when it is one of ours (a broken backend, an interrupt). */
function errorOf(error: WorkerError): DistilError {
  if (error.code === 'INTERRUPTED') return errorInterrupted();
  if (error.code === undefined) return errorWorkerFailed(error.message);
  return new DistilError(error.code as DistilError['code'], error.message, { exitCode: error.exitCode });
}

export class WorkerPool {
  /** The results rows the workers sent, in the order they were written. */
  readonly rows: Row[] = [];
  private readonly workers: WorkerHandle[] = [];
  private spawned = 0;
  private stopping: DistilError | undefined;
  /** The worker's entry file. */
  private readonly entry: string;

  /** The most workers it starts. */
  get size(): number {
    return this.options.size;
  }

  constructor(private readonly options: PoolOptions) {
    this.entry = options.entry ?? defaultWorkerEntry();
    if (!existsSync(this.entry)) {
      throw errorWorkerFailed(`the worker program ${this.entry} is missing`);
    }
  }

  get status(): RunStatus {
    return this.rows.some((row) => row.status === 'failed') ? 'failed' : 'ok';
  }

  /** Starts a worker and waits until it has loaded the spec and its backend. */
  private async spawn(): Promise<WorkerHandle> {
    const { spec, settings } = this.options;
    const number = ++this.spawned;
    const env = { ...process.env };
    // Each worker's BLAS gets its share of the cores (a user's own setting is kept).
    const threads = String(blasThreadsPerWorker(this.options.size));
    for (const name of ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']) env[name] ??= threads;
    const child = fork(this.entry, [], {
      cwd: spec.cwd ?? process.cwd(),
      env,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    // stdout carries the run's table: whatever a worker prints goes to the log (dropped once its reader is gone,
    // so a worker never waits on a full pipe).
    child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    const handle: WorkerHandle = { number, child, exited: false };
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'stopped' && message.group === undefined) reject(errorOf(message.error));
        else this.receive(handle, message);
      });
      child.on('exit', (code, signal) => {
        handle.exited = true;
        const reason = `worker process ${number} exited (${signal ? `signal ${signal}` : `code ${code}`})`;
        reject(startFailure(`${reason} before it was ready`));
        handle.current?.resolve({ kind: 'died', reason });
        handle.current = undefined;
      });
      child.on('error', (error) => reject(startFailure(`worker process ${number}: ${error.message}`)));
    });
    this.post(handle, { type: 'init', spec, settings });
    try {
      await ready;
    } catch (error) {
      child.kill();
      throw error;
    }
    this.workers.push(handle);
    return handle;
  }

  private post(handle: WorkerHandle, message: ParentMessage): void {
    if (!handle.exited && handle.child.connected) handle.child.send(message);
  }

  /** A message of a worker that is training: rows to the tables, progress to the reporter. */
  private receive(handle: WorkerHandle, message: WorkerMessage): void {
    const { writer, reporter } = this.options;
    switch (message.type) {
      case 'result':
        this.rows.push(message.row);
        writer.appendResult(message.row);
        break;
      case 'history':
        writer.appendHistory(message.rows);
        break;
      case 'confusion':
        writer.appendConfusion(message.rows);
        break;
      case 'warn':
        reporter.warn(message.warning);
        break;
      case 'event':
        this.show(handle, message.event);
        break;
      case 'done':
        handle.current?.resolve({ kind: 'done' });
        handle.current = undefined;
        break;
      case 'stopped':
        handle.current?.resolve({ kind: 'stopped', error: message.error });
        handle.current = undefined;
        break;
      default:
        break;
    }
  }

  /** A worker's progress as a log line that names the worker: several roles train at once. */
  private show(handle: WorkerHandle, { method, event }: WorkerEvent): void {
    const text = method === 'note' ? String(event) : eventLine(method, event as AnyRoleEvent);
    if (text !== undefined) this.options.reporter.note?.(`[worker ${handle.number}] ${text}`);
  }

  /** Trains one group on a worker; the outcome says how it ended. */
  private runGroup(handle: WorkerHandle, stage: StageGroups, group: number): Promise<GroupOutcome> {
    return new Promise((resolve) => {
      if (handle.exited) return resolve({ kind: 'died', reason: `worker process ${handle.number} had exited` });
      handle.current = { resolve };
      const item = stage.groups[group];
      const runKeys = item.cells.map((p) => runKey(p.cell.id, p.cell.seed));
      const handoff = item.handoff && {
        mode: item.handoff,
        dir: handoffDir(this.options.settings.runDir, item.cells[0]),
      };
      this.post(handle, { type: 'group', group, stage: stage.stage, winner: stage.winner, runKeys, handoff });
    });
  }

  /** The rows a group's cells lack when its worker died: each role without one failed, saying why. */
  private failRest(cells: readonly PlannedCell[], stage: StageGroups['stage'], reason: string): void {
    const roles: readonly Role[] = stage === 'search' ? ['teacher'] : ['teacher', 'student', 'person'];
    for (const planned of cells) {
      // The roles of the cell (on this seed) that have a row already.
      const done = new Set(
        this.rows
          .filter((row) => row.cell_id === planned.cell.id && row.seed === planned.cell.seed)
          .map((row) => row.role),
      );
      for (const role of roles) {
        if (done.has(role)) continue;
        const row = resultRow(this.options.rowContext(planned, stage), role, undefined, 'failed', reason);
        this.rows.push(row);
        this.options.writer.appendResult(row);
      }
    }
  }

  /**
   * Runs a stage's groups on the workers, each group whole on one worker, as many at once as there are
   * workers. A worker that dies fails the rest of its group and is replaced; an interrupt or a failure that
   * stops the run stops every worker after its batch.
   * @throws DistilError INTERRUPTED when the signal aborted; the error that stopped a worker.
   */
  async run(stage: StageGroups): Promise<void> {
    const { signal } = this.options;
    const { groups } = stage;
    // Each group's state; a group that takes another's teacher waits for it, and fails if it failed.
    const state: Array<'pending' | 'running' | 'done' | 'failed'> = groups.map(() => 'pending');
    let wake: () => void = () => undefined;
    let changed = new Promise<void>((resolve) => (wake = resolve));
    // Why a group failed, for the groups that take its teacher and person.
    const reasons = new Map<number, string>();
    const settle = (group: number, to: 'done' | 'failed', reason?: string) => {
      state[group] = to;
      if (reason !== undefined) reasons.set(group, reason);
      wake();
      changed = new Promise<void>((resolve) => (wake = resolve));
    };
    /** The next group a worker may take now, failing those whose teacher's group failed; -1 when none is ready. */
    const take = (): number => {
      for (const [group, item] of groups.entries()) {
        if (state[group] !== 'pending') continue;
        if (item.after === undefined || state[item.after] === 'done') return group;
        if (state[item.after] === 'failed') {
          const reason = reasons.get(item.after) ?? 'the worker process that trained them stopped';
          this.failRest(item.cells, stage.stage, `${reason} while training this cell's teacher and person`);
          settle(group, 'failed', reason);
        }
      }
      return -1;
    };
    const abortAll = () => {
      this.workers.forEach((handle) => this.post(handle, { type: 'abort' }));
      wake();
    };
    signal?.addEventListener('abort', abortAll, { once: true });
    const idle = [...this.workers];
    const lane = async (initial: WorkerHandle | undefined): Promise<void> => {
      let handle = initial;
      while (state.includes('pending') && !this.stopping && !signal?.aborted) {
        const group = take();
        if (group < 0) {
          // Waits for the group whose teacher the next ones take, started meanwhile (a start takes seconds).
          if (!state.includes('running')) break;
          // Taken before the start: a group that ends while this worker starts must still wake this lane.
          const next = changed;
          try {
            handle ??= await this.spawn();
          } catch (error) {
            // A spare that could not start stops the run only when there is work left it was started for.
            if (state.includes('pending')) throw error;
            const reason = startReasons.get(error as Error) ?? String((error as Error).message);
            this.options.reporter.note?.(`${reason}; the stage needed no more workers by then`);
            break;
          }
          await next;
          continue;
        }
        state[group] = 'running';
        try {
          handle ??= await this.spawn();
        } catch (error) {
          state[group] = 'pending';
          throw error;
        }
        const outcome = await this.runGroup(handle, stage, group);
        if (outcome.kind === 'stopped') {
          this.stopping ??= errorOf(outcome.error);
          settle(group, 'failed');
          abortAll();
        } else if (outcome.kind === 'died') {
          this.failRest(groups[group].cells, stage.stage, `${outcome.reason} while training this cell`);
          settle(group, 'failed', outcome.reason);
          this.workers.splice(this.workers.indexOf(handle), 1);
          handle = undefined;
        } else settle(group, 'done');
      }
    };
    const lanes = Math.min(this.options.size, groups.length);
    // Every lane ends before the stage does: no row may arrive after the run wrote its summary.
    await Promise.all(
      Array.from({ length: lanes }, (_, i) =>
        lane(idle[i]).catch((error: unknown) => {
          // A worker that could not start: the others stop after their batch, then the run stops with its reason.
          this.stopping ??= error instanceof DistilError ? error : errorWorkerFailed(String(error));
          abortAll();
        }),
      ),
    );
    signal?.removeEventListener('abort', abortAll);
    if (this.stopping) throw this.stopping;
    if (signal?.aborted) throw errorInterrupted();
  }

  /** Lets every worker finish and leave. */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (handle) =>
          new Promise<void>((resolve) => {
            if (handle.exited) return resolve();
            handle.child.once('exit', () => resolve());
            this.post(handle, { type: 'exit' });
            // A worker that does not leave within a few seconds is stopped.
            setTimeout(() => handle.child.kill(), 10_000).unref();
          }),
      ),
    );
    this.workers.length = 0;
    // The teachers handed between workers are in the tables and models/ now.
    rmSync(handoffRoot(this.options.settings.runDir), { recursive: true, force: true });
  }
}
