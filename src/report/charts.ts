// The report's charts as declarative Vega-Lite specs over small tables of numbers (no rendering here).
import type { TopLevelSpec } from 'vega-lite';
import type { CurvePoint, GainPoint, ParamsPoint, SearchPoint } from './chart-data.js';
import { estimateParts, formatNumber, ROLES } from '../shared/index.js';
import type { Role } from '../shared/index.js';

/** The same colour for a role on every chart: the baseline (person) grey-green, the student in the warm colour. */
export const ROLE_COLORS: Readonly<Record<Role, string>> = {
  teacher: '#4c78a8',
  student: '#f58518',
  person: '#54a24b',
};

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Shared look: one font, quiet grid lines, legends on the right. */
export const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e8e8e8' },
  legend: { labelFontSize: 12, titleFontSize: 12 },
  header: { labelFontSize: 12 },
  view: { stroke: '#d0d0d0' },
} as const;

/** A y axis title written across, above the axis: a grid path is longer than a few bars are high. */
export const TITLE_ABOVE = {
  titleAngle: 0,
  titleAlign: 'right',
  titleBaseline: 'bottom',
  titleX: 0,
  titleY: -6,
} as const;

/** The roles present, in teacher / student / person order. */
function rolesOf(points: ReadonlyArray<{ role: Role }>): Role[] {
  return ROLES.filter((role) => points.some((p) => p.role === role));
}

/** Colour by role with a fixed domain, so a legend names exactly the roles drawn. */
function roleColor(roles: readonly Role[]) {
  const domain: string[] = [...roles];
  return {
    field: 'role',
    type: 'nominal',
    title: 'role',
    sort: domain,
    scale: { domain, range: roles.map((r) => ROLE_COLORS[r]) },
  } as const;
}

/** A set of values in reading order: numerically when every value is a number, else as first seen. */
export function axisOrder(values: ReadonlyArray<string | number>): string[] {
  const distinct = [...new Set(values.map(String))];
  return distinct.every((v) => v !== '' && Number.isFinite(Number(v)))
    ? distinct.sort((a, b) => Number(a) - Number(b))
    : distinct;
}

/**
 * Learning curves: one panel per series (the training loss on labels, the student's distillation loss, the
 * validation / test loss and metric), two to a row, and for several cells one titled block per cell; one
 * line per role, with a band from the lowest to the highest seed when there are seeds. One legend names
 * the roles for every block.
 */
export function learningCurveSpec(
  points: readonly CurvePoint[],
  series: readonly string[],
  cells: readonly string[],
): TopLevelSpec {
  const roles = rolesOf(points);
  const seeded = points.some((p) => p.seeds > 1);
  const x = {
    field: 'epoch',
    type: 'quantitative',
    title: 'epoch',
    scale: { zero: false, nice: false },
    axis: { tickMinStep: 1, format: 'd' },
  } as const;
  const color = roleColor(roles);
  // fillOpacity, not opacity: the legend copies a mark's opacity, and would show the roles as faint as the band.
  const band = {
    mark: { type: 'area', fillOpacity: 0.18 },
    encoding: {
      x,
      y: { field: 'lo', type: 'quantitative', title: null, scale: { zero: false } },
      y2: { field: 'hi' },
      color,
    },
  } as const;
  const line = {
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: { x, y: { field: 'mean', type: 'quantitative', title: null, scale: { zero: false } }, color },
  } as const;
  const seriesOrder: string[] = [...series];
  // Two panels to a row: the training losses side by side, then each split's loss beside its metric.
  const panels = {
    facet: { field: 'series', type: 'nominal', title: null, sort: seriesOrder },
    columns: 2,
    spec: { width: 250, height: 160, layer: seeded ? [band, line] : [line] },
    resolve: { scale: { y: 'independent' } },
  } as const;
  const data = { values: points.map((p) => ({ ...p })) };
  if (cells.length <= 1) {
    return { $schema: SCHEMA, description: 'Learning curves per role', data, ...panels, config: CONFIG };
  }
  return {
    $schema: SCHEMA,
    description: 'Learning curves per role and cell',
    data,
    vconcat: cells.map((cell) => ({
      title: { text: cell, anchor: 'start', fontSize: 13 },
      transform: [{ filter: { field: 'cell', equal: cell } }],
      ...panels,
    })),
    config: CONFIG,
  };
}

/** Gain as a heat map over two grid axes: one rect per cell coloured by the gain (red hurt, blue helped), its value written on it. */
export function gainHeatmapSpec(
  points: readonly GainPoint[],
  axes: readonly [string, string],
  metric: string,
): TopLevelSpec {
  const [ax, ay] = axes;
  const values = points.map((p) => ({
    x: String(p.axes[ax]),
    y: String(p.axes[ay]),
    gain: p.gain,
    label: estimateParts(p.gain, (p.hi - p.lo) / 2, true).value,
  }));
  const x = {
    field: 'x',
    type: 'ordinal',
    title: ax,
    sort: axisOrder(points.map((p) => p.axes[ax])),
    axis: { labelAngle: 0 },
  } as const;
  const y = {
    field: 'y',
    type: 'ordinal',
    title: ay,
    sort: axisOrder(points.map((p) => p.axes[ay])),
    axis: TITLE_ABOVE,
  } as const;
  const extent = Math.max(...points.map((p) => Math.abs(p.gain)), 1e-9);
  return {
    $schema: SCHEMA,
    description: `Distillation gain (${metric}) over ${ax} and ${ay}`,
    data: { values },
    width: { step: 72 },
    height: { step: 40 },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white' },
        encoding: {
          x,
          y,
          color: {
            field: 'gain',
            type: 'quantitative',
            title: `gain (${metric})`,
            scale: { scheme: 'redblue', domain: [-extent, extent] },
          },
        },
      },
      // White on the dark ends of the scale, black in the light middle.
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          x,
          y,
          text: { field: 'label' },
          color: { condition: { test: `abs(datum.gain) > ${0.55 * extent}`, value: 'white' }, value: 'black' },
        },
      },
    ],
    config: CONFIG,
  };
}

/** Gain as bars, one per cell (over one axis, or several that are not a grid of two), with the 95 % interval when there are seeds. */
export function gainBarsSpec(points: readonly GainPoint[], metric: string, axis?: string): TopLevelSpec {
  const seeded = points.some((p) => p.hi > p.lo);
  // Over one axis a bar is named by the axis value (the axis is the title); otherwise by the cell's whole label.
  const name = (p: GainPoint) => (axis === undefined ? p.cell : String(p.axes[axis]));
  const values = points.map((p) => ({
    cell: name(p),
    gain: p.gain,
    lo: p.lo,
    hi: p.hi,
    effect: p.gain >= 0 ? 'helped' : 'hurt',
  }));
  const order = axis === undefined ? values.map((v) => v.cell) : axisOrder(values.map((v) => v.cell));
  const y = {
    field: 'cell',
    type: 'nominal',
    title: axis ?? null,
    sort: order,
    axis: { labelLimit: 360, ...TITLE_ABOVE },
  } as const;
  const x = { field: 'gain', type: 'quantitative', title: `gain (student − person, ${metric})` } as const;
  const effect = {
    field: 'effect',
    type: 'nominal',
    title: 'distillation',
    scale: { domain: ['helped', 'hurt'], range: ['#4c78a8', '#e45756'] },
  } as const;
  return {
    $schema: SCHEMA,
    description: `Distillation gain (${metric}) per cell`,
    data: { values },
    width: 420,
    height: { step: 30 },
    layer: [
      { mark: { type: 'bar', height: { band: 0.7 } }, encoding: { x, y, color: effect } },
      ...(seeded
        ? [
            {
              mark: { type: 'rule', color: '#333' },
              encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' }, y },
            } as const,
          ]
        : []),
      { mark: { type: 'rule', color: '#555' }, encoding: { x: { datum: 0, type: 'quantitative' } } },
    ],
    config: CONFIG,
  };
}

/**
 * Test metric against parameter count: a point per cell and role, with the 95 % interval when there are
 * seeds; a log scale when sizes span 10x or more. Hollow shapes, so a student and a person of one size stay visible.
 */
export function paramsSpec(points: readonly ParamsPoint[], metric: string): TopLevelSpec {
  const roles = rolesOf(points);
  const seeded = points.some((p) => p.hi > p.lo);
  const params = points.map((p) => p.params);
  const log = Math.max(...params) >= 10 * Math.max(1, Math.min(...params));
  const x = {
    field: 'params',
    type: 'quantitative',
    title: 'parameters',
    scale: log ? ({ type: 'log' } as const) : { zero: false },
    axis: { format: '~s' },
  } as const;
  const color = roleColor(roles);
  return {
    $schema: SCHEMA,
    description: `test ${metric} against parameter count`,
    data: { values: points.map((p) => ({ ...p })) },
    width: 360,
    height: 240,
    layer: [
      ...(seeded
        ? [
            {
              mark: { type: 'rule', strokeWidth: 1.5 },
              encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
            } as const,
          ]
        : []),
      {
        mark: { type: 'point', filled: false, strokeWidth: 2, size: 110 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: `test ${metric}`, scale: { zero: false } },
          color,
          shape: { field: 'role', type: 'nominal', title: 'role', sort: color.sort, scale: { domain: color.sort } },
        },
      },
    ],
    config: CONFIG,
  };
}

/** The selection stage: every searched point's validation metric, the selected one highlighted. */
export function selectionSpec(points: readonly SearchPoint[], metric: string): TopLevelSpec {
  const y = {
    field: 'label',
    type: 'nominal',
    title: null,
    sort: points.map((p) => p.label),
    axis: { labelLimit: 360 },
  } as const;
  const x = {
    field: 'value',
    type: 'quantitative',
    title: points.some((p) => p.outcome === 'pruned')
      ? `mean ${metric} (a stopped point's at the epoch it stopped)`
      : `mean ${metric}`,
    scale: { zero: false, padding: 12 },
  } as const;
  return {
    $schema: SCHEMA,
    description: `Selection stage: ${metric} per search point`,
    data: { values: points.map((p) => ({ ...p, text: formatNumber(p.value) })) },
    width: 420,
    height: { step: 26 },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 110 },
        encoding: {
          x,
          y,
          color: {
            field: 'outcome',
            type: 'nominal',
            title: 'search point',
            scale: { domain: ['selected', 'searched', 'pruned'], range: ['#f58518', '#9e9e9e', '#d0d0d0'] },
          },
        },
      },
      { mark: { type: 'text', align: 'left', dx: 9, fontSize: 11 }, encoding: { x, y, text: { field: 'text' } } },
    ],
    config: CONFIG,
  };
}
