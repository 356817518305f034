// Compares two results tables row by row (cell, role), or paired by seed, and flags regressions: worse metrics, and results lost in b.
import { errorTableMismatch, formatWarning, warningResultsLost } from '../errors/index.js';
import type { CsvRecord } from './csv.js';
import type { CheckedTable } from './table-check.js';
import { distinctValues, readTable } from './table-check.js';
import { formatSigned } from '../shared/index.js';
import { formatTable } from './table.js';
import { pairedComparison } from './compare-paired.js';
import { commonMetrics, errorText, keyedRows, quoted, rowName, tableMetrics } from './compare-rows.js';
import type { KeyedRow } from './compare-rows.js';
import { foldShared, modelGroupsOf, shownCell } from './compare-shared.js';
import { compareSummaries, SUMMARIES_UNPAIRED, summaryOfResults } from './compare-summary.js';
import { resolveCompareInputs } from './compare-inputs.js';
import type { Thresholds } from './compare-thresholds.js';
import type { CompareOptions, Comparison, LostResult, MetricChange, MetricDelta, RowKey } from './compare-types.js';
import { assertNamedMetrics, assertOriented, checkOf, checkText, describeLimits, isGated, limitFor, resolveThresholds } from './compare-thresholds.js';

/** Refuses tables that cannot be compared: history or confusion tables, empty tables, different experiments. */
function assertComparable(a: CheckedTable, b: CheckedTable, allowDifferentExperiments: boolean): void {
  for (const table of [a, b]) {
    if (table.kind !== 'results') throw errorTableMismatch(`${table.file}: is a ${table.kind} table, not a results table`, 'compare takes the results.csv of two runs');
    if (table.rows.length === 0) {
      throw errorTableMismatch(`${table.file}: no rows to compare`, 'the table has only its header: the run or shard had no cells, or nothing finished');
    }
  }
  if (!allowDifferentExperiments) assertSameExperiments(a, b);
}

/** Refuses two results tables whose experiment columns differ. */
function assertSameExperiments(a: CheckedTable, b: CheckedTable): void {
  const [ea, eb] = [a, b].map((table) => distinctValues(table, 'experiment').sort());
  if (ea.join('\0') !== eb.join('\0')) {
    throw errorTableMismatch(`cannot compare different experiments: ${a.file} is ${quoted(ea)}, ${b.file} is ${quoted(eb)}`, 'pass --allow-different-experiments to compare them anyway');
  }
}

/** The cell of a spec without a grid, whose cell column is empty. */
const NO_GRID_CELL = 'the one cell of a spec without a grid';

/** Says which of cell, seed and role keeps two tables from having a row in common. */
function noOverlap(a: CheckedTable, b: CheckedTable, withSeed: boolean): Error {
  const columns = withSeed ? ['cell', 'seed', 'role'] : ['cell', 'role'];
  const names = withSeed ? 'cell, seed and role' : 'cell and role';
  const column = columns.find((c) => !distinctValues(a, c).some((v) => distinctValues(b, c).includes(v))) ?? 'cell';
  // An empty cell is no missing value: it is the one cell of a run without a grid, and said so.
  const describe = (table: CheckedTable, named: boolean): string => {
    const values = distinctValues(table, column);
    if (column === 'cell' && values.length === 1 && values[0] === '') return NO_GRID_CELL;
    const shown = column === 'cell' ? quoted(values.filter((v) => v !== ''), values.includes('') ? [NO_GRID_CELL] : []) : quoted(values);
    return named ? `${column}(s) ${shown}` : shown;
  };
  const first = describe(a, true);
  const why = `${a.file} has ${first}; ${b.file} has ${describe(b, first === NO_GRID_CELL)}`;
  return errorTableMismatch(`no row in common: ${a.file} and ${b.file} share no ${names} (${why})`, 'compare runs of the same grid');
}

interface Found {
  readonly deltas: MetricChange[];
  readonly lost: LostResult[];
  readonly notes: string[];
}

/** Compares one row present in both tables: its status, then each metric both record. */
function compareRow(key: RowKey, ra: CsvRecord, rb: CsvRecord, metrics: readonly string[], options: CompareOptions, found: Found): void {
  if (ra.status === 'ok' && rb.status !== 'ok') found.lost.push({ ...key, reason: `${rb.status} in b, ok in a${errorText(rb)}` });
  if (ra.status !== 'ok' && rb.status === 'ok') found.notes.push(`${rowName(key)}: ok in b, ${ra.status} in a`);
  if (ra.status !== 'ok' || rb.status !== 'ok') return;
  for (const metric of metrics) {
    const column = metric === 'gain' ? 'distillation_gain' : `test_${metric}`;
    const [va, vb] = [ra[column], rb[column]];
    const [na, nb] = [Number(va), Number(vb)];
    // Nothing to measure against: the baseline has no finite value.
    if (va === '' || !Number.isFinite(na)) continue;
    if (vb === '' || !Number.isFinite(nb)) {
      found.lost.push({ ...key, metric, reason: `${metric} is ${vb === '' ? 'empty' : vb} in b, ${va} in a` });
      continue;
    }
    // The gain is student − person, so higher is better whatever its metric.
    const sign = metric !== 'gain' && options.higherIsBetter(metric) === false ? -1 : 1;
    found.deltas.push({ ...key, metric, a: na, b: nb, improvement: sign * (nb - na) });
  }
}

/** Walks both tables' rows: pairs compared, rows of one table only noted (and lost, when ok in a). */
function compareRows(rowsA: Map<string, KeyedRow>, rowsB: Map<string, KeyedRow>, metrics: readonly string[], options: CompareOptions): Found & { compared: number } {
  const found: Found = { deltas: [], lost: [], notes: [] };
  let compared = 0;
  for (const [id, { key, row }] of rowsA) {
    const other = rowsB.get(id);
    if (other) {
      compared++;
      compareRow(key, row.record, other.row.record, metrics, options, found);
    } else if (row.record.status === 'ok') found.lost.push({ ...key, reason: 'missing in b, ok in a' });
    else found.notes.push(`${rowName(key)}: only in a (${row.record.status} there)`);
  }
  for (const [id, { key }] of rowsB) if (!rowsA.has(id)) found.notes.push(`${rowName(key)}: only in b`);
  return { ...found, compared };
}

/** The outcome line: what regressed with a threshold, a warning about lost results without one. */
function verdictOf(regressions: number, lost: readonly LostResult[], thresholds: Thresholds): string | undefined {
  const gated = isGated(thresholds);
  const rows = lost.filter((l) => l.metric === undefined).length;
  const values = lost.length - rows;
  const parts = [
    gated && regressions > 0 ? `${regressions} metric value(s) worse by more than ${describeLimits(thresholds)}` : '',
    rows > 0 ? `${rows} row(s) ${gated ? '' : 'ok in a are '}failed, skipped, interrupted or missing in b` : '',
    values > 0 ? `${values} metric value(s) empty or not a number in b` : '',
  ].filter(Boolean);
  if (parts.length === 0) return undefined;
  if (!gated) return `warning: ${formatWarning(warningResultsLost(parts.join('; ')))}`;
  return `${regressions + lost.length} regression(s): ${parts.join('; ')}`;
}

function formatChanges(deltas: readonly MetricDelta[], gated: boolean): string {
  const headers = ['cell', 'role', 'metric', 'a', 'b', 'change', ...(gated ? ['check'] : [])];
  const rows = deltas.map((d) => [shownCell(d), d.role, d.metric, d.a, d.b, formatSigned(d.improvement), ...(gated ? [checkText(d.check, gated)] : [])]);
  return formatTable(headers, rows);
}

/**
 * The metrics to compare: those both tables record, and `gain` when a threshold names it (row by row, results
 * tables show it only then) or, paired by seed, whenever both tables have it (as summaries do).
 */
function metricsToCompare(a: CheckedTable, b: CheckedTable, thresholds: Thresholds, notes: string[], paired: boolean): string[] {
  const common = commonMetrics(a, b, notes);
  assertNamedMetrics(thresholds, tableMetrics(a), tableMetrics(b));
  const gain = 'gain' in thresholds.byMetric || (paired && [a, b].every((t) => t.columns.includes('distillation_gain')));
  return gain ? [...common, 'gain'] : common;
}

/** The rows of one table only, by side. */
function rowsOnlyIn(rowsA: Map<string, KeyedRow>, rowsB: Map<string, KeyedRow>): { a: RowKey[]; b: RowKey[] } {
  const only = (rows: Map<string, KeyedRow>, other: Map<string, KeyedRow>) => [...rows].filter(([id]) => !other.has(id)).map(([, k]) => k.key);
  return { a: only(rowsA, rowsB), b: only(rowsB, rowsA) };
}

/** The seeds a results table holds, in table order. */
const seedsOf = (table: CheckedTable): string[] => distinctValues(table, 'seed').filter((seed) => seed !== '');

/** Two tables of several seeds that share none: their means compared unpaired, as two summaries are. */
function compareUnpaired(a: CheckedTable, b: CheckedTable, options: CompareOptions, thresholds: Thresholds): Comparison {
  const note = `unpaired: ${a.file} has seed(s) ${seedsOf(a).join(', ')}, ${b.file} has ${seedsOf(b).join(', ')}, none in common: compared the means over the seeds with their 95% intervals`;
  return compareSummaries(summaryOfResults(a, options), summaryOfResults(b, options), options, thresholds, { note, models: modelGroupsOf(a, b) });
}

/** A note when each table holds one seed and they differ: the changes include the seeds' noise. */
function seedNote(a: CheckedTable, b: CheckedTable): string[] {
  const [sa, sb] = [seedsOf(a), seedsOf(b)];
  if (sa.length !== 1 || sb.length !== 1 || sa[0] === sb[0]) return [];
  return [`one seed each, not the same (${a.file} seed ${sa[0]}, ${b.file} seed ${sb[0]}): the changes include the seeds' noise`];
}

/** Compares two results tables (see {@link compareResults}). */
function compareResultTables(a: CheckedTable, b: CheckedTable, options: CompareOptions, thresholds: Thresholds): Comparison {
  assertComparable(a, b, options.allowDifferentExperiments ?? false);
  const bySeed = seedsOf(a).length > 1 || seedsOf(b).length > 1;
  const shared = seedsOf(a).filter((seed) => seedsOf(b).includes(seed));
  if (bySeed && shared.length === 0) return compareUnpaired(a, b, options, thresholds);
  const [rowsA, rowsB] = [keyedRows(a, bySeed), keyedRows(b, bySeed)];
  if (![...rowsA.keys()].some((id) => rowsB.has(id))) throw noOverlap(a, b, bySeed);
  const notes: string[] = [...seedNote(a, b), ...a.repeated, ...b.repeated];
  const metrics = metricsToCompare(a, b, thresholds, notes, bySeed);
  const orientation = assertOriented(metrics, thresholds, options.higherIsBetter, b.file);
  const found = compareRows(rowsA, rowsB, metrics, options);
  const onlyIn = rowsOnlyIn(rowsA, rowsB);
  const remarks = [...found.notes, ...notes, ...orientation];
  const models = modelGroupsOf(a, b);
  if (bySeed) {
    const matched = [...rowsA].filter(([id]) => rowsB.has(id)).map(([, k]) => `${k.key.cell}\0${k.key.role}`);
    const walk = { files: { a: a.file, b: b.file }, changes: found.deltas, lost: found.lost, compared: new Set(matched).size, onlyIn, metrics, seeds: shared, remarks };
    return pairedComparison(walk, thresholds, models);
  }
  const deltas: MetricDelta[] = foldShared(found.deltas.map((d) => {
    const limit = limitFor(thresholds, d.metric);
    return { ...d, ...(limit === undefined ? {} : { limit }), check: checkOf(d.improvement, limit) };
  }), models);
  const regressions = deltas.filter((d) => d.check === 'regressed');
  const scope = `compared ${found.compared} row(s) and ${deltas.length} metric value(s) (${metrics.join(', ')}); change = b - a, positive = better`;
  return {
    kind: 'results',
    files: { a: a.file, b: b.file },
    thresholds,
    deltas,
    regressions,
    lost: found.lost,
    unmatched: [...onlyIn.a, ...onlyIn.b].map((k) => `${k.cell}/${k.role}`),
    onlyIn,
    rowsCompared: found.compared,
    metrics,
    failed: isGated(thresholds) && regressions.length + found.lost.length > 0,
    text: formatChanges(deltas, isGated(thresholds)),
    notes: [...found.lost.map((l) => `${rowName(l)}: ${l.reason}`), ...remarks, scope],
    scope,
    remarks,
    verdict: verdictOf(regressions.length, found.lost, thresholds),
  };
}

/**
 * Compares results table `b` against `a` (the baseline), row by row on (grid point, role) for one seed (see
 * `gridKey` in grid-key.ts). Tables
 * of several seeds that share seeds are paired by seed (see {@link pairedComparison}: the mean change over
 * the shared seeds, its 95% interval and p); tables that share none are compared unpaired, by their means
 * (as two summaries). With a threshold (`maxRegression`, `metricThresholds`), a metric worse by more than its
 * threshold (and, over seeds, beyond its interval) and a row ok in `a` but failed, skipped, interrupted or
 * missing in `b` are regressions. Two summary.csv tables are compared by {@link compareSummaries} (means,
 * unpaired, with the seeds' noise). A model that cells share in both tables (a sweep's teacher and person)
 * is shown once. Either side may be a run directory (see {@link resolveCompareInputs}).
 * @throws DistilError INVALID_TABLE for a damaged table, TABLE_MISMATCH when the tables share no row or metric,
 *   are of different experiments (unless allowed) or are not results tables, NOT_A_RUN_DIRECTORY for a
 *   directory without the table needed, INVALID_ARGUMENT for a threshold on a metric not in both tables.
 */
export function compareResults(fileA: string, fileB: string, options: CompareOptions): Comparison {
  const inputs = resolveCompareInputs(fileA, fileB);
  const thresholds = resolveThresholds(options);
  const [a, b] = [readTable(inputs.a), readTable(inputs.b)];
  const comparison = a.kind === 'summary' || b.kind === 'summary' ? compareSummaries(a, b, options, thresholds, { note: SUMMARIES_UNPAIRED }) : compareResultTables(a, b, options, thresholds);
  if (inputs.notes.length === 0) return comparison;
  return { ...comparison, notes: [...inputs.notes, ...comparison.notes], remarks: [...inputs.notes, ...comparison.remarks] };
}
