// The table a run prints on stdout when it ends: per role, its test metrics and the distillation gain.
import {
  describeBackend,
  formatEstimate,
  formatGain,
  formatPAs,
  formatSigned,
  formatTable,
  singleDrawLines,
} from '../index.js';
import type { Row, RunSummary } from '../index.js';

/**
 * A method's student against kd's: `+0.0215 ± 0.0012 (p=0.0020, Holm p=0.0040)`; `kd reference` on the
 * reference's student row; empty elsewhere.
 */
function versusKd(row: Row, references: ReadonlySet<string>): string {
  if (row.role === 'student' && references.has(String(row.cell_id))) return 'kd reference';
  if (typeof row.vs_kd_mean !== 'number') return '';
  const ci = typeof row.vs_kd_ci95 === 'number' ? row.vs_kd_ci95 : undefined;
  const p = (name: string, value: Row[string]) => (typeof value === 'number' ? [formatPAs(name, value)] : []);
  const tests = [...p('p', row.vs_kd_p), ...p('Holm p', row.vs_kd_p_holm)];
  return `${formatSigned(row.vs_kd_mean, ci)}${tests.length > 0 ? ` (${tests.join(', ')})` : ''}`;
}

/**
 * The table of a run with several seeds: per cell and role, mean ± 95% interval of each test metric over
 * the ok seeds, the paired gain, and with a method axis each method's student against kd's.
 */
function seedTable(rows: readonly Row[]): string {
  const metrics = [...new Set(rows.flatMap((row) => Object.keys(row).filter((k) => /^test_.+_mean$/.test(k))))];
  const grid = rows.some((row) => row.cell);
  const references = new Set(rows.map((row) => String(row.vs_kd_ref ?? '')).filter((id) => id !== ''));
  const ranked = references.size > 0;
  const headers = [
    ...(grid ? ['cell'] : []),
    'role',
    'n',
    ...metrics.map((m) => m.slice(5, -5)),
    'gain',
    ...(ranked ? ['vs kd'] : []),
  ];
  return formatTable(
    headers,
    rows.map((row) => [
      ...(grid ? [String(row.cell)] : []),
      String(row.role),
      row.n as number,
      ...metrics.map((m) => formatEstimate(row[m], row[`${m.slice(0, -5)}_ci95`])),
      formatGain(row),
      ...(ranked ? [versusKd(row, references)] : []),
    ]),
  );
}

/** The table of a single-seed run: one line per results row. */
function rowTable(rows: readonly Row[]): string {
  const metrics = [
    ...new Set(rows.flatMap((row) => Object.keys(row).filter((k) => k.startsWith('test_') && row[k] !== undefined))),
  ];
  const grid = rows.some((row) => row.cell);
  const staged = rows.some((row) => row.stage);
  const headers = [
    ...(staged ? ['stage'] : []),
    ...(grid ? ['cell'] : []),
    'role',
    'params',
    ...metrics.map((m) => m.slice(5)),
    'gain',
    'status',
  ];
  return formatTable(
    headers,
    rows.map((row) => [
      ...(staged ? [String(row.stage ?? '')] : []),
      ...(grid ? [String(row.cell)] : []),
      String(row.role),
      row.params as number | undefined,
      ...metrics.map((m) => row[m] as number | undefined),
      typeof row.distillation_gain === 'number' ? `${formatSigned(row.distillation_gain)} ${row.gain_metric}` : '',
      String(row.status),
    ]),
  );
}

/**
 * The end-of-run table, then the run directory. One seed: role, params, test metrics and the gain per
 * results row, with the command that repeats the run over seeds (`args`: the run's, as typed after
 * `distil-run`). Several seeds: per cell and role over the seeds, mean ± 95% interval and the paired gain.
 */
export function formatRunSummary(summary: RunSummary, args: readonly string[] = []): string {
  if (summary.rows.length === 0) {
    // A resumed run whose cells were all done: no table of nothing, and no legend for it.
    return [
      `nothing was trained: every cell this command would train was done before (distil-run summarize ${summary.runDir} prints the run's results)`,
      `backend: ${describeBackend(summary.backend)}`,
      summary.runDir,
    ].join('\n');
  }
  const several =
    new Set(summary.rows.map((row) => row.seed)).size > 1 ||
    summary.summary.some((row) => typeof row.n === 'number' && row.n > 1);
  const seeded = several && summary.summary.length > 0;
  const failed = summary.rows.filter((row) => row.status === 'failed').map((row) => `${row.role}: ${row.error}`);
  // One seed's gain says nothing of the seed-to-seed spread: the run says so, and how to measure it.
  const singleDraw = !seeded && summary.rows.some((row) => typeof row.distillation_gain === 'number');
  return [
    seeded ? seedTable(summary.summary) : rowTable(summary.rows),
    ...(failed.length > 0 ? ['', 'failed:', ...failed.map((f) => `  ${f}`)] : []),
    '',
    `gain = student - person on the first non-loss metric, signed so positive means distillation helped`,
    ...(singleDraw ? singleDrawLines({ args }) : []),
    ...(seeded
      ? [
          'mean ± 95% interval over the seeds that finished (n); the gain is paired per seed (t-test p), not significant when its interval contains 0',
        ]
      : []),
    ...(seeded && summary.summary.some((row) => row.vs_kd_ref)
      ? [
          "vs kd = the method's student - the kd reference's student (the first kd entry, same seed and other axes), signed like the gain; Holm p over the methods compared",
        ]
      : []),
    `backend: ${describeBackend(summary.backend)}`,
    summary.runDir,
  ].join('\n');
}
