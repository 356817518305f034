// `predict`'s input file: rows of raw feature values, its columns taken by header name when the model knows
// its feature columns' names (any order, other columns ignored), categories one-hot encoded as the training did.
import { existsSync } from 'node:fs';
import { errorInputFile, errorInvalidArgument } from '../errors/index.js';
import type { DataLocation } from '../errors/index.js';
import { parseCsvText } from '../shared/index.js';
import type { CsvRow, FeatureColumn } from '../shared/index.js';
import { parseDecimal } from './csv-table.js';
import { createEncoder, knownValues } from './feature-columns.js';
import type { FeatureEncoder } from './feature-columns.js';
import { readDataFile } from './read-file.js';

/** What a model takes: its number of input features, and the columns they are made from when it records them. */
export interface InputShape {
  readonly features: number;
  readonly columns?: readonly FeatureColumn[];
}

/** An input file's rows as the model's features. */
export interface InputRows {
  /** The encoded features, row-major `[lines.length, features]`. */
  readonly values: Float32Array;
  /** The line each row starts on. */
  readonly lines: number[];
  /** How the feature columns were found: by their header names, or in order. */
  readonly selection: 'names' | 'positions';
}

type Fail = (at: Partial<DataLocation>, problem: string, hint: string) => Error;

/**
 * Reads `predict`'s input CSV. With a header line and a model that records its feature columns' names, the
 * columns are taken by name (in any order; others, such as the label, are ignored); otherwise each row gives
 * the columns in the order the model was trained on. A categorical column's value becomes its 0/1 features.
 * @throws DistilError INPUT_FILE_ERROR (exit 2) at the file, line and column: a missing feature column, a row
 * of the wrong width, a cell that is not a number, a category the model was not trained on.
 */
export function readInputRows(file: string, shape: InputShape): InputRows {
  if (!existsSync(file)) {
    throw errorInvalidArgument(
      'predict',
      `${file}: no such file (give a CSV of inputs, one row of feature values per line)`,
    );
  }
  const ref = {
    dataset: 'predict',
    key: 'the input file',
    relative: 'a relative path starts at the current directory',
  };
  const parsed = parseCsvText(readDataFile(file, ref).toString('utf8'), { skipBlank: true });
  const fail: Fail = (at, problem, hint) => errorInputFile({ file, ...at }, problem, hint);
  if (parsed.unclosedQuote) {
    throw fail(parsed.unclosedQuote, 'a quoted cell starts here and is never closed', 'add the closing quote');
  }
  // A model saved without its columns (an older save, or a dataset that is no table) takes numbers in order.
  const columns = shape.columns ?? Array.from({ length: shape.features }, (): FeatureColumn => ({}));
  const encoder = createEncoder(columns);
  const named = shape.columns !== undefined && columns.every((column) => column.name !== undefined);
  const rows = parsed.rows;
  const header = rows.length > 0 && isHeader(rows[0], columns, encoder, named) ? rows[0] : undefined;
  const data = header ? rows.slice(1) : rows;
  if (data.length === 0) {
    throw fail(
      {},
      header ? 'the file has a header line but no rows to predict' : 'the file has no rows to predict',
      `write one row of ${describeWidth(columns)} per line`,
    );
  }
  const positions = header && named ? positionsByName(header, columns, fail) : undefined;
  data.forEach((row) => assertWidth(row, header, positions !== undefined, columns, named, fail));
  const picked = positions ?? columns.map((_, j) => j);
  const values = new Float32Array(data.length * encoder.width);
  data.forEach((row, i) => {
    columns.forEach((column, j) => {
      const at = { line: row.lines[picked[j]], col: row.cols[picked[j]], ...(named ? { column: column.name } : {}) };
      const text = row.cells[picked[j]].trim();
      const offset = i * encoder.width + encoder.offsets[j];
      if (column.categories) values[offset + categoryIndex(text, j, column.categories, encoder, at, fail)] = 1;
      else values[offset] = numberIn(text, at, fail);
    });
  });
  return { values, lines: data.map((row) => row.line), selection: positions ? 'names' : 'positions' };
}

/**
 * Whether the first row names columns: one of its cells is a feature column's name, or is neither a number nor a
 * category the model knows (so a headerless row of numbers and known categories is data).
 */
function isHeader(first: CsvRow, columns: readonly FeatureColumn[], encoder: FeatureEncoder, named: boolean): boolean {
  const names = new Set(named ? columns.map((column) => column.name) : []);
  const categorical = columns.flatMap((column, j) => (column.categories ? [j] : []));
  return first.cells.some((cell) => {
    const text = cell.trim();
    if (names.has(text)) return true;
    if (Number.isFinite(parseDecimal(text))) return false;
    return !categorical.some((j) => encoder.category(j, text) >= 0);
  });
}

/** `4 feature values`, or `3 column values (a, color, b)` when a categorical column makes columns and features differ. */
function describeWidth(columns: readonly FeatureColumn[]): string {
  const categorical = columns.some((column) => column.categories);
  const names = columns.every((column) => column.name !== undefined)
    ? ` (${columns.map((column) => column.name).join(', ')})`
    : '';
  return categorical ? `${columns.length} column values${names}` : `${columns.length} feature values`;
}

/**
 * Where each feature column is in the header.
 * @throws DistilError naming the missing columns, or a column the header has twice.
 */
function positionsByName(header: CsvRow, columns: readonly FeatureColumn[], fail: Fail): number[] {
  const cells = header.cells.map((cell) => cell.trim());
  const names = columns.map((column) => column.name as string);
  for (const name of names) {
    const first = cells.indexOf(name);
    const second = cells.indexOf(name, first + 1);
    if (first >= 0 && second >= 0) {
      throw fail(
        { line: header.lines[second], col: header.cols[second] },
        `the header has column "${name}" twice (columns ${first + 1} and ${second + 1})`,
        'rename or remove one of them',
      );
    }
  }
  const missing = names.filter((name) => !cells.includes(name));
  if (missing.length === 0) return names.map((name) => cells.indexOf(name));
  const list = names.join(', ');
  const none = missing.length === names.length;
  const quoted = missing.map((name) => `"${name}"`).join(', ');
  const problem = none
    ? `line ${header.line} is read as a header, but it names none of the model's feature columns: ${list}`
    : `the header has no column${missing.length > 1 ? 's' : ''} ${quoted}: the model was trained on ${list}`;
  const hint = none
    ? `give a header line naming them, other columns ignored, or rows of the ${names.length} values in that order without a header`
    : 'add the missing column(s); the header may name the columns in any order, and other columns are ignored';
  throw fail({ line: header.line, col: 1 }, problem, hint);
}

/**
 * A row must be as wide as the header it is read by, or (without one) as the model's columns.
 * @throws DistilError at the row's first cell.
 */
function assertWidth(
  row: CsvRow,
  header: CsvRow | undefined,
  byName: boolean,
  columns: readonly FeatureColumn[],
  named: boolean,
  fail: Fail,
): void {
  const width = byName && header ? header.cells.length : columns.length;
  if (row.cells.length === width) return;
  if (byName && header) {
    throw fail(
      { line: row.line, col: 1 },
      `row has ${row.cells.length} values, the header (line ${header.line}) has ${width}`,
      'give every row a value for each column of the header',
    );
  }
  const categorical = columns.some((column) => column.categories);
  const takes = categorical ? `${width} columns` : `${width} features`;
  // A header the model cannot read by name (it records no names): say why its columns were not picked out.
  const unnamed = header
    ? "the model does not record its feature columns' names, so a header line is skipped and the columns taken in order: "
    : '';
  const hint = named
    ? `give the ${width} values in the order ${columns.map((column) => column.name).join(', ')}, or a header line naming the columns`
    : `${unnamed}give the features in the order the model was trained on, one row per line`;
  throw fail({ line: row.line, col: 1 }, `row has ${row.cells.length} values, the model takes ${takes}`, hint);
}

/**
 * A categorical cell's category index.
 * @throws DistilError for an empty cell or a value the training file did not have, naming the known values.
 */
function categoryIndex(
  text: string,
  j: number,
  categories: readonly string[],
  encoder: FeatureEncoder,
  at: Partial<DataLocation>,
  fail: Fail,
): number {
  const k = encoder.category(j, text);
  if (k >= 0) return k;
  if (text === '') throw fail(at, 'empty cell', `give one of the column's categories: ${knownValues(categories)}`);
  throw fail(
    at,
    `"${text}" is not a category the model was trained on (it knows ${knownValues(categories)})`,
    'give one of those values; a model cannot encode a category its training data did not have',
  );
}

/**
 * A numeric cell's value.
 * @throws DistilError for an empty cell or one that is not a finite number.
 */
function numberIn(text: string, at: Partial<DataLocation>, fail: Fail): number {
  const value = parseDecimal(text);
  if (Number.isFinite(value)) return value;
  throw fail(at, text === '' ? 'empty cell' : `"${text}" is not a number`, 'every feature value must be a number');
}
