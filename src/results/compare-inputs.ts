// compare's inputs: a table file as given, or a run directory read as its results.csv or summary.csv.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DistilError } from '../errors/index.js';
import { errorNotARunDirectory } from '../errors/index.js';
import { distinctValues, readTable } from './table-check.js';

/** The tables a run directory holds. */
interface RunTables {
  readonly dir: string;
  readonly results?: string;
  readonly summary?: string;
}

/** The two tables to compare, and what was chosen inside a run directory and why (one note each). */
export interface CompareInputs {
  readonly a: string;
  readonly b: string;
  readonly notes: readonly string[];
}

/** A run directory's tables; undefined for anything that is not a directory (readTable reports a missing file). */
function runTables(input: string): RunTables | undefined {
  if (!existsSync(input) || !statSync(input).isDirectory()) return undefined;
  const table = (name: string) => (existsSync(path.join(input, name)) ? path.join(input, name) : undefined);
  const found: RunTables = { dir: input, results: table('results.csv'), summary: table('summary.csv') };
  if (found.results || found.summary) return found;
  const shards = readdirSync(input).filter((name) => /^shard-\d+-of-\d+$/.test(name));
  const hint = shards.length > 0
    ? `a sharded run keeps its tables in ${shards[0]}/...: merge the shards' results.csv and compare the merged table`
    : 'pass the directory of one run, results/<experiment>/<run-id>/, or a results.csv or summary.csv';
  throw errorNotARunDirectory(input, 'holds no results.csv or summary.csv to compare', hint);
}

/** How many seeds a run's results hold (1 when it has no results.csv or no seed column). */
const seedsOf = (run: RunTables): number => (run.results ? distinctValues(readTable(run.results), 'seed').filter((s) => s !== '').length : 1);

/** A run directory lacks the kind of table the other side is. */
function missingTable(run: RunTables, kind: 'results' | 'summary', other: string): DistilError {
  const hint = kind === 'summary'
    ? `write one with distil-run summarize ${path.join(run.dir, 'results.csv')} --out ${path.join(run.dir, 'summary.csv')}, or compare results.csv with results.csv`
    : 'compare summary.csv with summary.csv';
  return errorNotARunDirectory(run.dir, `holds no ${kind}.csv to compare with ${other}`, hint);
}

/** A run directory's table of `kind`, to match the other side's. @throws DistilError NOT_A_RUN_DIRECTORY when it has none. */
function tableOf(run: RunTables, kind: 'results' | 'summary', other: string): string {
  const file = run[kind];
  if (file) return file;
  throw missingTable(run, kind, other);
}

/**
 * Both sides are run directories: their results.csv when both have one (one seed row by row; several seeds
 * paired by seed, or unpaired when they share none), else their summary.csv (means, unpaired).
 */
function pairOfRuns(ra: RunTables, rb: RunTables): CompareInputs {
  if (ra.results && rb.results) {
    const seeds = Math.max(seedsOf(ra), seedsOf(rb));
    return { a: ra.results, b: rb.results, notes: [`run directories: compared their results.csv (${seeds > 1 ? `${seeds} seeds` : 'one seed'})`] };
  }
  if (ra.summary && rb.summary) {
    return { a: ra.summary, b: rb.summary, notes: [`run directories: compared their summary.csv (${(ra.results ? rb : ra).dir} has no results.csv)`] };
  }
  // One has only a summary, the other only results: name the one that lacks what the other has.
  const [only, lacking] = ra.results ? [rb, ra] : [ra, rb];
  throw missingTable(lacking, 'summary', only.summary!);
}

/**
 * The tables `compare a b` reads. A file is read as given. A run directory is read as the kind of table
 * the other side is (a summary.csv file pairs with the run's summary.csv); two run directories compare
 * their results.csv (each seed's rows, so that seeds both runs have are paired), or their summary.csv when
 * one has no results.csv.
 * @throws DistilError NOT_A_RUN_DIRECTORY for a directory without results.csv and summary.csv, or without the table the other side needs.
 */
export function resolveCompareInputs(a: string, b: string): CompareInputs {
  const [ra, rb] = [runTables(a), runTables(b)];
  if (!ra && !rb) return { a, b, notes: [] };
  if (ra && rb) return pairOfRuns(ra, rb);
  const [run, file] = ra ? [ra, b] : [rb!, a];
  const kind = readTable(file).kind === 'summary' ? 'summary' : 'results';
  const table = tableOf(run, kind, file);
  const note = `run directory ${run.dir}: compared its ${kind}.csv (${file} is a ${kind} table)`;
  return ra ? { a: table, b, notes: [note] } : { a, b: table, notes: [note] };
}
