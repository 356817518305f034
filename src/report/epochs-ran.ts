// The epochs each role trained and kept, from history.csv and results.csv: what ran, whatever the description says.
import { ROLES } from '../shared/index.js';
import type { Role } from '../shared/index.js';
import type { RunData } from './run-data.js';

/** A role's epochs in one finished row (a cell and seed): trained, asked for, and kept. */
export interface RowEpochs {
  /** Epochs trained: the last epoch history.csv holds for the row (0 for none, a loaded model). */
  readonly ran: number;
  /** Epochs the spec asked for (results.csv `epochs`). */
  readonly planned: number;
  /** The epoch whose weights the role kept (results.csv `kept_epoch`), where the table records it. */
  readonly kept?: number;
  readonly loaded: boolean;
}

/** `4`, or `11 to 20` for values that differ. */
export function range(values: readonly number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? String(lo) : `${lo} to ${hi}`;
}

const numberOrUndefined = (value: string | undefined): number | undefined =>
  value === undefined || value === '' || !Number.isFinite(Number(value)) ? undefined : Number(value);

/** Per role, the epochs of each of its ok rows in the final cells (a selection stage's search points left out). */
export function roleEpochs(run: RunData): { role: Role; rows: RowEpochs[] }[] {
  const last = new Map<string, number>();
  for (const { record } of run.history.rows) {
    const key = [record.cell_id, record.seed, record.role].join('\0');
    const epoch = numberOrUndefined(record.epoch);
    if (epoch !== undefined) last.set(key, Math.max(epoch, last.get(key) ?? 0));
  }
  const finished = run.results.rows
    .map((r) => r.record)
    .filter((r) => r.status === 'ok' && !run.searchCells.has(r.cell_id));
  return ROLES.flatMap((role) => {
    const rows = finished
      .filter((r) => r.role === role)
      .map((r) => ({
        ran: last.get([r.cell_id, r.seed, role].join('\0')) ?? 0,
        planned: numberOrUndefined(r.epochs) ?? 0,
        kept: numberOrUndefined(r.kept_epoch),
        loaded: r.source === 'loaded',
      }));
    return rows.length > 0 ? [{ role, rows }] : [];
  });
}

/** One role's epochs as the report's header says them: `student 14 to 20 of 20, kept epoch 11 to 17`. */
function describeRole(role: Role, rows: readonly RowEpochs[]): string {
  const trained = rows.filter((r) => !r.loaded);
  if (trained.length === 0) return `${role} loaded, not trained`;
  const ran = range(trained.map((r) => r.ran));
  const planned = range(trained.map((r) => r.planned));
  const of = trained.some((r) => r.ran !== r.planned) ? ` of ${planned}` : '';
  const kept = trained.flatMap((r) => (r.kept === undefined ? [] : [r.kept]));
  const keptEarlier = trained.some((r) => r.kept !== undefined && r.kept !== r.ran);
  return `${role} ${ran}${of}${keptEarlier ? `, kept epoch ${range(kept)}` : ''}`;
}

/**
 * The epochs every role ran, over the final cells and the seeds that finished it: `teacher 1, student 1,
 * person 1`; a range over cells and seeds where they differ, the count asked for where fewer ran (early
 * stopping), the kept epoch where it is not the last. Undefined when no role finished.
 */
export function describeEpochsRan(run: RunData): string | undefined {
  const roles = roleEpochs(run);
  if (roles.length === 0) return undefined;
  return roles.map((r) => describeRole(r.role, r.rows)).join('; ');
}
