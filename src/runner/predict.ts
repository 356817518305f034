// `predict`: a saved model's prediction for each row of a CSV of raw inputs, scaled as its training data was.
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { parseDecimal, readDataFile } from '../data/index.js';
import { errorInputFile, errorInvalidArgument } from '../errors/index.js';
import { loadSavedModel } from '../results/index.js';
import { parseCsvText } from '../shared/index.js';
import type { Task } from '../shared/index.js';
import { predictInBatches } from './model.js';

export interface Prediction {
  /** The predictions as CSV: `line, class, p_<k>...` (classification) or `line, value` (regression). */
  readonly csv: string;
  readonly rows: number;
}

/**
 * Predicts each row of a CSV of inputs (features in the order the model was trained on, with or without
 * a header line; the dataset's own scaling is applied when the model records it).
 * @throws DistilError (exit 2) for a missing file, a row of the wrong width or a cell that is not a number, at its line and column.
 */
export async function predictSavedModel(target: string, input: string): Promise<Prediction> {
  const { model, files } = await loadSavedModel(target);
  try {
    const features = model.inputs[0].shape.slice(1).reduce((a: number, b) => a * (b ?? 1), 1);
    const x = readInputs(input, features);
    const task: Task = files.info?.task ?? (model.outputs[0].shape[1] === 1 ? 'regression' : 'classification');
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
    const classes = values[0]?.length ?? 0;
    const header =
      task === 'classification'
        ? ['line', 'class', ...Array.from({ length: classes }, (_, k) => `p_${k}`)]
        : ['line', 'value'];
    const body = values.map((row, i) => {
      const cells =
        task === 'classification'
          ? [row.indexOf(Math.max(...row)), ...row.map((p) => Number(p.toPrecision(6)))]
          : [Number(row[0].toPrecision(7))];
      return [x.lines[i], ...cells].join(',');
    });
    return { csv: `${[header.join(','), ...body].join('\n')}\n`, rows: values.length };
  } finally {
    model.dispose();
  }
}

/** The numeric rows of an input CSV, a header line skipped when its cells are not numbers. */
function readInputs(file: string, features: number): { values: Float32Array; lines: number[] } {
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
  const fail = (at: { line?: number; col?: number }, problem: string, hint: string) =>
    errorInputFile({ file, ...at }, problem, hint);
  if (parsed.unclosedQuote) {
    throw fail(parsed.unclosedQuote, 'a quoted cell starts here and is never closed', 'add the closing quote');
  }
  const rows = parsed.rows.filter((row) => !(row.cells.length === 1 && row.cells[0].trim() === ''));
  const isHeader = rows.length > 0 && rows[0].cells.some((cell) => !Number.isFinite(parseDecimal(cell.trim())));
  const data = isHeader ? rows.slice(1) : rows;
  if (data.length === 0) {
    throw fail(
      {},
      isHeader ? 'the file has a header line but no rows to predict' : 'the file has no rows to predict',
      `write one row of ${features} feature values per line`,
    );
  }
  const values = new Float32Array(data.length * features);
  data.forEach((row, i) => {
    if (row.cells.length !== features) {
      throw fail(
        { line: row.line, col: 1 },
        `row has ${row.cells.length} values, the model takes ${features} features`,
        'give the features in the order the model was trained on, one row per line',
      );
    }
    row.cells.forEach((cell, j) => {
      const value = parseDecimal(cell.trim());
      if (!Number.isFinite(value)) {
        throw fail(
          { line: row.lines[j], col: row.cols[j] },
          cell.trim() === '' ? 'empty cell' : `"${cell.trim()}" is not a number`,
          'every feature value must be a number',
        );
      }
      values[i * features + j] = value;
    });
  });
  return { values, lines: data.map((row) => row.line) };
}
