// Picks the winner of a selection stage from its rows, on the validation metric only, and writes selection.csv.
import path from 'node:path';
import { createObjectCsvStringifier } from 'csv-writer';
import type { SearchStage } from '../config/index.js';
import { pointLabel } from '../config/index.js';
import type { CsvRecord } from '../results/index.js';
import { round } from '../results/index.js';
import { formatNumber, writeFileAtomic } from '../shared/index.js';
import { mean } from '../shared/index.js';
import { errorInvalidArgument } from '../errors/index.js';
import { readTable } from '../results/index.js';

/** One search point as the selection saw it. */
export interface Candidate {
  readonly point: number;
  readonly label: string;
  /** Seeds whose teacher finished `ok`. */
  readonly n: number;
  /** Mean of the validation metric over those seeds (NaN when none finished). */
  readonly value: number;
  /** Mean test metrics, reported beside it and never used to choose. */
  readonly test: Readonly<Record<string, number>>;
  /** With successive halving: the epochs its teachers reached, and how it ended. */
  readonly halving?: {
    readonly epochs: number;
    readonly fate: 'finished' | 'pruned' | 'failed';
    readonly value: number;
  };
}

export interface Selection {
  readonly metric: string;
  readonly higherIsBetter: boolean;
  readonly candidates: readonly Candidate[];
  /** Index of the winning point. */
  readonly winner: number;
}

function candidate(stage: SearchStage, point: number, rows: readonly CsvRecord[]): Candidate {
  const mine = rows.filter((row) => row.cell_id === stage.pointIds[point] && row.status === 'ok');
  const values = mine.map((row) => Number(row[`val_${stage.metric}`])).filter(Number.isFinite);
  const testColumns = Object.keys(mine[0] ?? {}).filter(
    (column) => column.startsWith('test_') && mine.every((row) => row[column] !== ''),
  );
  // testColumns come from mine[0], so each mean is over at least one row.
  const test = Object.fromEntries(
    testColumns.map((column) => [column.slice(5), round(mean(mine.map((row) => Number(row[column]))) ?? NaN)]),
  );
  const base = {
    point,
    label: pointLabel(stage, stage.points[point]),
    n: values.length,
    value: mean(values) ?? NaN,
    test,
  };
  if (!stage.halving) return base;
  // Every row of the point, pruned too: where halving stopped it and what it had reached there.
  const all = rows.filter((row) => row.cell_id === stage.pointIds[point]);
  const fate = all.some((row) => row.status === 'failed' || row.status === 'interrupted')
    ? 'failed'
    : all.some((row) => row.status === 'pruned')
      ? 'pruned'
      : 'finished';
  const reached = all.map((row) => Number(row[`val_${stage.metric}`])).filter(Number.isFinite);
  const epochs = Math.max(0, ...all.map((row) => Number(row.epochs)).filter(Number.isFinite));
  return { ...base, halving: { epochs, fate, value: mean(reached) ?? NaN } };
}

/**
 * The winning point: the best mean validation metric among the points whose teacher finished on every
 * seed (a point that failed on some seed is not judged on the rest), the first on a tie, in the order
 * the grid lists them. Undefined when no point finished on every seed. `rows` are the search stage's
 * results rows (this invocation's and a resumed run's).
 */
export function selectWinner(stage: SearchStage, rows: readonly CsvRecord[]): Selection | undefined {
  const candidates = stage.points.map((_, point) => candidate(stage, point, rows));
  const seeds = stage.cells.length / stage.points.length;
  let winner: Candidate | undefined;
  for (const c of candidates) {
    if (c.n < seeds) continue;
    if (!winner || (stage.higherIsBetter ? c.value > winner.value : c.value < winner.value)) winner = c;
  }
  return winner
    ? { metric: stage.metric, higherIsBetter: stage.higherIsBetter, candidates, winner: winner.point }
    : undefined;
}

/**
 * The search rows of a results table written by the search stage elsewhere (the merged tables of the
 * shards that ran it): one finished row per search point and seed of this spec, nothing else.
 * @throws DistilError INVALID_ARGUMENT (exit 2) naming the file and what is missing or foreign; what
 *   readTable throws for a damaged table.
 */
export function searchRowsFrom(file: string, stage: SearchStage, experiment: string): CsvRecord[] {
  const flag = '--selection';
  const table = readTable(file);
  if (table.kind !== 'results') {
    throw errorInvalidArgument(
      flag,
      `${file} is a ${table.kind} table; give the results.csv of the search stage (merged over its shards)`,
    );
  }
  const foreign = table.rows.find((row) => row.record.experiment !== experiment);
  if (foreign) {
    throw errorInvalidArgument(
      flag,
      `${file}:${foreign.line}: a row of experiment "${foreign.record.experiment}", not "${experiment}"`,
    );
  }
  const expected = new Map(stage.cells.map((cell, i) => [`${cell.id}/${cell.seed}`, i]));
  const rows = table.rows.filter((row) => row.record.stage === 'search');
  const stray = rows.find((row) => !expected.has(`${row.record.cell_id}/${row.record.seed}`));
  if (stray) {
    throw errorInvalidArgument(
      flag,
      `${file}:${stray.line}: search row ${stray.record.cell} (seed ${stray.record.seed}) is not a search point of this spec; was the spec changed after the search ran?`,
    );
  }
  const found = new Map(rows.map((row) => [`${row.record.cell_id}/${row.record.seed}`, row]));
  const pointOf = (key: string) => {
    const cell = stage.cells[expected.get(key) ?? 0];
    return `${pointLabel(stage, stage.points[stage.pointIds.indexOf(cell.id)])} (seed ${cell.seed})`;
  };
  const missing = [...expected.keys()].filter((key) => !found.has(key));
  if (missing.length > 0) {
    throw errorInvalidArgument(
      flag,
      `${file} has no row for ${missing.length} of the ${expected.size} search teacher(s): ${missing.slice(0, 3).map(pointOf).join('; ')}${missing.length > 3 ? '; ...' : ''} (merge the results.csv of every shard of the search stage, after each has finished)`,
    );
  }
  const unfinished = [...found].find(([, row]) => row.record.status === 'interrupted');
  if (unfinished) {
    throw errorInvalidArgument(
      flag,
      `${file}:${unfinished[1].line}: the search teacher ${pointOf(unfinished[0])} was interrupted; resume its shard, then merge again`,
    );
  }
  return rows.map((row) => row.record);
}

/** One line for the log: which point won, on what, out of how many. */
export function describeSelection(selection: Selection): string {
  const won = selection.candidates[selection.winner];
  return (
    `selected ${won.label} by mean val_${selection.metric} ${formatNumber(won.value)} over ${won.n} seed(s) ` +
    `(${selection.higherIsBetter ? 'highest' : 'lowest'} of ${selection.candidates.length} search point(s); the test split was not used)`
  );
}

/**
 * selection.csv: one row per search point, its validation metric and rank, the winner marked. The test
 * metrics are there to report, as everywhere, not to choose.
 */
export function writeSelection(dir: string, stage: SearchStage, selection: Selection): string {
  const ranked = [...selection.candidates]
    .filter((c) => c.n > 0)
    .sort((a, b) => (selection.higherIsBetter ? b.value - a.value : a.value - b.value));
  const rank = new Map(ranked.map((c, i) => [c.point, i + 1]));
  const tests = [...new Set(selection.candidates.flatMap((c) => Object.keys(c.test)))];
  const header = [
    'point',
    ...stage.axes.map((axis) => axis.path),
    'n',
    `val_${selection.metric}_mean`,
    ...tests.map((t) => `test_${t}_mean`),
    'rank',
    'selected',
    ...(stage.halving ? ['epochs_reached', `val_${selection.metric}_reached`, 'fate'] : []),
  ];
  const records = selection.candidates.map((c) => ({
    point: c.point + 1,
    ...Object.fromEntries(stage.axes.map((axis) => [axis.path, JSON.stringify(stage.points[c.point][axis.path])])),
    n: c.n,
    [`val_${selection.metric}_mean`]: Number.isFinite(c.value) ? round(c.value) : '',
    ...Object.fromEntries(tests.map((t) => [`test_${t}_mean`, c.test[t] ?? ''])),
    rank: rank.get(c.point) ?? '',
    selected: c.point === selection.winner ? 'yes' : '',
    ...(c.halving
      ? {
          epochs_reached: c.halving.epochs,
          [`val_${selection.metric}_reached`]: Number.isFinite(c.halving.value) ? round(c.halving.value) : '',
          fate: c.point === selection.winner ? 'selected' : c.halving.fate,
        }
      : {}),
  }));
  const stringifier = createObjectCsvStringifier({ header: header.map((id) => ({ id, title: id })) });
  const file = path.join(dir, 'selection.csv');
  writeFileAtomic(file, stringifier.getHeaderString() + stringifier.stringifyRecords(records));
  return file;
}
