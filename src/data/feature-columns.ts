// Feature columns of a table: categorical columns one-hot encoded over their sorted distinct values, the
// names and layout of the encoded features, shared by the CSV dataset and `predict`.
import { errorDataFile } from '../errors/index.js';
import type { FeatureColumn } from '../shared/index.js';
import { cellLocation, cellText, parseDecimal } from './csv-table.js';
import type { CsvTable } from './csv-table.js';

const isNumber = (text: string) => Number.isFinite(parseDecimal(text));

/**
 * The categories of a column's values (trimmed, none empty): numbers in numeric order, "1" and "1.0" one
 * category, when every value is a number (codes such as `1, 2, 10`); else the texts in code-unit order.
 */
export function categoriesOf(values: readonly string[]): string[] {
  const numeric = values.every(isNumber);
  const keys = numeric ? values.map((value) => String(Number(value))) : values;
  return [...new Set(keys)].sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
}

/**
 * The categories of a table's column, from every row.
 * @throws DistilError DATA_FILE_ERROR at an empty cell (missing values are not imputed).
 */
export function columnCategories(table: CsvTable, col: number): string[] {
  const values = table.rows.map((_, row) => {
    const text = cellText(table, row, col);
    if (text === '') {
      throw errorDataFile(
        table.dataset,
        cellLocation(table, row, col),
        'empty cell',
        'fill it in or remove the row; missing values are not imputed',
      );
    }
    return text;
  });
  return categoriesOf(values);
}

/** Where each column's features sit among the encoded features, and how a cell's text finds its category. */
export interface FeatureEncoder {
  /** How many features the columns encode to: one per numeric column, one per category of a categorical one. */
  readonly width: number;
  /** The index of column j's first feature. */
  readonly offsets: readonly number[];
  /** The index of a trimmed cell's text among column j's categories; -1 for a value the column never had. */
  category(column: number, text: string): number;
}

/** The layout of the features `columns` encode to, with a lookup of each categorical column's values. */
export function createEncoder(columns: readonly FeatureColumn[]): FeatureEncoder {
  const offsets: number[] = [];
  let width = 0;
  for (const column of columns) {
    offsets.push(width);
    width += column.categories?.length ?? 1;
  }
  const lookups = columns.map((column) => {
    if (!column.categories) return undefined;
    // Categories that are all numbers were read as numbers: "1.0" is category "1".
    const numeric = column.categories.every(isNumber);
    const index = new Map(column.categories.map((value, k) => [value, k]));
    return (text: string) => index.get(numeric && isNumber(text) ? String(Number(text)) : text) ?? -1;
  });
  return {
    width,
    offsets,
    category: (column, text) => lookups[column]?.(text) ?? -1,
  };
}

/**
 * The encoded features' names: a numeric column's name, `<name>=<value>` for each category of a categorical
 * one; a column without a name (a file without a header) is called by `fallback[j]`, its 0-based index.
 */
export function encodedNames(columns: readonly FeatureColumn[], fallback: readonly string[] = []): string[] {
  return columns.flatMap((column, j) => {
    const name = column.name ?? fallback[j] ?? String(j);
    return column.categories ? column.categories.map((value) => `${name}=${value}`) : [name];
  });
}

/** For each encoded feature, whether it is numeric (standardised) rather than one of a category's 0/1 features. */
export function numericFeatures(columns: readonly FeatureColumn[]): boolean[] {
  return columns.flatMap((column) => (column.categories ? column.categories.map(() => false) : [true]));
}

/** A column's categories for a message: `blue, green, red`, the first 20 and how many more past that. */
export function knownValues(categories: readonly string[]): string {
  const shown = categories.slice(0, 20).join(', ');
  return categories.length > 20 ? `${shown} and ${categories.length - 20} more` : shown;
}
