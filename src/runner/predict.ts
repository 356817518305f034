// `predict`: a saved model's prediction for each row of a CSV of raw inputs, scaled as its training data was.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readInputRows } from '../data/index.js';
import { errorInvalidArgument, errorSavedModel, warningClassNamesUnknown } from '../errors/index.js';
import type { DistilWarning } from '../errors/index.js';
import { loadSavedModel, MODEL_FILE } from '../results/index.js';
import type { SavedModelFiles } from '../results/index.js';
import type { Task } from '../shared/index.js';
import { predictInBatches } from './model.js';

export interface PredictOptions {
  /** Add each class's probability (`p_<class name>`) to a classifier's rows. @default false */
  readonly probabilities?: boolean;
}

export interface Prediction {
  /**
   * The predictions as CSV: `line, class_index, class` (and `p_<class>` per class with `probabilities`) for a
   * classifier, `line, value` for a regressor.
   */
  readonly csv: string;
  readonly rows: number;
  /** What is worth saying on the way (a classifier saved without its class names). */
  readonly warnings: readonly DistilWarning[];
}

/**
 * Predicts each row of a CSV of inputs: columns taken by header name when the model records its feature
 * columns (any order, other columns ignored), else in the order it was trained on; categories one-hot encoded
 * and the dataset's own scaling applied as the training did.
 * @throws DistilError (exit 2) for `probabilities` on a regressor, a missing file or feature column, a row of the wrong width, a cell that is not
 * a number or a category the model does not know, at its line and column.
 */
export async function predictSavedModel(
  target: string,
  input: string,
  options: PredictOptions = {},
): Promise<Prediction> {
  const { model, files } = await loadSavedModel(target);
  try {
    const features = model.inputs[0].shape.slice(1).reduce((a: number, b) => a * (b ?? 1), 1);
    const columns = savedColumns(files, features);
    const x = readInputRows(input, { features, columns });
    const task: Task = files.info?.task ?? (model.outputs[0].shape[1] === 1 ? 'regression' : 'classification');
    if (task === 'regression' && options.probabilities) {
      throw errorInvalidArgument('--probabilities', `${files.dir} is a regressor: it predicts values, not classes`);
    }
    const scaling = files.info?.input;
    if (scaling) {
      for (let i = 0; i < x.values.length; i++) {
        x.values[i] = (x.values[i] - scaling.shift[i % features]) * scaling.scale[i % features];
      }
    }
    const inputs = tf.tensor2d(x.values, [x.lines.length, features]);
    const outputs = tf.tidy(() => {
      const raw = predictInBatches(model, inputs, 1024);
      return task === 'classification' ? tf.softmax(raw) : raw;
    });
    const values = outputs.arraySync() as number[][];
    tf.dispose([inputs, outputs]);
    if (task === 'regression') {
      const body = values.map((row, i) => `${x.lines[i]},${Number(row[0].toPrecision(7))}`);
      return { csv: `${['line,value', ...body].join('\n')}\n`, rows: values.length, warnings: [] };
    }
    const classes = values[0]?.length ?? 0;
    const known = savedClassNames(files, classes);
    const names = known ?? Array.from({ length: classes }, (_, k) => String(k));
    const csv = classificationCsv(values, x.lines, names, options.probabilities === true);
    const warnings = known ? [] : [warningClassNamesUnknown(files.dir)];
    return { csv, rows: values.length, warnings };
  } finally {
    model.dispose();
  }
}

/**
 * The feature columns the model records, when they make as many features as it takes.
 * @throws DistilError SAVED_MODEL_ERROR for a record that does not fit the model (a damaged or edited model.json).
 */
function savedColumns(files: SavedModelFiles, features: number) {
  const columns = files.info?.featureColumns;
  if (!columns) return undefined;
  const width = columns.reduce((sum, column) => sum + (column.categories?.length ?? 1), 0);
  if (width === features) return columns;
  throw errorSavedModel(
    path.join(files.dir, MODEL_FILE),
    `its feature columns make ${width} features, the model takes ${features}`,
    'the file may be damaged or edited; save the model again',
  );
}

/**
 * The class names the model records, when it names each of its classes.
 * @throws DistilError SAVED_MODEL_ERROR for a record that does not fit the model (a damaged or edited model.json).
 */
function savedClassNames(files: SavedModelFiles, classes: number): readonly string[] | undefined {
  const names = files.info?.classNames;
  if (!names || names.length === classes) return names;
  throw errorSavedModel(
    path.join(files.dir, MODEL_FILE),
    `it records ${names.length} class names, the model gives ${classes} classes`,
    'the file may be damaged or edited; save the model again',
  );
}

/** `line, class_index, class` per row (with `p_<class>` per class when asked), the class with the highest probability. */
function classificationCsv(
  values: number[][],
  lines: number[],
  names: readonly string[],
  probabilities: boolean,
): string {
  const header = ['line', 'class_index', 'class', ...(probabilities ? names.map((name) => `p_${name}`) : [])];
  const body = values.map((row, i) => {
    const k = row.indexOf(Math.max(...row));
    const p = probabilities ? row.map((value) => Number(value.toPrecision(6))) : [];
    return [lines[i], k, csvCell(names[k]), ...p].join(',');
  });
  return `${[header.map(csvCell).join(','), ...body].join('\n')}\n`;
}

/** A CSV cell, quoted when it holds a comma, a quote or a line break (a class name may). */
function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
