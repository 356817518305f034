// The rows each chart plots, taken from a checked run directory: seeds folded into a mean and a band.
import { labelColumn } from '../results/index.js';
import type { Row } from '../results/index.js';
import { mean } from '../shared/index.js';
import { ROLES } from '../shared/index.js';
import type { Role } from '../shared/index.js';
import type { RunData } from './run-data.js';

/** Learning curves show this many cells at most, so a large sweep does not make a page of charts. */
export const MAX_CURVE_CELLS = 12;

/** One point of a learning curve: a role's value at an epoch, its mean over seeds and their range. */
export interface CurvePoint {
  readonly cell: string;
  readonly role: Role;
  /** `training loss`, `validation accuracy`, `test accuracy`. */
  readonly series: string;
  readonly epoch: number;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly seeds: number;
}

/** A cell's gain over its seeds (student − person, signed so positive means distillation helped). */
export interface GainPoint {
  readonly cell: string;
  /** The cell's grid values, as results.csv writes them (a component axis by its readable label). */
  readonly axes: Readonly<Record<string, string | number>>;
  readonly gain: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

/** A role of a cell: its parameter count and its test metric over the seeds. */
export interface ParamsPoint {
  readonly cell: string;
  readonly role: Role;
  readonly params: number;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

/** A search point of the selection stage, for the chart. */
export interface SearchPoint {
  readonly label: string;
  readonly value: number;
  readonly outcome: 'selected' | 'searched' | 'pruned';
}

const isRole = (role: string | number | undefined): role is Role => (ROLES as readonly unknown[]).includes(role);
const finiteNumber = (value: string | undefined): number | undefined =>
  value === undefined || value === '' || !Number.isFinite(Number(value)) ? undefined : Number(value);

/** A cell's name on a chart: its grid values, or "all" for a run of one cell. */
export function cellName(label: string | number | undefined): string {
  return label === undefined || label === '' ? 'all' : String(label);
}

/** The cells after any selection stage, in table order, with their labels. */
export function finalCells(run: RunData): { id: string; label: string }[] {
  const cells = new Map<string, string>();
  for (const { record } of run.results.rows) {
    if (!run.searchCells.has(record.cell_id) && !cells.has(record.cell_id)) {
      cells.set(record.cell_id, cellName(record.cell));
    }
  }
  return [...cells].map(([id, label]) => ({ id, label }));
}

/** A learning curve's panel: the history column it plots, and the roles it plots it for. */
interface Series {
  readonly name: string;
  readonly column: string;
  readonly roles: readonly Role[];
}

/** The name of the student's panel: its training loss is its distillation method's, not the labels' loss alone. */
export const DISTILLATION_LOSS = "student's training loss (distillation)";

/**
 * The series a learning curve has, in panel order (two to a row): the training loss of the roles trained on
 * labels alone, the student's distillation loss apart (it is another quantity: the labels' loss mixed with a
 * term on the teacher's outputs), then per split the label loss and the primary metric, which every role's
 * model is measured on the same way.
 */
function seriesOf(run: RunData): Series[] {
  const has = (column: string) => run.history.columns.includes(column);
  const measured = (split: 'val' | 'test', name: string): Series[] => {
    const metrics = run.primary === 'loss' ? ['loss'] : ['loss', run.primary];
    return metrics
      .filter((m) => has(`${split}_${m}`))
      .map((m) => ({ name: `${name} ${m}`, column: `${split}_${m}`, roles: ROLES }));
  };
  return [
    { name: 'training loss (labels)', column: 'train_loss', roles: ['teacher', 'person'] },
    { name: DISTILLATION_LOSS, column: 'train_loss', roles: ['student'] },
    ...measured('val', 'validation'),
    ...measured('test', 'test'),
  ];
}

/**
 * The learning curves of the final cells (at most {@link MAX_CURVE_CELLS}): per cell, role, series and
 * epoch, the mean over the seeds that recorded it and the lowest and highest seed. Epochs without an
 * evaluation have no test or validation point.
 */
export function curvePoints(run: RunData): {
  points: CurvePoint[];
  series: string[];
  cells: string[];
  omitted: number;
} {
  const all = finalCells(run);
  const shown = all.slice(0, MAX_CURVE_CELLS);
  const label = new Map(shown.map((c) => [c.id, c.label]));
  const series = seriesOf(run);
  const groups = new Map<string, { cell: string; role: Role; series: string; epoch: number; values: number[] }>();
  for (const { record } of run.history.rows) {
    const cell = label.get(record.cell_id);
    const epoch = finiteNumber(record.epoch);
    if (cell === undefined || !isRole(record.role) || epoch === undefined) continue;
    for (const s of series) {
      if (!s.roles.includes(record.role)) continue;
      const value = finiteNumber(record[s.column]);
      if (value === undefined) continue;
      const key = [record.cell_id, record.role, s.name, epoch].join('\0');
      const group = groups.get(key) ?? { cell, role: record.role, series: s.name, epoch, values: [] };
      group.values.push(value);
      groups.set(key, group);
    }
  }
  const order = (p: { role: Role; series: string }) =>
    ROLES.indexOf(p.role) * 10 + series.findIndex((s) => s.name === p.series);
  const points = [...groups.values()]
    .map(({ values, ...rest }) => ({
      ...rest,
      mean: mean(values) as number,
      lo: Math.min(...values),
      hi: Math.max(...values),
      seeds: values.length,
    }))
    .sort((a, b) => order(a) - order(b) || a.epoch - b.epoch);
  return {
    points,
    series: series.map((s) => s.name).filter((s) => points.some((p) => p.series === s)),
    cells: shown.map((c) => c.label),
    omitted: all.length - shown.length,
  };
}

const num = (value: Row[string]): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** The summary rows of the final cells (not the selection stage's). */
function finalSummary(run: RunData): Row[] {
  return run.summary.filter((row) => !run.searchCells.has(String(row.cell_id)));
}

/** The gain of each final cell with a student and a person that finished. */
export function gainPoints(run: RunData): GainPoint[] {
  return finalSummary(run).flatMap((row) => {
    const gain = num(row.gain_mean);
    if (row.role !== 'student' || gain === undefined) return [];
    const ci = num(row.gain_ci95) ?? 0;
    // An axis of whole components is shown by its readable labels (`kd(temperature=2)`), not its JSON.
    const shown = (axis: string) =>
      row[labelColumn(axis)] === undefined ? (row[axis] ?? '') : row[labelColumn(axis)]!;
    const axes = Object.fromEntries(run.axes.map((axis) => [axis, shown(axis)])) as Record<string, string | number>;
    return [{ cell: cellName(row.cell), axes, gain, lo: gain - ci, hi: gain + ci, n: num(row.gain_n) ?? 0 }];
  });
}

/** The grid axes whose value differs between the final cells: what a gain chart is drawn over. */
export function sweptAxes(run: RunData): string[] {
  const rows = finalSummary(run);
  return run.axes.filter((axis) => new Set(rows.map((row) => String(row[axis] ?? ''))).size > 1);
}

/** The parameter count of each (cell, role), from the first results row that has one. */
function paramCounts(run: RunData): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { record } of run.results.rows) {
    const params = finiteNumber(record.params);
    const key = `${record.cell_id}\0${record.role}`;
    if (params !== undefined && !counts.has(key)) counts.set(key, params);
  }
  return counts;
}

/** Each final cell's roles: parameter count against the mean test value of the primary metric. */
export function paramsPoints(run: RunData): ParamsPoint[] {
  const counts = paramCounts(run);
  const column = `test_${run.primary}`;
  return finalSummary(run).flatMap((row) => {
    const params = counts.get(`${row.cell_id}\0${row.role}`);
    const value = num(row[`${column}_mean`]);
    if (!isRole(row.role) || params === undefined || value === undefined) return [];
    const ci = num(row[`${column}_ci95`]) ?? 0;
    return [
      {
        cell: cellName(row.cell),
        role: row.role,
        params,
        mean: value,
        lo: value - ci,
        hi: value + ci,
        n: num(row.n) ?? 0,
      },
    ];
  });
}

/** The selection stage's points that have a value, the winner marked; successive halving's stopped points at their last rung. */
export function searchPoints(run: RunData): SearchPoint[] {
  return (run.search?.candidates ?? []).flatMap((c): SearchPoint[] => {
    if (c.value !== undefined) {
      return [{ label: c.label, value: c.value, outcome: c.selected ? 'selected' : 'searched' }];
    }
    if (c.prunedAt !== undefined && c.reached !== undefined) {
      return [{ label: `${c.label} (stopped at epoch ${c.prunedAt})`, value: c.reached, outcome: 'pruned' }];
    }
    return [];
  });
}
