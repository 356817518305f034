// Plain-text tables for stdout (aligned columns, numbers right-aligned), and the numbers they show: signed changes, p-values, gains.

/** Formats rows as an aligned text table under a header line. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>): string {
  const cells = rows.map((row) => headers.map((_, i) => formatCell(row[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => row[i] === undefined || row[i] === '' || typeof row[i] === 'number'));
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function formatCell(value: string | number | undefined): string {
  if (value === undefined || value === '') return '';
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 1000 ? value.toFixed(1) : value.toPrecision(4).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/**
 * A signed number: +0.0123 / -0.0040; a whole number other than 0 as it is (+3: a count, such as `errors`,
 * that changed), while no change keeps the digits of the column's other values (+0.0000).
 */
export function signed(value: number, digits = 4): string {
  const shown = Number.isInteger(value) && value !== 0 ? String(value) : value.toFixed(digits);
  return `${value >= 0 ? '+' : ''}${shown}`;
}

/**
 * A metric value as people read it: a whole number as it is (74 errors, not 74.0000; 1 for a perfect
 * accuracy, as the run's table shows it), else 4 decimals (1 from 1,000 up).
 */
export function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(Math.abs(value) >= 1000 ? 1 : 4);
}

/**
 * Whether a column's numbers are all whole (a count such as `errors` that every seed agrees on): its means
 * and intervals then print as they are. A column of accuracies with one perfect 1 keeps its decimals.
 */
export function wholeColumn(values: readonly unknown[]): boolean {
  const numbers = values.filter((v): v is number => typeof v === 'number');
  return numbers.length > 0 && numbers.every(Number.isInteger);
}

/**
 * A mean over seeds with its 95 % interval when there is one: 0.9810 ± 0.0012, 4 decimals (1 from 1,000 up);
 * in a `whole` column (see {@link wholeColumn}) as they are: 74 ± 0. Empty without a mean.
 */
export function formatMean(mean: unknown, ci: unknown, whole = false): string {
  if (typeof mean !== 'number') return '';
  const shown = (x: number) => (whole ? String(x) : x.toFixed(Math.abs(x) >= 1000 ? 1 : 4));
  return typeof ci === 'number' ? `${shown(mean)} ± ${shown(ci)}` : shown(mean);
}

/** A p-value in two digits, or a bound below 0.001. */
export const formatP = (p: number): string => (p >= 0.01 ? p.toFixed(2) : p >= 0.001 ? p.toFixed(3) : '<0.001');

/** The gain of a summary row over its seeds (`gain_mean`, `gain_ci95`, `gain_p`, `gain_metric`); empty without a mean. */
export interface GainFigures {
  readonly gain_mean?: unknown;
  readonly gain_ci95?: unknown;
  readonly gain_p?: unknown;
  readonly gain_metric?: unknown;
}

/**
 * A gain over seeds as every table shows it: `+0.0021 ± 0.0015 accuracy (p=0.01)`, marked `(not significant,
 * p=0.31)` when its interval contains 0; without an interval (one pair) `+0.0021 accuracy`.
 */
export function formatGain(row: GainFigures): string {
  if (typeof row.gain_mean !== 'number') return '';
  const ci = typeof row.gain_ci95 === 'number' ? ` ± ${row.gain_ci95.toFixed(4)}` : '';
  const text = `${signed(row.gain_mean)}${ci} ${String(row.gain_metric ?? '')}`.trimEnd();
  if (typeof row.gain_p !== 'number' || typeof row.gain_ci95 !== 'number') return text;
  const p = formatP(row.gain_p);
  const shown = `p${p.startsWith('<') ? '' : '='}${p}`;
  return Math.abs(row.gain_mean) <= row.gain_ci95 ? `${text} (not significant, ${shown})` : `${text} (${shown})`;
}
