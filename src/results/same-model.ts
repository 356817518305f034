// Which cells' rows of a role are one trained model: a teacher or person that cells share gives the same figures in each.
/** A table's rows as read (text) or as summarized (numbers). */
type Rows = ReadonlyArray<Readonly<Record<string, string | number | undefined>>>;

/**
 * The columns that tell a model apart: its size, every test and validation figure, the epoch it kept and
 * a student's gain (a student paired with another person is not the same pair).
 */
const figureColumns = (row: Rows[number], summary: boolean): string[] =>
  Object.keys(row)
    .filter((c) =>
      summary
        ? /^((test|val)_.+|gain)_(mean|std)$/.test(c) || ['n', 'gain_n'].includes(c)
        : /^(test|val)_./.test(c) || ['params', 'kept_epoch', 'distillation_gain'].includes(c),
    )
    .sort();

const isFinite = (value: unknown): boolean => value !== undefined && value !== '' && Number.isFinite(Number(value));

/**
 * What a cell's rows of a role say of its model: the figures of each seed (a results table) or the
 * means and spreads over the seeds (a summary). Undefined when a row has no figure to tell it by (failed,
 * skipped, interrupted, no ok seed): two models that left no figures are not known to be one.
 */
function fingerprint(rows: Rows, summary: boolean): string | undefined {
  const seeds: Array<[string, string]> = [];
  for (const row of rows) {
    const columns = figureColumns(row, summary);
    const figures = columns.filter((c) => c.startsWith('test_') || c.startsWith('val_'));
    if (summary ? !(Number(row.n) > 0) : row.status !== 'ok') return undefined;
    if (!figures.some((c) => isFinite(row[c]))) return undefined;
    seeds.push([String(row.seed ?? ''), JSON.stringify(columns.map((c) => [c, String(row[c] ?? '')]))]);
  }
  return seeds.length === 0 ? undefined : JSON.stringify(seeds.sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The cells whose rows of `role` are one model, for each cell of the table: the cells in a group have the
 * same figures for every seed (a results table: the same trained teacher or person, as cells share it)
 * or the same means and spreads (a summary). A cell alone, or whose rows leave no figures, is its own
 * group. Groups list their cells in table order, by `cellOf` (the cell id, or the label compare keys by).
 */
export function sameModelCells(rows: Rows, role: string, cellOf: (row: Rows[number]) => string, summary: boolean): Map<string, readonly string[]> {
  const byCell = new Map<string, Array<Rows[number]>>();
  for (const row of rows.filter((r) => r.role === role)) {
    const cell = cellOf(row);
    byCell.set(cell, [...(byCell.get(cell) ?? []), row]);
  }
  const groups = new Map<string, string[]>();
  const out = new Map<string, readonly string[]>();
  for (const [cell, cellRows] of byCell) {
    const print = fingerprint(cellRows, summary);
    const group = print === undefined ? [cell] : (groups.get(print) ?? []);
    if (print !== undefined && group.length === 0) groups.set(print, group);
    if (print !== undefined) group.push(cell);
    out.set(cell, group);
  }
  return out;
}

/** True when every one of `cells` (at least two) is in one group: the role is the same model in each. */
export function oneModel(groups: ReadonlyMap<string, readonly string[]>, cells: readonly string[]): boolean {
  if (cells.length < 2) return false;
  const group = groups.get(cells[0]) ?? [];
  return cells.every((cell) => group.includes(cell));
}
