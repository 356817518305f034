// What compare gives back: the changes, the regressions, the results lost in b, and the notes.
import type { CheckResult, Thresholds } from './compare-thresholds.js';

export interface CompareOptions {
  /** A metric worse in `b` than in `a` by more than this (unless it has its own threshold), or a result of `a` lost in `b`, fails the comparison. */
  readonly maxRegression?: number;
  /**
   * Thresholds of single metrics, by name (`test_accuracy` or `accuracy`; `gain` for the distillation gain),
   * over `maxRegression`. Any threshold makes results lost in `b` fail; a metric not in both tables is refused.
   */
  readonly metricThresholds?: Readonly<Record<string, number>>;
  /** Orientation of each metric column (without `test_`): true when higher is better; undefined is taken as true. */
  readonly higherIsBetter: (column: string) => boolean | undefined;
  /** Compare tables whose `experiment` columns differ (e.g. an experiment renamed between runs). @default false */
  readonly allowDifferentExperiments?: boolean;
}

/** Which results a row holds: its cell label, its seed when the tables hold several, and its role. */
export interface RowKey {
  readonly cell: string;
  readonly seed?: string;
  readonly role: string;
  /** The grid point the row is matched by (`gridKey`: the axis values), when it is known; `cell` is its readable label. */
  readonly point?: string;
}

/** A metric value found in both tables, before a threshold judged it. */
export interface MetricChange extends RowKey {
  readonly metric: string;
  readonly a: number;
  readonly b: number;
  /** b − a, signed so that positive is an improvement (paired by seed: the mean over the seeds of each seed's). */
  readonly improvement: number;
  /** The cells whose model of this role is one in both tables (the first is `cell`), shown as one row; absent for one cell. */
  readonly cells?: readonly string[];
  /** True when `cells` are every cell of the role compared. */
  readonly inEveryCell?: boolean;
}

export interface MetricDelta extends MetricChange {
  /** The threshold of this metric; undefined when it has none. */
  readonly limit?: number;
  /** `regressed` beyond `limit`, `noise` within the seeds' interval (never a regression), `ok` within `limit`, `unchecked` without one. */
  readonly check: CheckResult;
}

/** A result of the baseline that `b` no longer has: the row is failed, skipped, interrupted or missing, or a value is empty. */
export interface LostResult extends RowKey {
  /** The metric whose value `b` lacks; undefined when the whole row is lost. */
  readonly metric?: string;
  /** e.g. `failed in b, ok in a (loss became NaN)`. */
  readonly reason: string;
}

export interface Comparison {
  /**
   * `results`: row by row (one seed); `paired`: results of several seeds, per cell, role and metric the mean
   * change over the seeds both tables have, with its 95% interval and the paired t-test's p; `summary`: means
   * over seeds compared unpaired (summary tables, or runs that share no seed), with the seeds' noise.
   */
  readonly kind: 'results' | 'paired' | 'summary';
  /** The tables compared (a run directory's results.csv or summary.csv in its place). */
  readonly files: { readonly a: string; readonly b: string };
  /** The thresholds in force; none at all means report only. */
  readonly thresholds: Thresholds;
  readonly deltas: readonly MetricDelta[];
  /** Deltas worse than their metric's threshold and not noise (none without thresholds). */
  readonly regressions: readonly MetricDelta[];
  /** Results ok in `a` and lost in `b`; regressions when any threshold is set. */
  readonly lost: readonly LostResult[];
  /** Rows in one table only, as `cell/role`. */
  readonly unmatched: readonly string[];
  /** Rows in one table only, by side. */
  readonly onlyIn: { readonly a: readonly RowKey[]; readonly b: readonly RowKey[] };
  /** Rows (cell, role) found in both tables. */
  readonly rowsCompared: number;
  /** Metric names (without `test_`; `gain` for the distillation gain) compared. */
  readonly metrics: readonly string[];
  /** True when a threshold is set and something regressed or was lost. */
  readonly failed: boolean;
  /** The table of changes: data, for stdout. */
  readonly text: string;
  /** Everything else found, one line each: diagnostics, for stderr. */
  readonly notes: readonly string[];
  /** What was compared, in one line: `compared 2 row(s) and 4 metric value(s) (loss, accuracy); change = b - a, positive = better`. */
  readonly scope: string;
  /** The notes other than the lost results, the scope and the noise rule: rows of one table only, columns not compared... */
  readonly remarks: readonly string[];
  /** For summaries and paired comparisons: when a change is noise (never a regression). */
  readonly noiseRule?: string;
  /** The outcome when there is something to act on (a regression, a warning), for stderr. */
  readonly verdict?: string;
}
