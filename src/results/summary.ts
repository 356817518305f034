// summary.csv: per cell and role over seeds, each metric's mean, std and 95% interval, and the paired distillation gain.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createObjectCsvStringifier } from 'csv-writer';
import { DistilError, errorInvalidTable, warningSummaryNotWritten } from '../errors/index.js';
import type { DistilWarning } from '../errors/index.js';
import { writeFileAtomic } from '../shared/index.js';
import { pairedTTest } from '../shared/index.js';
import type { CsvRecord } from './csv.js';
import { round } from './rows.js';
import type { Row } from './rows.js';
import { componentLabels, METHOD_AXIS, rankMethods, VS_KD_COLUMNS } from './method-ranking.js';
import type { Orientation } from './method-ranking.js';
import { finite, statColumns } from './stat-columns.js';
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
  /**
   * Which way a metric (its column without `test_`, e.g. `accuracy`) is better, for the comparison with kd
   * (the registry's `higherIsBetter`). Undefined, or a metric it does not know, is taken as higher.
   */
  readonly higherIsBetter?: Orientation;
}

/** What a summary holds besides its axes and metrics: readable labels of component axes, the comparison with kd. */
export interface SummaryExtras {
  /** Axes holding whole components: each gets a `<axis>_label` column after `cell`. */
  readonly labelled?: readonly string[];
  /** True with a `distillation` axis: student rows get the {@link VS_KD_COLUMNS}. */
  readonly ranked?: boolean;
}

/** The readable label column of a component axis: `distillation_label`. */
export const labelColumn = (axis: string): string => `${axis}_label`;

/** The columns of summary.csv for these axes and metric columns. */
export function summaryColumns(axes: readonly string[], metrics: readonly string[], extras: SummaryExtras = {}): string[] {
  const stats = metrics.flatMap((m) => [`${m}_mean`, `${m}_std`, `${m}_ci95`]);
  const labels = (extras.labelled ?? []).map(labelColumn);
  return ['cell_id', ...axes, 'cell', ...labels, 'role', 'n', ...stats, ...GAIN_COLUMNS, ...(extras.ranked ? VS_KD_COLUMNS : [])];
}

/** The extras a summary of these records has: the component axes (whose label column is no other column) and the ranking. */
export function summaryExtras(input: SummaryInput): Required<SummaryExtras> {
  const taken = new Set([...input.axes, ...input.metrics]);
  const labelled = [...componentLabels(input.records, input.axes).keys()].filter((axis) => !taken.has(labelColumn(axis)));
  return { labelled, ranked: input.axes.includes(METHOD_AXIS) };
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
 * An axis of whole components adds its readable label (`<axis>_label`); a `distillation` axis adds, on
 * student rows, the comparison with kd (see {@link rankMethods}; empty where it does not apply).
 */
export function summarizeResults(input: SummaryInput): Row[] {
  const cells = groupBy(input.records);
  const { labelled, ranked } = summaryExtras(input);
  const labels = componentLabels(input.records, labelled);
  const orientation = input.higherIsBetter ?? (() => undefined);
  const ranking = ranked ? rankMethods(cells, input.records, input.axes, input.metrics, orientation) : undefined;
  const noRanking = Object.fromEntries(VS_KD_COLUMNS.map((c) => [c, '']));
  const rows: Row[] = [];
  for (const [cellId, roles] of cells) {
    const persons = roles.get('person') ?? new Map<string, CsvRecord>();
    for (const [role, seeds] of roles) {
      const all = [...seeds.values()];
      const ok = all.filter((r) => r.status === 'ok');
      const axes = Object.fromEntries(input.axes.map((axis) => [axis, typed(all[0][axis])]));
      const readable = Object.fromEntries(labelled.map((axis) => [labelColumn(axis), labels.get(axis)?.get(all[0][axis] ?? '') ?? '']));
      const stats = input.metrics.map((m) => statColumns(m, finite(ok.map((r) => r[m]))));
      const gain = role === 'student' ? gainColumns(all, persons) : {};
      const versus = ranking && role === 'student' ? (ranking.get(cellId) ?? noRanking) : {};
      rows.push(Object.assign({ cell_id: cellId, ...axes, cell: all[0].cell, ...readable, role, n: ok.length }, ...stats, gain, versus));
    }
  }
  return rows;
}

/**
 * Refuses an `ok` row with a metric that is not a number: a run fails a role whose metric is NaN or infinite
 * rather than write it, so the table is damaged or was edited, and a mean over the other seeds would be
 * printed beside an n that counts this one.
 * @throws DistilError INVALID_TABLE at the row's line.
 */
function assertOkMetricsFinite(table: CheckedTable, metrics: readonly string[]): void {
  for (const { record, line } of table.rows) {
    if (record.status !== 'ok') continue;
    const bad = metrics.find((m) => record[m] !== undefined && record[m] !== '' && !Number.isFinite(Number(record[m])));
    if (bad === undefined) continue;
    throw errorInvalidTable(
      table.file,
      line,
      `the ${record.role} row has status ok but ${bad} ${JSON.stringify(record[bad])}, not a number`,
      'a run writes such a metric only on a failed row, so the file is damaged or was edited: re-run the run, or correct the line',
    );
  }
}

/** The summary of a checked results table; `higherIsBetter` orients the comparison with kd (see {@link SummaryInput}). */
export function summarizeTable(table: CheckedTable, options: Pick<SummaryInput, 'higherIsBetter'> = {}): { columns: string[]; rows: Row[] } {
  const { axes, metrics } = resultsShape(table.columns);
  assertOkMetricsFinite(table, metrics);
  const input: SummaryInput = { records: table.rows.map((r) => r.record), axes, metrics, higherIsBetter: options.higherIsBetter };
  return { columns: summaryColumns(axes, metrics, summaryExtras(input)), rows: summarizeResults(input) };
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
 * `higherIsBetter` orients the comparison with kd (see {@link SummaryInput}).
 */
export function writeRunSummary(dir: string, warn: (warning: DistilWarning) => void, options: Pick<SummaryInput, 'higherIsBetter'> = {}): Row[] {
  const results = path.join(dir, 'results.csv');
  const file = path.join(dir, 'summary.csv');
  if (!existsSync(results)) return [];
  const reason = (error: unknown) => (error instanceof DistilError ? error.message : ((error as NodeJS.ErrnoException).code ?? (error as Error).message));
  let summary: { columns: string[]; rows: Row[] };
  try {
    summary = summarizeTable(readTable(results), options);
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
