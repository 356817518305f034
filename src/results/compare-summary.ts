// Compares two summary.csv tables (means over seeds) per cell and role; a change within the seeds' noise is not a regression.
import { errorTableMismatch, formatWarning, warningResultsLost } from '../errors/index.js';
import type { CsvRecord } from './csv.js';
import type { Comparison, CompareOptions, LostResult, MetricChange, MetricDelta } from './compare-types.js';
import type { Thresholds } from './compare-thresholds.js';
import { assertNamedMetrics, assertOriented, checkOf, checkText, describeLimits, isGated, limitFor, worseBeyond } from './compare-thresholds.js';
import { foldShared, modelGroupsOf, shownCell } from './compare-shared.js';
import type { ModelGroups } from './compare-shared.js';
import { gridKey, tableAxes } from './grid-key.js';
import type { Row } from './rows.js';
import { summarizeTable } from './summary.js';
import type { CheckedTable } from './table-check.js';
import { estimateParts, formatEstimate } from '../shared/index.js';
import { formatTable } from './table.js';

/** A change of a mean, with both 95% intervals and whether it is within the noise they allow. */
export interface SummaryDelta extends MetricDelta {
  readonly ciA?: number;
  readonly ciB?: number;
  readonly nA: number;
  readonly nB: number;
  /** √(ci95_a² + ci95_b²): the 95% half-width of the difference of two independent means; undefined when either side has n < 2. */
  readonly combined?: number;
  /** True when |b − a| is within `combined`: the seeds cannot tell the two apart. */
  readonly noise: boolean;
}

/** Why two summaries are compared unpaired, as the notes say. */
export const SUMMARIES_UNPAIRED =
  "unpaired: summary tables hold means over the seeds, not each seed (compare the runs' results.csv, or their directories, to pair the seeds)";

/** How {@link compareSummaries} was reached: the note on its pairing, and the models told by another table (a results table's seeds). */
export interface SummaryContext {
  readonly note: string;
  readonly models?: ModelGroups;
}

/** A results table as the summary its run writes (summary.csv), for an unpaired comparison of its means. */
export function summaryOfResults(table: CheckedTable, options: Pick<CompareOptions, 'higherIsBetter'>): CheckedTable {
  const { columns, rows } = summarizeTable(table, { higherIsBetter: options.higherIsBetter });
  const record = (row: Row): CsvRecord => Object.fromEntries(columns.map((c) => [c, row[c] === undefined ? '' : String(row[c])]));
  return { file: table.file, kind: 'summary', columns, rows: rows.map((row, i) => ({ record: record(row), line: i + 2 })), repeated: [...table.repeated] };
}

/** The noise rule, as the notes and the review formats state it. */
export const NOISE_RULE = 'noise = |b - a| <= sqrt(ci95_a^2 + ci95_b^2), the 95% interval of the difference; a change within it is marked noise and never fails the gate';

const number = (value: string | undefined): number | undefined => (value === undefined || value === '' || !Number.isFinite(Number(value)) ? undefined : Number(value));

const rowName = (cell: string, role: string): string => [cell ? `cell "${cell}"` : '', `role ${role}`].filter(Boolean).join(', ');

/** Refuses a summary compared with another kind of table, or an empty one. */
function assertSummaries(a: CheckedTable, b: CheckedTable): void {
  const other = [a, b].find((table) => table.kind !== 'summary');
  if (other) {
    const summary = a.kind === 'summary' ? a : b;
    throw errorTableMismatch(`cannot compare a summary table (${summary.file}) with a ${other.kind} table (${other.file})`, 'compare summary.csv with summary.csv, or results.csv with results.csv');
  }
  const empty = [a, b].find((table) => table.rows.length === 0);
  if (empty) throw errorTableMismatch(`${empty.file}: no rows to compare`, 'the summary has only its header: the run had no cells, or nothing finished');
}

/** The rows of a summary by (grid point, role). */
function keyed(table: CheckedTable): Map<string, CsvRecord> {
  const axes = tableAxes(table.kind, table.columns);
  return new Map(table.rows.map((row) => [`${gridKey(row.record, axes)}\0${row.record.role}`, row.record]));
}

/** The metrics of a summary: its `test_<m>_mean` columns, and `gain` with a `gain_mean` column. */
const summaryMetrics = (table: CheckedTable) => ({
  file: table.file,
  metrics: [...table.columns.filter((c) => /^test_.+_mean$/.test(c)).map((c) => c.slice(5, -5)), ...(table.columns.includes('gain_mean') ? ['gain'] : [])],
});

/** The metrics both summaries hold (`test_<m>_mean` columns), and `gain` when both have it. */
function commonMetrics(a: CheckedTable, b: CheckedTable): string[] {
  const [ma, mb] = [summaryMetrics(a).metrics, summaryMetrics(b).metrics];
  const metrics = ma.filter((m) => m !== 'gain' && mb.includes(m));
  if (metrics.length === 0) throw errorTableMismatch(`no metric in common: ${a.file} and ${b.file} share no test_<metric>_mean column`, 'compare summaries of runs that record the same metrics');
  return ma.includes('gain') && mb.includes('gain') ? [...metrics, 'gain'] : metrics;
}

/** One metric of one (cell, role) in both summaries: a delta, a lost value, or nothing (no baseline value). */
function compareMetric(ra: CsvRecord, rb: CsvRecord, metric: string, options: CompareOptions, thresholds: Thresholds, point: string): SummaryDelta | LostResult | undefined {
  const column = metric === 'gain' ? 'gain' : `test_${metric}`;
  const [a, b] = [number(ra[`${column}_mean`]), number(rb[`${column}_mean`])];
  if (a === undefined) return undefined;
  if (b === undefined) return { cell: ra.cell, role: ra.role, metric, reason: `${metric} mean is empty in b, ${a} in a` };
  const [ciA, ciB] = [number(ra[`${column}_ci95`]), number(rb[`${column}_ci95`])];
  const combined = ciA !== undefined && ciB !== undefined ? Math.sqrt(ciA ** 2 + ciB ** 2) : undefined;
  const sign = metric !== 'gain' && options.higherIsBetter(metric) === false ? -1 : 1;
  const noise = combined !== undefined && !worseBeyond(-Math.abs(b - a), combined);
  const change: MetricChange = { cell: ra.cell, role: ra.role, point, metric, a, b, improvement: sign * (b - a) };
  const limit = limitFor(thresholds, metric);
  return { ...change, ...(limit === undefined ? {} : { limit }), check: checkOf(change.improvement, limit, noise), ciA, ciB, nA: Number(ra.n), nB: Number(rb.n), combined, noise };
}

function formatChanges(deltas: readonly SummaryDelta[], gated: boolean): string {
  const side = (mean: number, ci: number | undefined, n: number) => `${formatEstimate(mean, ci)} (n=${n})`;
  const rows = deltas.map((d) => {
    // The change to the decimal place of its noise interval, as a mean beside its interval.
    const change = estimateParts(d.improvement, d.combined, true);
    return [
      shownCell(d), d.role, d.metric, side(d.a, d.ciA, d.nA), side(d.b, d.ciB, d.nB), change.value,
      change.interval === undefined ? '' : `± ${change.interval}`, checkText(d.check, gated),
    ];
  });
  return formatTable(['cell', 'role', 'metric', 'a', 'b', 'change', 'noise', 'check'], rows);
}

/** What the thresholds decided: regressions beyond them (noise excluded) and results lost in b. */
function verdictOf(regressions: number, noisy: number, lost: readonly LostResult[], thresholds: Thresholds): string | undefined {
  const gated = isGated(thresholds);
  const limits = describeLimits(thresholds);
  const parts = [
    gated && regressions > 0 ? `${regressions} mean(s) worse by more than ${limits} and beyond the seeds' noise` : '',
    lost.length > 0 ? `${lost.length} result(s) ${gated ? '' : 'with ok seeds in a are '}missing, with fewer ok seeds or empty in b` : '',
  ].filter(Boolean);
  // Named thresholds are listed once, in the first part; the aside only refers to them.
  const again = Object.keys(thresholds.byMetric).length > 0 ? 'their threshold' : limits;
  const within = gated && noisy > 0 ? ` (${noisy} worse by more than ${again} but within the noise, not counted)` : '';
  if (parts.length === 0) return within ? `no regression${within}` : undefined;
  if (!gated) return `warning: ${formatWarning(warningResultsLost(parts.join('; ')))}`;
  return `${regressions + lost.length} regression(s): ${parts.join('; ')}${within}`;
}

interface Walk {
  readonly deltas: SummaryDelta[];
  readonly lost: LostResult[];
  readonly notes: string[];
  compared: number;
}

/** Walks a's rows: each (cell, role) with ok seeds on both sides is compared; one lost or with fewer ok seeds in b is lost. */
function walkRows(rowsA: Map<string, CsvRecord>, rowsB: Map<string, CsvRecord>, metrics: readonly string[], options: CompareOptions, thresholds: Thresholds): Walk {
  const walk: Walk = { deltas: [], lost: [], notes: [], compared: 0 };
  for (const [key, ra] of rowsA) {
    const rb = rowsB.get(key);
    const [nA, nB] = [Number(ra.n), Number(rb?.n ?? 0)];
    if (!rb || nB === 0) {
      if (nA > 0) walk.lost.push({ cell: ra.cell, role: ra.role, reason: `${rb ? 'no ok seed' : 'missing'} in b, n=${ra.n} in a` });
      else walk.notes.push(`${rowName(ra.cell, ra.role)}: ${rb ? 'no ok seed in a or b' : 'only in a (no ok seed there)'}`);
      continue;
    }
    walk.compared++;
    // A seed that failed in b leaves a mean of the others: it would hide the failure, so it is lost.
    if (nB < nA) walk.lost.push({ cell: ra.cell, role: ra.role, reason: `${nA - nB} ok seed(s) fewer in b, n=${rb.n} in b, n=${ra.n} in a` });
    for (const metric of metrics) {
      const found = compareMetric(ra, rb, metric, options, thresholds, key.split('\0')[0]);
      if (found && 'noise' in found) walk.deltas.push(found);
      else if (found) walk.lost.push(found);
    }
  }
  for (const [key, rb] of rowsB) if (!rowsA.has(key)) walk.notes.push(`${rowName(rb.cell, rb.role)}: only in b`);
  return walk;
}

/**
 * Compares summary `b` against `a` (the baseline) per (cell, role), unpaired: each test metric's mean and the
 * gain's. A change is `noise` when |b − a| <= √(ci95_a² + ci95_b²) (both intervals known, n >= 2 on each
 * side); with thresholds, a mean worse by more than its metric's threshold is a regression unless it is
 * noise, and a (cell, role) with ok seeds in `a` but fewer (or none, or missing) in `b` is lost.
 * @throws DistilError TABLE_MISMATCH for a summary compared with another kind of table, an empty one, or no
 *   metric in common; INVALID_ARGUMENT for a threshold on a metric not in both; UNKNOWN_METRIC for a threshold on an unregistered metric.
 */
export function compareSummaries(a: CheckedTable, b: CheckedTable, options: CompareOptions, thresholds: Thresholds, context: SummaryContext): Comparison {
  assertSummaries(a, b);
  const metrics = commonMetrics(a, b);
  assertNamedMetrics(thresholds, summaryMetrics(a), summaryMetrics(b));
  const orientation = assertOriented(metrics, thresholds, options.higherIsBetter, b.file);
  const [rowsA, rowsB] = [keyed(a), keyed(b)];
  const walk = walkRows(rowsA, rowsB, metrics, options, thresholds);
  const { lost, notes, compared } = walk;
  const deltas = foldShared(walk.deltas, context.models ?? modelGroupsOf(a, b));
  if (compared === 0 && lost.length === 0) throw errorTableMismatch(`no row in common: ${a.file} and ${b.file} share no cell and role with ok seeds`, 'compare summaries of the same grid');
  const regressions = deltas.filter((d) => d.check === 'regressed');
  const noisy = deltas.filter((d) => d.check === 'noise' && d.limit !== undefined && worseBeyond(d.improvement, d.limit)).length;
  const onlyKeys = (rows: Map<string, CsvRecord>, other: Map<string, CsvRecord>) => [...rows].filter(([k]) => !other.has(k)).map(([, r]) => ({ cell: r.cell, role: r.role }));
  const onlyIn = { a: onlyKeys(rowsA, rowsB), b: onlyKeys(rowsB, rowsA) };
  const scope = `compared the means of ${compared} cell/role row(s) and ${deltas.length} value(s) (${metrics.join(', ')}); change = b - a, positive = better`;
  const remarks = [context.note, ...notes, ...orientation];
  return {
    kind: 'summary',
    files: { a: a.file, b: b.file },
    thresholds,
    deltas,
    regressions,
    lost,
    unmatched: [...onlyIn.a, ...onlyIn.b].map((k) => `${k.cell}/${k.role}`),
    onlyIn,
    rowsCompared: compared,
    metrics,
    failed: isGated(thresholds) && regressions.length + lost.length > 0,
    text: formatChanges(deltas, isGated(thresholds)),
    notes: [context.note, ...lost.map((l) => `${rowName(l.cell, l.role)}${l.metric ? ` ${l.metric}` : ''}: ${l.reason}`), ...remarks.slice(1), scope, NOISE_RULE],
    scope,
    remarks,
    noiseRule: NOISE_RULE,
    verdict: verdictOf(regressions.length, noisy, lost, thresholds),
  };
}
