// Progress behind an interface: listr2 on terminals (its simple renderer in CI), a recorder in tests.
import { Listr, ListrLogger, ListrLogLevels, ProcessOutput } from 'listr2';
import type { LoggerFieldOptions } from 'listr2';
import { formatWarning } from '../errors/index.js';
import type { DistilWarning } from '../errors/index.js';
import { formatNumber, ROLES } from '../shared/index.js';
import type { Role } from '../shared/index.js';
import type { EpochRecord } from './train.js';

export type RoleStatus = 'ok' | 'failed' | 'interrupted' | 'skipped';

export interface RoleEvent {
  readonly cellId: string;
  /** `distillation.temperature=4` style description of the grid cell (empty without a grid). */
  readonly cellLabel: string;
  readonly role: Role;
  /** The seed of this run of the cell. */
  readonly seed: number;
  /** The cell's place among the cells this invocation runs, from 1 (of `runStart`'s `cells`). */
  readonly cell: number;
  /**
   * Identifies the training that gives the role its model: cells that share one (a teacher or a person trained
   * once for several cells, the checkpoints of an epochs axis, a teacher from the cache) give the same.
   */
  readonly training: string;
}

/** What a run is about to do, as its first progress line says it. */
export interface RunStartInfo {
  readonly experiment: string;
  readonly runDir: string;
  readonly backend: string;
  /** The cells (grid point and seed) this invocation runs: those a resumed run finished are not counted. */
  readonly cells: number;
  readonly skippedCells: number;
  /** The trainings those cells take per role, counted as `--dry-run` counts them (a shared model once). */
  readonly trainings: Readonly<Record<Role, number>>;
}

/** Receives the runner's progress. Every method is synchronous; `runEnd` waits for output to drain. */
export interface Reporter {
  runStart(info: RunStartInfo): void;
  /** May return a promise; the runner waits for it before training (a renderer may need to start first). */
  /** `step`, for a role that trains: the training step it takes (`compiled step`, `tfjs step (<why>)`). */
  roleStart(event: RoleEvent & { epochs: number; detail: string; step?: string }): void | Promise<void>;
  epoch(event: RoleEvent & { epochs: number; logEvery: number; record: EpochRecord }): void;
  /** Optional: progress within an epoch, a few times a second (live terminals show it; logs need not). */
  step?(event: RoleEvent & { epochs: number; epoch: number; done: number; total: number; samplesPerSec: number }): void;
  roleEnd(event: RoleEvent & { status: RoleStatus; summary: string }): void;
  warn(warning: DistilWarning): void;
  /** Optional: a line of the log that is not a warning (e.g. which search point was selected). */
  note?(message: string): void;
  runEnd(): Promise<void>;
}

/** Formats one epoch as a progress line: `epoch 5/20 loss 0.1234 test_accuracy 0.9712 45,210 samples/s`. */
export function formatEpoch(record: EpochRecord, epochs: number): string {
  const tests = Object.entries(record.test ?? {}).map(([k, v]) => `test_${k} ${formatNumber(v)}`);
  const rate = Math.round(record.samplesPerSec).toLocaleString('en-US');
  return [
    `epoch ${record.epoch}/${epochs}`,
    `loss ${formatNumber(record.trainLoss)}`,
    ...tests,
    `${rate} samples/s`,
  ].join('  ');
}

/** `student [distillation.temperature=4] seed 1, cell 3 of 12`: which role, cell and seed, and how far the run is. */
function title(event: RoleEvent, cells: number | undefined): string {
  const role = event.cellLabel ? `${event.role} [${event.cellLabel}]` : event.role;
  const place = cells !== undefined && cells > 1 ? `, cell ${event.cell} of ${cells}` : '';
  return `${role} seed ${event.seed}${place}`;
}

/** A time left as people read it: `< 1 s`, `40 s`, `4 min 10 s`, `2 h 05 min`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s === 0) return '< 1 s';
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * The time the run's remaining trainings will take: per role, the mean wall time of its trainings that
 * finished, times the trainings of that role not yet done (the one starting included). Undefined until a
 * training has finished; a role with trainings left and none finished makes the estimate a lower bound.
 */
export class RunEta {
  private readonly done = Object.fromEntries(ROLES.map((role) => [role, new Set<string>()])) as Record<
    Role,
    Set<string>
  >;
  private readonly seconds = Object.fromEntries(ROLES.map((role) => [role, [] as number[]])) as Record<Role, number[]>;

  constructor(private readonly trainings: Readonly<Record<Role, number>>) {}

  /** A role's training is done: trained (`seconds` of wall time), or taken without training (shared, cached, loaded). */
  finish(role: Role, training: string, seconds?: number): void {
    this.done[role].add(training);
    if (seconds !== undefined) this.seconds[role].push(seconds);
  }

  /** `ETA 4 min 10 s`, `ETA over 1 min 20 s (person not timed yet)`, or undefined when nothing has finished. */
  describe(): string | undefined {
    let total = 0;
    const untimed: Role[] = [];
    for (const role of ROLES) {
      const left = Math.max(0, this.trainings[role] - this.done[role].size);
      const times = this.seconds[role];
      if (left === 0) continue;
      if (times.length === 0) untimed.push(role);
      else total += (left * times.reduce((a, b) => a + b, 0)) / times.length;
    }
    // Nothing timed, or nothing left that is: no figure to give.
    if (total === 0) return undefined;
    return untimed.length === 0
      ? `ETA ${formatDuration(total)}`
      : `ETA over ${formatDuration(total)} (${untimed.join(', ')} not timed yet)`;
  }
}

interface ActiveTask {
  output?: string;
  title?: string;
}

/**
 * listr2's logger without the `[FAILED: <error>]` its line-by-line renderer appends to a failed task: the
 * task's title already says why (the live renderer leaves out an error that repeats the title).
 */
class RoleLogger extends ListrLogger {
  override log(level: string, message: string | unknown[], options?: LoggerFieldOptions): void {
    super.log(level, message, level === ListrLogLevels.FAILED ? { ...options, suffix: undefined } : options);
  }
}

/** Renders progress with listr2, one task per role, on stderr (stdout stays clean for data). */
export class ListrReporter implements Reporter {
  private readonly renderer: 'default' | 'simple';
  private readonly logger = new RoleLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
  private task: ActiveTask | undefined;
  private pendingOutput: string | undefined;
  private lastLine: string | undefined;
  /** The task's output as last set: a within-epoch progress line, or an epoch line. */
  private shown: string | undefined;
  private finish: ((error?: Error) => void) | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  /** The cells this invocation runs (from runStart), for `cell 3 of 12`. */
  private cells: number | undefined;
  private eta: RunEta | undefined;
  /** The role being reported: when it started (ms), and whether it trains (a shared or cached model does not). */
  private current: { started: number; trains: boolean } | undefined;

  /**
   * `plain` picks listr2's line-by-line renderer (for logs and CI) instead of the live one; `now` is the clock
   * (milliseconds) the ETA is timed with.
   */
  constructor(options: { plain?: boolean; now?: () => number } = {}) {
    this.renderer = (options.plain ?? (!process.stderr.isTTY || Boolean(process.env.CI))) ? 'simple' : 'default';
    this.now = options.now ?? (() => performance.now());
  }

  runStart(info: Parameters<Reporter['runStart']>[0]): void {
    this.cells = info.cells;
    this.eta = new RunEta(info.trainings);
    const skipped = info.skippedCells > 0 ? `, ${info.skippedCells} already done` : '';
    this.logger.toStderr(`distil-run: ${info.experiment}, ${info.cells} cell(s)${skipped}, backend ${info.backend}`);
    this.logger.toStderr(`results: ${info.runDir}`);
  }

  roleStart(event: Parameters<Reporter['roleStart']>[0]): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.finish = (error) => (error ? reject(error) : resolve());
    });
    this.shown = undefined;
    this.current = { started: this.now(), trains: event.epochs > 0 };
    const eta = this.eta?.describe();
    let started: () => void = () => undefined;
    // The live renderer loads lazily over many event-loop turns; training (which yields rarely) waits for it.
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const list = new Listr(
      [
        {
          title: `${title(event, this.cells)}${eta ? `, ${eta}` : ''}: ${event.detail}`,
          task: async (_ctx, task) => {
            this.task = task;
            if (this.pendingOutput) task.output = this.shown = this.pendingOutput;
            started();
            await done;
          },
          rendererOptions: { persistentOutput: true, outputBar: 1 },
        },
      ],
      {
        renderer: this.renderer,
        registerSignalListeners: false,
        rendererOptions: { logger: this.logger, processOutput: this.logger.process },
      } as never,
    );
    this.running = list.run().catch(() => undefined);
    return running;
  }

  epoch(event: Parameters<Reporter['epoch']>[0]): void {
    const { record, epochs, logEvery } = event;
    if (record.epoch % logEvery !== 0 && record.epoch !== epochs) return;
    const line = formatEpoch(record, epochs);
    this.lastLine = line;
    if (this.task) this.task.output = this.shown = line;
    else this.pendingOutput = line;
  }

  step(event: Parameters<NonNullable<Reporter['step']>>[0]): void {
    // Only the live renderer redraws in place; in logs this would be one line per update.
    if (this.renderer !== 'default' || !this.task) return;
    const percent = Math.floor((100 * event.done) / event.total);
    const rate = Math.round(event.samplesPerSec).toLocaleString('en-US');
    const previous = this.lastLine ? `  (last: ${this.lastLine})` : '';
    this.task.output = this.shown = `epoch ${event.epoch}/${event.epochs}  ${percent}%  ${rate} samples/s${previous}`;
  }

  roleEnd(event: Parameters<Reporter['roleEnd']>[0]): void {
    if (this.current) {
      // Only a training that finished times its role: a failed one may have stopped at any epoch.
      const { started, trains } = this.current;
      const seconds = trains && event.status === 'ok' ? (this.now() - started) / 1000 : undefined;
      this.eta?.finish(event.role, event.training, seconds);
      this.current = undefined;
    }
    const name = title(event, this.cells);
    if (this.task) {
      this.task.title = `${name}: ${event.summary}`;
      // The last epoch line stays, not a progress line; set again only if a progress line replaced it
      // (setting it again would print it twice in the line-by-line renderer).
      if (this.lastLine && this.shown !== this.lastLine) this.task.output = this.shown = this.lastLine;
    }
    this.finish?.(event.status === 'ok' ? undefined : new Error(`${name}: ${event.summary}`));
    this.task = undefined;
    this.pendingOutput = undefined;
    this.lastLine = undefined;
  }

  warn(warning: DistilWarning): void {
    this.logger.toStderr(`warning: ${formatWarning(warning)}`);
  }

  note(message: string): void {
    this.logger.toStderr(message);
  }

  async runEnd(): Promise<void> {
    await this.running;
  }
}

/** Keeps every event in order, for tests. */
export class RecordingReporter implements Reporter {
  readonly events: Array<{ type: string; [key: string]: unknown }> = [];

  runStart(info: Parameters<Reporter['runStart']>[0]): void {
    this.events.push({ type: 'runStart', ...info });
  }
  roleStart(event: Parameters<Reporter['roleStart']>[0]): void {
    this.events.push({ type: 'roleStart', ...event });
  }
  epoch(event: Parameters<Reporter['epoch']>[0]): void {
    this.events.push({ type: 'epoch', ...event });
  }
  roleEnd(event: Parameters<Reporter['roleEnd']>[0]): void {
    this.events.push({ type: 'roleEnd', ...event });
  }
  warn(warning: DistilWarning): void {
    this.events.push({ type: 'warn', code: warning.code, message: warning.message });
  }
  note(message: string): void {
    this.events.push({ type: 'note', message });
  }
  async runEnd(): Promise<void> {
    this.events.push({ type: 'runEnd' });
  }
}
