// compare's rows of results tables: keyed by (grid point, seed, role), named in notes, and the metrics both tables record.
import { errorInvalidTable, errorTableMismatch } from '../errors/index.js';
import type { RowKey } from './compare-types.js';
import type { CsvRecord } from './csv.js';
import { gridKey, tableAxes } from './grid-key.js';
import type { CheckedTable, TableRow } from './table-check.js';

/** A row of a table and the key compare matches it by. */
export interface KeyedRow {
  readonly key: RowKey;
  readonly row: TableRow;
}

/** A row for notes: `cell "T=2", seed 3, role student` (the parts it has). */
export const rowName = (key: RowKey): string =>
  [key.cell ? `cell "${key.cell}"` : '', key.seed !== undefined ? `seed ${key.seed}` : '', `role ${key.role}`].filter(Boolean).join(', ');

/** Up to five values, quoted, then those said in words (`described`), counted when there are more. */
export const quoted = (values: readonly string[], described: readonly string[] = []): string => {
  const all = [...values.map((v) => `"${v}"`), ...described];
  return `${all.slice(0, 5).join(', ')}${all.length > 5 ? `, ... (${all.length} in all)` : ''}`;
};

/** A row's error, on one line and cut at 200 characters, for a note: ` (loss is NaN)`. */
export const errorText = (record: CsvRecord): string => {
  const text = (record.error ?? '').replace(/\s+/g, ' ').trim();
  return text ? ` (${text.length > 200 ? `${text.slice(0, 200)}...` : text})` : '';
};

/** The rows of a table by (grid point, seed, role); readTable has already refused two different rows for one key. */
export function keyedRows(table: CheckedTable, withSeed: boolean): Map<string, KeyedRow> {
  const rows = new Map<string, KeyedRow>();
  const axes = tableAxes(table.kind, table.columns);
  for (const row of table.rows) {
    const { cell, role, seed = '', run_id: runId } = row.record;
    const point = gridKey(row.record, axes);
    const keyed: KeyedRow = { key: { cell, ...(withSeed ? { seed } : {}), role, point }, row };
    const key = `${point}\0${withSeed ? seed : ''}\0${role}`;
    const earlier = rows.get(key);
    if (earlier && earlier.row.record.run_id !== runId) {
      const problem = `${rowName(keyed.key)} appears again, from run "${runId}" (first from run "${earlier.row.record.run_id}" on line ${earlier.row.line})`;
      throw errorInvalidTable(table.file, row.line, problem, "compare one run per table: pass each run's own results.csv");
    }
    rows.set(key, keyed);
  }
  return rows;
}

/** The metrics a results table can be checked on: its `test_` columns, and `gain` with a `distillation_gain` column. */
export const tableMetrics = (table: CheckedTable) => ({
  file: table.file,
  metrics: [...table.columns.filter((c) => c.startsWith('test_')).map((c) => c.slice(5)), ...(table.columns.includes('distillation_gain') ? ['gain'] : [])],
});

/** The metric names both tables record; the others are noted as not compared. */
export function commonMetrics(a: CheckedTable, b: CheckedTable, notes: string[]): string[] {
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

