// Which grid point a row of a table holds, as tables of different runs and versions can agree on it.
import type { CsvRecord } from './csv.js';
import type { TableKind } from './table-check.js';

/** The axis columns of a table: a results table's between `cell` and `role`, a summary's between `cell_id` and `cell`. */
export function tableAxes(kind: TableKind, columns: readonly string[]): string[] {
  const [from, to] = kind === 'summary' ? ['cell_id', 'cell'] : ['cell', 'role'];
  const [start, end] = [columns.indexOf(from), columns.indexOf(to)];
  return kind !== 'history' && start >= 0 && end > start ? columns.slice(start + 1, end) : [];
}

/**
 * The grid point of a row, to match rows of two tables: each axis column with its exact value
 * (`training.optimizer.lr=0.01, distillation={"name":"kd","temperature":2}`, the text earlier versions
 * wrote in `cell`). Not the readable `cell` label: that depends on the axis's other entries (a second kd
 * entry makes `kd` read `kd(temperature=4)`), so two runs of different grids, or of different versions,
 * label one grid point differently. A row with no axis value (no grid, a search point) is matched by its `cell`.
 */
export function gridKey(record: CsvRecord, axes: readonly string[]): string {
  const values = axes.map((axis) => record[axis] ?? '');
  if (values.every((value) => value === '')) return record.cell ?? '';
  return axes.map((axis, i) => `${axis}=${values[i]}`).join(', ');
}
