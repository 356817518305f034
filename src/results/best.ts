// `distil-run best`: the winning cell per role of a run by one metric or the paired gain, from its summary; a model cells share is not ranked.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorInvalidArgument, errorNotARunDirectory, errorTableMismatch, errorUnknownMetric } from '../errors/index.js';
import { didYouMean, formatEstimate, ROLES } from '../shared/index.js';
import type { Row } from './rows.js';
import { oneModel, sameModelCells } from './same-model.js';
import { readInvocation, singleDrawGains, singleDrawLines } from './single-draw.js';
import { summarizeTable } from './summary.js';
import type { CheckedTable } from './table-check.js';
import { readTable } from './table-check.js';
import { formatGain, formatTable } from './table.js';

export interface BestOptions {
  /** A metric column (`test_accuracy`, `val_loss`) or a metric name (`accuracy`, taken as `test_accuracy`). @default the first test metric that is not the loss */
  readonly metric?: string;
  /** Only this role. @default every role */
  readonly role?: string;
  /** Orientation of a metric name (without `test_` / `val_`): true when higher is better; undefined is taken as true. */
  readonly higherIsBetter: (metric: string) => boolean | undefined;
}

/** One role's winning cell. */
export interface Winner {
  readonly role: string;
  readonly row: Row;
  /** The metric's mean over the ok seeds; for the gain, the mean paired gain over the seed pairs. */
  readonly mean: number;
  readonly ci95?: number;
  /** For the gain: the two-sided paired t-test's p (student against person, per seed). */
  readonly p?: number;
  /** The cells whose model of this role is the winner's own (the winner's cell first; itself alone when not shared). */
  readonly cells: readonly string[];
  /** True when every ranked cell has this one model of the role (a teacher or person they share): nothing was ranked. */
  readonly sameInEveryCell: boolean;
}

export interface Best {
  /** The column the cells were ranked by, e.g. `test_accuracy`, or `gain` for the student's paired gain over the person. */
  readonly metric: string;
  readonly winners: readonly Winner[];
  /** The table of winners: data, for stdout. */
  readonly text: string;
  /** Where the means came from and how they were ranked: diagnostics, for stderr. */
  readonly notes: readonly string[];
}

/** The summary rows of a run directory: summary.csv, or made from results.csv when the summary lacks `metric`. */
function loadSummary(dir: string, metric: string | undefined): { rows: Row[]; columns: string[]; file: string; results?: CheckedTable } {
  if (!existsSync(dir)) throw errorNotARunDirectory(dir, 'no such run directory', 'a run writes results/<experiment>/<run-id>/');
  if (!statSync(dir).isDirectory()) throw errorNotARunDirectory(dir, 'is a file, not a run directory', 'pass the directory that holds results.csv');
  const [summaryFile, resultsFile] = [path.join(dir, 'summary.csv'), path.join(dir, 'results.csv')];
  if (existsSync(summaryFile)) {
    const table = readTable(summaryFile);
    const wanted = metric === undefined || table.columns.includes(`${metric}_mean`);
    if (table.kind === 'summary' && (wanted || !existsSync(resultsFile))) {
      return { rows: table.rows.map((r) => typedRow(r.record)), columns: [...table.columns], file: summaryFile, results: resultsBeside(resultsFile) };
    }
  }
  if (!existsSync(resultsFile)) {
    const shards = readdirSync(dir).filter((name) => /^shard-\d+-of-\d+$/.test(name));
    const hint = shards.length > 0
      ? `a sharded run keeps its tables in ${shards[0]}/...: pass a shard directory, or merge the shards' results.csv and run distil-run summarize on the merged table`
      : 'pass the directory of one run: results/<experiment>/<run-id>/';
    throw errorNotARunDirectory(dir, 'holds no summary.csv or results.csv', hint);
  }
  const table = readTable(resultsFile);
  // A history or summary table copied over results.csv would summarize to no rows and an empty table of winners.
  if (table.kind !== 'results') throw errorTableMismatch(`${resultsFile}: is a ${table.kind} table, not a results table`, "best reads the results.csv a run writes: restore the run's own table there");
  const { columns, rows } = summarizeTable(table);
  return { rows, columns, file: resultsFile, results: table };
}

/** The results table beside a summary, to tell models apart by each seed's figures; none when it is missing or unreadable. */
function resultsBeside(file: string): CheckedTable | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const table = readTable(file);
    return table.kind === 'results' ? table : undefined;
  } catch {
    // The summary is what best reads; a damaged results.csv only loses the per-seed check.
    return undefined;
  }
}

/** A summary.csv record with its numbers as numbers. */
function typedRow(record: Record<string, string>): Row {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v !== '' && Number.isFinite(Number(v)) && !['cell', 'cell_id', 'role'].includes(k) ? Number(v) : v]));
}

/** The metric column `--metric` names, checked against the summary's `<column>_mean` columns (`gain` for `gain_mean`). */
function metricColumn(requested: string | undefined, columns: readonly string[], file: string): string {
  const available = [
    ...columns.filter((c) => /^(test|val)_.+_mean$/.test(c)).map((c) => c.slice(0, -5)),
    ...(columns.includes('gain_mean') ? [GAIN] : []),
  ];
  if (requested === undefined) {
    const first = available.find((c) => c.startsWith('test_') && c !== 'test_loss') ?? available.find((c) => c !== GAIN);
    if (first === undefined) throw errorUnknownMetric('(default)', file, available, undefined);
    return first;
  }
  const column = asColumn(requested);
  if (!available.includes(column)) {
    throw errorUnknownMetric(requested, file, available, didYouMean(column, available) ?? didYouMean(requested, available));
  }
  return column;
}

/** `--metric` as a column: `gain` and `test_` / `val_` columns as they are, a bare name as `test_<name>`. */
const asColumn = (metric: string): string => (metric === GAIN || /^(test|val)_/.test(metric) ? metric : `test_${metric}`);

/** The student's paired gain over the person (summary.csv's `gain_` columns), ranked by `--metric gain`. */
const GAIN = 'gain';

/** What ranking one column needs: where its mean, interval and count are, and which way is better. */
interface Ranking {
  readonly metric: string;
  readonly mean: string;
  readonly ci95: string;
  readonly n: string;
  readonly better: (a: number, b: number) => boolean;
}

function rankingOf(metric: string, orientation: boolean | undefined): Ranking {
  // The gain is signed already (positive = distillation helped): higher is better whatever its metric.
  if (metric === GAIN) return { metric, mean: 'gain_mean', ci95: 'gain_ci95', n: 'gain_n', better: (a, b) => a > b };
  const better = (a: number, b: number) => (orientation === false ? a < b : a > b);
  return { metric, mean: `${metric}_mean`, ci95: `${metric}_ci95`, n: 'n', better };
}

/** Which cells of each role are one model: by each seed's figures when results.csv is there, else by the summary's. */
function modelsOf(rows: readonly Row[], results: CheckedTable | undefined, role: string): { groups: Map<string, readonly string[]>; by: string } {
  if (results) {
    const records = results.rows.map((r) => r.record);
    return { groups: sameModelCells(records, role, (r) => String(r.cell_id), false), by: 'the same figures for every seed in results.csv' };
  }
  return { groups: sameModelCells(rows, role, (r) => String(r.cell_id), true), by: 'the same figures in each' };
}

/** One role's winner among its rows with a mean, and what the cells' models say; undefined when none has one. */
function winnerOf(role: string, rows: readonly Row[], ranking: Ranking, models: ReturnType<typeof modelsOf>): { winner?: Winner; note?: string } {
  const ranked = rows.filter((r) => r.role === role && typeof r[ranking.mean] === 'number');
  if (ranked.length === 0) return {};
  // Ties go to the cell listed first: a cell that shares the winner's model never displaces it.
  const row = ranked.reduce((best, r) => (ranking.better(r[ranking.mean] as number, best[ranking.mean] as number) ? r : best));
  const ids = ranked.map((r) => String(r.cell_id));
  const sameInEveryCell = oneModel(models.groups, ids);
  const cells = (models.groups.get(String(row.cell_id)) ?? [String(row.cell_id)]).filter((c) => ids.includes(c));
  const ci = row[ranking.ci95];
  const p = ranking.metric === GAIN ? row.gain_p : undefined;
  const winner: Winner = {
    role, row, mean: row[ranking.mean] as number, ...(typeof ci === 'number' ? { ci95: ci } : {}), ...(typeof p === 'number' ? { p } : {}),
    cells: [String(row.cell_id), ...cells.filter((c) => c !== String(row.cell_id))], sameInEveryCell,
  };
  const distinct = new Set(ids.map((id) => (models.groups.get(id) ?? [id])[0])).size;
  const note = sameInEveryCell
    ? `${role}: the same model in all ${ids.length} cells (${models.by}): not ranked`
    : distinct < ids.length ? `${role}: ${distinct} distinct models among ${ids.length} cells (${models.by}): cells that share one are ranked as one` : undefined;
  return { winner, note };
}

/** A winner's line of the table: its cell (or that every cell has its model), its value and its count. */
function winnerLine(w: Winner, ranking: Ranking): Array<string | number> {
  const value = ranking.metric === GAIN ? formatGain(w.row) : formatEstimate(w.mean, w.ci95);
  const n = w.row[ranking.n] as number;
  if (w.sameInEveryCell) return [w.role, `(all ${w.cells.length})`, 'the same model in every cell: not ranked', value, n];
  const others = w.cells.length - 1;
  const label = String(w.row.cell ?? '') || '-';
  const shared = others > 0 ? ` (+${others} cell${others === 1 ? '' : 's'}, the same model)` : '';
  return [w.role, String(w.row.cell_id), `${label}${shared}`, value, n];
}

/** The first note: what was ranked, how, and from which table. */
function rankedBy(ranking: Ranking, orientation: boolean | undefined, rows: readonly Row[], cells: number, file: string): string {
  if (ranking.metric !== GAIN) {
    return `best by ${ranking.metric} (${orientation === false ? 'lower' : 'higher'} is better) among ${cells} cell(s): mean over the ok seeds (± 95% interval) from ${file}`;
  }
  const metrics = [...new Set(rows.map((r) => r.gain_metric).filter((m) => typeof m === 'string' && m !== ''))].join(', ') || 'its metric';
  return `best by the gain (student - person on ${metrics}, paired per seed; positive = distillation helped) among ${cells} cell(s): mean over the seed pairs (n) ± 95% interval, with the paired t-test's p, from ${file}`;
}

/**
 * The best cell per role of a run directory by `metric` (its mean over seeds; the metric's orientation
 * decides: highest accuracy, lowest loss), or by the student's paired gain over the person (`gain`: the
 * highest, since the gain is signed so that positive = distillation helped). Ties go to the cell listed
 * first. A role that is one model in every cell (the teacher and person of a sweep of the distillation)
 * is not ranked: the table says so and shows its figures once.
 * @throws DistilError NOT_A_RUN_DIRECTORY, UNKNOWN_METRIC, INVALID_ARGUMENT (--role, or --role other than student with the gain),
 *   INVALID_TABLE, TABLE_MISMATCH (results.csv of another kind).
 */
export function findBest(dir: string, options: BestOptions): Best {
  if (options.role !== undefined && !(ROLES as readonly string[]).includes(options.role)) {
    throw errorInvalidArgument('--role', `expected one of ${ROLES.join(', ')}, got "${options.role}"`);
  }
  const requested = options.metric === undefined ? undefined : asColumn(options.metric);
  if (requested === GAIN && options.role !== undefined && options.role !== 'student') {
    throw errorInvalidArgument('--role', "the gain is the student's (student - person): give --role student, or leave --role out");
  }
  const { rows, columns, file, results } = loadSummary(dir, requested);
  const metric = metricColumn(options.metric, columns, file);
  const name = metric.replace(/^(test|val)_/, '');
  const orientation = metric === GAIN ? true : options.higherIsBetter(name);
  const ranking = rankingOf(metric, orientation);
  const roles = ROLES.filter((r) => (options.role === undefined || r === options.role) && (metric !== GAIN || r === 'student'));
  const found = roles.map((role) => ({ role, ...winnerOf(role, rows, ranking, modelsOf(rows, results, role)) }));
  const winners = found.flatMap((f) => (f.winner ? [f.winner] : []));
  const headers = ['role', 'cell_id', 'cell', metric, 'n'];
  const text = formatTable(headers, winners.map((w) => winnerLine(w, ranking)));
  const cells = new Set(rows.map((r) => r.cell_id)).size;
  const notes = [
    rankedBy(ranking, orientation, rows, cells, file),
    ...(orientation === undefined ? [`metric "${name}" is not a registered metric: higher is taken as better`] : []),
    ...found.flatMap((f) => (f.note ? [f.note] : [])),
    ...roles.filter((r) => !winners.some((w) => w.role === r) && rows.some((row) => row.role === r)).map((r) => `${r}: no cell has an ok ${metric}`),
    // Gains of one seed rank single draws: said, with the command that measures them over seeds.
    ...(metric === GAIN && singleDrawGains(rows) ? singleDrawLines(readInvocation(dir)) : []),
  ];
  return { metric, winners, text, notes };
}
