// Dataset "csv": a user's own table, for classification or regression, described in YAML only.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { errorDataset, errorDatasetNotFound } from '../../../errors.js';
import { limitSplit, splitTable, standardize } from '../../../data/tabular.js';
import type { Table } from '../../../data/tabular.js';
import { didYouMean } from '../../../registry/did-you-mean.js';
import { defineComponent } from '../../../registry/types.js';
import type { Task } from '../../../registry/types.js';
import { parseCsvRows } from '../../../results/csv.js';
import { limitParams } from './idx.js';

export interface CsvParams {
  path: string;
  test_path?: string;
  delimiter: string;
  header: boolean;
  features?: Array<string | number>;
  target: string | number;
  task: Task;
  test_fraction: number;
  split_seed?: number;
  standardize: boolean;
  train_limit?: number;
  test_limit?: number;
}

interface RawTable {
  readonly file: string;
  readonly columns: string[];
  readonly rows: string[][];
  /** 1-based file line of the first data row. */
  readonly firstLine: number;
}

function readTable(file: string, params: CsvParams): RawTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw errorDatasetNotFound('csv', [file], 'Check dataset.path (relative to the spec file).');
  }
  const rows = parseCsvRows(text, params.delimiter).filter((row) => row.some((cell) => cell.trim() !== ''));
  if (rows.length === 0 || (params.header && rows.length === 1)) throw errorDataset('csv', `${file} has no data rows`, 'the file is empty');
  const width = rows[0].length;
  const columns = params.header ? rows[0].map((c) => c.trim()) : Array.from({ length: width }, (_, i) => `column ${i}`);
  return { file, columns, rows: params.header ? rows.slice(1) : rows, firstLine: params.header ? 2 : 1 };
}

/** Resolves a column given by name or 0-based index. */
function columnIndex(table: RawTable, column: string | number, what: string): number {
  if (typeof column === 'number') {
    if (column < table.columns.length) return column;
    throw errorDataset('csv', `${what} column ${column} does not exist in ${table.file}, which has ${table.columns.length} columns (0-based)`);
  }
  const index = table.columns.indexOf(column);
  if (index >= 0) return index;
  const suggestion = didYouMean(column, table.columns);
  throw errorDataset('csv', `${what} column "${column}" not found in ${table.file}`, suggestion ? `Did you mean "${suggestion}"?` : `columns: ${table.columns.join(', ')}`);
}

function cellNumber(table: RawTable, row: number, col: number): number {
  const cell = (table.rows[row][col] ?? '').trim();
  const value = cell === '' ? NaN : Number(cell);
  if (!Number.isFinite(value)) {
    throw errorDataset('csv', `${table.file} line ${table.firstLine + row}, column "${table.columns[col]}": ${cell === '' ? 'empty cell' : `"${cell}" is not a number`}`);
  }
  return value;
}

/** Maps labels to class indices: numeric labels in numeric order, others in text order. */
function labelMap(labels: readonly string[]): Map<string, number> {
  const unique = [...new Set(labels)];
  const numeric = unique.every((l) => l !== '' && Number.isFinite(Number(l)));
  unique.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  return new Map(unique.map((label, i) => [label, i]));
}

function toTable(table: RawTable, features: number[], target: number, labels: Map<string, number> | undefined): Table {
  const x = new Float32Array(table.rows.length * features.length);
  const y = labels ? new Int32Array(table.rows.length) : new Float32Array(table.rows.length);
  table.rows.forEach((cells, row) => {
    if (cells.length !== table.columns.length) {
      throw errorDataset('csv', `${table.file} line ${table.firstLine + row}: ${cells.length} cells, expected ${table.columns.length}`);
    }
    features.forEach((col, j) => (x[row * features.length + j] = cellNumber(table, row, col)));
    y[row] = labels ? (labels.get(cells[target].trim()) as number) : cellNumber(table, row, target);
  });
  return { x, y, n: table.rows.length, features: features.length };
}

export default defineComponent<CsvParams>({
  kind: 'dataset',
  name: 'csv',
  description: 'A CSV file of your own: feature and target columns, classification or regression, seeded split or a test file',
  task: (params) => params.task,
  params: {
    required: ['path', 'target', 'task'],
    properties: {
      path: { type: 'string', description: 'CSV file, relative to the spec file.' },
      test_path: { type: 'string', description: 'Separate test file with the same columns (else a seeded split of path).' },
      delimiter: { type: 'string', minLength: 1, maxLength: 1, default: ',' },
      header: { type: 'boolean', default: true, description: 'The first line names the columns.' },
      features: { type: 'array', items: { type: ['string', 'integer'] }, minItems: 1, description: 'Feature columns by name or 0-based index (default: all but the target).' },
      target: { type: ['string', 'integer'], description: 'Target column by name or 0-based index.' },
      task: { enum: ['classification', 'regression'] },
      test_fraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.2 },
      split_seed: { type: 'integer', minimum: 0, description: 'Seed of the train/test split (default: the experiment seed).' },
      standardize: { type: 'boolean', default: true, description: "Scale features with the training split's mean and std." },
      ...limitParams,
    },
  },
  async create(params, context) {
    const main = readTable(path.resolve(context.baseDir, params.path), params);
    const test = params.test_path ? readTable(path.resolve(context.baseDir, params.test_path), params) : undefined;
    const target = columnIndex(main, params.target, 'target');
    const features = (params.features ?? main.columns.map((_, i) => i).filter((i) => i !== target)).map((c) => columnIndex(main, c, 'feature'));
    if (features.includes(target)) throw errorDataset('csv', `the target column "${main.columns[target]}" is also listed as a feature`);
    const labels = params.task === 'classification' ? labelMap([main, test].flatMap((t) => t?.rows.map((r) => (r[target] ?? '').trim()) ?? [])) : undefined;
    const trainTable = toTable(main, features, target, labels);
    const split = test ? { train: trainTable, test: toTable(test, features, target, labels) } : splitTable(trainTable, params.test_fraction, params.split_seed ?? context.seed);
    if (params.standardize) standardize(split.train, [split.test], features.length);
    return {
      task: params.task,
      featureShape: [features.length],
      outputSize: labels ? labels.size : 1,
      train: limitSplit(split.train, features.length, params.train_limit),
      test: limitSplit(split.test, features.length, params.test_limit),
      info: { path: main.file, features: features.map((i) => main.columns[i]).join(' '), target: main.columns[target], ...(labels ? { classes: [...labels.keys()].join(' ') } : {}) },
    };
  },
});
