// Reads a CSV data file into rows that remember where each cell sits, and converts cells to numbers
// with messages that point at the file, line and column.
import { errorDataFile, errorDataset } from '../errors/index.js';
import { didYouMean } from '../shared/index.js';
import { parseCsvText } from '../shared/index.js';
import type { CsvRow } from '../shared/index.js';
import { readDataFile } from './read-file.js';
import type { DataFileRef } from './read-file.js';

/** A CSV file's data rows with their positions; `columns` are header names, or 0-based indices as text. */
export interface CsvTable {
  readonly dataset: string;
  readonly file: string;
  readonly columns: readonly string[];
  readonly rows: readonly CsvRow[];
  /** The header row, when the file has one. */
  readonly header?: CsvRow;
  readonly delimiter: string;
  /** True when `maxRows` left rows of the file unread. */
  readonly truncated?: boolean;
}

export interface CsvOptions {
  readonly delimiter: string;
  readonly header: boolean;
  /** Read only the first this many data rows (a sample, for `validate --data`). @default all */
  readonly maxRows?: number;
}

/**
 * Reads and checks the shape of a CSV data file: not empty, data rows besides the header, quotes
 * closed, every row as wide as the first.
 * @throws DistilError (exit code 2) naming the file, and the line and column where there is one.
 */
export function readCsvTable(file: string, options: CsvOptions, ref: DataFileRef): CsvTable {
  const text = readDataFile(file, ref).toString('utf8');
  const maxRows = options.maxRows === undefined ? undefined : options.maxRows + (options.header ? 1 : 0);
  const parsed = parseCsvText(text, { delimiter: options.delimiter, skipBlank: true, maxRows });
  const fail = (at: { line?: number; col?: number }, problem: string, hint: string) =>
    errorDataFile(ref.dataset, { file, ...at }, problem, hint);
  if (parsed.unclosedQuote) {
    throw fail(parsed.unclosedQuote, 'a quoted cell starts here and is never closed', 'add the closing quote');
  }
  if (parsed.rows.length === 0) {
    const what = text.trim() === '' && text.length > 0 ? 'the file holds only blank lines' : 'the file is empty';
    throw fail({}, what, `check ${ref.key}, or write ${options.header ? 'a header line and ' : ''}data rows into it`);
  }
  const [first, ...rest] = parsed.rows;
  const header = options.header ? first : undefined;
  const rows = options.header ? rest : parsed.rows;
  if (header && rows.length === 0) {
    throw fail(
      {},
      'the file has a header line but no data rows',
      `add data rows below the header, or set header: false if line ${header.line} is data`,
    );
  }
  const width = first.cells.length;
  const widthOf = header ? `the header (line ${header.line})` : `line ${first.line}`;
  for (const row of rows) {
    if (row.cells.length !== width) {
      throw fail(
        { line: row.line, col: 1 },
        `row has ${row.cells.length} cells, ${widthOf} has ${width}`,
        `check the delimiter ${JSON.stringify(options.delimiter)} and quote cells that contain it`,
      );
    }
  }
  const columns = header ? header.cells.map((name) => name.trim()) : first.cells.map((_, i) => String(i));
  const truncated = parsed.truncated === true;
  return { dataset: ref.dataset, file, columns, rows, header, delimiter: options.delimiter, truncated };
}

/** Where a cell is, for messages. */
export function cellLocation(table: CsvTable, row: number, col: number) {
  return {
    file: table.file,
    line: table.rows[row].lines[col],
    col: table.rows[row].cols[col],
    column: table.columns[col],
  };
}

/** The trimmed text of a cell. */
export function cellText(table: CsvTable, row: number, col: number): string {
  return table.rows[row].cells[col].trim();
}

const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;
// Decimal only: Number() also reads 0x1F, 0b11 and 0o17, which a data file never means.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A trimmed cell or field as a decimal number (possibly infinite when it overflows); NaN for anything else, hex, binary and octal included. */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : NaN;
}

/**
 * A cell as a finite number.
 * @throws DistilError for an empty, non-numeric, NaN or infinite cell, at its line and column.
 */
export function cellNumber(table: CsvTable, row: number, col: number, role: 'feature' | 'target'): number {
  const cell = cellText(table, row, col);
  const value = parseDecimal(cell);
  if (Number.isFinite(value)) return value;
  const at = cellLocation(table, row, col);
  if (cell === '') {
    throw errorDataFile(
      table.dataset,
      at,
      'empty cell',
      'fill it in or remove the row; missing values are not imputed',
    );
  }
  const text = !(NOT_FINITE.test(cell) || !Number.isNaN(value));
  const problem = text ? `"${cell}" is not a number` : `"${cell}" is not a finite number`;
  throw errorDataFile(
    table.dataset,
    at,
    problem,
    role === 'feature' ? featureHint(table, col, text) : 'fix the cell or remove the row',
  );
}

/** What to do about a feature cell that is no number: a column of text alone is a column of categories. */
function featureHint(table: CsvTable, col: number, text: boolean): string {
  const isText = (row: number) => !Number.isFinite(parseDecimal(cellText(table, row, col)));
  if (text && table.rows.every((_, row) => isText(row))) {
    return 'no value of the column is a number: list it in dataset.categorical to encode its values, or leave it out of dataset.features';
  }
  const categories = text ? '; a column of categories goes in dataset.categorical' : '';
  return `fix the cell or remove the row, or leave the column out of dataset.features${categories}`;
}

/**
 * Resolves a column given by name or 0-based index.
 * @throws DistilError DATASET_ERROR with "did you mean", or a hint about the delimiter or a missing header.
 */
export function columnIndex(table: CsvTable, column: string | number, what: string): number {
  if (typeof column === 'number') {
    // The params schema refuses negative indices; a caller that skips validation must still get a message, not a crash.
    if (Number.isInteger(column) && column >= 0 && column < table.columns.length) return column;
    throw errorDataset(
      table.dataset,
      `${what} column ${column} does not exist in ${table.file}, which has ${table.columns.length} columns (0-based)`,
    );
  }
  const index = table.columns.indexOf(column);
  const again = table.columns.indexOf(column, index + 1);
  if (index >= 0 && again >= 0) {
    throw errorDataset(
      table.dataset,
      `${what} column "${column}" is ambiguous: ${table.file} has two columns of that name (${index} and ${again}, 0-based)`,
      'rename one in the header',
    );
  }
  if (index >= 0) return index;
  throw errorDataset(table.dataset, `${what} column "${column}" not found in ${table.file}`, columnHint(table, column));
}

function columnHint(table: CsvTable, column: string): string {
  if (!table.header) return 'the file has no header (header: false): give columns by 0-based index';
  const suggestion = didYouMean(column, table.columns);
  if (suggestion) return `Did you mean "${suggestion}"?`;
  const other = [';', '\t', ',', '|'].find((d) => d !== table.delimiter && table.columns[0].includes(d));
  if (table.columns.length === 1 && other) {
    return `the header is one column "${table.columns[0]}": is the delimiter ${JSON.stringify(other)}? Set dataset.delimiter`;
  }
  return `columns: ${table.columns.join(', ')}`;
}

/**
 * Checks that a second file (the test file) has the same columns as the first.
 * @throws DistilError at the test file's header (or first row) when they differ.
 */
export function assertSameColumns(main: CsvTable, other: CsvTable): void {
  const same = main.columns.length === other.columns.length && main.columns.every((c, i) => c === other.columns[i]);
  if (same) return;
  const line = (other.header ?? other.rows[0]).line;
  const problem = main.header
    ? `columns "${other.columns.join(', ')}" differ from "${main.columns.join(', ')}" in ${main.file}`
    : `rows have ${other.columns.length} cells, rows of ${main.file} have ${main.columns.length}`;
  throw errorDataFile(
    other.dataset,
    { file: other.file, line, col: 1 },
    problem,
    'give both files the same columns in the same order',
  );
}
