// compare's thresholds: one for every metric (`--max-regression 0.01`) and per metric (`--max-regression test_accuracy=0.005`).
import { errorInvalidArgument, errorUnknownOrientation } from '../errors/index.js';
import { didYouMean } from '../shared/index.js';

/** The thresholds of one comparison; none at all means report only. */
export interface Thresholds {
  /** For every metric without its own. */
  readonly maxRegression?: number;
  /** By metric name as compare keys it (`accuracy`, `gain`), over `maxRegression`. */
  readonly byMetric: Readonly<Record<string, number>>;
}

/** How a compared value came out: worse beyond its threshold, within the seeds' noise, within its threshold, or with no threshold. */
export type CheckResult = 'regressed' | 'noise' | 'ok' | 'unchecked';

// A change equal to the threshold is not beyond it, whatever the last bits of b - a say (0.94 - 0.95 < -0.01 in floats).
const TOLERANCE = 1e-9;

/** True when a change (positive = better) is worse than `limit` allows. */
export const worseBeyond = (improvement: number, limit: number): boolean => improvement < -(limit + TOLERANCE);

/** A metric as compare names it: `test_accuracy` and `accuracy` are `accuracy`; `distillation_gain` and `gain` are `gain`. */
export function metricName(name: string): string {
  if (name === 'distillation_gain') return 'gain';
  return name.startsWith('test_') ? name.slice(5) : name;
}

/** `metric` as a column name in messages: `test_accuracy`; `gain` and a name with another prefix (`val_accuracy`) as they are. */
const columnName = (metric: string): string => (metric === 'gain' || metric.startsWith('val_') ? metric : `test_${metric}`);

/** A threshold's number, or undefined when `text` is not a number >= 0. */
function limitOf(text: string): number | undefined {
  const value = text.trim() === '' ? NaN : Number(text);
  return value >= 0 && Number.isFinite(value) ? value : undefined;
}

/**
 * Reads the values of a repeatable `--max-regression`: one plain number (the default for every metric)
 * and any number of `METRIC=X` (a column such as `test_accuracy`, a bare name, or `gain`).
 * @throws DistilError INVALID_ARGUMENT (exit 2) for a value that is not a number >= 0, two plain values, or one metric named twice.
 */
export function parseMaxRegression(values: readonly string[]): Thresholds {
  const plain: string[] = [];
  const named = new Map<string, { text: string; limit: number }>();
  for (const text of values) {
    const at = text.indexOf('=');
    if (at < 0) {
      if (limitOf(text) === undefined) throw errorInvalidArgument('--max-regression', `expected a number >= 0, got "${text}"`);
      plain.push(text);
      continue;
    }
    const [name, limit] = [text.slice(0, at).trim(), limitOf(text.slice(at + 1))];
    if (name === '' || limit === undefined) throw errorInvalidArgument('--max-regression', `expected METRIC=X with X a number >= 0 (e.g. test_accuracy=0.005), got "${text}"`);
    const metric = metricName(name);
    const earlier = named.get(metric);
    if (earlier) throw errorInvalidArgument('--max-regression', `${columnName(metric)} given 2 times ("${earlier.text}", "${text}"); give it once`);
    named.set(metric, { text, limit });
  }
  if (plain.length > 1) {
    throw errorInvalidArgument('--max-regression', `given ${plain.length} plain thresholds (${plain.map((v) => `"${v}"`).join(', ')}); give one for every metric, and name the others (e.g. --max-regression test_accuracy=0.005)`);
  }
  return { ...(plain.length > 0 ? { maxRegression: Number(plain[0]) } : {}), byMetric: Object.fromEntries([...named].map(([m, { limit }]) => [m, limit])) };
}

/** The thresholds of library options: per-metric keys are named as compare names metrics. */
export function resolveThresholds(options: { readonly maxRegression?: number; readonly metricThresholds?: Readonly<Record<string, number>> }): Thresholds {
  const byMetric: Record<string, number> = {};
  for (const [name, limit] of Object.entries(options.metricThresholds ?? {})) {
    const metric = metricName(name);
    if (metric in byMetric) throw errorInvalidArgument('--max-regression', `${columnName(metric)} given 2 times; give it once`);
    byMetric[metric] = limit;
  }
  return { ...(options.maxRegression !== undefined ? { maxRegression: options.maxRegression } : {}), byMetric };
}

/** True when any threshold is set: the comparison is a gate, and lost results fail it. */
export const isGated = (thresholds: Thresholds): boolean => thresholds.maxRegression !== undefined || Object.keys(thresholds.byMetric).length > 0;

/** The threshold of one metric: its own, else the default; undefined when it has none. */
export const limitFor = (thresholds: Thresholds, metric: string): number | undefined => thresholds.byMetric[metric] ?? thresholds.maxRegression;

/** The thresholds for a verdict: `0.01` alone, or `their metric's threshold (accuracy 0.005, other metrics 0.01)`. */
export function describeLimits(thresholds: Thresholds): string {
  const named = Object.entries(thresholds.byMetric);
  if (named.length === 0) return String(thresholds.maxRegression);
  const others = thresholds.maxRegression === undefined ? [] : [`other metrics ${thresholds.maxRegression}`];
  return `their metric's threshold (${[...named.map(([m, x]) => `${m} ${x}`), ...others].join(', ')})`;
}

/** What a delta's check is: a threshold decides, except within the seeds' noise (never a regression). */
export function checkOf(improvement: number, limit: number | undefined, noise = false): CheckResult {
  if (noise) return 'noise';
  if (limit === undefined) return 'unchecked';
  return worseBeyond(improvement, limit) ? 'regressed' : 'ok';
}

/** A check as the text table shows it: REGRESSED stands out; no threshold shows blank unless other metrics have one. */
export const checkText = (check: CheckResult, gated: boolean): string => (check === 'regressed' ? 'REGRESSED' : check === 'unchecked' ? (gated ? 'unchecked' : '') : check);

/** The metrics one table can be checked on, for {@link assertNamedMetrics}. */
export interface TableMetrics {
  readonly file: string;
  readonly metrics: readonly string[];
}

/**
 * A threshold on a metric the tables cannot both provide would pass without checking anything: refused.
 * @throws DistilError INVALID_ARGUMENT (exit 2) naming the metric and what the tables have.
 */
export function assertNamedMetrics(thresholds: Thresholds, a: TableMetrics, b: TableMetrics): void {
  for (const metric of Object.keys(thresholds.byMetric)) {
    const [inA, inB] = [a.metrics.includes(metric), b.metrics.includes(metric)];
    if (inA && inB) continue;
    if (inA || inB) {
      const [has, lacks] = inA ? [a, b] : [b, a];
      throw errorInvalidArgument('--max-regression', `${columnName(metric)} is only in ${has.file}, not in ${lacks.file}, so it cannot be checked (compare runs that both record it, or drop its threshold)`);
    }
    const known = [...new Set([...a.metrics, ...b.metrics])];
    const suggestion = didYouMean(metric, known);
    const hint = `${suggestion ? `Did you mean "${columnName(suggestion)}"? ` : ''}they have ${known.map(columnName).join(', ') || 'none'}`;
    throw errorInvalidArgument('--max-regression', `no metric "${columnName(metric)}" in ${a.file} or ${b.file} (${hint})`);
  }
}

/**
 * Refuses a threshold on a metric whose direction is unknown (a plugin's, compared without --plugin): a
 * gate that guessed it could pass a regression. Returns a note for each such metric compared without one.
 * @throws DistilError UNKNOWN_METRIC (exit 2).
 */
export function assertOriented(metrics: readonly string[], thresholds: Thresholds, higherIsBetter: (metric: string) => boolean | undefined, file: string): string[] {
  const unknown = metrics.filter((metric) => metric !== 'gain' && higherIsBetter(metric) === undefined);
  const gated = unknown.filter((metric) => limitFor(thresholds, metric) !== undefined);
  if (gated.length > 0) throw errorUnknownOrientation(file, gated);
  return unknown.map((metric) => `metric "${metric}" is not a registered metric: higher is taken as better`);
}
