// Progress of roles that train at the same time (worker processes, successive halving's points): one log line per
// event, each naming its role, cell and seed, where one live task per role would interleave.
import type { DistilWarning } from '../errors/index.js';
import { formatEpoch } from './reporter.js';
import type { Reporter, RoleEvent } from './reporter.js';
import type { EpochRecord } from './train.js';

/** The progress events of a role, by the reporter's method that receives them. */
export type RoleEventMethod = 'roleStart' | 'epoch' | 'roleEnd';

/** Any of the events of a role, with the fields of each method. */
export type AnyRoleEvent = RoleEvent &
  Partial<{ epochs: number; detail: string; status: string; summary: string; logEvery: number; record: EpochRecord }>;

/** An event of a role as one log line (`teacher [lr=0.1] seed 2: ok ...`); an epoch only every `log_every`. */
export function eventLine(method: RoleEventMethod, event: AnyRoleEvent): string | undefined {
  const title = `${event.cellLabel ? `${event.role} [${event.cellLabel}]` : event.role}${event.seed === undefined ? '' : ` seed ${event.seed}`}`;
  if (method === 'roleStart') return `${title}: ${event.detail || `${event.epochs ?? 0} epoch(s)`}`;
  if (method === 'roleEnd') return `${title}: ${event.status ?? ''} ${event.summary ?? ''}`.trimEnd();
  const { record, epochs = 0, logEvery = 1 } = event;
  if (!record) return undefined;
  return record.epoch % logEvery === 0 || record.epoch === epochs
    ? `${title} ${formatEpoch(record, epochs)}`
    : undefined;
}

/** Forwards every event to another reporter: a base for reporters that watch or change a few of them. */
export class ForwardingReporter implements Reporter {
  constructor(protected readonly inner: Reporter) {}

  runStart(info: Parameters<Reporter['runStart']>[0]): void {
    this.inner.runStart(info);
  }

  roleStart(event: Parameters<Reporter['roleStart']>[0]): void | Promise<void> {
    return this.inner.roleStart(event);
  }

  epoch(event: Parameters<Reporter['epoch']>[0]): void {
    this.inner.epoch(event);
  }

  step(event: Parameters<NonNullable<Reporter['step']>>[0]): void {
    this.inner.step?.(event);
  }

  roleEnd(event: Parameters<Reporter['roleEnd']>[0]): void {
    this.inner.roleEnd(event);
  }

  warn(warning: DistilWarning): void {
    this.inner.warn(warning);
  }

  note(message: string): void {
    this.inner.note?.(message);
  }

  runEnd(): Promise<void> {
    return this.inner.runEnd();
  }
}

/**
 * Forwards every event to the run's reporter; while `lines` is on, the events of roles (which then train side
 * by side) go as log lines instead.
 */
export class StageReporter extends ForwardingReporter {
  lines = false;

  private line(method: RoleEventMethod, event: AnyRoleEvent): void {
    const text = eventLine(method, event);
    if (text !== undefined) this.inner.note?.(text);
  }

  override roleStart(event: Parameters<Reporter['roleStart']>[0]): void | Promise<void> {
    if (this.lines) return this.line('roleStart', event);
    return super.roleStart(event);
  }

  override epoch(event: Parameters<Reporter['epoch']>[0]): void {
    if (this.lines) this.line('epoch', event);
    else super.epoch(event);
  }

  override step(event: Parameters<NonNullable<Reporter['step']>>[0]): void {
    if (!this.lines) super.step(event);
  }

  override roleEnd(event: Parameters<Reporter['roleEnd']>[0]): void {
    if (this.lines) this.line('roleEnd', event);
    else super.roleEnd(event);
  }
}

/**
 * Remembers the training step each role took (from the roles' first events, the workers' included), for
 * the manifest: `{ "<cell id>/<seed>/<role>": "compiled step" }`.
 */
export class StepRecorder extends ForwardingReporter {
  private readonly taken = new Map<string, string>();

  override roleStart(event: Parameters<Reporter['roleStart']>[0]): void | Promise<void> {
    if (event.step !== undefined) this.taken.set(`${event.cellId}/${event.seed}/${event.role}`, event.step);
    return super.roleStart(event);
  }

  /** The steps taken so far, by `cell id/seed/role`, in key order. */
  steps(): Record<string, string> {
    return Object.fromEntries([...this.taken].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
