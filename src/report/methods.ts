// The methods of a distillation axis on the report: each one's gain over the person and its test against kd, and their chart.
import type { TopLevelSpec } from 'vega-lite';
import { labelColumn, METHOD_AXIS } from '../results/index.js';
import type { Row } from '../results/index.js';
import { formatPAs } from '../shared/index.js';
import { CONFIG, SCHEMA, TITLE_ABOVE } from './charts.js';
import { sweptAxes } from './chart-data.js';
import type { RunData } from './run-data.js';

/** The family-wise level a method's Holm-adjusted p must be under to count as different from kd. */
export const HOLM_LEVEL = 0.05;

/** How a method stands against kd: the reference itself, better or worse after Holm, not different, or untested. */
export type Versus = 'kd (reference)' | 'better than kd' | 'worse than kd' | 'not different from kd' | 'not tested';

/** The order and colour of each standing, for the legend. */
export const VERSUS_COLORS: ReadonlyArray<readonly [Versus, string]> = [
  ['better than kd', '#4c78a8'],
  ['not different from kd', '#bab0ac'],
  ['worse than kd', '#e45756'],
  ['kd (reference)', '#f58518'],
  ['not tested', '#e0e0e0'],
];

/** One method of one group (the values of the other axes): its gain over the person and how it stands against kd. */
export interface MethodPoint {
  readonly method: string;
  /** The other swept axes' values, `training.optimizer.lr=0.01` (empty when only the method varies). */
  readonly group: string;
  readonly gain: number;
  readonly lo: number;
  readonly hi: number;
  readonly row: Row;
  readonly versus: Versus;
}

const num = (value: Row[string]): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** An axis value as the report shows it: its readable label when the summary has one. */
export function shownValue(row: Row, axis: string): string {
  const label = row[labelColumn(axis)];
  return String(label !== undefined && label !== '' ? label : (row[axis] ?? ''));
}

/** How a student row stands against kd: its Holm-adjusted p below the level, and the sign of the difference. */
function standing(row: Row, references: ReadonlySet<string>): Versus {
  if (references.has(String(row.cell_id))) return 'kd (reference)';
  const holm = num(row.vs_kd_p_holm);
  const mean = num(row.vs_kd_mean);
  if (holm === undefined || mean === undefined) return 'not tested';
  if (holm >= HOLM_LEVEL || mean === 0) return 'not different from kd';
  return mean > 0 ? 'better than kd' : 'worse than kd';
}

/**
 * The methods of the run's distillation axis, when it has two or more: per group of the other swept axes,
 * each method's student with a gain, best gain first. Empty without such an axis.
 */
export function methodPoints(run: RunData): MethodPoint[] {
  const swept = sweptAxes(run);
  if (!swept.includes(METHOD_AXIS)) return [];
  const students = run.summary.filter(
    (row) => row.role === 'student' && !run.searchCells.has(String(row.cell_id)) && num(row.gain_mean) !== undefined,
  );
  const references = new Set(students.map((row) => String(row.vs_kd_ref ?? '')).filter((id) => id !== ''));
  const others = swept.filter((axis) => axis !== METHOD_AXIS);
  const points = students.map((row) => {
    const gain = num(row.gain_mean) as number;
    const ci = num(row.gain_ci95) ?? 0;
    const group = others.map((axis) => `${axis}=${shownValue(row, axis)}`).join(', ');
    const versus = standing(row, references);
    return { method: shownValue(row, METHOD_AXIS), group, gain, lo: gain - ci, hi: gain + ci, row, versus };
  });
  const groups = [...new Set(points.map((p) => p.group))];
  return groups.flatMap((group) => points.filter((p) => p.group === group).sort((a, b) => b.gain - a.gain));
}

/** `p=0.016`, `p<0.001`: a p-value as the chart writes it beside a bar. */
export const pText = (p: number): string => formatPAs('p', p);

/**
 * The method chart: a bar per method of its gain over the person (student − person) with the 95 % interval,
 * best first, coloured by how it stands against kd after Holm's adjustment, its Holm p written beside it;
 * one panel per group of the other axes.
 */
export function methodsSpec(points: readonly MethodPoint[], metric: string): TopLevelSpec {
  const seeded = points.some((p) => p.hi > p.lo);
  const values = points.map((p) => {
    const holm = num(p.row.vs_kd_p_holm);
    const note = p.versus === 'kd (reference)' ? 'reference' : holm === undefined ? '' : `Holm ${pText(holm)}`;
    return {
      method: p.method,
      group: p.group,
      gain: p.gain,
      lo: p.lo,
      hi: p.hi,
      versus: p.versus,
      note,
      edge: Math.max(p.hi, p.gain, 0),
    };
  });
  const shown = VERSUS_COLORS.filter(([v]) => points.some((p) => p.versus === v));
  const y = {
    field: 'method',
    type: 'nominal',
    title: METHOD_AXIS,
    sort: { field: 'gain', op: 'max', order: 'descending' },
    axis: { labelLimit: 360, ...TITLE_ABOVE },
  } as const;
  const x = { field: 'gain', type: 'quantitative', title: `gain (student − person, ${metric})` } as const;
  const color = {
    field: 'versus',
    type: 'nominal',
    title: 'against kd (Holm, 5 %)',
    scale: { domain: shown.map(([v]) => v), range: shown.map(([, c]) => c) },
  } as const;
  const layer = [
    { mark: { type: 'bar', height: { band: 0.7 } }, encoding: { x, y, color } } as const,
    ...(seeded
      ? [
          {
            mark: { type: 'rule', color: '#333' },
            encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' }, y },
          } as const,
        ]
      : []),
    { mark: { type: 'rule', color: '#555' }, encoding: { x: { datum: 0, type: 'quantitative' } } } as const,
    {
      mark: { type: 'text', align: 'left', dx: 6, fontSize: 11, color: '#333' },
      encoding: { x: { field: 'edge', type: 'quantitative' }, y, text: { field: 'note' } },
    } as const,
  ];
  const unit = { width: 420, height: { step: 30 }, layer };
  const description = `Distillation methods: gain (${metric}) and the test against kd`;
  const data = { values };
  if (new Set(points.map((p) => p.group)).size <= 1) {
    return { $schema: SCHEMA, description, data, ...unit, config: CONFIG };
  }
  return {
    $schema: SCHEMA,
    description,
    data,
    facet: {
      row: {
        field: 'group',
        type: 'nominal',
        title: null,
        sort: [...new Set(points.map((p) => p.group))],
        header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top' },
      },
    },
    spec: unit,
    resolve: { scale: { y: 'independent' } },
    config: CONFIG,
  };
}
