// compare's rows of a model that cells share (the teacher and the person of a sweep over the distillation): shown once.
import type { MetricChange } from './compare-types.js';
import type { CsvRecord } from './csv.js';
import { gridKey, tableAxes } from './grid-key.js';
import { sameModelCells } from './same-model.js';
import type { CheckedTable } from './table-check.js';

/** For one role, the cells (by grid point, as compare matches rows) of each table whose rows are one model (see {@link sameModelCells}). */
export type ModelGroups = (role: string) => {
  readonly a: ReadonlyMap<string, readonly string[]>;
  readonly b: ReadonlyMap<string, readonly string[]>;
};

/**
 * The models of two tables, by grid point as compare matches rows (`gridKey`): told by each seed's figures in a
 * results table, by the means and spreads in a summary.
 */
export function modelGroupsOf(a: CheckedTable, b: CheckedTable): ModelGroups {
  const cache = new Map<string, ReturnType<ModelGroups>>();
  const of = (table: CheckedTable, role: string) => {
    const axes = tableAxes(table.kind, table.columns);
    const pointOf = (record: Readonly<Record<string, unknown>>) => gridKey(record as CsvRecord, axes);
    return sameModelCells(table.rows.map((r) => r.record), role, pointOf, table.kind === 'summary');
  };
  return (role) => {
    const known = cache.get(role) ?? { a: of(a, role), b: of(b, role) };
    cache.set(role, known);
    return known;
  };
}

/**
 * The changes with those of cells that have one model of their role in both tables folded into the first
 * cell's: `cells` names them all (the first is `cell`), `inEveryCell` says when they are every cell of the
 * role compared. Their values are the same in each cell, so one row says it; a regression counts once.
 */
export function foldShared<T extends MetricChange>(deltas: readonly T[], groups: ModelGroups): T[] {
  const pointOf = (d: MetricChange) => d.point ?? d.cell;
  const cellsOf = (role: string) => new Set(deltas.filter((d) => d.role === role).map(pointOf)).size;
  // The readable label of each grid point, to name the cells a row stands for.
  const labels = new Map(deltas.map((d) => [pointOf(d), d.cell]));
  const shown = new Set<string>();
  const out: T[] = [];
  for (const delta of deltas) {
    const { a, b } = groups(delta.role);
    const point = pointOf(delta);
    const inB = b.get(point) ?? [point];
    const points = (a.get(point) ?? [point]).filter((p) => inB.includes(p) && labels.has(p));
    if (points.length < 2) {
      out.push(delta);
      continue;
    }
    const key = `${delta.role}\0${delta.seed ?? ''}\0${delta.metric}\0${points[0]}`;
    if (shown.has(key)) continue;
    shown.add(key);
    const others = points.filter((p) => p !== point).map((p) => labels.get(p) ?? p);
    out.push({ ...delta, cells: [delta.cell, ...others], inEveryCell: points.length === cellsOf(delta.role) });
  }
  return out;
}

/** A change's cell as the tables show it: `T=2`, `-` without a grid, `all 4 cells (the same model)`, `T=2 (+1 cell, the same model)`. */
export function shownCell(delta: MetricChange): string {
  const count = delta.cells?.length ?? 1;
  if (count < 2) return delta.cell || '-';
  if (delta.inEveryCell) return `all ${count} cells (the same model)`;
  return `${delta.cell || '-'} (+${count - 1} cell${count === 2 ? '' : 's'}, the same model)`;
}
