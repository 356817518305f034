// `distil-run best`: the winning cell per role of a run by one metric, from its summary (means over seeds).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorInvalidArgument, errorNotARunDirectory, errorTableMismatch, errorUnknownMetric } from '../errors/index.js';
import { didYouMean, ROLES } from '../shared/index.js';
import type { Row } from './rows.js';
import { summarizeTable } from './summary.js';
import { readTable } from './table-check.js';
import { formatTable } from './table.js';

export interface BestOptions {
  /** A metric column (`test_accuracy`, `val_loss`) or a metric name (`accuracy`, taken as `test_accuracy`). @default the first test metric that is not the loss */
  readonly metric?: string;
  /** Only this role. @default every role */
  readonly role?: string;
  /** Orientation of a metric name (without `test_` / `val_`): true when higher is better; undefined is taken as true. */
  readonly higherIsBetter: (metric: string) => boolean | undefined;
}

/** One role's winning cell. */
export interface Winner {
  readonly role: string;
  readonly row: Row;
  readonly mean: number;
  readonly ci95?: number;
}

export interface Best {
  /** The metric column the cells were ranked by, e.g. `test_accuracy`. */
  readonly metric: string;
  readonly winners: readonly Winner[];
  /** The table of winners: data, for stdout. */
  readonly text: string;
  /** Where the means came from and how they were ranked: diagnostics, for stderr. */
  readonly notes: readonly string[];
}

/** The summary rows of a run directory: summary.csv, or made from results.csv when the summary lacks `metric`. */
function loadSummary(dir: string, metric: string | undefined): { rows: Row[]; columns: string[]; file: string } {
  if (!existsSync(dir)) throw errorNotARunDirectory(dir, 'no such run directory', 'a run writes results/<experiment>/<run-id>/');
  if (!statSync(dir).isDirectory()) throw errorNotARunDirectory(dir, 'is a file, not a run directory', 'pass the directory that holds results.csv');
  const [summaryFile, resultsFile] = [path.join(dir, 'summary.csv'), path.join(dir, 'results.csv')];
  if (existsSync(summaryFile)) {
    const table = readTable(summaryFile);
    const wanted = metric === undefined || table.columns.includes(`${metric}_mean`);
    if (table.kind === 'summary' && (wanted || !existsSync(resultsFile))) return { rows: table.rows.map((r) => typedRow(r.record)), columns: [...table.columns], file: summaryFile };
  }
  if (!existsSync(resultsFile)) {
    const shards = readdirSync(dir).filter((name) => /^shard-\d+-of-\d+$/.test(name));
    const hint = shards.length > 0
      ? `a sharded run keeps its tables in ${shards[0]}/...: pass a shard directory, or merge the shards' results.csv and run distil-run summarize on the merged table`
      : 'pass the directory of one run: results/<experiment>/<run-id>/';
    throw errorNotARunDirectory(dir, 'holds no summary.csv or results.csv', hint);
  }
  const table = readTable(resultsFile);
  // A history or summary table copied over results.csv would summarize to no rows and an empty table of winners.
  if (table.kind !== 'results') throw errorTableMismatch(`${resultsFile}: is a ${table.kind} table, not a results table`, "best reads the results.csv a run writes: restore the run's own table there");
  const { columns, rows } = summarizeTable(table);
  return { rows, columns, file: resultsFile };
}

/** A summary.csv record with its numbers as numbers. */
function typedRow(record: Record<string, string>): Row {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v !== '' && Number.isFinite(Number(v)) && !['cell', 'cell_id', 'role'].includes(k) ? Number(v) : v]));
}

/** The metric column `--metric` names, checked against the summary's `<column>_mean` columns. */
function metricColumn(requested: string | undefined, columns: readonly string[], file: string): string {
  const available = columns.filter((c) => /^(test|val)_.+_mean$/.test(c)).map((c) => c.slice(0, -5));
  if (requested === undefined) {
    const first = available.find((c) => c.startsWith('test_') && c !== 'test_loss') ?? available[0];
    if (first === undefined) throw errorUnknownMetric('(default)', file, available, undefined);
    return first;
  }
  const column = /^(test|val)_/.test(requested) ? requested : `test_${requested}`;
  if (!available.includes(column)) throw errorUnknownMetric(requested, file, available, didYouMean(column, available));
  return column;
}

/**
 * The best cell per role of a run directory by `metric` (its mean over seeds; the metric's orientation
 * decides: highest accuracy, lowest loss). Ties go to the cell listed first.
 * @throws DistilError NOT_A_RUN_DIRECTORY, UNKNOWN_METRIC, INVALID_ARGUMENT (--role), INVALID_TABLE, TABLE_MISMATCH (results.csv of another kind).
 */
export function findBest(dir: string, options: BestOptions): Best {
  if (options.role !== undefined && !(ROLES as readonly string[]).includes(options.role)) {
    throw errorInvalidArgument('--role', `expected one of ${ROLES.join(', ')}, got "${options.role}"`);
  }
  const requested = options.metric === undefined || /^(test|val)_/.test(options.metric) ? options.metric : `test_${options.metric}`;
  const { rows, columns, file } = loadSummary(dir, requested);
  const metric = metricColumn(options.metric, columns, file);
  const name = metric.replace(/^(test|val)_/, '');
  const orientation = options.higherIsBetter(name);
  const better = (a: number, b: number) => (orientation === false ? a < b : a > b);
  const winners: Winner[] = [];
  for (const role of ROLES.filter((r) => options.role === undefined || r === options.role)) {
    for (const row of rows.filter((r) => r.role === role)) {
      const mean = row[`${metric}_mean`];
      if (typeof mean !== 'number') continue;
      const known = winners.find((w) => w.role === role);
      const ci = row[`${metric}_ci95`];
      const candidate = { role, row, mean, ...(typeof ci === 'number' ? { ci95: ci } : {}) };
      if (!known) winners.push(candidate);
      else if (better(mean, known.mean)) winners.splice(winners.indexOf(known), 1, candidate);
    }
  }
  const headers = ['role', 'cell_id', 'cell', metric, 'n'];
  const text = formatTable(headers, winners.map((w) => [w.role, String(w.row.cell_id), String(w.row.cell ?? '') || '-', w.ci95 === undefined ? w.mean : `${w.mean} ± ${w.ci95}`, w.row.n as number]));
  const cells = new Set(rows.map((r) => r.cell_id)).size;
  const notes = [
    `best by ${metric} (${orientation === false ? 'lower' : 'higher'} is better) among ${cells} cell(s): mean over the ok seeds (± 95% interval) from ${file}`,
    ...(orientation === undefined ? [`metric "${name}" is not a registered metric: higher is taken as better`] : []),
    ...ROLES.filter((r) => (options.role === undefined || r === options.role) && !winners.some((w) => w.role === r) && rows.some((row) => row.role === r)).map((r) => `${r}: no cell has an ok ${metric}`),
  ];
  return { metric, winners, text, notes };
}
