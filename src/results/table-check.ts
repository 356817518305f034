// Reads a results, history, summary or confusion table for compare, merge and the report, refusing one that is cut
// short, damaged or not a distil-run table.
import { readFileSync, statSync } from 'node:fs';
import { DistilError, errorInvalidTable, errorTableNotFound } from '../errors/index.js';
import type { CsvRow } from '../shared/index.js';
import { parseCsvText, specialFileKind } from '../shared/index.js';
import type { CsvRecord } from './csv.js';
import type { RowStatus } from './rows.js';
import type { HISTORY_COLUMNS_BEFORE, RESULT_COLUMNS_AFTER, RESULT_COLUMNS_BEFORE } from './writer.js';

export type TableKind = 'results' | 'history' | 'summary' | 'confusion';

type ResultColumn = (typeof RESULT_COLUMNS_BEFORE)[number] | (typeof RESULT_COLUMNS_AFTER)[number];
type HistoryColumn = (typeof HISTORY_COLUMNS_BEFORE)[number];

/** The columns compare and merge rely on; other columns may come and go between distil-run versions. */
const REQUIRED: { readonly results: readonly ResultColumn[]; readonly history: readonly HistoryColumn[]; readonly summary: readonly string[]; readonly confusion: readonly string[] } = {
  results: ['run_id', 'experiment', 'cell_id', 'cell', 'role', 'status'],
  history: ['run_id', 'cell_id', 'role', 'epoch'],
  summary: ['cell_id', 'cell', 'role', 'n'],
  confusion: ['run_id', 'experiment', 'cell_id', 'cell', 'role', 'seed', 'true_class', 'predicted_class', 'count'],
};

/** Columns that hold numbers when not empty, besides every `test_<metric>` column. */
const NUMERIC: { readonly results: readonly ResultColumn[]; readonly history: readonly HistoryColumn[]; readonly summary: readonly string[]; readonly confusion: readonly string[] } = {
  results: ['seed', 'params', 'epochs', 'batch_size', 'train_seconds', 'train_samples_per_sec', 'distillation_gain', 'inference_ms_per_1000'],
  history: ['epoch', 'train_loss', 'seconds', 'samples_per_sec'],
  summary: ['n', 'gain_n', 'gain_p'],
  confusion: ['seed', 'true_class', 'predicted_class', 'count'],
};

/** The values of the results table's `status` column. */
export const ROW_STATUSES = ['ok', 'failed', 'skipped', 'interrupted', 'pruned'] as const satisfies readonly RowStatus[];

// What Number() reads back from a number the runner wrote, NaN and infinities included; nothing else.
const NUMBER = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]?Infinity)$/;

const CUT_HINT = 'the file may be cut short; re-run or resume the run';
const DAMAGED_HINT = 'the file may be damaged; re-run the run';

/** One row of a checked table and the line of the file it starts on. */
export interface TableRow {
  readonly record: CsvRecord;
  readonly line: number;
}

/** A results or history table whose every row has the header's fields, with valid numbers and statuses. */
export interface CheckedTable {
  readonly file: string;
  readonly kind: TableKind;
  readonly columns: readonly string[];
  /** One row per key (see {@link KEY_COLUMNS}): a line repeating an earlier one exactly is left out. */
  readonly rows: readonly TableRow[];
  /** Lines left out because they repeat an earlier line exactly, one note each (`file:line: repeats line N exactly; counted once`). */
  readonly repeated: readonly string[];
}

/**
 * The columns identifying a row: results by (run, cell, seed, role), history by (run, cell, seed, role, epoch),
 * confusion by (run, cell, seed, role, true class, predicted class).
 */
export const KEY_COLUMNS: Record<TableKind, readonly string[]> = {
  results: ['run_id', 'cell_id', 'seed', 'role'],
  history: ['run_id', 'cell_id', 'seed', 'role', 'epoch'],
  summary: ['cell_id', 'role'],
  confusion: ['run_id', 'cell_id', 'seed', 'role', 'true_class', 'predicted_class'],
};

/** A row's key as one string (a column the table lacks counts as empty). */
export const keyOf = (kind: TableKind, record: CsvRecord): string => KEY_COLUMNS[kind].map((c) => record[c] ?? '').join('\0');

/** A key for messages: `run "r1", cell c1, seed 42, role student` (and `, epoch 3` in history). */
export function describeKey(kind: TableKind, record: CsvRecord, columns: readonly string[]): string {
  const parts = [`run "${record.run_id}"`, `cell ${record.cell_id}`];
  if (columns.includes('seed') && record.seed) parts.push(`seed ${record.seed}`);
  parts.push(`role ${record.role}`);
  if (kind === 'history') parts.push(`epoch ${record.epoch}`);
  if (kind === 'confusion') parts.push(`true class ${record.true_class}`, `predicted class ${record.predicted_class}`);
  return parts.join(', ');
}

/** The columns where two rows differ (a column one file lacks counts as empty), as `column: x vs y`. */
export function differences(a: CsvRecord, b: CsvRecord, columns: readonly string[]): string[] {
  const shown = (value: string | undefined) => (value === undefined || value === '' ? '(empty)' : value);
  return columns.filter((c) => (a[c] ?? '') !== (b[c] ?? '')).map((c) => `${c}: ${shown(a[c])} vs ${shown(b[c])}`);
}

/** The first three differences, for a message. */
export const someDifferences = (diff: readonly string[]): string => `${diff.slice(0, 3).join('; ')}${diff.length > 3 ? '; ...' : ''}`;

/**
 * Keeps one row per key. The runner writes one row per key (a resume rewrites the tables), so two
 * different rows for a key mean damage or a hand edit: refused. A line repeating an earlier one exactly
 * is left out with a note. Summary tables are not keyed by run and are left as they are.
 * @throws DistilError INVALID_TABLE at the second line, naming the first.
 */
function uniqueRows(file: string, kind: TableKind, columns: readonly string[], rows: readonly TableRow[]): { rows: TableRow[]; repeated: string[] } {
  if (kind === 'summary') return { rows: [...rows], repeated: [] };
  const seen = new Map<string, TableRow>();
  const unique: TableRow[] = [];
  const repeated: string[] = [];
  for (const row of rows) {
    const key = keyOf(kind, row.record);
    const first = seen.get(key);
    if (!first) {
      seen.set(key, row);
      unique.push(row);
      continue;
    }
    const diff = differences(first.record, row.record, columns);
    if (diff.length === 0) {
      repeated.push(`${file}:${row.line}: repeats line ${first.line} exactly; counted once`);
      continue;
    }
    throw errorInvalidTable(file, row.line, `two different rows for ${describeKey(kind, row.record, columns)} on lines ${first.line} and ${row.line} (${someDifferences(diff)})`,
      'a run writes one row per key, so the file is damaged or was edited: re-run the run, or delete the wrong line');
  }
  return { rows: unique, repeated };
}

function readText(file: string): string {
  try {
    const kind = specialFileKind(statSync(file));
    // A device or a FIFO would be read without end, or block.
    if (kind && kind !== 'a directory') {
      throw errorInvalidTable(file, undefined, `is ${kind}, not a regular file`, 'pass a results.csv or history.csv');
    }
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof DistilError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw errorTableNotFound(file);
    if (code === 'EISDIR') throw errorInvalidTable(file, undefined, 'is a directory', 'pass the results.csv or history.csv inside it');
    throw errorInvalidTable(file, undefined, `cannot read the file (${code ?? (error as Error).message})`);
  }
}

/** The table's kind from its header: history tables have an `epoch` column, confusion tables a `true_class`. */
function headerKind(file: string, header: CsvRow): TableKind {
  const seen = new Set<string>();
  for (const column of header.cells) {
    if (seen.has(column)) throw errorInvalidTable(file, header.line, `column "${column}" appears twice in the header`, DAMAGED_HINT);
    seen.add(column);
  }
  // summary.csv has no run_id (it spans the seeds of a run) but counts its rows in `n`.
  const kind: TableKind = seen.has('epoch')
    ? 'history'
    : seen.has('true_class')
      ? 'confusion'
      : !seen.has('run_id') && seen.has('n')
        ? 'summary'
        : 'results';
  const missing = REQUIRED[kind].filter((column) => !seen.has(column));
  if (missing.length > 0) {
    throw errorInvalidTable(file, header.line, `not a distil-run ${kind} table: missing columns ${missing.join(', ')}`, `expected the header of a run's ${kind === 'confusion' ? 'confusion.csv' : 'results.csv or history.csv'}`);
  }
  return kind;
}

/** Checks one row's shape and values; `cutLast` marks the final row of a file that does not end with a newline. */
function checkRow(file: string, kind: TableKind, header: readonly string[], row: CsvRow, cutLast: boolean): CsvRecord {
  const { cells: fields, line } = row;
  if ((fields[0] === 'run_id' && fields.includes('cell_id')) || (fields[0] === 'cell_id' && fields.includes('role') && fields.includes('n'))) {
    throw errorInvalidTable(file, line, 'the header line is repeated inside the table', 'were two tables concatenated? combine them with distil-run merge');
  }
  if (fields.length !== header.length) {
    const hint = cutLast ? CUT_HINT : 'the line may be damaged, e.g. by a crash before a resume; re-run the run or delete the line';
    throw errorInvalidTable(file, line, `row has ${fields.length} fields, the header has ${header.length}`, hint);
  }
  if (cutLast) {
    throw errorInvalidTable(file, line, 'the last line does not end with a newline, so it may be cut short', 're-run or resume the run; if you edited the file by hand, end it with a newline');
  }
  const record: CsvRecord = Object.fromEntries(header.map((column, i) => [column, fields[i]]));
  if (kind === 'results' && !(ROW_STATUSES as readonly string[]).includes(record.status)) {
    throw errorInvalidTable(file, line, `status is "${record.status}", expected ok, failed, skipped or interrupted`, DAMAGED_HINT);
  }
  for (const column of header) {
    const value = record[column];
    const numeric = column.startsWith('test_') || /_(mean|std|ci95)$/.test(column) || (NUMERIC[kind] as readonly string[]).includes(column);
    if (numeric && value !== '' && !NUMBER.test(value)) throw errorInvalidTable(file, line, `${column} is "${value}", not a number`, DAMAGED_HINT);
  }
  return record;
}

/**
 * Reads a distil-run results or history table and checks every line, keeping one row per key (see
 * {@link CheckedTable.rows}). The runner ends every row with a
 * newline, so a last line without one was cut by a crash or a full disk and is refused, even when its
 * field count looks right (a number or an error message may be cut short).
 * @throws DistilError FILE_NOT_FOUND, or INVALID_TABLE naming `file:line` for a table that cannot be trusted
 *   (two different rows for one key included).
 */
export function readTable(file: string): CheckedTable {
  // A byte-order mark (a spreadsheet saved the file) is dropped by the parser: it would glue itself to the first column's name.
  const parsed = parseCsvText(readText(file));
  const [header, ...body] = parsed.rows;
  if (!header || (parsed.rows.length === 1 && header.cells.join('') === '')) {
    throw errorInvalidTable(file, undefined, 'empty file, expected a header line', CUT_HINT);
  }
  if (parsed.unclosedQuote !== undefined) {
    throw errorInvalidTable(file, parsed.unclosedQuote.line, 'a quoted field is not closed before the end of the file', CUT_HINT);
  }
  const kind = headerKind(file, header);
  if (body.length === 0 && !parsed.endsWithNewline) {
    throw errorInvalidTable(file, header.line, 'the header line does not end with a newline, so it may be cut short', CUT_HINT);
  }
  const rows: TableRow[] = [];
  body.forEach((row, i) => {
    // Blank lines carry nothing; the runner never writes them, but an editor may leave one at the end.
    if (row.cells.length === 1 && row.cells[0] === '') return;
    const cutLast = i === body.length - 1 && !parsed.endsWithNewline;
    rows.push({ record: checkRow(file, kind, header.cells, row, cutLast), line: row.line });
  });
  return { file, kind, columns: header.cells, ...uniqueRows(file, kind, header.cells, rows) };
}

/** The values of `column` over a table's rows, each once, in order of appearance. */
export function distinctValues(table: CheckedTable, column: string): string[] {
  return [...new Set(table.rows.map((row) => row.record[column] ?? ''))];
}
