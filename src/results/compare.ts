// Compares two results tables row by row (cell, role) and flags regressions: worse metrics, and results lost in b.
import { errorInvalidTable, errorTableMismatch, errorUnknownOrientation } from '../errors.js';
import type { CsvRecord } from './csv.js';
import type { CheckedTable, TableRow } from './table-check.js';
import { distinctValues, readTable } from './table-check.js';
import { formatTable, signed } from './table.js';
import { compareSummaries } from './compare-summary.js';

export { mergeResults } from './merge.js';
export type { MergeResult } from './merge.js';

export interface CompareOptions {
  /** A metric worse in `b` than in `a` by more than this, or a result of `a` lost in `b`, fails the comparison. */
  readonly maxRegression?: number;
  /** Orientation of each metric column (without `test_`): true when higher is better; undefined is taken as true. */
  readonly higherIsBetter: (column: string) => boolean | undefined;
  /** Compare tables whose `experiment` columns differ (e.g. an experiment renamed between runs). @default false */
  readonly allowDifferentExperiments?: boolean;
}

/** Which results a row holds: its cell label, its seed when the tables hold several, and its role. */
export interface RowKey {
  readonly cell: string;
  readonly seed?: string;
  readonly role: string;
}

export interface MetricDelta extends RowKey {
  readonly metric: string;
  readonly a: number;
  readonly b: number;
  /** b − a, signed so that positive is an improvement. */
  readonly improvement: number;
}

/** A result of the baseline that `b` no longer has: the row is failed, skipped, interrupted or missing, or a value is empty. */
export interface LostResult extends RowKey {
  /** The metric whose value `b` lacks; undefined when the whole row is lost. */
  readonly metric?: string;
  /** e.g. `failed in b, ok in a (loss became NaN)`. */
  readonly reason: string;
}

export interface Comparison {
  readonly deltas: readonly MetricDelta[];
  /** Deltas worse than `maxRegression` (none without it). */
  readonly regressions: readonly MetricDelta[];
  /** Results ok in `a` and lost in `b`; regressions when `maxRegression` is set. */
  readonly lost: readonly LostResult[];
  /** Rows in one table only, as `cell/role`. */
  readonly unmatched: readonly string[];
  /** Rows (cell, role) found in both tables. */
  readonly rowsCompared: number;
  /** Metric names (without `test_`) both tables record. */
  readonly metrics: readonly string[];
  /** True when `maxRegression` is set and something regressed or was lost. */
  readonly failed: boolean;
  /** The table of changes: data, for stdout. */
  readonly text: string;
  /** Everything else found, one line each: diagnostics, for stderr. */
  readonly notes: readonly string[];
  /** The outcome when there is something to act on (a regression, a warning), for stderr. */
  readonly verdict?: string;
}

interface KeyedRow {
  readonly key: RowKey;
  readonly row: TableRow;
}

const rowName = (key: RowKey): string =>
  [key.cell ? `cell "${key.cell}"` : '', key.seed !== undefined ? `seed ${key.seed}` : '', `role ${key.role}`].filter(Boolean).join(', ');

const quoted = (values: readonly string[]): string => {
  const shown = values.slice(0, 5).map((v) => (v === '' ? '(none)' : `"${v}"`));
  return `${shown.join(', ')}${values.length > 5 ? `, ... (${values.length} in all)` : ''}`;
};

const errorText = (record: CsvRecord): string => {
  const text = (record.error ?? '').replace(/\s+/g, ' ').trim();
  return text ? ` (${text.length > 200 ? `${text.slice(0, 200)}...` : text})` : '';
};

/** The rows of a table by (cell, seed, role); readTable has already refused two different rows for one key. */
function keyedRows(table: CheckedTable, withSeed: boolean): Map<string, KeyedRow> {
  const rows = new Map<string, KeyedRow>();
  for (const row of table.rows) {
    const { cell, role, seed = '', run_id: runId } = row.record;
    const keyed: KeyedRow = { key: { cell, ...(withSeed ? { seed } : {}), role }, row };
    const key = `${cell}\0${withSeed ? seed : ''}\0${role}`;
    const earlier = rows.get(key);
    if (earlier && earlier.row.record.run_id !== runId) {
      const problem = `${rowName(keyed.key)} appears again, from run "${runId}" (first from run "${earlier.row.record.run_id}" on line ${earlier.row.line})`;
      throw errorInvalidTable(table.file, row.line, problem, "compare one run per table: pass each run's own results.csv");
    }
    rows.set(key, keyed);
  }
  return rows;
}

/** Refuses tables that cannot be compared: history tables, empty tables, different experiments. */
function assertComparable(a: CheckedTable, b: CheckedTable, allowDifferentExperiments: boolean): void {
  for (const table of [a, b]) {
    if (table.kind !== 'results') throw errorTableMismatch(`${table.file}: is a history table, not a results table`, 'compare takes the results.csv of two runs');
    if (table.rows.length === 0) {
      throw errorTableMismatch(`${table.file}: no rows to compare`, 'the table has only its header: the run or shard had no cells, or nothing finished');
    }
  }
  const [ea, eb] = [a, b].map((table) => distinctValues(table, 'experiment').sort());
  if (!allowDifferentExperiments && ea.join('\0') !== eb.join('\0')) {
    throw errorTableMismatch(`cannot compare different experiments: ${a.file} is ${quoted(ea)}, ${b.file} is ${quoted(eb)}`, 'pass --allow-different-experiments to compare them anyway');
  }
}

/** Says which of cell, seed and role keeps two tables from having a row in common. */
function noOverlap(a: CheckedTable, b: CheckedTable, withSeed: boolean): Error {
  const columns = withSeed ? ['cell', 'seed', 'role'] : ['cell', 'role'];
  const names = withSeed ? 'cell, seed and role' : 'cell and role';
  const column = columns.find((c) => !distinctValues(a, c).some((v) => distinctValues(b, c).includes(v))) ?? 'cell';
  const why = `${a.file} has ${column}(s) ${quoted(distinctValues(a, column))}; ${b.file} has ${quoted(distinctValues(b, column))}`;
  return errorTableMismatch(`no row in common: ${a.file} and ${b.file} share no ${names} (${why})`, 'compare runs of the same grid');
}

/** The metric names both tables record; the others are noted as not compared. */
function commonMetrics(a: CheckedTable, b: CheckedTable, notes: string[]): string[] {
  const tests = (table: CheckedTable) => table.columns.filter((c) => c.startsWith('test_'));
  const common = tests(a).filter((c) => b.columns.includes(c));
  for (const [table, other] of [[a, b], [b, a]]) {
    const only = tests(table).filter((c) => !other.columns.includes(c));
    if (only.length > 0) notes.push(`metric column(s) only in ${table.file}: ${only.join(', ')} (not compared)`);
  }
  if (common.length === 0) {
    throw errorTableMismatch(`no metric in common: ${a.file} has ${tests(a).join(', ') || 'none'}; ${b.file} has ${tests(b).join(', ') || 'none'}`, 'compare runs that record the same metrics');
  }
  return common.map((c) => c.slice(5));
}

interface Found {
  readonly deltas: MetricDelta[];
  readonly lost: LostResult[];
  readonly notes: string[];
}

/** Compares one row present in both tables: its status, then each metric both record. */
function compareRow(key: RowKey, ra: CsvRecord, rb: CsvRecord, metrics: readonly string[], options: CompareOptions, found: Found): void {
  if (ra.status === 'ok' && rb.status !== 'ok') found.lost.push({ ...key, reason: `${rb.status} in b, ok in a${errorText(rb)}` });
  if (ra.status !== 'ok' && rb.status === 'ok') found.notes.push(`${rowName(key)}: ok in b, ${ra.status} in a`);
  if (ra.status !== 'ok' || rb.status !== 'ok') return;
  for (const metric of metrics) {
    const [va, vb] = [ra[`test_${metric}`], rb[`test_${metric}`]];
    const [na, nb] = [Number(va), Number(vb)];
    // Nothing to measure against: the baseline has no finite value.
    if (va === '' || !Number.isFinite(na)) continue;
    if (vb === '' || !Number.isFinite(nb)) {
      found.lost.push({ ...key, metric, reason: `${metric} is ${vb === '' ? 'empty' : vb} in b, ${va} in a` });
      continue;
    }
    const sign = options.higherIsBetter(metric) === false ? -1 : 1;
    found.deltas.push({ ...key, metric, a: na, b: nb, improvement: sign * (nb - na) });
  }
}

/** Walks both tables' rows: pairs compared, rows of one table only noted (and lost, when ok in a). */
function compareRows(rowsA: Map<string, KeyedRow>, rowsB: Map<string, KeyedRow>, metrics: readonly string[], options: CompareOptions): Found & { compared: number } {
  const found: Found = { deltas: [], lost: [], notes: [] };
  let compared = 0;
  for (const [id, { key, row }] of rowsA) {
    const other = rowsB.get(id);
    if (other) {
      compared++;
      compareRow(key, row.record, other.row.record, metrics, options, found);
    } else if (row.record.status === 'ok') found.lost.push({ ...key, reason: 'missing in b, ok in a' });
    else found.notes.push(`${rowName(key)}: only in a (${row.record.status} there)`);
  }
  for (const [id, { key }] of rowsB) if (!rowsA.has(id)) found.notes.push(`${rowName(key)}: only in b`);
  return { ...found, compared };
}

// A change equal to the threshold is not beyond it, whatever the last bits of b - a say (0.94 - 0.95 < -0.01 in floats).
const TOLERANCE = 1e-9;

/** The outcome line: what regressed with a threshold, a warning about lost results without one. */
function verdictOf(regressions: number, lost: readonly LostResult[], limit: number | undefined): string | undefined {
  const rows = lost.filter((l) => l.metric === undefined).length;
  const values = lost.length - rows;
  const parts = [
    limit !== undefined && regressions > 0 ? `${regressions} metric value(s) worse by more than ${limit}` : '',
    rows > 0 ? `${rows} row(s) ${limit === undefined ? 'ok in a are ' : ''}failed, skipped, interrupted or missing in b` : '',
    values > 0 ? `${values} metric value(s) empty or not a number in b` : '',
  ].filter(Boolean);
  if (parts.length === 0) return undefined;
  if (limit === undefined) return `warning: ${parts.join('; ')} (pass --max-regression to fail on this)`;
  return `${regressions + lost.length} regression(s): ${parts.join('; ')}`;
}

function formatChanges(deltas: readonly MetricDelta[], regressions: readonly MetricDelta[], withSeed: boolean, limit: number | undefined): string {
  const headers = ['cell', ...(withSeed ? ['seed'] : []), 'role', 'metric', 'a', 'b', 'change', ...(limit === undefined ? [] : ['check'])];
  const rows = deltas.map((d) => [
    d.cell || '-', ...(withSeed ? [d.seed] : []), d.role, d.metric, d.a, d.b, signed(d.improvement),
    ...(limit === undefined ? [] : [regressions.includes(d) ? 'REGRESSED' : 'ok']),
  ]);
  return formatTable(headers, rows);
}

/**
 * Compares results table `b` against `a` (the baseline), row by row on (cell, role), and on the seed
 * too when either table holds several. With `maxRegression`, a metric worse by more than it and a row
 * ok in `a` but failed, skipped, interrupted or missing in `b` are regressions. Two summary.csv tables
 * are compared by {@link compareSummaries} (means, with the seeds' noise).
 * @throws DistilError INVALID_TABLE for a damaged table, TABLE_MISMATCH when the tables share no row or metric,
 *   are of different experiments (unless allowed) or are not results tables.
 */
export function compareResults(fileA: string, fileB: string, options: CompareOptions): Comparison {
  const [a, b] = [readTable(fileA), readTable(fileB)];
  if (a.kind === 'summary' || b.kind === 'summary') return compareSummaries(a, b, options);
  assertComparable(a, b, options.allowDifferentExperiments ?? false);
  const withSeed = [a, b].some((table) => distinctValues(table, 'seed').length > 1);
  const [rowsA, rowsB] = [keyedRows(a, withSeed), keyedRows(b, withSeed)];
  if (![...rowsA.keys()].some((id) => rowsB.has(id))) throw noOverlap(a, b, withSeed);
  const notes: string[] = [...a.repeated, ...b.repeated];
  const metrics = commonMetrics(a, b, notes);
  const unknown = metrics.filter((metric) => options.higherIsBetter(metric) === undefined);
  // A gate that guessed a metric's direction could pass a regression: with a threshold, refuse instead.
  if (options.maxRegression !== undefined && unknown.length > 0) throw errorUnknownOrientation(fileB, unknown);
  const found = compareRows(rowsA, rowsB, metrics, options);
  const limit = options.maxRegression;
  const regressions = limit === undefined ? [] : found.deltas.filter((d) => d.improvement < -(limit + TOLERANCE));
  for (const metric of metrics) if (options.higherIsBetter(metric) === undefined) notes.push(`metric "${metric}" is not a registered metric: higher is taken as better`);
  const compared = `compared ${found.compared} row(s) and ${found.deltas.length} metric value(s) (${metrics.join(', ')}); change = b - a, positive = better`;
  const unmatched = [...[...rowsA].filter(([id]) => !rowsB.has(id)), ...[...rowsB].filter(([id]) => !rowsA.has(id))].map(([, k]) => `${k.key.cell}/${k.key.role}`);
  return {
    deltas: found.deltas,
    regressions,
    lost: found.lost,
    unmatched,
    rowsCompared: found.compared,
    metrics,
    failed: limit !== undefined && regressions.length + found.lost.length > 0,
    text: formatChanges(found.deltas, regressions, withSeed, limit),
    notes: [...found.lost.map((l) => `${rowName(l)}: ${l.reason}`), ...found.notes, ...notes, compared],
    verdict: verdictOf(regressions.length, found.lost, limit),
  };
}
