// What a report is made of: a run directory's manifest, results and history, read and checked once.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorFileUnreadable, errorInvalidTable, errorNotARunDirectory } from '../errors/index.js';
import type { CsvRecord } from '../results/index.js';
import type { Row } from '../results/index.js';
import { resultsShape, summarizeTable } from '../results/index.js';
import type { CheckedTable } from '../results/index.js';
import { readTable } from '../results/index.js';

/** One search point as manifest.json records the selection (see src/runner/selection.ts). */
export interface SearchCandidate {
  readonly label: string;
  readonly n: number;
  /** Mean validation metric over the point's finished seeds; undefined when none finished. */
  readonly value?: number;
  readonly test: Readonly<Record<string, number>>;
  readonly selected: boolean;
  /** Successive halving stopped the point at this epoch, where its mean validation metric was `reached`. */
  readonly prunedAt?: number;
  readonly reached?: number;
}

/** The selection stage as the report shows it. */
export interface SearchFacts {
  /** The validation column the points were ranked by, e.g. `val_accuracy`. */
  readonly metric: string;
  readonly higherIsBetter?: boolean;
  readonly candidates: readonly SearchCandidate[];
  /** False when the run stopped before a winner was selected (the candidates come from the search rows). */
  readonly decided: boolean;
}

/** The parts of manifest.json the report shows; anything absent is left out of the page. */
export interface ManifestFacts {
  readonly experiment: string;
  readonly description: string;
  readonly runId: string;
  readonly status: string;
  readonly specFile?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly seconds?: number;
  readonly distilRun?: string;
  readonly backend: Readonly<Record<string, unknown>>;
  readonly versions: Readonly<Record<string, string>>;
  readonly machine: Readonly<Record<string, unknown>>;
  readonly commands: readonly string[];
  /**
   * What the latest invocation changed in the spec file's experiment, as flags (`--set training.epochs=1`,
   * `--grid ...`, `--plugin ...`); empty when nothing did, or when the manifest predates the record.
   */
  readonly overrides: readonly string[];
  /** The last attempt's arguments as typed after `distil-run` (`argv`), to repeat the run over seeds. */
  readonly args?: readonly string[];
  readonly selection?: Readonly<Record<string, unknown>>;
}

/** A run directory, checked: the tables are trusted rows, the summary is recomputed from results.csv. */
export interface RunData {
  readonly dir: string;
  readonly manifestFile: string;
  readonly manifest: ManifestFacts;
  readonly results: CheckedTable;
  readonly history: CheckedTable;
  /** Each role's confusion matrix on the test split; absent for a regression, or a run of a version without it. */
  readonly confusion?: CheckedTable;
  /** Per cell and role over the seeds (as summary.csv, but always consistent with results.csv). */
  readonly summary: readonly Row[];
  /** The grid's axis columns of results.csv. */
  readonly axes: readonly string[];
  /** Metric names without their prefix (`loss`, `accuracy`). */
  readonly metrics: readonly string[];
  /** The metric the gain is taken on (the first that is not the loss). */
  readonly primary: string;
  /** Cell ids of the selection stage's rows (empty without one). */
  readonly searchCells: ReadonlySet<string>;
  readonly search?: SearchFacts;
}

const RUN_HINT = 'pass the directory of one run: results/<experiment>/<run-id>/';
const MANIFEST_HINT = 're-run the run; the report needs the manifest.json the run writes';

/** The directory itself: it exists, is a directory, and holds a run's tables (or names the shard folders that do). */
function assertRunDirectory(dir: string): void {
  if (!existsSync(dir)) {
    throw errorNotARunDirectory(dir, 'no such run directory', 'a run writes results/<experiment>/<run-id>/');
  }
  if (!statSync(dir).isDirectory()) {
    throw errorNotARunDirectory(dir, 'is a file, not a run directory', 'pass the directory that holds results.csv');
  }
  if (existsSync(path.join(dir, 'results.csv'))) return;
  const shards = readdirSync(dir).filter((name) => /^shard-\d+-of-\d+$/.test(name));
  const hint =
    shards.length > 0 ? `a sharded run keeps its tables in ${shards[0]}/...: pass a shard directory` : RUN_HINT;
  throw errorNotARunDirectory(dir, 'holds no results.csv', hint);
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The manifest's `overrides` (`{ set, grid, plugins }`) as the flags that gave them, in that order. */
function overrideFlags(value: unknown): string[] {
  const given = record(value);
  const flags = [
    ['--set', given.set],
    ['--grid', given.grid],
    ['--plugin', given.plugins],
  ] as const;
  return flags.flatMap(([flag, list]) =>
    Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string').map((v) => `${flag} ${v}`) : [],
  );
}

/**
 * Reads manifest.json: the experiment's name, status and backend are required, the rest is shown when present.
 * @throws DistilError NOT_A_RUN_DIRECTORY (no manifest), FILE_UNREADABLE (not JSON, not a distil-run manifest).
 */
function readManifest(dir: string): { file: string; facts: ManifestFacts } {
  const file = path.join(dir, 'manifest.json');
  if (!existsSync(file)) {
    throw errorNotARunDirectory(dir, 'holds results.csv but no manifest.json', `a run writes both; ${RUN_HINT}`);
  }
  let json: Record<string, unknown>;
  try {
    json = record(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw errorFileUnreadable(file, 'run manifest', `is not valid JSON (${(error as Error).message})`, MANIFEST_HINT);
  }
  const missing = [
    ['experiment', text(json.experiment)],
    ['status', text(json.status)],
    ['backend.name', text(record(json.backend).name)],
  ]
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length > 0) {
    throw errorFileUnreadable(
      file,
      'run manifest',
      `is not a distil-run manifest: no ${missing.join(', ')}`,
      MANIFEST_HINT,
    );
  }
  const spec = record(json.spec);
  const versions = Object.fromEntries(
    Object.entries(record(json.versions)).filter(([, v]) => typeof v === 'string'),
  ) as Record<string, string>;
  const attempts = Array.isArray(json.attempts)
    ? json.attempts.map((a) => text(record(a).command)).filter((c): c is string => c !== undefined)
    : [];
  const last = Array.isArray(json.attempts) ? record(json.attempts[json.attempts.length - 1]).argv : undefined;
  const args = Array.isArray(last) && last.every((a) => typeof a === 'string') ? (last as string[]) : undefined;
  const facts: ManifestFacts = {
    experiment: json.experiment as string,
    description: text(spec.description) ?? '',
    runId: text(json.run_id) ?? path.basename(dir),
    status: json.status as string,
    specFile: text(json.spec_file),
    startedAt: text(json.started_at),
    finishedAt: text(json.finished_at),
    seconds: typeof json.seconds === 'number' ? json.seconds : undefined,
    distilRun: text(json.distil_run),
    backend: record(json.backend),
    versions,
    machine: record(json.machine),
    commands: attempts,
    overrides: overrideFlags(json.overrides),
    ...(args ? { args } : {}),
    selection: json.selection === null || json.selection === undefined ? undefined : record(json.selection),
  };
  return { file, facts };
}

/** Reads a table the run writes, refusing a table of another kind. */
function readKind(file: string, kind: CheckedTable['kind']): CheckedTable {
  const table = readTable(file);
  if (table.kind !== kind) {
    throw errorInvalidTable(
      file,
      undefined,
      `is a ${table.kind} table, not a ${kind} table`,
      'the file may have been replaced; re-run the run',
    );
  }
  return table;
}

/** The metric names of a results table, in column order: `test_accuracy` and `val_accuracy` give `accuracy`. */
function metricNames(columns: readonly string[]): string[] {
  return [...new Set(columns.filter((c) => /^(test|val)_./.test(c)).map((c) => c.replace(/^(test|val)_/, '')))];
}

/** The metric the runner took the gain on: the results' `gain_metric`, else the first metric that is not the loss. */
function primaryMetric(rows: readonly CsvRecord[], metrics: readonly string[]): string {
  return rows.find((r) => r.gain_metric)?.gain_metric ?? metrics.find((m) => m !== 'loss') ?? metrics[0] ?? '';
}

/** The selection stage: the manifest's candidates when a winner was selected, else the search rows that finished. */
function searchFacts(
  manifest: ManifestFacts,
  summary: readonly Row[],
  searchCells: ReadonlySet<string>,
  primary: string,
): SearchFacts | undefined {
  const selection = manifest.selection;
  if (selection && Array.isArray(selection.candidates)) {
    const winner = selection.winner;
    const candidates = selection.candidates.map((c, i) => {
      const entry = record(c);
      const test = Object.fromEntries(
        Object.entries(record(entry.test)).filter(([, v]) => typeof v === 'number'),
      ) as Record<string, number>;
      const point = typeof entry.point === 'number' ? entry.point : i;
      // JSON has no NaN: a point without a finished seed is written as null.
      const halving = record(entry.halving);
      const pruned = halving.fate === 'pruned' && typeof halving.epochs === 'number';
      return {
        label: text(entry.label) ?? `point ${point + 1}`,
        n: typeof entry.n === 'number' ? entry.n : 0,
        value: typeof entry.value === 'number' ? entry.value : undefined,
        test,
        selected: point === winner,
        ...(pruned
          ? {
              prunedAt: halving.epochs as number,
              reached: typeof halving.value === 'number' ? halving.value : undefined,
            }
          : {}),
      };
    });
    return {
      metric: `val_${text(selection.metric) ?? primary}`,
      higherIsBetter: typeof selection.higherIsBetter === 'boolean' ? selection.higherIsBetter : undefined,
      candidates,
      decided: true,
    };
  }
  if (searchCells.size === 0) return undefined;
  const metric = `val_${primary}`;
  const rows = summary.filter((r) => searchCells.has(String(r.cell_id)) && r.role === 'teacher');
  const candidates = rows.map((r) => {
    const value = r[`${metric}_mean`];
    const test = Object.fromEntries(
      Object.keys(r)
        .filter((k) => /^test_.+_mean$/.test(k) && typeof r[k] === 'number')
        .map((k) => [k.slice(5, -5), r[k] as number]),
    );
    return {
      label: String(r.cell ?? r.cell_id),
      n: Number(r.n),
      value: typeof value === 'number' ? value : undefined,
      test,
      selected: false,
    };
  });
  return { metric, candidates, decided: false };
}

/** How a report reads a run: which way each metric is better (the registry's; undefined is taken as higher). */
export interface ReportOptions {
  readonly higherIsBetter?: (metric: string) => boolean | undefined;
}

/**
 * Reads and checks a run directory for the report: manifest.json, results.csv, history.csv and, when the run
 * wrote one, confusion.csv.
 * @throws DistilError NOT_A_RUN_DIRECTORY, FILE_NOT_FOUND (history.csv), FILE_UNREADABLE (manifest.json),
 *   INVALID_TABLE naming `file:line` for a damaged table (all exit code 2).
 */
export function loadRunData(dir: string, options: ReportOptions = {}): RunData {
  assertRunDirectory(dir);
  const results = readKind(path.join(dir, 'results.csv'), 'results');
  const { file: manifestFile, facts: manifest } = readManifest(dir);
  const history = readKind(path.join(dir, 'history.csv'), 'history');
  const confusionFile = path.join(dir, 'confusion.csv');
  const confusion = existsSync(confusionFile) ? readKind(confusionFile, 'confusion') : undefined;
  const { rows: summary } = summarizeTable(results, options);
  const { axes } = resultsShape(results.columns);
  const metrics = metricNames(results.columns);
  const records = results.rows.map((r) => r.record);
  const primary = primaryMetric(records, metrics);
  const searchCells = new Set(records.filter((r) => r.stage === 'search').map((r) => r.cell_id));
  return {
    dir,
    manifestFile,
    manifest,
    results,
    history,
    ...(confusion ? { confusion } : {}),
    summary,
    axes,
    metrics,
    primary,
    searchCells,
    search: searchFacts(manifest, summary, searchCells, primary),
  };
}
