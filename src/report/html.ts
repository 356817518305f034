// report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) from a run's facts and charts.
import { gainVerdict, repeatCommand, SINGLE_DRAW } from '../results/index.js';
import type { Row } from '../results/index.js';
import { finalCells } from './chart-data.js';
import { describeEpochsRan } from './epochs-ran.js';
import { HOLM_LEVEL, methodPoints } from './methods.js';
import type { ManifestFacts, RunData } from './run-data.js';
import { formatEstimate, formatNumber, formatP, formatSigned, isSignificant, ROLES } from '../shared/index.js';

/** A rendered chart and where it goes on the page. */
export interface RenderedChart {
  /** `learning-curves`, `gain`, `params`, `selection`: the figure's data-chart attribute. */
  readonly id: string;
  readonly svg: string;
  readonly caption: string;
}

/** What the page says about the tools that made it. */
export interface PageTools {
  readonly distilRun: string;
  readonly vega: string;
  readonly vegaLite: string;
}

/** Text for HTML: the five characters that could open markup or close an attribute. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

const STYLE = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 10px; border-bottom: 1px solid #e3e3e3; padding-bottom: 4px; }
.description { color: #444; margin: 0 0 10px; } .overrides { color: #444; margin: -6px 0 10px; }
.status { display: inline-block; padding: 2px 10px; border-radius: 10px; font-weight: bold; font-size: 12px; }
.status-ok { background: #e3f1e3; color: #1d5e1d; } .status-failed { background: #fbe3e3; color: #8a1c1c; }
.status-interrupted, .status-running { background: #fdf0d8; color: #7a4b00; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 12px 0; }
dl.facts dt { color: #666; } dl.facts dd { margin: 0; word-break: break-word; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 4px 9px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; } td.num { text-align: right; white-space: nowrap; }
td.helped { color: #1f5f9e; font-weight: 600; } td.hurt { color: #b3302f; font-weight: 600; }
tr.selected td { background: #fff4e5; font-weight: 600; }
.role-teacher { border-left: 4px solid #4c78a8; } .role-student { border-left: 4px solid #f58518; } .role-person { border-left: 4px solid #54a24b; }
.pair { display: flex; flex-wrap: wrap; column-gap: 40px; } .pair > section { flex: 1 1 0; min-width: 320px; }
figure.chart { margin: 10px 0 18px; overflow-x: auto; } figure.chart svg { max-width: 100%; height: auto; }
figcaption, .note { color: #555; font-size: 13px; }
code { font-size: 12px; background: #f4f4f4; padding: 1px 4px; border-radius: 3px; }
footer { margin-top: 36px; color: #777; font-size: 12px; }
`;

/**
 * The gain cell: signed, with its interval and the paired t-test's p, or in words `not significant` (its
 * interval contains 0) or `single draw` (one seed); coloured only when settled. Empty off student rows.
 */
function gainText(row: Row): { text: string; effect: string } {
  if (typeof row.gain_mean !== 'number') return { text: '', effect: '' };
  const ci = typeof row.gain_ci95 === 'number' ? row.gain_ci95 : undefined;
  const verdict = gainVerdict(row);
  const settled = ci !== undefined && isSignificant(row.gain_mean, ci);
  return {
    text: `${formatSigned(row.gain_mean, ci)}${verdict === '' ? '' : ` (${verdict})`}`,
    effect: settled ? (row.gain_mean >= 0 ? 'helped' : 'hurt') : '',
  };
}

/** The number of seeds that finished, and what happened to the others. */
function seedCount(run: RunData, cellId: string, role: string): string {
  const rows = run.results.rows
    .filter((r) => r.record.cell_id === cellId && r.record.role === role)
    .map((r) => r.record.status);
  const ok = rows.filter((s) => s === 'ok').length;
  const other = [...new Set(rows.filter((s) => s !== 'ok'))].map((s) => `${rows.filter((r) => r === s).length} ${s}`);
  return other.length > 0 ? `${ok} of ${rows.length} (${other.join(', ')})` : String(ok);
}

/** The teacher / student / person table of the final cells: parameters, each metric over the seeds, the gain. */
function rolesTable(run: RunData): string {
  const cells = finalCells(run);
  const metricColumns = run.metrics
    .flatMap((m) => ['test', 'val'].map((split) => `${split}_${m}`))
    .filter((c) => run.results.columns.includes(c));
  const params = new Map(
    run.results.rows
      .filter((r) => r.record.params !== '')
      .map((r) => [`${r.record.cell_id}\0${r.record.role}`, Number(r.record.params)]),
  );
  const showCell = cells.length > 1;
  const head = [
    ...(showCell ? ['cell'] : []),
    'role',
    'params',
    'seeds',
    ...metricColumns.map((c) => c.replace(/^val_/, 'validation ').replace(/^test_/, 'test ')),
    `gain (${run.primary})`,
  ];
  const body = cells.flatMap((cell) => {
    const rows = ROLES.map((role) => run.summary.find((r) => r.cell_id === cell.id && r.role === role)).filter(
      (r): r is Row => r !== undefined,
    );
    return rows.map((row, i) => {
      const gain = gainText(row);
      const count = params.get(`${cell.id}\0${row.role}`);
      const cells = [
        ...(showCell && i === 0 ? [`<td rowspan="${rows.length}">${escapeHtml(cell.label)}</td>`] : []),
        `<td class="role-${escapeHtml(row.role)}">${escapeHtml(row.role)}</td>`,
        `<td class="num">${formatNumber(count)}</td>`,
        `<td class="num">${escapeHtml(seedCount(run, cell.id, String(row.role)))}</td>`,
        ...metricColumns.map(
          (c) => `<td class="num">${escapeHtml(formatEstimate(row[`${c}_mean`], row[`${c}_ci95`]))}</td>`,
        ),
        `<td class="num ${gain.effect}">${escapeHtml(gain.text)}</td>`,
      ];
      return `<tr>${cells.join('')}</tr>`;
    });
  });
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.join('\n')}</tbody></table>`;
}

/** Under the gains of a run of one seed: each is a single draw; with the command that repeats the run over seeds. */
function singleDrawNote(run: RunData): string {
  const seeds = new Set(run.results.rows.map((r) => r.record.seed));
  if (seeds.size !== 1 || !run.summary.some((r) => typeof r.gain_mean === 'number')) return '';
  const sentence = `${SINGLE_DRAW.charAt(0).toUpperCase()}${SINGLE_DRAW.slice(1)}`;
  const command = repeatCommand({ args: run.manifest.args, specFile: run.manifest.specFile });
  return `\n<p class="note single-draw">${escapeHtml(sentence)} <code>${escapeHtml(command)}</code></p>`;
}

/** A p-value cell: `0.016`, `<0.001`, or empty. */
const pCell = (p: Row[string]): string => (typeof p === 'number' ? formatP(p) : '');

/** The methods of a distillation axis, best gain first: each one's gain over the person and its paired test against kd. */
function methodsTable(run: RunData): string {
  const points = methodPoints(run);
  const grouped = new Set(points.map((p) => p.group)).size > 1;
  const head = [
    ...(grouped ? ['other axes'] : []),
    'method',
    `gain (${run.primary})`,
    'against kd: student − kd student',
    'p',
    'Holm p',
    'against kd',
  ];
  const body = points.map((p) => {
    const gain = gainText(p.row);
    const mean = p.row.vs_kd_mean;
    const signedVersus =
      typeof mean === 'number'
        ? formatSigned(mean, typeof p.row.vs_kd_ci95 === 'number' ? p.row.vs_kd_ci95 : undefined)
        : '';
    const effect = p.versus === 'better than kd' ? 'helped' : p.versus === 'worse than kd' ? 'hurt' : '';
    const cells = [
      ...(grouped ? [`<td>${escapeHtml(p.group)}</td>`] : []),
      `<td>${escapeHtml(p.method)}</td>`,
      `<td class="num ${gain.effect}">${escapeHtml(gain.text)}</td>`,
      `<td class="num">${escapeHtml(signedVersus)}${typeof p.row.vs_kd_n === 'number' && p.row.vs_kd_n > 0 ? ` (n=${p.row.vs_kd_n})` : ''}</td>`,
      `<td class="num">${escapeHtml(pCell(p.row.vs_kd_p))}</td>`,
      `<td class="num">${escapeHtml(pCell(p.row.vs_kd_p_holm))}</td>`,
      `<td class="${effect}">${escapeHtml(p.versus)}</td>`,
    ];
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.join('\n')}</tbody></table>`;
}

const METHODS_NOTE =
  "Each method's student against kd's: the first kd entry of the distillation axis is the reference, and each other " +
  "method's student metric minus the reference student's is paired by seed (the other axes equal), signed so that " +
  `positive means better than kd, with a paired t-test's p. Holm's step-down adjustment runs over the methods compared ` +
  `with kd at the same values of the other axes; a method is better or worse than kd when its Holm p is below ${HOLM_LEVEL}.`;

/** A duration as people read it: 42.1 s, 3 min 05 s, 2 h 04 min. */
function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')} min`;
}

const STATUS_TEXT: Readonly<Record<string, string>> = {
  ok: 'finished',
  failed: 'failed: the report shows what finished',
  interrupted: 'interrupted: the report shows what finished',
  running: 'running, or stopped without a word: the report shows what had finished',
};

function definitions(items: ReadonlyArray<readonly [string, string | undefined]>): string {
  const shown = items.filter(([, value]) => value !== undefined && value !== '');
  return `<dl class="facts">${shown.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

function header(run: RunData): string {
  const m = run.manifest;
  const seeds = [...new Set(run.results.rows.map((r) => r.record.seed))].filter((s) => s !== '');
  const when = m.finishedAt
    ? `${escapeHtml(m.finishedAt)}${m.seconds === undefined ? '' : ` (${duration(m.seconds)})`}`
    : undefined;
  // The description is the spec file's: the flags that changed the experiment stand beside it, and the epochs that ran.
  const overrides =
    m.overrides.length > 0
      ? `<p class="overrides">as run with ${m.overrides.map((o) => `<code>${escapeHtml(o)}</code>`).join(' ')}</p>`
      : '';
  const epochs = describeEpochsRan(run);
  return `<header><h1>${escapeHtml(m.experiment)}</h1>${m.description ? `<p class="description">${escapeHtml(m.description)}</p>` : ''}${overrides}
<span class="status status-${escapeHtml(m.status)}">${escapeHtml(STATUS_TEXT[m.status] ?? m.status)}</span>
${definitions([
  ['epochs run', epochs && escapeHtml(epochs)],
  ['run', escapeHtml(m.runId)],
  ['spec', m.specFile && `<code>${escapeHtml(m.specFile)}</code>`],
  ['started', m.startedAt && escapeHtml(m.startedAt)],
  ['finished', when],
  ['cells', String(finalCells(run).length)],
  [seeds.length === 1 ? 'seed' : 'seeds', seeds.length > 0 ? escapeHtml(seeds.join(', ')) : undefined],
  ['command', m.commands.length > 0 ? m.commands.map((c) => `<code>${escapeHtml(c)}</code>`).join('<br>') : undefined],
])}</header>`;
}

function figure(chart: RenderedChart | undefined): string {
  if (!chart) return '';
  return `<figure class="chart" data-chart="${escapeHtml(chart.id)}">${chart.svg}<figcaption>${escapeHtml(chart.caption)}</figcaption></figure>`;
}

/** Every searched point: its validation metric, test metrics (reported, never used to choose) and the winner. */
function selectionTable(run: RunData): string {
  const search = run.search;
  if (!search) return '';
  const tests = [...new Set(search.candidates.flatMap((c) => Object.keys(c.test)))];
  const head = ['search point', 'seeds', `mean ${search.metric}`, ...tests.map((t) => `test ${t}`), ''];
  const body = search.candidates.map(
    (c) =>
      `<tr${c.selected ? ' class="selected"' : ''}><td>${escapeHtml(c.label)}</td><td class="num">${c.n}</td>` +
      `<td class="num">${formatNumber(c.value)}</td>${tests.map((t) => `<td class="num">${formatNumber(c.test[t])}</td>`).join('')}` +
      `<td>${c.selected ? 'selected' : ''}</td></tr>`,
  );
  const how = search.decided
    ? `The winner has the ${search.higherIsBetter === false ? 'lowest' : 'highest'} mean ${search.metric} among the points that finished on every seed; its values were carried into the cells above. The test split was not used to choose.`
    : 'The run stopped before a winner was selected: these are the search points that had finished.';
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.join('\n')}</tbody></table><p class="note">${escapeHtml(how)}</p>`;
}

/** Rows that did not finish, with the reason the run recorded. */
function problems(run: RunData): string {
  const rows = run.results.rows.map((r) => r.record).filter((r) => r.status !== 'ok');
  if (rows.length === 0) return '';
  const body = rows.map(
    (r) =>
      `<tr><td>${escapeHtml(r.cell || 'all')}</td><td>${escapeHtml(r.role)}</td><td class="num">${escapeHtml(r.seed ?? '')}</td><td>${escapeHtml(r.status)}</td><td>${escapeHtml(r.error ?? '')}</td></tr>`,
  );
  return `<section id="problems"><h2>Rows that did not finish</h2><table><thead><tr><th>cell</th><th>role</th><th>seed</th><th>status</th><th>reason</th></tr></thead><tbody>${body.join('\n')}</tbody></table></section>`;
}

/** The backend, BLAS, kernels and versions the run recorded, and the machine. */
function environment(m: ManifestFacts, tools: PageTools, confusion: boolean): string {
  const sources = `manifest.json, results.csv${confusion ? ', history.csv and confusion.csv' : ' and history.csv'}`;
  const b = m.backend;
  const blas = b.blas !== null && typeof b.blas === 'object' ? (b.blas as Record<string, unknown>) : undefined;
  const list = (value: unknown) =>
    Array.isArray(value) && value.length > 0 ? value.map((v) => escapeHtml(v)).join('<br>') : undefined;
  const machine = m.machine;
  const versions = { 'distil-run': m.distilRun ?? '', ...m.versions };
  return `<section id="environment"><h2>Backend and versions</h2>${definitions([
    [
      'backend',
      `${escapeHtml(b.name)}${typeof b.requested === 'string' && b.requested !== b.name ? ` (requested ${escapeHtml(b.requested)})` : ''}`,
    ],
    [
      'BLAS',
      blas
        ? escapeHtml(
            `${String(blas.library)}: ${String(blas.description ?? '')}${typeof blas.sgemmGflops === 'number' ? `, sgemm ${blas.sgemmGflops} GFLOP/s` : ''}`,
          )
        : typeof b.blas_skipped === 'string'
          ? escapeHtml(`none (${b.blas_skipped})`)
          : undefined,
    ],
    ['kernels', list(b.kernels)],
    ['skipped', list(b.skipped)],
    [
      'machine',
      Object.keys(machine).length > 0
        ? escapeHtml(
            `${String(machine.platform)} ${String(machine.arch)}, ${String(machine.cpus)} CPU(s), ${String(machine.memory_gb)} GB`,
          )
        : undefined,
    ],
    ...Object.entries(versions)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => [k, escapeHtml(v)] as const),
  ])}</section>
<footer>Report written by distil-run ${escapeHtml(tools.distilRun)} from ${escapeHtml(sources)}; charts by Vega-Lite ${escapeHtml(tools.vegaLite)} and Vega ${escapeHtml(tools.vega)}, rendered to SVG when the report was written.</footer>`;
}

/** The whole page. `charts` are keyed by id; a chart a run has no data for is left out with its section. */
export function reportPage(
  run: RunData,
  charts: ReadonlyMap<string, RenderedChart>,
  notes: { curves?: string; confusion?: string },
  tools: PageTools,
): string {
  const m = run.manifest;
  const sections = [
    header(run),
    `<section id="roles"><h2>Teacher, student and person</h2>${finalCells(run).length > 0 ? rolesTable(run) : '<p>No cell has finished a role yet.</p>'}
<p class="note">Test metrics are means over the seeds that finished, ± the 95 % interval of the mean when there are several. The gain is the student's ${escapeHtml(run.primary)} minus the person's (the same architecture trained on labels only), signed so that positive means distillation helped; over seeds it is paired per seed, with a t-test's p, and counts as settled only when its interval excludes 0.</p>${singleDrawNote(run)}</section>`,
    methodPoints(run).length > 1
      ? `<section id="methods"><h2>Methods against kd</h2>${figure(charts.get('methods'))}${methodsTable(run)}<p class="note">${escapeHtml(METHODS_NOTE)}</p></section>`
      : '',
    // The two summary charts side by side where the page is wide enough; the learning curves, the longest, after them.
    `<div class="pair">${[
      charts.has('gain') ? `<section id="sweep"><h2>Gain per cell</h2>${figure(charts.get('gain'))}</section>` : '',
      charts.has('params')
        ? `<section id="params"><h2>Test ${escapeHtml(run.primary)} against parameter count</h2>${figure(charts.get('params'))}</section>`
        : '',
    ].join('')}</div>`,
    run.search
      ? `<section id="selection"><h2>Selection stage</h2>${figure(charts.get('selection'))}${selectionTable(run)}</section>`
      : '',
    charts.has('confusion') || notes.confusion
      ? `<section id="confusion"><h2>Confusion matrices</h2>${figure(charts.get('confusion'))}${figure(charts.get('confusion-difference'))}${notes.confusion ? `<p class="note">${escapeHtml(notes.confusion)}</p>` : ''}</section>`
      : '',
    charts.has('learning-curves')
      ? `<section id="learning-curves"><h2>Learning curves</h2>${figure(charts.get('learning-curves'))}${notes.curves ? `<p class="note">${escapeHtml(notes.curves)}</p>` : ''}</section>`
      : '',
    problems(run),
    environment(m, tools, run.confusion !== undefined),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${m.experiment} ${m.runId}: distil-run report`)}</title>
<style>${STYLE}</style>
</head>
<body><main>
${sections.filter(Boolean).join('\n')}
</main></body>
</html>
`;
}
