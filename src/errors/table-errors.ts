// Errors in the tables compare, merge, summarize, best and report read: missing, damaged, or not comparable.
import { DistilError } from './distil-error.js';

/** A table read back that cannot be used (missing, no header, another run's header). Exit code 2. */
export function errorResults(file: string, problem: string): DistilError {
  return new DistilError('RESULTS_ERROR', `${file}: ${problem}`, { exitCode: 2 });
}

/** A results or history table that is cut short, damaged or not a distil-run table, at `file:line`. Exit code 2. */
export function errorInvalidTable(file: string, line: number | undefined, problem: string, hint?: string): DistilError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new DistilError('INVALID_TABLE', `${where}: ${problem}${hint ? ` (${hint})` : ''}`, { exitCode: 2 });
}

/** A results or history table named on the command line does not exist. Exit code 2. */
export function errorTableNotFound(file: string): DistilError {
  return new DistilError(
    'TABLE_NOT_FOUND',
    `${file}: no such file (check the path; a run writes results/<experiment>/<run-id>/results.csv)`,
    { exitCode: 2 },
  );
}

/** Tables that cannot be compared or merged together (kinds, experiments, nothing in common). Exit code 2. */
export function errorTableMismatch(problem: string, hint: string): DistilError {
  return new DistilError('TABLE_MISMATCH', `${problem} (${hint})`, { exitCode: 2 });
}

/** Two different rows with the same key in two merged tables; `first` and `second` are `file:line`. Exit code 2. */
export function errorMergeConflict(first: string, second: string, row: string, difference: string): DistilError {
  return new DistilError(
    'MERGE_CONFLICT',
    `${first} and ${second}: two different rows for ${row} (${difference}) (merge each shard once; if one file is a newer re-run, keep only that one)`,
    { exitCode: 2 },
  );
}

/** A path given as a run directory that is missing or holds no results table. Exit code 2. */
export function errorNotARunDirectory(dir: string, problem: string, hint: string): DistilError {
  return new DistilError('NOT_A_RUN_DIRECTORY', `${dir}: ${problem} (${hint})`, { exitCode: 2 });
}

/** A metric column a table does not have, with the ones it has. Exit code 2. */
export function errorUnknownMetric(
  metric: string,
  file: string,
  available: readonly string[],
  suggestion: string | undefined,
): DistilError {
  const hint = suggestion ? `Did you mean "${suggestion}"? ` : '';
  return new DistilError(
    'UNKNOWN_METRIC',
    `--metric: ${file} has no metric "${metric}" (${hint}it has ${available.join(', ') || 'none'})`,
    { exitCode: 2 },
  );
}

/** A compared metric whose direction is unknown (a plugin's, without --plugin): a threshold cannot be checked. Exit code 2. */
export function errorUnknownOrientation(file: string, metrics: readonly string[]): DistilError {
  return new DistilError(
    'UNKNOWN_ORIENTATION',
    `${file}: ${metrics.map((m) => `test_${m}`).join(', ')} ${metrics.length === 1 ? 'is not a registered metric' : 'are not registered metrics'}, so whether higher or lower is better is unknown and --max-regression cannot be checked (pass --plugin MODULE for the plugin that defines ${metrics.length === 1 ? 'it' : 'them'})`,
    { exitCode: 2 },
  );
}
