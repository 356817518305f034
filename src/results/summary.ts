// summary.csv: per cell and role over seeds, each metric's mean, std and 95% interval, and the paired distillation gain.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createObjectCsvStringifier } from 'csv-writer';
import { DistilError, warningSummaryNotWritten } from '../errors/index.js';
import type { DistilWarning } from '../errors/index.js';
import { writeFileAtomic } from '../shared/index.js';
import { ci95, mean, pairedTTest, sampleStd } from '../shared/index.js';
import type { CsvRecord } from './csv.js';
import { round } from './rows.js';
import type { Row } from './rows.js';
import type { CheckedTable } from './table-check.js';
import { readTable } from './table-check.js';

/** The gain columns of a student row (empty on teacher and person rows). */
export const GAIN_COLUMNS = ['gain_n', 'gain_mean', 'gain_std', 'gain_ci95', 'gain_p', 'gain_metric'] as const;

/** What a summary is made of: the results rows, the grid's axis columns and the metric columns to average. */
export interface SummaryInput {
  readonly records: readonly CsvRecord[];
  /** Axis columns of the results table (`distillation.temperature`...), copied per cell. */
  readonly axes: readonly string[];
  /** Metric columns of the results table, with their prefix: `test_accuracy`, `val_loss`... */
  readonly metrics: readonly string[];
}

/** The columns of summary.csv for these axes and metric columns. */
export function summaryColumns(axes: readonly string[], metrics: readonly string[]): string[] {
  const stats = metrics.flatMap((m) => [`${m}_mean`, `${m}_std`, `${m}_ci95`]);
  return ['cell_id', ...axes, 'cell', 'role', 'n', ...stats, ...GAIN_COLUMNS];
}

/** The axis and metric columns of a results table: the axes sit between `cell` and `role`; metrics are `test_` and `val_` columns. */
export function resultsShape(columns: readonly string[]): { axes: string[]; metrics: string[] } {
  const [cell, role] = [columns.indexOf('cell'), columns.indexOf('role')];
  const axes = cell >= 0 && role > cell ? columns.slice(cell + 1, role) : [];
  return { axes, metrics: columns.filter((c) => /^(test|val)_./.test(c)) };
}

/** A number as the table wrote it, as a number; anything else stays text (a JSON list, a name). */
function typed(value: string | undefined): string | number {
  if (value === undefined || value.trim() === '') return '';
  const number = Number(value);
  return Number.isFinite(number) && String(number) === value ? number : value;
}

const finite = (values: ReadonlyArray<string | undefined>): number[] =>
  values.filter((v) => v !== undefined && v !== '').map(Number).filter(Number.isFinite);

/** `{prefix}_mean`, `_std` and `_ci95` of some values; empty where there are too few. */
function statColumns(prefix: string, values: readonly number[]): Row {
  const m = mean(values);
  const std = sampleStd(values);
  const ci = ci95(values);
  return {
    [`${prefix}_mean`]: m === undefined ? '' : round(m),
    [`${prefix}_std`]: std === undefined ? '' : round(std),
    [`${prefix}_ci95`]: ci === undefined ? '' : round(ci),
  };
}

/**
 * The paired gain of a cell's student rows: one value per seed whose student AND person are both `ok`
 * (the student row's `distillation_gain`, student − person signed so positive = distillation helped).
 * A seed where either failed is left out of the pairs, so gain_n may be smaller than n.
 */
function gainColumns(students: readonly CsvRecord[], persons: ReadonlyMap<string, CsvRecord>): Row {
  const paired = students.filter((s) => s.status === 'ok' && persons.get(s.seed)?.status === 'ok' && finite([s.distillation_gain]).length === 1);
  const gains = paired.map((s) => Number(s.distillation_gain));
  const test = pairedTTest(gains);
  return {
    gain_n: gains.length,
    ...statColumns('gain', gains),
    gain_p: test === undefined ? '' : round(test.p, 4),
    gain_metric: paired.find((s) => s.gain_metric)?.gain_metric ?? '',
  };
}

/** The rows of one cell by role and seed, in the order the roles first appear; a later row for the same seed replaces an earlier one. */
function groupBy(records: readonly CsvRecord[]): Map<string, Map<string, Map<string, CsvRecord>>> {
  const cells = new Map<string, Map<string, Map<string, CsvRecord>>>();
  for (const record of records) {
    const roles = cells.get(record.cell_id) ?? new Map<string, Map<string, CsvRecord>>();
    const seeds = roles.get(record.role) ?? new Map<string, CsvRecord>();
    seeds.set(record.seed ?? '', record);
    roles.set(record.role, seeds);
    cells.set(record.cell_id, roles);
  }
  return cells;
}

/**
 * The summary rows of a results table: one per cell and role, in table order. Only `ok` rows count: `n`
 * is their number, and each metric's mean, sample std and 95% interval half-width (t(0.975, n−1) · std /
 * √n) are over them; std and interval are empty for n < 2. Student rows add the gain over the seeds
 * where student and person are both ok, with a two-sided paired t-test's p (empty for fewer than 2 pairs).
 */
export function summarizeResults(input: SummaryInput): Row[] {
  const rows: Row[] = [];
  for (const [cellId, roles] of groupBy(input.records)) {
    const persons = roles.get('person') ?? new Map<string, CsvRecord>();
    for (const [role, seeds] of roles) {
      const all = [...seeds.values()];
      const ok = all.filter((r) => r.status === 'ok');
      const axes = Object.fromEntries(input.axes.map((axis) => [axis, typed(all[0][axis])]));
      const stats = input.metrics.map((m) => statColumns(m, finite(ok.map((r) => r[m]))));
      const gain = role === 'student' ? gainColumns(all, persons) : {};
      rows.push(Object.assign({ cell_id: cellId, ...axes, cell: all[0].cell, role, n: ok.length }, ...stats, gain));
    }
  }
  return rows;
}

/** The summary of a checked results table. */
export function summarizeTable(table: CheckedTable): { columns: string[]; rows: Row[] } {
  const { axes, metrics } = resultsShape(table.columns);
  return { columns: summaryColumns(axes, metrics), rows: summarizeResults({ records: table.rows.map((r) => r.record), axes, metrics }) };
}

/** The summary as CSV text: the header, then one line per row. */
export function summaryCsv(columns: readonly string[], rows: readonly Row[]): string {
  const stringifier = createObjectCsvStringifier({ header: columns.map((id) => ({ id, title: id })) });
  // The stringifier renders no records as an empty line, which would read back as a row.
  return stringifier.getHeaderString() + (rows.length > 0 ? stringifier.stringifyRecords([...rows]) : '');
}

/**
 * Writes `<dir>/summary.csv` from `<dir>/results.csv` (atomically) and returns its rows. A summary that
 * cannot be made is reported through `warn` and gives no rows: results.csv stays the record of the run.
 */
export function writeRunSummary(dir: string, warn: (warning: DistilWarning) => void): Row[] {
  const results = path.join(dir, 'results.csv');
  const file = path.join(dir, 'summary.csv');
  if (!existsSync(results)) return [];
  const reason = (error: unknown) => (error instanceof DistilError ? error.message : ((error as NodeJS.ErrnoException).code ?? (error as Error).message));
  let summary: { columns: string[]; rows: Row[] };
  try {
    summary = summarizeTable(readTable(results));
  } catch (error) {
    // results.csv itself is cut short or damaged: the warning must not call it complete.
    warn(warningSummaryNotWritten(file, reason(error), results, 'results'));
    return [];
  }
  try {
    writeFileAtomic(file, summaryCsv(summary.columns, summary.rows));
    return summary.rows;
  } catch (error) {
    warn(warningSummaryNotWritten(file, reason(error), results, 'summary'));
    return [];
  }
}
