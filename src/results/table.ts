// Plain-text tables for stdout (aligned columns, numbers right-aligned) and the gain as every table words it.
import { formatNumber, formatPAs, formatSigned, isSignificant } from '../shared/index.js';

/** Formats rows as an aligned text table under a header line; numbers print as {@link formatNumber} prints them. */
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
  return typeof value === 'string' ? value : formatNumber(value);
}

/** The gain of a summary row over its seeds (`gain_n`, `gain_mean`, `gain_ci95`, `gain_p`, `gain_metric`); empty without a mean. */
export interface GainFigures {
  readonly gain_n?: unknown;
  readonly gain_mean?: unknown;
  readonly gain_ci95?: unknown;
  readonly gain_p?: unknown;
  readonly gain_metric?: unknown;
}

/** What a gain over seeds says in words: `p=0.010`, `not significant, p=0.31` (its interval contains 0), `single draw` (one pair). */
export function gainVerdict(row: GainFigures): string {
  if (typeof row.gain_mean !== 'number') return '';
  if (typeof row.gain_ci95 !== 'number') return row.gain_n === 1 ? 'single draw' : '';
  const p = typeof row.gain_p === 'number' ? formatPAs('p', row.gain_p) : '';
  return isSignificant(row.gain_mean, row.gain_ci95) ? p : ['not significant', p].filter(Boolean).join(', ');
}

/**
 * A gain over seeds as every table shows it: `+0.0021 ± 0.0015 accuracy (p=0.010)`, `(not significant,
 * p=0.31)` when its interval contains 0; one pair (no interval): `+0.0021 accuracy (single draw)`.
 */
export function formatGain(row: GainFigures): string {
  if (typeof row.gain_mean !== 'number') return '';
  const interval = typeof row.gain_ci95 === 'number' ? row.gain_ci95 : undefined;
  const text = `${formatSigned(row.gain_mean, interval)} ${String(row.gain_metric ?? '')}`.trimEnd();
  const verdict = gainVerdict(row);
  return verdict === '' ? text : `${text} (${verdict})`;
}
