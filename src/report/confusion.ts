// The confusion matrices of report.html: one cell's matrix per role summed over its seeds, and the student − person
// difference per true and predicted class with a sentence naming the largest differences.
import type { TopLevelSpec } from 'vega-lite';
import type { CsvRecord } from '../results/index.js';
import { ROLES } from '../shared/index.js';
import type { Role } from '../shared/index.js';
import { cellName, finalCells } from './chart-data.js';
import { CONFIG, SCHEMA, TITLE_ABOVE } from './charts.js';
import type { RunData } from './run-data.js';

/** Above this many classes a heat map is unreadable: the report says so and points at confusion.csv. */
export const MAX_HEATMAP_CLASSES = 30;

/** A matrix summed over seeds: `counts[t][p]`, and the seeds it sums. */
export interface SummedMatrix {
  readonly counts: number[][];
  readonly seeds: readonly string[];
}

/** What the report shows of the confusion matrices: one cell's, per role, and the student − person difference. */
export interface ConfusionView {
  readonly cell: string;
  /** Why this cell: the only one, the one with the best mean gain, or the first with matrices. */
  readonly chosen: string;
  /** Each class's label on the axes (`3`, or `3 Dress` when the dataset names its classes), by class index. */
  readonly classes: readonly string[];
  readonly roles: ReadonlyArray<{ readonly role: Role } & SummedMatrix>;
  /** The student's counts minus the person's, over the seeds where both have a matrix. */
  readonly difference?: SummedMatrix;
}

/** The final cell whose matrices the report shows: the only one, the best mean gain, or the first with matrices. */
function chosenCell(
  run: RunData,
  withRows: ReadonlySet<string>,
): { id: string; label: string; chosen: string } | undefined {
  const cells = finalCells(run).filter((cell) => withRows.has(cell.id));
  if (cells.length === 0) return undefined;
  if (cells.length === 1) return { ...cells[0], chosen: "the run's only cell" };
  let best: { id: string; gain: number } | undefined;
  for (const row of run.summary) {
    const gain = row.gain_mean;
    if (row.role !== 'student' || typeof gain !== 'number' || !withRows.has(String(row.cell_id))) continue;
    if (!best || gain > best.gain) best = { id: String(row.cell_id), gain };
  }
  const cell = cells.find((c) => c.id === best?.id);
  if (cell) return { ...cell, chosen: `the cell with the highest mean gain (${run.primary}) of ${cells.length}` };
  return { ...cells[0], chosen: `the first of ${cells.length} cells (no gain was recorded)` };
}

/** Sums the rows of one role over `seeds` (all the role's seeds when undefined) into a k x k matrix. */
function summed(rows: readonly CsvRecord[], role: Role, classes: number, seeds?: ReadonlySet<string>): SummedMatrix {
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const used = new Set<string>();
  for (const r of rows) {
    if (r.role !== role || (seeds && !seeds.has(r.seed))) continue;
    counts[Number(r.true_class)][Number(r.predicted_class)] += Number(r.count);
    used.add(r.seed);
  }
  return { counts, seeds: [...used] };
}

/** The confusion matrices of the chosen cell; undefined when the run has none (regression, an older version). */
export function confusionView(run: RunData): ConfusionView | undefined {
  const table = run.confusion;
  if (!table || table.rows.length === 0) return undefined;
  const records = table.rows.map((r) => r.record).filter((r) => !run.searchCells.has(r.cell_id));
  const cell = chosenCell(run, new Set(records.map((r) => r.cell_id)));
  if (!cell) return undefined;
  const rows = records.filter((r) => r.cell_id === cell.id);
  // A loop, not Math.max(...): a matrix of many classes has more rows than a call takes arguments.
  const k = rows.reduce((most, r) => Math.max(most, Number(r.true_class), Number(r.predicted_class)), -1) + 1;
  const names = new Map<number, string>();
  for (const r of rows) if (r.true_name) names.set(Number(r.true_class), r.true_name);
  const classes = Array.from({ length: k }, (_, i) => (names.has(i) ? `${i} ${names.get(i)}` : String(i)));
  const roles = ROLES.map((role) => ({ role, ...summed(rows, role, k) })).filter((m) => m.seeds.length > 0);
  const student = roles.find((m) => m.role === 'student');
  const person = roles.find((m) => m.role === 'person');
  const paired = new Set(student?.seeds.filter((seed) => person?.seeds.includes(seed)));
  let difference: SummedMatrix | undefined;
  if (paired.size > 0) {
    const [s, p] = [summed(rows, 'student', k, paired), summed(rows, 'person', k, paired)];
    difference = { counts: s.counts.map((row, t) => row.map((c, q) => c - p.counts[t][q])), seeds: [...paired] };
  }
  return { cell: cellName(cell.label), chosen: cell.chosen, classes, roles, difference };
}

/** `1 seed`, `3 seeds`. */
const seedsText = (n: number): string => `${n} seed${n === 1 ? '' : 's'}`;

/** A heat map's cell size: large enough to write a count in for a few classes, smaller for many. */
const step = (classes: number): number => (classes <= 10 ? 30 : classes <= 20 ? 20 : 12);

/** The axes of a heat map: predicted class across, true class down, both in class order. */
function axes(classes: readonly string[]) {
  const sort = [...classes];
  return {
    x: { field: 'predicted', type: 'ordinal', title: 'predicted class', sort, axis: { labelAngle: 0 } },
    y: { field: 'truth', type: 'ordinal', title: 'true class', sort, axis: TITLE_ABOVE },
  } as const;
}

/**
 * One heat map per role of the chosen cell, side by side: the count of each (true, predicted) pair over the
 * seeds, on a log colour scale so that a few mistakes show beside the diagonal's hundreds; counts written in
 * the cells when there are few classes.
 */
export function confusionSpec(view: ConfusionView): TopLevelSpec {
  const { classes } = view;
  const max = Math.max(1, ...view.roles.flatMap((m) => m.counts.flat()));
  const values = view.roles.flatMap(({ role, counts }) =>
    counts.flatMap((row, t) =>
      row.map((count, p) => ({
        role,
        truth: classes[t],
        predicted: classes[p],
        count,
        dark: Math.log1p(count) > 0.6 * Math.log1p(max),
      })),
    ),
  );
  const { x, y } = axes(classes);
  const written = classes.length <= 12;
  return {
    $schema: SCHEMA,
    description: `Confusion matrix per role, ${view.cell}`,
    data: { values },
    facet: {
      column: { field: 'role', type: 'nominal', title: null, sort: view.roles.map((m) => m.role) },
    },
    spec: {
      width: { step: step(classes.length) },
      height: { step: step(classes.length) },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
          encoding: {
            x,
            y,
            color: {
              field: 'count',
              type: 'quantitative',
              title: 'examples',
              scale: { type: 'symlog', scheme: 'blues' },
            },
          },
        },
        ...(written
          ? [
              {
                transform: [{ filter: 'datum.count > 0' }],
                mark: { type: 'text', fontSize: 10 },
                encoding: {
                  x,
                  y,
                  text: { field: 'count', type: 'quantitative' },
                  color: { condition: { test: 'datum.dark', value: 'white' }, value: 'black' },
                },
              } as const,
            ]
          : []),
      ],
    },
    config: CONFIG,
  } as TopLevelSpec;
}

/** The student − person heat map: coloured only where the two differ, the difference written in the cell. */
export function differenceSpec(view: ConfusionView, difference: SummedMatrix): TopLevelSpec {
  const { classes } = view;
  const values = difference.counts.flatMap((row, t) =>
    row.map((diff, p) => ({
      truth: classes[t],
      predicted: classes[p],
      diff,
      label: diff > 0 ? `+${diff}` : String(diff),
    })),
  );
  const extent = Math.max(1, ...values.map((v) => Math.abs(v.diff)));
  const { x, y } = axes(classes);
  return {
    $schema: SCHEMA,
    description: `Confusion difference, student − person, ${view.cell}`,
    data: { values },
    width: { step: step(classes.length) },
    height: { step: step(classes.length) },
    layer: [
      {
        mark: { type: 'rect', stroke: '#e4e4e4', strokeWidth: 0.5 },
        encoding: {
          x,
          y,
          color: {
            condition: { test: 'datum.diff === 0', value: '#ffffff' },
            field: 'diff',
            type: 'quantitative',
            title: 'student − person',
            scale: { scheme: 'purpleorange', domain: [-extent, extent] },
          },
        },
      },
      ...(classes.length <= 20
        ? [
            {
              transform: [{ filter: 'datum.diff !== 0' }],
              mark: { type: 'text', fontSize: 10 },
              encoding: {
                x,
                y,
                text: { field: 'label' },
                color: { condition: { test: `abs(datum.diff) > ${0.55 * extent}`, value: 'white' }, value: 'black' },
              },
            } as const,
          ]
        : []),
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** How one pair's difference reads: `true 3 predicted 5: −12 (the student makes this mistake 12 times fewer)`. */
function describePair(classes: readonly string[], t: number, p: number, diff: number): string {
  const n = Math.abs(diff);
  const times = `${n} time${n === 1 ? '' : 's'}`;
  const sign = diff > 0 ? `+${diff}` : `−${n}`;
  if (t === p) return `true ${classes[t]} predicted correctly: ${sign} (${n} ${diff > 0 ? 'more' : 'fewer'} right)`;
  return `true ${classes[t]} predicted ${classes[p]}: ${sign} (the student makes this mistake ${times} ${diff > 0 ? 'more' : 'fewer'})`;
}

/** The sentence under the difference heat map: the largest differences (at most three), or that there are none. */
export function differenceSentence(view: ConfusionView, difference: SummedMatrix): string {
  const over = seedsText(difference.seeds.length);
  const pairs = difference.counts
    .flatMap((row, t) => row.map((diff, p) => ({ t, p, diff })))
    .filter((d) => d.diff !== 0)
    // The largest first; among equals the mistakes (off the diagonal) first, then in class order.
    .sort(
      (a, b) =>
        Math.abs(b.diff) - Math.abs(a.diff) || Number(a.t === a.p) - Number(b.t === b.p) || a.t - b.t || a.p - b.p,
    );
  if (pairs.length === 0) return `The student and the person have the same confusion matrix (over ${over}).`;
  const shown = pairs.slice(0, 3).map((d) => describePair(view.classes, d.t, d.p, d.diff));
  const more = pairs.length > 3 ? `; ${pairs.length - 3} other pair(s) differ too` : '';
  return `Largest differences (student − person, summed over ${over}): ${shown.join('; ')}${more}.`;
}
