// Progress behind an interface: listr2 on terminals (its simple renderer in CI), a recorder in tests.
import { Listr, ListrLogger, ListrLogLevels, ProcessOutput } from 'listr2';
import type { LoggerFieldOptions } from 'listr2';
import { formatWarning } from '../errors/index.js';
import type { DistilWarning } from '../errors/index.js';
import { formatNumber } from '../shared/index.js';
import type { EpochRecord } from './train.js';

export type RoleStatus = 'ok' | 'failed' | 'interrupted' | 'skipped';

export interface RoleEvent {
  readonly cellId: string;
  /** `distillation.temperature=4` style description of the grid cell (empty without a grid). */
  readonly cellLabel: string;
  readonly role: string;
}

/** Receives the runner's progress. Every method is synchronous; `runEnd` waits for output to drain. */
export interface Reporter {
  runStart(info: { experiment: string; runDir: string; backend: string; cells: number; skippedCells: number }): void;
  /** May return a promise; the runner waits for it before training (a renderer may need to start first). */
  roleStart(event: RoleEvent & { epochs: number; detail: string }): void | Promise<void>;
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

function title(event: RoleEvent): string {
  return event.cellLabel ? `${event.role} [${event.cellLabel}]` : event.role;
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

  /** `plain` picks listr2's line-by-line renderer (for logs and CI) instead of the live one. */
  constructor(options: { plain?: boolean } = {}) {
    this.renderer = (options.plain ?? (!process.stderr.isTTY || Boolean(process.env.CI))) ? 'simple' : 'default';
  }

  runStart(info: Parameters<Reporter['runStart']>[0]): void {
    const skipped = info.skippedCells > 0 ? `, ${info.skippedCells} already done` : '';
    this.logger.toStderr(`distil-run: ${info.experiment}, ${info.cells} cell(s)${skipped}, backend ${info.backend}`);
    this.logger.toStderr(`results: ${info.runDir}`);
  }

  roleStart(event: Parameters<Reporter['roleStart']>[0]): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.finish = (error) => (error ? reject(error) : resolve());
    });
    this.shown = undefined;
    let started: () => void = () => undefined;
    // The live renderer loads lazily over many event-loop turns; training (which yields rarely) waits for it.
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const list = new Listr(
      [
        {
          title: `${title(event)}: ${event.detail}`,
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
    if (this.task) {
      this.task.title = `${title(event)}: ${event.summary}`;
      // The last epoch line stays, not a progress line; set again only if a progress line replaced it
      // (setting it again would print it twice in the line-by-line renderer).
      if (this.lastLine && this.shown !== this.lastLine) this.task.output = this.shown = this.lastLine;
    }
    this.finish?.(event.status === 'ok' ? undefined : new Error(`${title(event)}: ${event.summary}`));
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
