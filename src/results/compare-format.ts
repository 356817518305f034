// compare's output formats: the text table, markdown for a pull-request comment, JSON and CSV for tools; each carries the same facts.
import { createObjectCsvStringifier } from 'csv-writer';
import { errorInvalidArgument } from '../errors/index.js';
import type { Comparison, LostResult, MetricDelta, RowKey } from './compare-types.js';
import type { PairedDelta } from './compare-paired.js';
import { shownCell } from './compare-shared.js';
import { isGated } from './compare-thresholds.js';
import type { Thresholds } from './compare-thresholds.js';
import { estimateParts, formatEstimate, formatNumber, formatP } from '../shared/index.js';

export const COMPARE_FORMATS = ['table', 'markdown', 'json', 'csv'] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

/** `--format`, checked. @throws DistilError INVALID_ARGUMENT for another value. */
export function parseCompareFormat(value: string | undefined): CompareFormat {
  if (value === undefined) return 'table';
  if ((COMPARE_FORMATS as readonly string[]).includes(value)) return value as CompareFormat;
  throw errorInvalidArgument('--format', `expected one of ${COMPARE_FORMATS.join(', ')}, got "${value}"`);
}

/** fail and pass: a threshold was given; warning: none, and results were lost in b; report: none, nothing lost. */
export type CompareStatus = 'fail' | 'pass' | 'warning' | 'report';

/** The outcome in a word and a sentence, the same in every format. */
export function outcomeOf(c: Comparison): { readonly status: CompareStatus; readonly message: string } {
  const gated = isGated(c.thresholds);
  const status: CompareStatus = c.failed ? 'fail' : gated ? 'pass' : c.lost.length > 0 ? 'warning' : 'report';
  const message = c.verdict?.replace(/^warning: [A-Z_]+: /, '') ?? (gated ? 'no regression' : 'report only, no threshold given (pass --max-regression to gate on the changes)');
  return { status, message };
}

/** The thresholds in words: `0.01 for every metric`, `accuracy 0.005, gain 0.002; 0.01 for the other metrics`. */
export function describeThresholds(thresholds: Thresholds): string {
  const named = Object.entries(thresholds.byMetric).map(([metric, limit]) => `${metric} ${limit}`);
  const plain = thresholds.maxRegression;
  if (named.length === 0) return plain === undefined ? 'none (report only)' : `${plain} for every metric`;
  return `${named.join(', ')}; ${plain === undefined ? 'no threshold for the other metrics' : `${plain} for the other metrics`}`;
}

// Floats as a person would write them: 0.88 - 0.9 is -0.020000000000000018, shown as -0.02.
const clean = (value: number | undefined): number | null => (value === undefined ? null : Number(value.toPrecision(12)));

/**
 * One compared value as a record, with every key present (null where it does not apply), for JSON and CSV:
 * `p` is the paired t-test's (paired by seed), `shared_by` the cells whose one model the row stands for.
 */
function valueRecord(d: MetricDelta) {
  const s = d as Partial<PairedDelta>;
  return {
    cell: d.cell, seed: d.seed ?? null, role: d.role, metric: d.metric, a: d.a, b: d.b, change: clean(d.improvement),
    a_ci95: s.ciA ?? null, b_ci95: s.ciB ?? null, a_n: s.nA ?? null, b_n: s.nB ?? null, noise_half_width: clean(s.combined),
    p: clean(s.p), shared_by: d.cells?.length ?? 1, threshold: d.limit ?? null, check: d.check,
  };
}

const lostRecord = (l: LostResult) => ({ cell: l.cell, seed: l.seed ?? null, role: l.role, metric: l.metric ?? null, reason: l.reason });
const keyRecord = (k: RowKey) => ({ cell: k.cell, seed: k.seed ?? null, role: k.role });

/**
 * The comparison as one JSON object (stable keys, snake_case; see the README): the outcome, the counts,
 * every compared value (`rows`), the results lost in b, the rows of one table only and the notes.
 */
function formatJson(c: Comparison): string {
  const outcome = outcomeOf(c);
  const gated = isGated(c.thresholds);
  const document = {
    status: outcome.status,
    verdict: outcome.message,
    failed: c.failed,
    kind: c.kind,
    a: c.files.a,
    b: c.files.b,
    change: 'b - a, positive = better',
    thresholds: { default: c.thresholds.maxRegression ?? null, metrics: c.thresholds.byMetric },
    noise_rule: c.noiseRule ?? null,
    metrics: c.metrics,
    counts: {
      rows_compared: c.rowsCompared,
      values_compared: c.deltas.length,
      regressions: gated ? c.regressions.length + c.lost.length : 0,
      regressed_values: c.regressions.length,
      lost: c.lost.length,
      noise: c.deltas.filter((d) => d.check === 'noise').length,
      only_in_a: c.onlyIn.a.length,
      only_in_b: c.onlyIn.b.length,
    },
    rows: c.deltas.map(valueRecord),
    lost: c.lost.map(lostRecord),
    only_in_a: c.onlyIn.a.map(keyRecord),
    only_in_b: c.onlyIn.b.map(keyRecord),
    notes: c.remarks,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

const CSV_COLUMNS = ['cell', 'seed', 'role', 'metric', 'a', 'b', 'change', 'a_ci95', 'b_ci95', 'a_n', 'b_n', 'noise_half_width', 'p', 'shared_by', 'threshold', 'check', 'reason'] as const;

/** One row per compared value, then one per result lost in b (`check` lost, with its `reason`); the same columns always. */
function formatCsv(c: Comparison): string {
  const stringifier = createObjectCsvStringifier({ header: CSV_COLUMNS.map((id) => ({ id, title: id })) });
  const records = [
    ...c.deltas.map((d) => ({ ...valueRecord(d), reason: '' })),
    ...c.lost.map((l) => ({ ...lostRecord(l), check: 'lost' })),
  ].map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v ?? ''])));
  // The stringifier renders no records as an empty line, which would read back as a row.
  return stringifier.getHeaderString() + (records.length > 0 ? stringifier.stringifyRecords(records) : '');
}

/** Text for a markdown table cell or line: a `|` would end the cell, a line break the row. */
const md = (text: string | number): string => String(text).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

/** A markdown table of values; over seeds the sides show mean (± ci95 unpaired) (n), then the noise half-width (and p, paired). */
function markdownTable(c: Comparison, deltas: readonly MetricDelta[]): string[] {
  const seeded = c.kind !== 'results';
  const paired = c.kind === 'paired';
  const gated = isGated(c.thresholds);
  const checked = gated || seeded;
  const side = (mean: number, ci: number | undefined, n: number | undefined) =>
    seeded ? `${paired ? formatNumber(mean) : formatEstimate(mean, ci)} (n=${n})` : formatNumber(mean);
  const headers = ['cell', 'role', 'metric', 'a', 'b', 'change', ...(seeded ? ['noise'] : []), ...(paired ? ['p'] : []), ...(gated ? ['threshold'] : []), ...(checked ? ['check'] : [])];
  const align = headers.map((h) => (['a', 'b', 'change', 'noise', 'p', 'threshold'].includes(h) ? '---:' : '---'));
  const rows = deltas.map((d) => {
    const s = d as Partial<PairedDelta>;
    const change = estimateParts(d.improvement, s.combined, true);
    return [
      shownCell(d), d.role, d.metric, side(d.a, s.ciA, s.nA), side(d.b, s.ciB, s.nB), change.value,
      ...(seeded ? [change.interval === undefined ? '' : `± ${change.interval}`] : []), ...(paired ? [formatP(s.p)] : []),
      ...(gated ? [d.limit ?? ''] : []),
      ...(checked ? [d.check === 'regressed' ? '**REGRESSED**' : d.check === 'unchecked' && !gated ? '' : d.check] : []),
    ];
  });
  return [headers, align, ...rows].map((row) => `| ${row.map(md).join(' | ')} |`);
}

/** A lost result as a list item: `cell "x", seed 7, role student: failed in b, ok in a`. */
const lostLine = (l: LostResult): string =>
  `- ${md([l.cell ? `cell "${l.cell}"` : '', l.seed !== undefined ? `seed ${l.seed}` : '', `role ${l.role}`].filter(Boolean).join(', '))}${l.metric ? ` ${md(l.metric)}` : ''}: ${md(l.reason)}`;

/** The heading's outcome: `FAIL, 3 regression(s)`, `PASS, no regression`, `WARNING, 2 result(s) lost in b`, `REPORT, no threshold given`. */
function headline(c: Comparison, status: CompareStatus): string {
  switch (status) {
    case 'fail': return `FAIL, ${c.regressions.length + c.lost.length} regression(s)`;
    case 'pass': return 'PASS, no regression';
    case 'warning': return `WARNING, ${c.lost.length} result(s) lost in b`;
    case 'report': return 'REPORT, no threshold given';
  }
}

/**
 * A pull-request comment: a heading with the verdict, what was compared and the thresholds, then the
 * regressions and the results lost in b, then every other value in a collapsed block, then the notes.
 */
function formatMarkdown(c: Comparison): string {
  const { status, message } = outcomeOf(c);
  const gated = isGated(c.thresholds);
  const out = [`### distil-run compare: ${headline(c, status)}`, ''];
  if (c.verdict !== undefined) out.push(md(message), '');
  out.push(
    `Baseline ${code(c.files.a)}, new ${code(c.files.b)}: ${md(c.scope)}. Thresholds: ${md(describeThresholds(c.thresholds))}.`,
  );
  if (c.kind === 'summary') out.push('', `Noise: a change within sqrt(ci95_a^2 + ci95_b^2), the 95% interval of the difference of the two means, is marked noise and never fails the gate.`);
  if (c.kind === 'paired') out.push('', `Paired by seed: a change is the mean over the seeds of each seed's b - a; one whose 95% interval (t) contains 0 (p >= 0.05) is marked noise and never fails the gate.`);
  if (c.regressions.length > 0) out.push('', `**Regressed values (${c.regressions.length})**`, '', ...markdownTable(c, c.regressions));
  if (c.lost.length > 0) {
    const why = gated ? 'each is a regression' : 'not gated: pass --max-regression to fail on this';
    out.push('', `**Lost in b (${c.lost.length})**: failed, skipped, interrupted, missing or empty; ${why}`, '', ...c.lost.map(lostLine));
  }
  const rest = c.deltas.filter((d) => d.check !== 'regressed');
  if (rest.length > 0) {
    const noise = rest.filter((d) => d.check === 'noise').length;
    const label = `${c.regressions.length > 0 ? 'Other values' : 'Values'} (${rest.length}${noise > 0 ? `, ${noise} within the noise` : ''})`;
    out.push('', `<details><summary>${label}</summary>`, '', ...markdownTable(c, rest), '', '</details>');
  }
  if (c.remarks.length > 0) out.push('', 'Notes:', '', ...c.remarks.map((note) => `- ${md(note)}`));
  return `${out.join('\n')}\n`;
}

/**
 * The comparison in `format`, for stdout: `table` is compare's text table; `markdown`, `json` and `csv`
 * are described in the README. Notes and the verdict go to stderr in every format.
 */
export function formatComparison(c: Comparison, format: CompareFormat): string {
  switch (format) {
    case 'table': return `${c.text}\n`;
    case 'markdown': return formatMarkdown(c);
    case 'json': return formatJson(c);
    case 'csv': return formatCsv(c);
  }
}
