// Compares two summary.csv tables (means over seeds) per cell and role; a change within the seeds' noise is not a regression.
import { errorTableMismatch } from '../errors.js';
import type { CsvRecord } from './csv.js';
import type { Comparison, CompareOptions, LostResult, MetricDelta } from './compare.js';
import type { CheckedTable } from './table-check.js';
import { formatTable, signed } from './table.js';

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

// A change equal to the threshold is not beyond it, whatever the last bits of b - a say.
const TOLERANCE = 1e-9;

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

/** The rows of a summary by (cell, role). */
function keyed(table: CheckedTable): Map<string, CsvRecord> {
  return new Map(table.rows.map((row) => [`${row.record.cell}\0${row.record.role}`, row.record]));
}

/** The metrics both summaries hold (`test_<m>_mean` columns), and `gain` when both have it. */
function commonMetrics(a: CheckedTable, b: CheckedTable): string[] {
  const means = (table: CheckedTable) => table.columns.filter((c) => /^test_.+_mean$/.test(c)).map((c) => c.slice(5, -5));
  const metrics = means(a).filter((m) => means(b).includes(m));
  if (metrics.length === 0) throw errorTableMismatch(`no metric in common: ${a.file} and ${b.file} share no test_<metric>_mean column`, 'compare summaries of runs that record the same metrics');
  return a.columns.includes('gain_mean') && b.columns.includes('gain_mean') ? [...metrics, 'gain'] : metrics;
}

/** One metric of one (cell, role) in both summaries: a delta, a lost value, or nothing (no baseline value). */
function compareMetric(ra: CsvRecord, rb: CsvRecord, metric: string, options: CompareOptions): SummaryDelta | LostResult | undefined {
  const column = metric === 'gain' ? 'gain' : `test_${metric}`;
  const [a, b] = [number(ra[`${column}_mean`]), number(rb[`${column}_mean`])];
  if (a === undefined) return undefined;
  if (b === undefined) return { cell: ra.cell, role: ra.role, metric, reason: `${metric} mean is empty in b, ${a} in a` };
  const [ciA, ciB] = [number(ra[`${column}_ci95`]), number(rb[`${column}_ci95`])];
  const combined = ciA !== undefined && ciB !== undefined ? Math.sqrt(ciA ** 2 + ciB ** 2) : undefined;
  const sign = metric !== 'gain' && options.higherIsBetter(metric) === false ? -1 : 1;
  const noise = combined !== undefined && Math.abs(b - a) <= combined + TOLERANCE;
  return { cell: ra.cell, role: ra.role, metric, a, b, improvement: sign * (b - a), ciA, ciB, nA: Number(ra.n), nB: Number(rb.n), combined, noise };
}

function formatChanges(deltas: readonly SummaryDelta[], regressions: readonly SummaryDelta[], limit: number | undefined): string {
  const side = (mean: number, ci: number | undefined, n: number) => `${mean}${ci === undefined ? '' : ` ± ${ci}`} (n=${n})`;
  const check = (d: SummaryDelta) => (d.noise ? 'noise' : limit === undefined ? '' : regressions.includes(d) ? 'REGRESSED' : 'ok');
  const rows = deltas.map((d) => [
    d.cell || '-', d.role, d.metric, side(d.a, d.ciA, d.nA), side(d.b, d.ciB, d.nB), signed(d.improvement),
    d.combined === undefined ? '' : `± ${d.combined.toFixed(4)}`, check(d),
  ]);
  return formatTable(['cell', 'role', 'metric', 'a', 'b', 'change', 'noise', 'check'], rows);
}

/** What a threshold decided: regressions beyond it (noise excluded) and results lost in b. */
function verdictOf(regressions: number, noisy: number, lost: readonly LostResult[], limit: number | undefined): string | undefined {
  const parts = [
    limit !== undefined && regressions > 0 ? `${regressions} mean(s) worse by more than ${limit} and beyond the seeds' noise` : '',
    lost.length > 0 ? `${lost.length} result(s) ${limit === undefined ? 'with ok seeds in a are ' : ''}missing, without an ok seed or empty in b` : '',
  ].filter(Boolean);
  const within = limit !== undefined && noisy > 0 ? ` (${noisy} worse by more than ${limit} but within the noise, not counted)` : '';
  if (parts.length === 0) return within ? `no regression${within}` : undefined;
  if (limit === undefined) return `warning: ${parts.join('; ')} (pass --max-regression to fail on this)`;
  return `${regressions + lost.length} regression(s): ${parts.join('; ')}${within}`;
}

/**
 * Compares summary `b` against `a` (the baseline) per (cell, role): each test metric's mean and the
 * gain's. A change is `noise` when |b − a| <= √(ci95_a² + ci95_b²) (both intervals known, n >= 2 on each
 * side); with `maxRegression`, a mean worse by more than it is a regression unless it is noise, and a
 * (cell, role) with ok seeds in `a` but none (or missing) in `b` is lost.
 * @throws DistilError TABLE_MISMATCH for a summary compared with another kind of table, an empty one, or no metric in common.
 */
export function compareSummaries(a: CheckedTable, b: CheckedTable, options: CompareOptions): Comparison {
  assertSummaries(a, b);
  const metrics = commonMetrics(a, b);
  const [rowsA, rowsB] = [keyed(a), keyed(b)];
  const deltas: SummaryDelta[] = [];
  const lost: LostResult[] = [];
  const notes: string[] = [];
  let compared = 0;
  for (const [key, ra] of rowsA) {
    const rb = rowsB.get(key);
    if (!rb || Number(rb.n) === 0) {
      if (Number(ra.n) > 0) lost.push({ cell: ra.cell, role: ra.role, reason: `${rb ? 'no ok seed' : 'missing'} in b, n=${ra.n} in a` });
      else notes.push(`${rowName(ra.cell, ra.role)}: ${rb ? 'no ok seed in a or b' : 'only in a (no ok seed there)'}`);
      continue;
    }
    compared++;
    for (const metric of metrics) {
      const found = compareMetric(ra, rb, metric, options);
      if (found && 'noise' in found) deltas.push(found);
      else if (found) lost.push(found);
    }
  }
  for (const [key, rb] of rowsB) if (!rowsA.has(key)) notes.push(`${rowName(rb.cell, rb.role)}: only in b`);
  if (compared === 0 && lost.length === 0) throw errorTableMismatch(`no row in common: ${a.file} and ${b.file} share no cell and role with ok seeds`, 'compare summaries of the same grid');
  const limit = options.maxRegression;
  const worse = limit === undefined ? [] : deltas.filter((d) => d.improvement < -(limit + TOLERANCE));
  const regressions = worse.filter((d) => !d.noise);
  const rule = 'noise = |b - a| <= sqrt(ci95_a^2 + ci95_b^2), the 95% interval of the difference; a change within it is not a regression';
  return {
    deltas,
    regressions,
    lost,
    unmatched: [...[...rowsA.keys()].filter((k) => !rowsB.has(k)), ...[...rowsB.keys()].filter((k) => !rowsA.has(k))].map((k) => k.replace('\0', '/')),
    rowsCompared: compared,
    metrics,
    failed: limit !== undefined && regressions.length + lost.length > 0,
    text: formatChanges(deltas, regressions, limit),
    notes: [...lost.map((l) => `${rowName(l.cell, l.role)}${l.metric ? ` ${l.metric}` : ''}: ${l.reason}`), ...notes, `compared the means of ${compared} cell/role row(s) and ${deltas.length} value(s) (${metrics.join(', ')}); change = b - a, positive = better`, rule],
    verdict: verdictOf(regressions.length, worse.length - regressions.length, lost, limit),
  };
}
