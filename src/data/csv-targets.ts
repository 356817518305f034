// The target column of a CSV dataset: labels to class indices for classification, with the checks that
// make a classifier or a regressor meaningful (two classes at least, no test- or validation-only class, a varying target).
import { errorDataFile } from '../errors/index.js';
import { cellLocation, cellText, parseDecimal } from './csv-table.js';
import type { CsvTable } from './csv-table.js';

/** The files besides the training file whose labels must be classes of the training file. */
export interface CsvOtherTables {
  readonly test?: CsvTable;
  readonly validation?: CsvTable;
}

/** Class indices of every row of each table, and the class names in index order. */
export interface CsvClasses {
  readonly names: readonly string[];
  readonly main: Int32Array;
  readonly test?: Int32Array;
  readonly validation?: Int32Array;
}

const isNumeric = (label: string) => Number.isFinite(parseDecimal(label));

/**
 * Each row's label; "1" and "1.0" are the same class when every label is a number.
 * @throws DistilError at an empty label.
 */
export function rowLabels(table: CsvTable, target: number): string[] {
  return table.rows.map((_, row) => {
    const label = cellText(table, row, target);
    if (label === '') {
      throw errorDataFile(
        table.dataset,
        cellLocation(table, row, target),
        'empty label',
        'fill it in or remove the row',
      );
    }
    return label;
  });
}

/**
 * Maps the labels of the training file (and of a test and a validation file) to classes 0..k-1: numeric
 * labels in numeric order, others in text order. The classes are those of the training file.
 * @throws DistilError when the training file has a single class, or another file a class the training file lacks.
 */
export function resolveClasses(main: CsvTable, others: CsvOtherTables, target: number): CsvClasses {
  const files = (['test', 'validation'] as const).flatMap((key) => (others[key] ? [{ key, table: others[key] }] : []));
  const raw = [rowLabels(main, target), ...files.map(({ table }) => rowLabels(table, target))];
  const numeric = raw.every((labels) => labels.every(isNumeric));
  const [mainLabels, ...otherLabels] = numeric ? raw.map((labels) => labels.map((l) => String(Number(l)))) : raw;
  const names = [...new Set(mainLabels)].sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  if (names.length < 2) {
    throw errorDataFile(
      main.dataset,
      { file: main.file, column: main.columns[target] },
      `found only class "${names[0]}" in ${main.rows.length} rows; a classifier needs at least 2 classes`,
      'check dataset.target, or use task: regression for a numeric target',
    );
  }
  const index = new Map(names.map((name, i) => [name, i]));
  files.forEach(({ table }, i) => {
    const unseen = otherLabels[i].findIndex((label) => !index.has(label));
    if (unseen < 0) return;
    throw errorDataFile(
      table.dataset,
      cellLocation(table, unseen, target),
      `class "${otherLabels[i][unseen]}" never occurs in the training file ${main.file}; a classifier cannot learn it`,
      'fix the label, or add training rows of this class',
    );
  });
  const indices = (labels: string[]) => Int32Array.from(labels, (label) => index.get(label) as number);
  return {
    names,
    main: indices(mainLabels),
    ...Object.fromEntries(files.map(({ key }, i) => [key, indices(otherLabels[i])])),
  };
}

/**
 * Checks that a seeded split left every class of the test split in the training split too.
 * @throws DistilError at the first test row (in file order) whose class the training split lacks.
 */
export function assertSplitClasses(
  table: CsvTable,
  target: number,
  classes: Int32Array,
  testRows: ArrayLike<number>,
  split: { testFraction: number; seed: number },
): void {
  const inTest = new Uint8Array(classes.length);
  for (let i = 0; i < testRows.length; i++) inTest[testRows[i]] = 1;
  const trained = new Set<number>();
  classes.forEach((c, row) => {
    if (!inTest[row]) trained.add(c);
  });
  const row = classes.findIndex((c, r) => inTest[r] === 1 && !trained.has(c));
  if (row < 0) return;
  throw errorDataFile(
    table.dataset,
    cellLocation(table, row, target),
    `class "${cellText(table, row, target)}" falls only in the test split (test_fraction ${split.testFraction}, split_seed ${split.seed}); a classifier cannot learn it`,
    'add rows of this class, or change split_seed',
  );
}

/**
 * Checks that a regression target is not the same number in every row (nothing to learn, and R² undefined).
 * @throws DistilError naming the file and the column.
 */
export function assertTargetVaries(table: CsvTable, target: number, values: ArrayLike<number>): void {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return;
  throw errorDataFile(
    table.dataset,
    { file: table.file, column: table.columns[target] },
    `every value is ${cellText(table, 0, target)}; a regressor needs a target that varies`,
    'check dataset.target',
  );
}
