// Small-sample statistics for repeated seeds: mean, sample std, Student's t distribution, 95% intervals, paired t-test, Holm.

/** The arithmetic mean; undefined for no values. */
export function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** The sample standard deviation (n − 1 in the denominator); undefined for fewer than 2 values. */
export function sampleStd(values: readonly number[]): number | undefined {
  const m = mean(values);
  if (m === undefined || values.length < 2) return undefined;
  // Equal values have no spread; the rounding of their mean would otherwise show as 1e-17.
  if (values.every((v) => v === values[0])) return 0;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1));
}

// Lanczos approximation (g = 7, 9 terms): about 15 significant digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes' betacf). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const clamp = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / clamp(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    // Two steps per m: the even term, then the odd one; convergence is checked after the odd one.
    let step = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 / clamp(1 + step * d);
    c = clamp(1 + step / c);
    h *= d * c;
    step = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 / clamp(1 + step * d);
    c = clamp(1 + step / c);
    h *= d * c;
    if (Math.abs(d * c - 1) < 1e-16) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), for 0 <= x <= 1 and a, b > 0. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // The fraction converges fast only below the mean of the distribution; above it, use the symmetry.
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(x, a, b)) / a
    : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T <= t) for Student's t distribution with `df` degrees of freedom (df > 0). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  // Each tail is half an incomplete beta: P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2).
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/**
 * The t with P(T <= t) = p for Student's t distribution with `df` degrees of freedom (0 < p < 1), found
 * by bisection on the CDF (to the last bits of a double; the CDF is monotone, so it cannot miss).
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let low = 0;
  let high = 1;
  while (studentTCdf(high, df) < p) {
    low = high;
    high *= 2;
  }
  for (let i = 0; i < 200 && high - low > 1e-15 * high; i++) {
    const middle = (low + high) / 2;
    if (studentTCdf(middle, df) < p) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** Half the width of the 95% confidence interval of the mean: t(0.975, n−1) · std / √n; undefined for fewer than 2 values. */
export function ci95(values: readonly number[]): number | undefined {
  const std = sampleStd(values);
  if (std === undefined) return undefined;
  return (studentTQuantile(0.975, values.length - 1) * std) / Math.sqrt(values.length);
}

/** A t-test's statistic, degrees of freedom and two-sided p-value. */
export interface TTest {
  readonly t: number;
  readonly df: number;
  readonly p: number;
}

/**
 * Two-sided one-sample t-test of `differences` against a mean of 0: the paired t-test when each value
 * is one pair's difference (e.g. student − person of one seed). Undefined for fewer than 2 values.
 * Differences that are all equal have no spread: p is 1 when they are 0 and 0 otherwise.
 */
export function pairedTTest(differences: readonly number[]): TTest | undefined {
  const m = mean(differences);
  const std = sampleStd(differences);
  if (m === undefined || std === undefined) return undefined;
  const df = differences.length - 1;
  if (std === 0) return { t: m === 0 ? 0 : Math.sign(m) * Infinity, df, p: m === 0 ? 1 : 0 };
  const t = m / (std / Math.sqrt(differences.length));
  return { t, df, p: Math.min(1, 2 * studentTCdf(-Math.abs(t), df)) };
}

/**
 * Holm's step-down adjustment of p-values for a family of tests (Holm 1979), as R's
 * `p.adjust(p, method = "holm")`: with the m p-values in ascending order p(1) <= ... <= p(m), the i-th
 * adjusted value is max over j <= i of min(1, (m − j + 1) · p(j)). Controls the family-wise error rate
 * without assuming the tests are independent. Returned in the order given.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
