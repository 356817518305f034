// Compares two results tables of several seeds paired by seed: per cell, role and metric the mean change over the
// seeds both runs have, its 95% interval (t) and the paired t-test's p; a change within the interval is noise.
import { formatWarning, warningResultsLost } from '../errors/index.js';
import { ci95, mean, pairedTTest } from '../shared/index.js';
import { rowName } from './compare-rows.js';
import { foldShared, shownCell } from './compare-shared.js';
import type { ModelGroups } from './compare-shared.js';
import type { SummaryDelta } from './compare-summary.js';
import type { Thresholds } from './compare-thresholds.js';
import { checkOf, checkText, describeLimits, isGated, limitFor, worseBeyond } from './compare-thresholds.js';
import type { Comparison, LostResult, MetricChange, RowKey } from './compare-types.js';
import { round } from './rows.js';
import { estimateParts, formatNumber, formatP } from '../shared/index.js';
import { formatTable } from './table.js';

/** A mean change over the paired seeds: `combined` is its 95% half-width, `nA` = `nB` the pairs. */
export interface PairedDelta extends SummaryDelta {
  /** The two-sided paired t-test's p (undefined for one pair). */
  readonly p?: number;
}

/** The noise rule of a paired comparison, as the notes and the review formats state it. */
export const PAIRED_RULE =
  'noise = the 95% interval of the mean paired change, mean ± t(0.975, n-1) · std / √n over the seeds, contains 0 (paired t-test p >= 0.05); a change within it is marked noise and never fails the gate';

/** One (cell, role, metric) over its seeds: the mean of a and of b, and the mean change with its interval and p. */
function pairedDelta(seeds: readonly MetricChange[], thresholds: Thresholds): PairedDelta {
  const { cell, role, metric, point } = seeds[0];
  const [as, bs, changes] = [seeds.map((s) => s.a), seeds.map((s) => s.b), seeds.map((s) => s.improvement)];
  const improvement = mean(changes) as number;
  const combined = ci95(changes);
  const noise = combined !== undefined && !worseBeyond(-Math.abs(improvement), combined);
  const limit = limitFor(thresholds, metric);
  const test = pairedTTest(changes);
  const [ciA, ciB] = [ci95(as), ci95(bs)].map((ci) => (ci === undefined ? undefined : round(ci)));
  return {
    cell, role, metric, ...(point === undefined ? {} : { point }), a: round(mean(as) as number), b: round(mean(bs) as number), improvement,
    ...(limit === undefined ? {} : { limit }), check: checkOf(improvement, limit, noise),
    ciA, ciB, nA: seeds.length, nB: seeds.length, combined, noise, ...(test ? { p: test.p } : {}),
  };
}

/** The seeds' changes (one per seed, cell, role and metric) paired up: one delta per (cell, role, metric), in table order. */
function pairUp(changes: readonly MetricChange[], thresholds: Thresholds): PairedDelta[] {
  const bySeed = new Map<string, MetricChange[]>();
  for (const change of changes) {
    const key = `${change.point ?? change.cell}\0${change.role}\0${change.metric}`;
    bySeed.set(key, [...(bySeed.get(key) ?? []), change]);
  }
  return [...bySeed.values()].map((seeds) => pairedDelta(seeds, thresholds));
}

function formatChanges(deltas: readonly PairedDelta[], gated: boolean): string {
  const rows = deltas.map((d) => {
    // The mean change to the decimal place of its paired interval.
    const change = estimateParts(d.improvement, d.combined, true);
    return [
      shownCell(d), d.role, d.metric, `${formatNumber(d.a)} (n=${d.nA})`, `${formatNumber(d.b)} (n=${d.nB})`, change.value,
      change.interval === undefined ? '' : `± ${change.interval}`, formatP(d.p), checkText(d.check, gated),
    ];
  });
  return formatTable(['cell', 'role', 'metric', 'a', 'b', 'change', 'noise', 'p', 'check'], rows);
}

/** What the thresholds decided: mean changes beyond them and beyond their interval, and results lost in b. */
function verdictOf(regressions: number, noisy: number, lost: readonly LostResult[], thresholds: Thresholds): string | undefined {
  const gated = isGated(thresholds);
  const limits = describeLimits(thresholds);
  const rows = lost.filter((l) => l.metric === undefined).length;
  const values = lost.length - rows;
  const parts = [
    gated && regressions > 0 ? `${regressions} mean change(s) worse by more than ${limits} and beyond their paired 95% interval` : '',
    rows > 0 ? `${rows} row(s) ${gated ? '' : 'ok in a are '}failed, skipped, interrupted or missing in b` : '',
    values > 0 ? `${values} metric value(s) empty or not a number in b` : '',
  ].filter(Boolean);
  const again = Object.keys(thresholds.byMetric).length > 0 ? 'their threshold' : limits;
  const within = gated && noisy > 0 ? ` (${noisy} worse by more than ${again} but within their interval, not counted)` : '';
  if (parts.length === 0) return within ? `no regression${within}` : undefined;
  if (!gated) return `warning: ${formatWarning(warningResultsLost(parts.join('; ')))}`;
  return `${regressions + lost.length} regression(s): ${parts.join('; ')}${within}`;
}

/** What the row-by-row walk over (cell, seed, role) found, for {@link pairedComparison}. */
export interface SeedWalk {
  readonly files: { readonly a: string; readonly b: string };
  /** One change per seed, cell, role and metric, in table order. */
  readonly changes: readonly MetricChange[];
  readonly lost: readonly LostResult[];
  /** The (cell, role) rows found in both tables, for any seed. */
  readonly compared: number;
  readonly onlyIn: { readonly a: readonly RowKey[]; readonly b: readonly RowKey[] };
  readonly metrics: readonly string[];
  /** The seeds both tables have. */
  readonly seeds: readonly string[];
  readonly remarks: readonly string[];
}

/**
 * The comparison of two results tables of several seeds that share seeds: each (cell, role, metric) by the
 * mean over the shared seeds of b − a, with its 95% interval (t) and the paired t-test's p. A change whose
 * interval contains 0 is `noise` and never a regression; a seed ok in a and lost in b is lost. A model that
 * cells share in both tables is shown once.
 */
export function pairedComparison(walk: SeedWalk, thresholds: Thresholds, models: ModelGroups): Comparison {
  const deltas = foldShared(pairUp(walk.changes, thresholds), models);
  const regressions = deltas.filter((d) => d.check === 'regressed');
  const noisy = deltas.filter((d) => d.check === 'noise' && d.limit !== undefined && worseBeyond(d.improvement, d.limit)).length;
  const seeds = `the ${walk.seeds.length} seed(s) both runs have (${walk.seeds.join(', ')})`;
  const scope = `compared ${walk.compared} cell/role row(s) and ${deltas.length} value(s) (${walk.metrics.join(', ')}) paired by seed over ${seeds}; change = mean over the seeds of b - a, positive = better`;
  return {
    kind: 'paired',
    files: walk.files,
    thresholds,
    deltas,
    regressions,
    lost: walk.lost,
    unmatched: [...walk.onlyIn.a, ...walk.onlyIn.b].map((k) => `${k.cell}/${k.role}`),
    onlyIn: walk.onlyIn,
    rowsCompared: walk.compared,
    metrics: walk.metrics,
    failed: isGated(thresholds) && regressions.length + walk.lost.length > 0,
    text: formatChanges(deltas, isGated(thresholds)),
    notes: [...walk.lost.map((l) => `${rowName(l)}: ${l.reason}`), ...walk.remarks, scope, PAIRED_RULE],
    scope,
    remarks: walk.remarks,
    noiseRule: PAIRED_RULE,
    verdict: verdictOf(regressions.length, noisy, walk.lost, thresholds),
  };
}
