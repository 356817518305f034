// The methods of a distillation axis against kd: per method, its student's metric minus kd's student's, paired by
// seed with the other axes held equal, with its 95% interval, the paired t-test's p and Holm's p over the methods.
import { axisLabels, componentName, holmAdjust, pairedTTest } from '../shared/index.js';
import type { CsvRecord } from './csv.js';
import { round } from './rows.js';
import type { Row } from './rows.js';
import { finite, statColumns } from './stat-columns.js';

/** The grid path whose entries are the methods ranked. */
export const METHOD_AXIS = 'distillation';

/** The method every other one is compared with: the axis's first entry of this name. */
export const REFERENCE_METHOD = 'kd';

/** The columns of the comparison with kd, on student rows. */
export const VS_KD_COLUMNS = [
  'vs_kd_ref',
  'vs_kd_n',
  'vs_kd_mean',
  'vs_kd_std',
  'vs_kd_ci95',
  'vs_kd_p',
  'vs_kd_p_holm',
  'vs_kd_metric',
] as const;

/** A table's rows of one cell, by role and then seed. */
export type CellRows = ReadonlyMap<string, ReadonlyMap<string, CsvRecord>>;

/** Which way a metric (a column without `test_`) is better; undefined is taken as higher. */
export type Orientation = (metric: string) => boolean | undefined;

/** A grid value as an axis column holds it, as a value again: JSON lists and mappings parsed, anything else as text. */
export function columnValue(text: string): unknown {
  if (!/^[[{]/.test(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The distinct values of an axis column over the records, in table order (empty ones left out: search points). */
function distinct(records: readonly CsvRecord[], axis: string): string[] {
  return [...new Set(records.map((r) => r[axis] ?? ''))].filter((v) => v !== '');
}

/**
 * The readable label of each value of the axes holding whole components (a mapping on the axis), from the
 * values the table holds (see axisLabels): axis → (exact text → label). A complete run's table holds every
 * entry of its grid, so these are the labels of its `cell` column.
 */
export function componentLabels(records: readonly CsvRecord[], axes: readonly string[]): Map<string, Map<string, string>> {
  const labels = new Map<string, Map<string, string>>();
  for (const axis of axes) {
    const texts = distinct(records, axis);
    const values = texts.map(columnValue);
    if (!values.some((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) continue;
    const names = axisLabels(values);
    labels.set(axis, new Map(texts.map((text, i) => [text, names[i]])));
  }
  return labels;
}

/** One cell of the method axis: its entry (the exact text) and the values of the other axes. */
interface MethodCell {
  readonly id: string;
  readonly method: string;
  readonly others: string;
}

/** The metric a cell's student is compared on: its gain's metric, else the first test metric that is not the loss. */
function comparedMetric(rows: readonly CellRows[], metrics: readonly string[]): string | undefined {
  const students = rows.flatMap((cell) => [...(cell.get('student')?.values() ?? [])]);
  const named = students.find((r) => r.gain_metric)?.gain_metric;
  if (named) return named;
  const tests = metrics.filter((m) => m.startsWith('test_')).map((m) => m.slice(5));
  return tests.find((m) => m !== 'loss') ?? tests[0];
}

/** The vs_kd columns of one method cell against the reference cell: paired over the seeds where both students are ok. */
function versusReference(method: CellRows, reference: CellRows, referenceId: string, metric: string, orientation: Orientation): Row {
  const column = `test_${metric}`;
  const sign = orientation(metric) === false ? -1 : 1;
  const differences: number[] = [];
  for (const [seed, student] of method.get('student') ?? []) {
    const other = reference.get('student')?.get(seed);
    if (student.status !== 'ok' || other?.status !== 'ok') continue;
    const pair = finite([student[column], other[column]]);
    if (pair.length === 2) differences.push(round(sign * (pair[0] - pair[1])));
  }
  const test = pairedTTest(differences);
  return {
    vs_kd_ref: referenceId,
    vs_kd_n: differences.length,
    ...statColumns('vs_kd', differences),
    vs_kd_p: test === undefined ? '' : round(test.p, 4),
    vs_kd_p_holm: '',
    vs_kd_metric: metric,
  };
}

/**
 * Every method cell against kd, by cell id (the columns of its student row). The reference is the first
 * entry of the method axis named kd, in table order; each other entry's cell is compared with the
 * reference's cell of the same values on the other axes: its student's metric minus kd's student's, per
 * seed where both are ok, signed so that positive means better than kd. Holm's adjustment runs over the
 * methods compared within the same values of the other axes (one ranking each). Without a kd entry, or
 * for a cell whose reference did not run, the columns are empty.
 */
export function rankMethods(
  cells: ReadonlyMap<string, CellRows>,
  records: readonly CsvRecord[],
  axes: readonly string[],
  metrics: readonly string[],
  orientation: Orientation,
): Map<string, Row> {
  const others = axes.filter((axis) => axis !== METHOD_AXIS);
  const methodCells: MethodCell[] = [...cells].flatMap(([id, roles]) => {
    const first = [...roles.values()][0]?.values().next().value;
    const method = first?.[METHOD_AXIS] ?? '';
    return method === '' ? [] : [{ id, method, others: JSON.stringify(others.map((axis) => first?.[axis] ?? '')) }];
  });
  const reference = distinct(records, METHOD_AXIS).find((text) => componentName(columnValue(text)) === REFERENCE_METHOD);
  const ranked = new Map<string, Row>();
  for (const group of new Set(methodCells.map((c) => c.others))) {
    const members = methodCells.filter((c) => c.others === group);
    const base = members.find((c) => c.method === reference);
    if (!base) continue;
    const compared = members.filter((c) => c !== base);
    for (const cell of compared) {
      const metric = comparedMetric([cells.get(cell.id)!, cells.get(base.id)!], metrics);
      if (metric) ranked.set(cell.id, versusReference(cells.get(cell.id)!, cells.get(base.id)!, base.id, metric, orientation));
    }
    const tested = compared.filter((c) => typeof ranked.get(c.id)?.vs_kd_p === 'number');
    const adjusted = holmAdjust(tested.map((c) => ranked.get(c.id)!.vs_kd_p as number));
    tested.forEach((c, i) => (ranked.get(c.id)!.vs_kd_p_holm = round(adjusted[i], 4)));
  }
  return ranked;
}
