// `distil-run report`: report.html in a run directory, its charts built from the run's tables.
import path from 'node:path';
import { version as vegaVersion } from 'vega';
import { version as vegaLiteVersion } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { errorResults } from '../errors/index.js';
import { getVersion } from '../shared/index.js';
import { writeFileAtomic } from '../shared/index.js';
import {
  curvePoints,
  finalCells,
  gainPoints,
  MAX_CURVE_CELLS,
  paramsPoints,
  searchPoints,
  sweptAxes,
} from './chart-data.js';
import { gainBarsSpec, gainHeatmapSpec, learningCurveSpec, paramsSpec, selectionSpec } from './charts.js';
import { confusionSpec, confusionView, differenceSentence, differenceSpec, MAX_HEATMAP_CLASSES } from './confusion.js';
import { reportPage } from './html.js';
import { HOLM_LEVEL, methodPoints, methodsSpec } from './methods.js';
import { METHOD_AXIS } from '../results/index.js';
import type { RenderedChart } from './html.js';
import { renderSvg } from './render.js';
import { loadRunData } from './run-data.js';
import type { ReportOptions, RunData } from './run-data.js';

/** A chart the run has data for: its spec and the sentence under it. */
export interface ReportChart {
  readonly id: 'learning-curves' | 'gain' | 'methods' | 'params' | 'selection' | 'confusion' | 'confusion-difference';
  readonly spec: TopLevelSpec;
  readonly caption: string;
}

export interface Report {
  /** The written report.html. */
  readonly file: string;
  /** The charts on the page, in page order. */
  readonly charts: readonly ReportChart['id'][];
  /** The run's status from manifest.json (a report of a failed or interrupted run shows what finished). */
  readonly status: string;
}

/**
 * The gain per cell of a sweep: a heat map over two swept axes, bars otherwise; none for a single cell, nor
 * when the methods alone vary (the method chart shows those gains).
 */
function gainChart(run: RunData): ReportChart | undefined {
  const gains = gainPoints(run);
  const axes = sweptAxes(run);
  if (gains.length < 2 || (axes.length === 1 && axes[0] === METHOD_AXIS)) return undefined;
  const metric = run.primary;
  if (axes.length === 2) {
    return {
      id: 'gain',
      spec: gainHeatmapSpec(gains, [axes[0], axes[1]], metric),
      caption: `Distillation gain (student − person, ${metric}) over ${axes[0]} and ${axes[1]}: blue where distillation helped, red where it hurt.`,
    };
  }
  const interval = gains.some((g) => g.hi > g.lo) ? ', with its 95 % interval over seeds' : '';
  return {
    id: 'gain',
    spec: gainBarsSpec(gains, metric, axes.length === 1 ? axes[0] : undefined),
    caption: `Distillation gain (student − person, ${metric}) per cell${interval}.`,
  };
}

/** The methods of a distillation axis: their gains over the person, best first, marked by the test against kd. */
function methodsChart(run: RunData): ReportChart | undefined {
  const points = methodPoints(run);
  if (points.length < 2) return undefined;
  const groups = new Set(points.map((p) => p.group)).size;
  const interval = points.some((p) => p.hi > p.lo) ? ' with its 95 % interval over seeds' : '';
  return {
    id: 'methods',
    spec: methodsSpec(points, run.primary),
    caption:
      `Distillation gain (student − person, ${run.primary}) of each method${interval}, best first${groups > 1 ? ', per value of the other axes' : ''}. ` +
      `Coloured by the paired test of the method's student against kd's (the first kd entry), Holm-adjusted over the methods, at ${HOLM_LEVEL}.`,
  };
}

/** The caption's sentence on the validation and test panels, naming what they plot (`loss and accuracy`). */
function curveMetrics(series: readonly string[]): string {
  const metrics = [...new Set(series.filter((s) => /^(validation|test) /.test(s)).map((s) => s.replace(/^\S+ /, '')))];
  if (metrics.length === 0) return '';
  return `The validation and test panels (${metrics.join(' and ')}) measure every role's model the same way, on the epochs that were evaluated.`;
}

/** The learning curves of the final cells, and a note when a large sweep shows only some of them. */
function curvesChart(run: RunData): { chart?: ReportChart; note?: string } {
  const curves = curvePoints(run);
  if (curves.points.length === 0) return {};
  const seeded = curves.points.some((p) => p.seeds > 1)
    ? ' (the mean over seeds; the band spans the lowest to the highest seed)'
    : '';
  return {
    chart: {
      id: 'learning-curves',
      spec: learningCurveSpec(curves.points, curves.series, curves.cells),
      caption:
        `Per epoch, one line per role${seeded}. The teacher's and the person's training loss is their loss on the labels; ` +
        `the student's is its distillation loss (the labels' loss mixed with a term on the teacher's outputs), another quantity, so it has a panel of its own. ` +
        curveMetrics(curves.series),
    },
    note:
      curves.omitted > 0
        ? `Learning curves of the first ${MAX_CURVE_CELLS} cells; ${curves.omitted} more are in history.csv.`
        : undefined,
  };
}

/**
 * The confusion matrices of one cell (per role, and the student − person difference), or a note saying why
 * there are none to draw; nothing at all for a run without confusion.csv.
 */
function confusionCharts(run: RunData): { charts: ReportChart[]; note?: string } {
  const view = confusionView(run);
  if (!view) return { charts: [] };
  const sweep = finalCells(run).length > 1 ? " The other cells' matrices are in confusion.csv." : '';
  if (view.classes.length > MAX_HEATMAP_CLASSES) {
    return {
      charts: [],
      note: `${view.classes.length} classes are too many for a readable heat map: the matrices are in confusion.csv.`,
    };
  }
  const seeds = [...new Set(view.roles.flatMap((m) => m.seeds))].length;
  const charts: ReportChart[] = [
    {
      id: 'confusion',
      spec: confusionSpec(view),
      caption:
        `Confusion matrix of each role on the test split for ${view.chosen}${finalCells(run).length > 1 ? ` (${view.cell})` : ''}, summed over ${seeds} seed${seeds === 1 ? '' : 's'}: ` +
        `rows are the true class, columns the predicted one, the diagonal the examples classified right. The colour scale is logarithmic, so that a few mistakes show beside the diagonal.${sweep}`,
    },
  ];
  const { difference } = view;
  if (difference) {
    charts.push({
      id: 'confusion-difference',
      spec: differenceSpec(view, difference),
      caption:
        `Student − person: the student's count minus the person's for each true and predicted class, over the seeds both finished; coloured only where they differ. ` +
        `On the diagonal a positive count is more examples right; off it, a mistake the student makes more often. ${differenceSentence(view, difference)}`,
    });
  }
  return { charts };
}

/** The charts a run has data for, in page order (pure: from the checked tables to Vega-Lite specs). */
export function reportCharts(run: RunData): { charts: ReportChart[]; curvesNote?: string; confusionNote?: string } {
  const params = paramsPoints(run);
  const search = searchPoints(run);
  const curves = curvesChart(run);
  const confusion = confusionCharts(run);
  const charts = [
    methodsChart(run),
    gainChart(run),
    params.length > 0
      ? ({
          id: 'params',
          spec: paramsSpec(params, run.primary),
          caption: `Test ${run.primary} of each role and cell against its parameter count${params.some((p) => p.hi > p.lo) ? ' (mean over seeds with its 95 % interval)' : ''}.`,
        } as const)
      : undefined,
    run.search && search.length > 0
      ? ({
          id: 'selection',
          spec: selectionSpec(search, run.search.metric),
          caption: `Every search point's mean ${run.search.metric}${run.search.decided ? '; the selected one is highlighted' : ''}.`,
        } as const)
      : undefined,
    ...confusion.charts,
    curves.chart,
  ];
  return {
    charts: charts.filter((c): c is ReportChart => c !== undefined),
    curvesNote: curves.note,
    confusionNote: confusion.note,
  };
}

/**
 * Writes `<dir>/report.html` (atomically) from the run's manifest.json, results.csv, history.csv and confusion.csv:
 * one page that opens offline, with the charts rendered to inline SVG. A run that failed or was
 * interrupted gets a report of what finished.
 * @throws DistilError NOT_A_RUN_DIRECTORY, FILE_NOT_FOUND, FILE_UNREADABLE, INVALID_TABLE (exit code 2);
 *   RESULTS_ERROR when report.html cannot be written.
 */
export async function writeReport(dir: string, options: ReportOptions = {}): Promise<Report> {
  const run = loadRunData(dir, options);
  const { charts, curvesNote, confusionNote } = reportCharts(run);
  const rendered = new Map<string, RenderedChart>();
  for (const [i, chart] of charts.entries()) {
    rendered.set(chart.id, { id: chart.id, svg: await renderSvg(chart.spec, `chart${i + 1}`), caption: chart.caption });
  }
  const html = reportPage(
    run,
    rendered,
    { curves: curvesNote, confusion: confusionNote },
    { distilRun: getVersion(), vega: vegaVersion, vegaLite: vegaLiteVersion },
  );
  const file = path.join(dir, 'report.html');
  try {
    writeFileAtomic(file, html);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    // Not "then run distil-run report": the command given is that, and after a run the warning says it.
    throw errorResults(file, `cannot write it (${code ?? (error as Error).message}); ${writeFailureFix(code, dir)}`);
  }
  return { file, charts: charts.map((c) => c.id), status: run.manifest.status };
}

/** What to do when report.html cannot be written into `dir`, for the system's error `code`. */
export function writeFailureFix(code: string | undefined, dir: string): string {
  switch (code) {
    case 'EISDIR':
      return 'remove or rename the directory in its place';
    case 'EACCES':
    case 'EPERM':
      return `fix the permissions of ${dir}`;
    case 'EROFS':
      return `${dir} is on a read-only file system: make it writable`;
    case 'ENOSPC':
      return 'free space on its disk';
    case 'EDQUOT':
      return 'free space (the disk quota is used up)';
    default:
      return 'free space or fix permissions';
  }
}
