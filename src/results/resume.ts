// Which runs (cell and seed) of a resumed run directory are finished: whole, consistent rows and every epoch.
import { warningConfusionIncomplete, warningHistoryIncomplete, warningResultRowRerun } from '../errors/index.js';
import type { DistilWarning } from '../errors/index.js';
import { confusionProblem } from './confusion.js';
import type { CsvRecord } from './csv.js';
import { ROW_STATUSES } from './table-check.js';
import type { ExistingTable } from './writer.js';

/** The key of one run of a cell in the tables: its id and its seed. */
export function runKey(cellId: string, seed: number | string): string {
  return `${cellId}/${seed}`;
}

const STATUSES: ReadonlySet<string> = new Set(ROW_STATUSES);

/** Columns an ok row fills with numbers (`distillation_gain` and `kept_epoch` may be empty). */
const NUMBERS = ['seed', 'params', 'epochs', 'batch_size', 'train_seconds', 'train_samples_per_sec', 'inference_ms_per_1000'];
const OPTIONAL_NUMBERS = ['distillation_gain', 'kept_epoch', 'extra_params', 'train_examples'];

/** What is wrong with a row of results.csv, if anything: an unknown status, or an ok row without finite metrics. */
function rowProblem(record: CsvRecord): string | undefined {
  if (!STATUSES.has(record.status)) return `status ${JSON.stringify(record.status)} is not one distil-run writes`;
  if (record.status !== 'ok' && record.status !== 'pruned') return undefined;
  for (const [column, value] of Object.entries(record)) {
    const required = NUMBERS.includes(column) || /^(test|val)_/.test(column);
    if (!required && !(OPTIONAL_NUMBERS.includes(column) && value !== '')) continue;
    if (value === '' || value.trim() !== value || !Number.isFinite(Number(value))) return `${column} ${JSON.stringify(value)} is not a number`;
  }
  return undefined;
}

/** True when the epochs of one (run, role) are 1..m without gaps or repeats, and m is what its row says ran. */
function historyComplete(epochs: readonly number[], row: CsvRecord): boolean {
  const sorted = [...epochs].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.some((epoch, i) => epoch !== i + 1)) return false;
  const ran = sorted.length;
  // Early stopping ends between the kept epoch and the planned count; otherwise every planned epoch ran.
  if (row.kept_epoch !== undefined && row.kept_epoch !== '') return ran >= Number(row.kept_epoch) && ran <= Number(row.epochs);
  return ran === Number(row.epochs);
}

/** What a resume checks of confusion.csv: its rows, and which runs (cell and seed) must have a matrix per role. */
export interface ConfusionCheck {
  readonly table: ExistingTable;
  /** True for a classification run this version wrote (a run an older version finished has no confusion rows). */
  readonly expected: (cellId: string, seed: string) => boolean;
}

/** Each (run, role)'s confusion rows. */
function confusionByRole(table: ExistingTable): Map<string, CsvRecord[]> {
  const byRole = new Map<string, CsvRecord[]>();
  for (const record of table.records) {
    const key = `${runKey(record.cell_id, record.seed)}\0${record.role}`;
    byRole.set(key, [...(byRole.get(key) ?? []), record]);
  }
  return byRole;
}

/**
 * The runs an earlier invocation finished: each role's row `ok` (a search cell: its teacher), no row of
 * the run damaged or repeated, every epoch of each role in history.csv and, with `confusion`, each role's
 * whole confusion matrix in confusion.csv. Anything else is run again (its rows are then replaced); `warn`
 * hears what was found damaged, with the line.
 */
export function finishedRuns(results: ExistingTable, history: ExistingTable, warn: (warning: DistilWarning) => void, confusion?: ConfusionCheck): Set<string> {
  const damaged = new Set<string>();
  const rows = new Map<string, Map<string, CsvRecord>>();
  results.records.forEach((record, i) => {
    const key = runKey(record.cell_id, record.seed);
    const problem = rowProblem(record);
    const roles = rows.get(key) ?? new Map<string, CsvRecord>();
    if (problem || roles.has(record.role)) {
      warn(warningResultRowRerun(i + 1, record.cell_id, record.seed, record.role, problem ?? 'a second row for this role'));
      damaged.add(key);
    }
    roles.set(record.role, record);
    rows.set(key, roles);
  });
  const epochs = new Map<string, number[]>();
  for (const record of history.records) {
    const key = `${runKey(record.cell_id, record.seed)}\0${record.role}`;
    epochs.set(key, [...(epochs.get(key) ?? []), Number(record.epoch)]);
  }
  const matrices = confusion ? confusionByRole(confusion.table) : new Map<string, CsvRecord[]>();
  const finished = new Set<string>();
  for (const [key, roles] of rows) {
    if (damaged.has(key)) continue;
    const search = [...roles.values()].some((row) => row.stage === 'search');
    const needed = search ? ['teacher'] : ['teacher', 'student', 'person'];
    // A search point that successive halving stopped at a rung is finished too.
    const done = (status: string | undefined) => status === 'ok' || (search && status === 'pruned');
    if (!needed.every((role) => done(roles.get(role)?.status))) continue;
    const incomplete = needed.find((role) => !historyComplete(epochs.get(`${key}\0${role}`) ?? [], roles.get(role)!));
    const [cell, seed] = key.split('/') as [string, string];
    if (incomplete) {
      warn(warningHistoryIncomplete(incomplete, cell, seed));
      continue;
    }
    if (confusion?.expected(cell, seed)) {
      const damaged = needed.map((role) => [role, confusionProblem(matrices.get(`${key}\0${role}`) ?? [])] as const).find(([, problem]) => problem);
      if (damaged) {
        warn(warningConfusionIncomplete(damaged[0], cell, seed, damaged[1] as string));
        continue;
      }
    }
    finished.add(key);
  }
  return finished;
}
