// Merges shard tables into one: each kind by its own key, refusing mixed kinds, mixed experiments and conflicting rows.
import { createObjectCsvStringifier } from 'csv-writer';
import { errorMergeConflict, errorTableMismatch } from '../errors/index.js';
import type { CheckedTable, TableKind, TableRow } from './table-check.js';
import { describeKey, differences, distinctValues, keyOf, readTable, someDifferences } from './table-check.js';

export interface MergeResult {
  /** The merged table: header, then one line per row, each ending with a newline. */
  readonly csv: string;
  readonly kind: TableKind;
  readonly rows: number;
  /** Rows found again, identical, in another file (two copies of one shard) or repeated in the same file, kept once. */
  readonly duplicates: number;
}

interface Placed {
  readonly file: string;
  readonly row: TableRow;
}

/** Refuses mixing kinds of table, and (results and confusion tables) shards of different experiments. */
function assertMergeable(tables: readonly CheckedTable[]): void {
  const summary = tables.find((table) => table.kind === 'summary');
  if (summary) throw errorTableMismatch(`${summary.file} is a summary table; summaries over seeds cannot be merged`, 'merge the shards\' results.csv, then run distil-run summarize on the merged table');
  const other = tables.find((table) => table.kind !== tables[0].kind);
  if (other) {
    // Named in the order results, history, confusion, whichever comes first on the command line.
    const order: readonly TableKind[] = ['results', 'history', 'confusion'];
    const [a, b] = order.indexOf(tables[0].kind) < order.indexOf(other.kind) ? [tables[0], other] : [other, tables[0]];
    throw errorTableMismatch(`cannot merge a ${a.kind} table (${a.file}) with a ${b.kind} table (${b.file})`, `merge ${a.kind}.csv files and ${b.kind}.csv files separately`);
  }
  let first: { file: string; experiment: string } | undefined;
  for (const table of tables) {
    if (table.kind !== 'results' && table.kind !== 'confusion') return;
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

/**
 * Merges shard tables (all results, all history or all confusion tables, of one experiment) into one. An
 * identical row (within a file or across files) is kept once; two different rows for one key are
 * refused (within a file by {@link readTable}, as damage).
 * @throws DistilError INVALID_TABLE for a damaged table (two different rows for one key in it included),
 *   TABLE_MISMATCH for mixed kinds or experiments, MERGE_CONFLICT for two different rows with one key in two files.
 */
export function mergeResults(files: readonly string[]): MergeResult {
  const tables = files.map(readTable);
  assertMergeable(tables);
  const { kind } = tables[0];
  const columns = unionColumns(tables);
  const merged = new Map<string, Placed>();
  let duplicates = 0;
  for (const table of tables) {
    duplicates += table.repeated.length;
    for (const row of table.rows) {
      const key = keyOf(kind, row.record);
      const placed: Placed = { file: table.file, row };
      const seen = merged.get(key);
      if (!seen) merged.set(key, placed);
      else if (differences(seen.row.record, placed.row.record, columns).length === 0) duplicates++;
      else {
        const diff = differences(seen.row.record, placed.row.record, columns);
        const where = (p: Placed) => `${p.file}:${p.row.line}`;
        throw errorMergeConflict(where(seen), where(placed), describeKey(kind, placed.row.record, columns), someDifferences(diff));
      }
    }
  }
  const stringifier = createObjectCsvStringifier({ header: columns.map((id) => ({ id, title: id })) });
  const records = [...merged.values()].map((placed) => placed.row.record);
  // The stringifier renders no records as an empty line, which would read back as a blank row.
  const body = records.length > 0 ? stringifier.stringifyRecords(records) : '';
  return { csv: stringifier.getHeaderString() + body, kind, rows: merged.size, duplicates };
}
