// Results and history tables as the runner writes them, for the compare / merge / table-check tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareResults } from '../../src/results/compare.js';
import type { CompareOptions } from '../../src/results/compare-types.js';
import { HISTORY_COLUMNS_BEFORE, RESULT_COLUMNS_AFTER, RESULT_COLUMNS_BEFORE } from '../../src/results/writer.js';

export type Values = Record<string, string | number>;

export const METRICS = ['test_loss', 'test_accuracy'];
export const RESULTS_HEADER = [...RESULT_COLUMNS_BEFORE, ...METRICS, ...RESULT_COLUMNS_AFTER];
export const HISTORY_HEADER = [...HISTORY_COLUMNS_BEFORE, ...METRICS];
export const CELL = 'distillation.temperature=2';

const quote = (value: string | number | undefined): string => {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** One CSV line (with its newline) of `values` under `columns`. */
export const line = (columns: readonly string[], values: Values): string => `${columns.map((c) => quote(values[c])).join(',')}\n`;

/** One results row of run r1, experiment mnist, cell c1; `over` replaces fields. */
export function result(role: string, over: Values = {}): Values {
  const metrics: Record<string, [number, number]> = { teacher: [0.3, 0.95], student: [0.4, 0.9], person: [0.42, 0.89] };
  const [loss, accuracy] = metrics[role] ?? [0.5, 0.8];
  return {
    run_id: 'r1', experiment: 'mnist', cell_id: 'c1', cell: CELL, role, seed: 42, backend: 'wasm', params: 1000, epochs: 2,
    batch_size: 128, train_seconds: 1.5, train_samples_per_sec: 2000, test_loss: loss, test_accuracy: accuracy,
    distillation_gain: role === 'student' ? 0.01 : '', gain_metric: role === 'student' ? 'accuracy' : '', inference_ms_per_1000: 0.5,
    source: 'trained', status: 'ok', error: '', ...over,
  };
}

/** A whole table: the header line, then one line per row. */
export const table = (columns: readonly string[], rows: readonly Values[]): string => [`${columns.join(',')}\n`, ...rows.map((r) => line(columns, r))].join('');
export const results = (...rows: Values[]): string => table(RESULTS_HEADER, rows);
/** The teacher, student and person rows of one cell. */
export const roles = (over: Values = {}): Values[] => ['teacher', 'student', 'person'].map((role) => result(role, over));
/** `epochs` history rows of the teacher of cell c1. */
export const history = (over: Values, epochs: number): Values[] =>
  Array.from({ length: epochs }, (_, i) => ({ run_id: 'r1', cell_id: 'c1', role: 'teacher', epoch: i + 1, train_loss: 1 / (i + 1), seconds: 0.5, samples_per_sec: 900, test_loss: 0.3, test_accuracy: 0.9 + i / 100, ...over }));
/** A complete run of one cell: the baseline most cases start from. */
export const BASELINE = results(...roles());

/** Which way the fixtures' metrics are better: lower loss, higher accuracy. */
export const higherIsBetter = (metric: string): boolean | undefined => (metric === 'loss' ? false : metric === 'accuracy' ? true : undefined);

/** Compares table text `b` against `a`, written as a.csv and b.csv in a fresh directory (messages show the base names). */
export function compareTexts(a: string, b: string, options: Partial<CompareOptions> = {}) {
  const where = mkdtempSync(path.join(os.tmpdir(), 'distil-compare-'));
  writeFileSync(path.join(where, 'a.csv'), a);
  writeFileSync(path.join(where, 'b.csv'), b);
  const cwd = process.cwd();
  process.chdir(where);
  try {
    return compareResults('a.csv', 'b.csv', { higherIsBetter, ...options });
  } finally {
    process.chdir(cwd);
  }
}
