// Dataset "csv": a user's own table, for classification or regression, described in YAML only.
import type { DataSplit, FeatureColumn, Task } from '../../../shared/index.js';
import path from 'node:path';
import { errorDataFile, errorDataset } from '../../../errors/index.js';
import { assertSameColumns, cellNumber, columnIndex, readCsvTable } from '../../../data/index.js';
import type { CsvTable } from '../../../data/index.js';
import {
  cellLocation,
  cellText,
  columnCategories,
  createEncoder,
  knownValues,
  numericFeatures,
} from '../../../data/index.js';
import type { FeatureEncoder } from '../../../data/index.js';
import { assertSplitClasses, assertTargetVaries, resolveClasses, rowLabels } from '../../../data/index.js';
import type { DataFileRef } from '../../../data/index.js';
import { assertSplitSizes, limitSplit, splitTable, standardize } from '../../../data/index.js';
import type { Table } from '../../../data/index.js';
import { defineComponent } from '../../../registry/index.js';
import { limitParams, splitParams } from './limit-params.js';

export interface CsvParams {
  path: string;
  test_path?: string;
  validation_path?: string;
  delimiter: string;
  header: boolean;
  features?: Array<string | number>;
  categorical?: Array<string | number>;
  target: string | number;
  task: Task;
  test_fraction: number;
  split_seed?: number;
  standardize: boolean;
  train_limit?: number;
  test_limit?: number;
}

const fileRef = (key: string): DataFileRef => ({
  dataset: 'csv',
  key: `dataset.${key}`,
  relative: "a relative path starts at the spec file's directory",
});

/** The feature columns: those listed, else every column but the target. */
function resolveFeatures(table: CsvTable, features: CsvParams['features'], target: number): number[] {
  const indices = (features ?? table.columns.map((_, i) => i).filter((i) => i !== target)).map((c) =>
    columnIndex(table, c, 'feature'),
  );
  if (indices.includes(target)) {
    throw errorDataset('csv', `the target column "${table.columns[target]}" is also listed as a feature`);
  }
  const twice = indices.find((index, i) => indices.indexOf(index) !== i);
  if (twice !== undefined) {
    throw errorDataset('csv', `feature column "${table.columns[twice]}" is listed twice`, 'list each feature once');
  }
  // The model records its features by name (predict reads them by header): two of one name cannot be told apart.
  const names = indices.map((i) => table.columns[i]);
  const shared = names.find((name, i) => names.indexOf(name) !== i);
  if (table.header && shared !== undefined) {
    throw errorDataset(
      'csv',
      `columns ${indices[names.indexOf(shared)]} and ${indices[names.lastIndexOf(shared)]} (0-based) of ${table.file} are both named "${shared}" and both features`,
      'rename one in the header, or list the features to use in dataset.features',
    );
  }
  if (indices.length === 0) {
    throw errorDataFile(
      'csv',
      { file: table.file },
      `no feature columns: the target "${table.columns[target]}" is the only column`,
      'add feature columns, or check dataset.delimiter',
    );
  }
  return indices;
}

/**
 * The feature columns that hold categories: listed by name or index, each a feature column.
 * @throws DistilError DATASET_ERROR for a column that is not there, the target, or a column that is no feature.
 */
function resolveCategorical(
  table: CsvTable,
  categorical: CsvParams['categorical'],
  features: number[],
  target: number,
) {
  const indices = (categorical ?? []).map((c) => columnIndex(table, c, 'categorical'));
  for (const index of indices) {
    const name = `"${table.columns[index]}"`;
    if (index === target) {
      throw errorDataset(
        'csv',
        `the target column ${name} is listed in dataset.categorical`,
        'dataset.categorical names feature columns; dataset.task says how the target is read',
      );
    }
    if (!features.includes(index)) {
      throw errorDataset(
        'csv',
        `the categorical column ${name} is not a feature column`,
        'add it to dataset.features, or take it out of dataset.categorical',
      );
    }
  }
  return new Set(indices);
}

/** The feature columns as a saved model records them: header names, and the training file's categories. */
function describeColumns(main: CsvTable, features: readonly number[], categorical: Set<number>): FeatureColumn[] {
  return features.map((col) => ({
    ...(main.header ? { name: main.columns[col] } : {}),
    ...(categorical.has(col) ? { categories: columnCategories(main, col) } : {}),
  }));
}

/** How a file's feature columns become numbers: the columns, their layout, and the training file (for messages). */
interface Encoding {
  readonly features: readonly number[];
  readonly columns: readonly FeatureColumn[];
  readonly encoder: FeatureEncoder;
  readonly trainingFile: string;
}

/** The feature columns, those of them that hold categories, and the features they encode to (from the training file). */
function resolveEncoding(main: CsvTable, params: CsvParams, target: number): Encoding & { categorical: Set<number> } {
  const features = resolveFeatures(main, params.features, target);
  const categorical = resolveCategorical(main, params.categorical, features, target);
  const columns = describeColumns(main, features, categorical);
  return { features, columns, categorical, encoder: createEncoder(columns), trainingFile: main.file };
}

/**
 * Features (numbers, and a 0/1 feature per category) and targets; `classes` holds each row's class index for
 * classification.
 * @throws DistilError at a cell that is not a number, or a category the training file does not have.
 */
function toTable(table: CsvTable, encoding: Encoding, target: number, classes: Int32Array | undefined): Table {
  const { features, columns, encoder } = encoding;
  const n = table.rows.length;
  const x = new Float32Array(n * encoder.width);
  const y = classes ?? new Float32Array(n);
  for (let row = 0; row < n; row++) {
    features.forEach((col, j) => {
      const at = row * encoder.width + encoder.offsets[j];
      if (!columns[j].categories) x[at] = cellNumber(table, row, col, 'feature');
      else x[at + categoryOf(table, row, col, j, encoding)] = 1;
    });
    if (!classes) y[row] = cellNumber(table, row, target, 'target');
  }
  return { x, y, n, features: encoder.width };
}

/** The category index of a categorical cell; a value the training file lacks is refused, as an unseen class is. */
function categoryOf(table: CsvTable, row: number, col: number, j: number, encoding: Encoding): number {
  const text = cellText(table, row, col);
  const k = encoding.encoder.category(j, text);
  if (k >= 0) return k;
  const categories = encoding.columns[j].categories ?? [];
  if (text === '') {
    throw errorDataFile(
      'csv',
      cellLocation(table, row, col),
      'empty cell',
      'fill it in or remove the row; missing values are not imputed',
    );
  }
  throw errorDataFile(
    'csv',
    cellLocation(table, row, col),
    `category "${text}" never occurs in the training file ${encoding.trainingFile} (its categories: ${knownValues(categories)})`,
    'fix the value, or add training rows with it',
  );
}

/** The files the params name, read (each its first `maxRows` data rows, when given), with the same columns. */
function readTables(params: CsvParams, baseDir: string, maxRows?: number) {
  const options = { delimiter: params.delimiter, header: params.header, maxRows };
  const read = (key: string, file: string) => readCsvTable(path.resolve(baseDir, file), options, fileRef(key));
  const main = read('path', params.path);
  const test = params.test_path ? read('test_path', params.test_path) : undefined;
  // Set, even to "" (the schema refuses it; a caller may skip the schema), it is the validation split the resolver
  // counted on: an empty path is refused as a directory.
  const validation = params.validation_path !== undefined ? read('validation_path', params.validation_path) : undefined;
  for (const other of [test, validation]) if (other) assertSameColumns(main, other);
  return { main, test, validation };
}

/**
 * A test or validation sample's encoding for a check: the training sample's categories and its own, since a
 * category the training sample lacks may be in the training rows not read (the run checks every row).
 */
function sampleEncoding(encoding: Encoding, table: CsvTable): Encoding {
  const columns = encoding.columns.map((column, i) =>
    column.categories
      ? {
          ...column,
          categories: [...new Set([...column.categories, ...columnCategories(table, encoding.features[i])])],
        }
      : column,
  );
  return { ...encoding, columns, encoder: createEncoder(columns) };
}

/**
 * Reads the first `rows` data rows of each file as `create` reads them (the same columns, cells and labels);
 * checks that need every row (two classes, no test-only class, split sizes) are left to the run.
 */
async function checkData(params: CsvParams, baseDir: string, rows: number): Promise<string[]> {
  const tables = readTables(params, baseDir, rows);
  const target = columnIndex(tables.main, params.target, 'target');
  const encoding = resolveEncoding(tables.main, params, target);
  const { features } = encoding;
  const keys = { main: 'path', test: 'test_path', validation: 'validation_path' } as const;
  return (['main', 'test', 'validation'] as const).flatMap((key) => {
    const table = tables[key];
    if (!table) return [];
    // A sample cannot number the classes (only all the rows can): its labels are checked, not numbered.
    const classes = params.task === 'classification' ? new Int32Array(rowLabels(table, target).length) : undefined;
    toTable(table, key === 'main' ? encoding : sampleEncoding(encoding, table), target, classes);
    const read = table.truncated
      ? `the first ${table.rows.length.toLocaleString('en-US')} rows`
      : `all ${table.rows.length.toLocaleString('en-US')} rows`;
    return [
      `${table.file} (dataset.${keys[key]}): ${features.length} feature column(s) and target "${table.columns[target]}", ${read} read`,
    ];
  });
}

interface Loaded {
  readonly main: CsvTable;
  readonly mainTable: Table;
  readonly testTable?: Table;
  readonly target: number;
  /** Class index of each row of the main file (classification only). */
  readonly classes?: Int32Array;
}

/** The train and test splits: the test file's rows, else a seeded split of the main file checked for sizes and classes. */
function splitData(
  params: CsvParams,
  seed: number,
  { main, mainTable, testTable, target, classes }: Loaded,
): { train: DataSplit; test: DataSplit } {
  if (testTable) return { train: mainTable, test: testTable };
  assertSplitSizes('csv', main.file, mainTable.n, params.test_fraction, 'give dataset.test_path');
  const split = splitTable(mainTable, params.test_fraction, seed);
  if (classes) assertSplitClasses(main, target, classes, split.testRows, { testFraction: params.test_fraction, seed });
  return split;
}

export default defineComponent<CsvParams>({
  kind: 'dataset',
  name: 'csv',
  description:
    'A CSV file of your own: feature and target columns, classification or regression, seeded split or a test file, and a validation file',
  // Asked once the params are valid (a task the schema refuses is reported as such, and no check guesses one).
  task: (params) => (params.task === 'regression' ? 'regression' : 'classification'),
  validationParams: ['validation_path'],
  params: {
    required: ['path', 'target', 'task'],
    properties: {
      path: { type: 'string', minLength: 1, description: 'CSV file, relative to the spec file.' },
      test_path: {
        type: 'string',
        minLength: 1,
        description: 'Separate test file with the same columns (else a seeded split of path).',
      },
      validation_path: {
        type: 'string',
        minLength: 1,
        description:
          "Validation file with the same columns, scaled with the training split's statistics (instead of dataset.validation).",
      },
      delimiter: { type: 'string', minLength: 1, maxLength: 1, default: ',' },
      header: { type: 'boolean', default: true, description: 'The first line names the columns.' },
      features: {
        type: 'array',
        items: { type: ['string', 'integer'], minimum: 0 },
        minItems: 1,
        description: 'Feature columns by name or 0-based index (default: all but the target).',
      },
      categorical: {
        type: 'array',
        items: { type: ['string', 'integer'], minimum: 0 },
        minItems: 1,
        uniqueItems: true,
        description:
          'Feature columns that hold categories (text or codes): one 0/1 feature per distinct value of the training file, `<column>=<value>`, not standardised.',
      },
      target: { type: ['string', 'integer'], minimum: 0, description: 'Target column by name or 0-based index.' },
      task: { enum: ['classification', 'regression'] },
      ...splitParams,
      ...limitParams,
    },
  },
  checkData: (params, context, rows) => checkData(params, context.baseDir, rows),
  async create(params, context) {
    const { main, test, validation } = readTables(params, context.baseDir);
    const target = columnIndex(main, params.target, 'target');
    const encoding = resolveEncoding(main, params, target);
    const { features, columns, categorical } = encoding;
    const width = encoding.encoder.width;
    const classes = params.task === 'classification' ? resolveClasses(main, { test, validation }, target) : undefined;
    const mainTable = toTable(main, encoding, target, classes?.main);
    if (!classes) assertTargetVaries(main, target, mainTable.y);
    const testTable = test ? toTable(test, encoding, target, classes?.test) : undefined;
    const validationTable = validation ? toTable(validation, encoding, target, classes?.validation) : undefined;
    const split = splitData(params, params.split_seed ?? context.seed, {
      main,
      mainTable,
      testTable,
      target,
      classes: classes?.main,
    });
    // The validation file is scaled like the test split, with the training split's statistics, and used whole.
    // A category's 0/1 features are kept as they are: standardised, they would no longer read as absent / present.
    const others = validationTable ? [split.test, validationTable] : [split.test];
    const input = params.standardize ? standardize(split.train, others, width, numericFeatures(columns)) : undefined;
    return {
      task: params.task,
      input,
      featureShape: [width],
      outputSize: classes ? classes.names.length : 1,
      ...(classes ? { classNames: classes.names } : {}),
      featureColumns: columns,
      train: limitSplit(split.train, width, params.train_limit),
      ...(validationTable ? { validation: validationTable } : {}),
      test: limitSplit(split.test, width, params.test_limit),
      info: {
        path: main.file,
        ...(validation ? { validation_path: validation.file } : {}),
        features: features.map((i) => main.columns[i]).join(' '),
        ...(categorical.size > 0 ? { categorical: [...categorical].map((i) => main.columns[i]).join(' ') } : {}),
        target: main.columns[target],
        ...(classes ? { classes: classes.names.join(' ') } : {}),
      },
    };
  },
});
