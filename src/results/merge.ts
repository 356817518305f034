// Merges shard tables into one: each kind by its own key, refusing mixed kinds, mixed experiments and conflicting rows.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { createObjectCsvStringifier } from 'csv-writer';
import { errorInvalidArgument, errorMergeConflict, errorTableMismatch } from '../errors.js';
import { writeFileAtomic } from '../shared/fs-atomic.js';
import type { CsvRecord } from './csv.js';
import type { CheckedTable, TableKind, TableRow } from './table-check.js';
import { distinctValues, readTable } from './table-check.js';

export interface MergeResult {
  /** The merged table: header, then one line per row, each ending with a newline. */
  readonly csv: string;
  readonly kind: TableKind;
  readonly rows: number;
  /** Rows found again, identical, in another file (two copies of one shard), kept once. */
  readonly duplicates: number;
  /** Earlier attempts replaced by a later row with the same key in the same file (a resumed run's retry). */
  readonly superseded: number;
}

/** The columns identifying a row: results by (run, cell, seed, role), history by (run, cell, seed, role, epoch). */
const KEY_COLUMNS: Record<TableKind, readonly string[]> = {
  results: ['run_id', 'cell_id', 'seed', 'role'],
  history: ['run_id', 'cell_id', 'seed', 'role', 'epoch'],
  summary: ['cell_id', 'role'],
};

interface Placed {
  readonly file: string;
  readonly row: TableRow;
}

/** Refuses mixing results with history tables, and (results tables) shards of different experiments. */
function assertMergeable(tables: readonly CheckedTable[]): void {
  const summary = tables.find((table) => table.kind === 'summary');
  if (summary) throw errorTableMismatch(`${summary.file} is a summary table; summaries over seeds cannot be merged`, 'merge the shards\' results.csv, then run distil-run summarize on the merged table');
  const other = tables.find((table) => table.kind !== tables[0].kind);
  if (other) {
    const [results, history] = tables[0].kind === 'results' ? [tables[0], other] : [other, tables[0]];
    throw errorTableMismatch(`cannot merge a results table (${results.file}) with a history table (${history.file})`, 'merge results.csv files and history.csv files separately');
  }
  let first: { file: string; experiment: string } | undefined;
  for (const table of tables) {
    if (table.kind !== 'results') return;
    for (const experiment of distinctValues(table, 'experiment')) {
      first ??= { file: table.file, experiment };
      if (experiment !== first.experiment) {
        throw errorTableMismatch(`cannot merge different experiments: ${first.file} is "${first.experiment}", ${table.file} is "${experiment}"`, 'merge the shards of one experiment');
      }
    }
  }
}

/** Every file's columns, in order; a metric column new to the list goes after the last metric column. */
function unionColumns(tables: readonly CheckedTable[]): string[] {
  const columns: string[] = [];
  for (const column of tables.flatMap((table) => table.columns)) {
    if (columns.includes(column)) continue;
    const lastMetric = columns.map((c) => c.startsWith('test_')).lastIndexOf(true);
    if (column.startsWith('test_') && lastMetric >= 0) columns.splice(lastMetric + 1, 0, column);
    else columns.push(column);
  }
  return columns;
}

const keyOf = (kind: TableKind, record: CsvRecord): string => KEY_COLUMNS[kind].map((c) => record[c] ?? '').join('\0');

function describeKey(kind: TableKind, record: CsvRecord, columns: readonly string[]): string {
  const parts = [`run "${record.run_id}"`, `cell ${record.cell_id}`];
  if (columns.includes('seed') && record.seed) parts.push(`seed ${record.seed}`);
  parts.push(`role ${record.role}`);
  if (kind === 'history') parts.push(`epoch ${record.epoch}`);
  return parts.join(', ');
}

/** The columns where two rows differ (a column one file lacks counts as empty), as `column: x vs y`. */
function differences(a: CsvRecord, b: CsvRecord, columns: readonly string[]): string[] {
  const shown = (value: string | undefined) => (value === undefined || value === '' ? '(empty)' : value);
  return columns.filter((c) => (a[c] ?? '') !== (b[c] ?? '')).map((c) => `${c}: ${shown(a[c])} vs ${shown(b[c])}`);
}

/**
 * Merges shard tables (all results tables or all history tables, of one experiment) into one. Within a
 * file the last row per key wins (a resumed run retried it); across files an identical row is kept once
 * and a different one is refused.
 * @throws DistilError INVALID_TABLE for a damaged table, TABLE_MISMATCH for mixed kinds or experiments,
 *   MERGE_CONFLICT for two different rows with one key.
 */
export function mergeResults(files: readonly string[]): MergeResult {
  const tables = files.map(readTable);
  assertMergeable(tables);
  const { kind } = tables[0];
  const columns = unionColumns(tables);
  const merged = new Map<string, Placed>();
  let duplicates = 0;
  let superseded = 0;
  for (const table of tables) {
    const own = new Map<string, Placed>();
    for (const row of table.rows) {
      const key = keyOf(kind, row.record);
      if (own.has(key)) superseded++;
      own.set(key, { file: table.file, row });
    }
    for (const [key, placed] of own) {
      const seen = merged.get(key);
      if (!seen) merged.set(key, placed);
      else if (differences(seen.row.record, placed.row.record, columns).length === 0) duplicates++;
      else {
        const diff = differences(seen.row.record, placed.row.record, columns);
        const where = (p: Placed) => `${p.file}:${p.row.line}`;
        throw errorMergeConflict(where(seen), where(placed), describeKey(kind, placed.row.record, columns), `${diff.slice(0, 3).join('; ')}${diff.length > 3 ? '; ...' : ''}`);
      }
    }
  }
  const stringifier = createObjectCsvStringifier({ header: columns.map((id) => ({ id, title: id })) });
  const records = [...merged.values()].map((placed) => placed.row.record);
  // The stringifier renders no records as an empty line, which would read back as a blank row.
  const body = records.length > 0 ? stringifier.stringifyRecords(records) : '';
  return { csv: stringifier.getHeaderString() + body, kind, rows: merged.size, duplicates, superseded };
}

/**
 * Writes a merged table to `file` atomically, creating its directory.
 * @throws DistilError INVALID_ARGUMENT naming `--out` when `file` is a directory or cannot be written.
 */
export function writeMergedTable(file: string, csv: string): void {
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw errorInvalidArgument('--out', `${file} is a directory, expected a file path (e.g. ${path.join(file, 'results.csv')})`);
  }
  try {
    writeFileAtomic(file, csv);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = { ENOTDIR: 'a parent of it is a file, not a directory', EEXIST: 'a parent of it is a file, not a directory', EACCES: 'permission denied', EROFS: 'read-only file system', ENOSPC: 'no space left on the device' };
    throw errorInvalidArgument('--out', `cannot write ${file} (${reasons[code ?? ''] ?? code ?? (error as Error).message})`);
  }
}
