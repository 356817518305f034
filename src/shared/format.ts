// How every number people read is printed (tables, summaries, messages, the report): one rule, here. CSV files keep full precision.

/** Significant digits of a value shown without an interval. */
const VALUE_DIGITS = 4;
/** Significant digits of a 95 % interval's half-width; the estimate beside it is rounded to the same decimal place. */
const INTERVAL_DIGITS = 2;
/** Significant digits of a p-value. */
const P_DIGITS = 2;
/** p-values below this print as `<0.001`. */
const P_FLOOR = 0.001;
/** The most decimals a number takes (an interval of 1e-30 is float noise, not a precision to print). */
const MAX_DECIMALS = 20;

/** A number's digits with its whole part grouped in thousands: `1234567.5` → `1,234,567.5`. */
function grouped(digits: string): string {
  const [whole, fraction] = digits.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const body = whole.slice(sign.length).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${body}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** NaN and the infinities, which no rounding applies to. */
const notFinite = (value: number): string => (Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity');

/**
 * A value without an interval: 4 significant digits with trailing zeros dropped (0.9813, 0.07753, 0.7),
 * a whole number as it is (74 errors, 1 for a perfect accuracy), and from 1,000 up every digit of the
 * whole part (1,235 for 1234.56), grouped in thousands. Empty for undefined; `NaN`, `Infinity` as such.
 */
export function formatNumber(value: number | undefined): string {
  if (value === undefined) return '';
  if (!Number.isFinite(value)) return notFinite(value);
  // -0 (a rounded difference) would print as "-0".
  if (value === 0) return '0';
  if (Number.isInteger(value)) return grouped(String(value));
  if (Math.abs(value) >= 1000) return grouped(Math.round(value).toFixed(0));
  const rounded = Number(value.toPrecision(VALUE_DIGITS));
  // 999.96 rounds up to 1000: a whole number again, grouped like one; a tiny value keeps its exponent (1.235e-7).
  return Math.abs(rounded) >= 1000 ? grouped(rounded.toFixed(0)) : String(rounded);
}

/** A value and its interval as separate texts, for tables that show them in two columns (compare's change and noise). */
export interface EstimateParts {
  readonly value: string;
  /** The half-width, without `±`; undefined when there is no interval. */
  readonly interval?: string;
}

/** `+` before a value that is not negative, when asked for: a gain or a change. */
const withSign = (text: string, value: number, sign: boolean): string =>
  sign && !Number.isNaN(value) && !text.startsWith('-') ? `+${text}` : text;

/** The decimal place an interval's half-width sets: its second significant digit (negative: tens, hundreds...). */
function decimalsOf(interval: number): number {
  const rounded = Number(interval.toPrecision(INTERVAL_DIGITS));
  return Math.min(MAX_DECIMALS, INTERVAL_DIGITS - 1 - Math.floor(Math.log10(rounded)));
}

/** A number rounded to `decimals` decimal places (negative: to tens, hundreds...), grouped in thousands. */
function atDecimals(value: number, decimals: number): string {
  if (decimals >= 0) return grouped(value.toFixed(decimals));
  const step = 10 ** -decimals;
  const rounded = Math.round(value / step) * step;
  return grouped((rounded === 0 ? 0 : rounded).toFixed(0));
}

/**
 * A value and its 95 % interval, apart: the half-width to 2 significant digits and the value to the same
 * decimal place (0.925 and 0.022 for 0.924667 ± 0.0217037; 1,130 and 120 for 1134.6 ± 123). A half-width
 * of 0 (every seed agrees) leaves the value as {@link formatNumber} prints it; no interval (undefined, NaN,
 * negative: one seed) prints the value alone. `sign` puts `+` before a value that is not negative.
 */
export function estimateParts(value: number, interval?: number, sign = false): EstimateParts {
  const known = interval !== undefined && Number.isFinite(interval) && interval >= 0;
  if (!known || interval === 0 || !Number.isFinite(value)) {
    const text = withSign(formatNumber(value), value, sign);
    return known ? { value: text, interval: formatNumber(interval) } : { value: text };
  }
  const decimals = decimalsOf(interval);
  return { value: withSign(atDecimals(value, decimals), value, sign), interval: atDecimals(interval, decimals) };
}

/**
 * A mean with its 95 % interval as every table prints it: `0.925 ± 0.022`, `74 ± 0`, `0.9813` without an
 * interval (see {@link estimateParts}). Empty when there is no value. `sign`: `+0.002 ± 0.015`.
 */
export function formatEstimate(value: unknown, interval?: unknown, sign = false): string {
  if (typeof value !== 'number') return '';
  const parts = estimateParts(value, typeof interval === 'number' ? interval : undefined, sign);
  return parts.interval === undefined ? parts.value : `${parts.value} ± ${parts.interval}`;
}

/** A gain or a change: {@link formatEstimate} with `+` before a value that is not negative (`+72`, `-0.005`, `+0.002 ± 0.015`). */
export const formatSigned = (value: number, interval?: number): string => formatEstimate(value, interval, true);

/** A p-value to 2 significant digits (0.12, 0.010, 0.0012, 1.0), `<0.001` below 0.001; empty for none. */
export function formatP(p: number | undefined): string {
  if (p === undefined || Number.isNaN(p)) return '';
  return p < P_FLOOR ? `<${P_FLOOR}` : p.toPrecision(P_DIGITS);
}

/** A p-value with its name, as table cells and sentences write it: `p=0.12`, `p<0.001`, `Holm p=0.0041`. */
export function formatPAs(name: string, p: number): string {
  const text = formatP(p);
  return `${name}${text.startsWith('<') ? '' : '='}${text}`;
}

/** Whether a gain (or change) with this 95 % interval is told apart from 0: false when the interval contains 0. */
export const isSignificant = (value: number, interval: number): boolean => Math.abs(value) > interval;
