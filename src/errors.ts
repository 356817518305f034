// The catalogue of every user-facing error: one factory per problem, each with a stable code.

/** Where in the user's input a problem sits: a file position, or the command-line flag that set it. */
export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
  /** Set when the value came from `--set` or a grid axis rather than the file itself. */
  readonly origin?: string;
}

/** One problem in the user's input, rendered as `file:line:col path: message (hint)`. */
export interface SpecIssue {
  readonly location: SourceLocation;
  /** Dotted path into the spec, e.g. `training.optimizer.lr`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

export type ErrorCode =
  | 'INVALID_SPEC'
  | 'UNKNOWN_COMPONENT'
  | 'UNKNOWN_COMMAND'
  | 'INVALID_ARGUMENT'
  | 'FILE_NOT_FOUND'
  | 'DATASET_ERROR'
  | 'DATASET_NOT_FOUND'
  | 'DATA_FILE_NOT_FOUND'
  | 'DATA_FILE_ERROR'
  | 'PLUGIN_ERROR'
  | 'BACKEND_UNAVAILABLE'
  | 'NON_FINITE_LOSS'
  | 'INTERRUPTED'
  | 'RESULTS_ERROR'
  | 'RUN_LOCKED'
  | 'RUN_MISMATCH'
  | 'DIVERGED'
  | 'BACKEND_FAILURE'
  | 'INVALID_TABLE'
  | 'TABLE_MISMATCH'
  | 'MERGE_CONFLICT'
  | 'FILE_UNREADABLE'
  | 'UNSETTLED'
  | 'CELLS_TOO_LARGE'
  | 'NOT_A_RUN_DIRECTORY'
  | 'UNKNOWN_METRIC'
  | 'NOTHING_SELECTED'
  | 'NON_FINITE_METRIC'
  | 'SAVED_MODEL_ERROR'
  | 'MODEL_SHAPE';

export type WarningCode = 'TEACHER_NOT_LARGER';

/** A problem worth saying that stops nothing; the user sees `warning: CODE: message`. */
export interface DistilWarning {
  readonly code: WarningCode;
  readonly message: string;
}

/** Every error distil-run raises on purpose; anything else is a bug and keeps its stack trace. */
export class DistilError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly SpecIssue[];
  /** Exit code the CLI uses: 2 for invalid input, 1 for a failed run. */
  readonly exitCode: 1 | 2;

  constructor(code: ErrorCode, message: string, options: { issues?: readonly SpecIssue[]; exitCode?: 1 | 2 } = {}) {
    super(message);
    this.name = 'DistilError';
    this.code = code;
    this.issues = options.issues ?? [];
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Renders a location as `file:line:col`, or `file (--set x=y)` when the value came from the command line. */
export function formatLocation(location: SourceLocation): string {
  if (location.origin) return `${location.file} (${location.origin})`;
  if (location.line === undefined) return location.file;
  return `${location.file}:${location.line}:${location.col ?? 1}`;
}

/** Renders one issue in the house error shape. */
export function formatIssue(issue: SpecIssue): string {
  const where = formatLocation(issue.location);
  const path = issue.path ? ` ${issue.path}:` : '';
  const hint = issue.hint ? ` (${issue.hint})` : '';
  return `${where}${path} ${issue.message}${hint}`;
}

/** All validation problems of one spec, reported together. Exit code 2. */
export function errorInvalidSpec(file: string, issues: readonly SpecIssue[]): DistilError {
  const count = issues.length === 1 ? '1 error' : `${issues.length} errors`;
  const lines = issues.map((issue) => `  ${formatIssue(issue)}`).join('\n');
  return new DistilError('INVALID_SPEC', `${file}: ${count}\n${lines}`, { issues, exitCode: 2 });
}

export function errorFileNotFound(file: string, what: string, hint: string): DistilError {
  return new DistilError('FILE_NOT_FOUND', `${what} not found: ${file} (${hint})`, { exitCode: 2 });
}

export function errorUnknownCommand(command: string, suggestion: string | undefined): DistilError {
  const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
  return new DistilError('UNKNOWN_COMMAND', `unknown command "${command}".${hint} Run "distil-run --help" for the list.`, {
    exitCode: 2,
  });
}

export function errorInvalidArgument(flag: string, problem: string): DistilError {
  return new DistilError('INVALID_ARGUMENT', `${flag}: ${problem}`, { exitCode: 2 });
}

/** A dataset's params do not fit its data (a missing column, a target listed as a feature...). Exit code 2. */
export function errorDataset(dataset: string, problem: string, hint?: string): DistilError {
  return new DistilError('DATASET_ERROR', `dataset "${dataset}": ${problem}${hint ? ` (${hint})` : ''}`, { exitCode: 2 });
}

/** A dataset's data is nowhere it looked (offline, or a failed download): invalid input, as a missing data file is. Exit code 2. */
export function errorDatasetNotFound(dataset: string, looked: readonly string[], hint: string): DistilError {
  const where = looked.map((place) => `  - ${place}`).join('\n');
  return new DistilError('DATASET_NOT_FOUND', `dataset "${dataset}": data not found. Looked in:\n${where}\n${hint}`, { exitCode: 2 });
}

/** Plugin modules given on the command line that cannot be loaded, one line each: `--plugin x.mjs: problem (hint)`. Exit code 2. */
export function errorPluginsNotLoaded(issues: readonly SpecIssue[]): DistilError {
  return new DistilError('PLUGIN_ERROR', issues.map((i) => `${i.location.origin}: ${i.message} (${i.hint})`).join('\n'), { exitCode: 2 });
}

/**
 * A component gave back something other than its contract says, e.g.
 * `metric "m" (plugin p): compute() must return a tf.Scalar, got number`. Exit code 2.
 */
export function errorComponentResult(kind: string, name: string, plugin: string, problem: string): DistilError {
  return new DistilError('PLUGIN_ERROR', `${kind} "${name}" (plugin ${plugin}): ${problem}`, { exitCode: 2 });
}

export function errorBackendUnavailable(backend: string, reason: string): DistilError {
  return new DistilError(
    'BACKEND_UNAVAILABLE',
    `backend "${backend}" is not available: ${reason} (use --backend auto to fall back to what loads)`,
    { exitCode: 2 },
  );
}

/** A role's training loss became NaN or infinite. The message leaves the role out: the row, the progress line and the summary name it. */
export function errorNonFiniteLoss(epoch: number): DistilError {
  return new DistilError(
    'NON_FINITE_LOSS',
    `the training loss became NaN or infinite in epoch ${epoch} ` +
      '(lower the learning rate, check the data for NaN, or standardise the features)',
  );
}

export function errorInterrupted(): DistilError {
  return new DistilError('INTERRUPTED', 'interrupted: results of finished roles are kept in the run directory');
}

/** Whether `error` is the stop a signal asked for (see {@link errorInterrupted}), not a failure. */
export function isInterrupted(error: unknown): error is DistilError {
  return error instanceof DistilError && error.code === 'INTERRUPTED';
}

export function errorResults(file: string, problem: string): DistilError {
  return new DistilError('RESULTS_ERROR', `${file}: ${problem}`, { exitCode: 2 });
}

/** Another live process writes the run directory. Exit code 2. */
export function errorRunLocked(dir: string, holder: { pid: number; host: string; started: string } | undefined, lockFile: string): DistilError {
  const who = holder ? `pid ${holder.pid} on ${holder.host}, started ${holder.started}` : 'unknown process';
  return new DistilError(
    'RUN_LOCKED',
    `${dir} is being written by another distil-run (${who}); ` +
      'use another --run-id (or leave it out), give each CI shard --shard i/n, or wait for it to finish ' +
      `(a lock its holder stops refreshing is taken over after 2 minutes; or delete ${lockFile} if no such process runs)`,
    { exitCode: 2 },
  );
}

/** Resuming a run id whose directory holds a different experiment. Exit code 2. */
export function errorRunMismatch(dir: string, differences: readonly string[]): DistilError {
  const lines = differences.map((d) => `  ${d}`).join('\n');
  return new DistilError(
    'RUN_MISMATCH',
    `${dir} holds another experiment; a run id is resumed only with the same resolved spec:\n${lines}\n` +
      'start a new run (leave out --run-id, or pass a new one), or restore the spec the run was started with',
    { exitCode: 2 },
  );
}

/** The documented divergence rule: the last epoch's training loss above 10x the untrained model's. The role is named by whoever shows it. */
export function errorDiverged(epoch: number, loss: number, untrained: number): DistilError {
  return new DistilError(
    'DIVERGED',
    `diverged in epoch ${epoch}: training loss ${loss.toPrecision(4)} is more than 10x the untrained model's ` +
      `${untrained.toPrecision(4)} (lower the learning rate, use fewer epochs of a high rate, or standardise the features)`,
  );
}

/** A flag value the run cannot use (a file where a directory is expected, a path it cannot write). Exit code 2. */
export function errorUnusablePath(flag: string, file: string, problem: string, hint: string): DistilError {
  return new DistilError('INVALID_ARGUMENT', `${flag} ${file}: ${problem} (${hint})`, { exitCode: 2 });
}

/** Where in a data file a problem sits: the file, for a cell its 1-based line and column, and the column's name. */
export interface DataLocation {
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
  /** The table column the problem is in: its header name, or its 0-based index in a file without a header. */
  readonly column?: string;
}

function formatDataLocation(at: DataLocation): string {
  // `file: problem`, `file:3:1 problem`, `file:3:5 column "b": problem`, `file column "y": problem`.
  if (at.column !== undefined) return `${formatLocation(at)} column "${at.column}":`;
  return at.line === undefined ? `${at.file}:` : formatLocation(at);
}

/**
 * A data file that exists but cannot be used: unreadable, malformed, truncated, or degenerate (one
 * class, a constant target). Rendered `dataset "csv": file:line:col column "b": problem (hint)`. Exit code 2.
 */
export function errorDataFile(dataset: string, at: DataLocation, problem: string, hint: string): DistilError {
  return new DistilError('DATA_FILE_ERROR', `dataset "${dataset}": ${formatDataLocation(at)} ${problem} (${hint})`, { exitCode: 2 });
}

/** A saved model (model.json and its weights) that is missing, damaged or does not fit: `file: problem (hint)`. Exit code 2. */
export function errorSavedModel(file: string, problem: string, hint: string): DistilError {
  return new DistilError('SAVED_MODEL_ERROR', `${file}: ${problem} (${hint})`, { exitCode: 2 });
}

/** An input file of `predict` that cannot be used, at its line and column: `input.csv:3:5 problem (hint)`. Exit code 2. */
export function errorInputFile(at: DataLocation, problem: string, hint: string): DistilError {
  return new DistilError('DATA_FILE_ERROR', `${formatDataLocation(at)} ${problem} (${hint})`, { exitCode: 2 });
}

/** A data file the spec names does not exist. Exit code 2. */
export function errorDataFileNotFound(dataset: string, file: string, hint: string): DistilError {
  return new DistilError('DATA_FILE_NOT_FOUND', `dataset "${dataset}": ${file}: no such file (${hint})`, { exitCode: 2 });
}

/** A results or history table that is cut short, damaged or not a distil-run table, at `file:line`. Exit code 2. */
export function errorInvalidTable(file: string, line: number | undefined, problem: string, hint?: string): DistilError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new DistilError('INVALID_TABLE', `${where}: ${problem}${hint ? ` (${hint})` : ''}`, { exitCode: 2 });
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

/** A results or history table named on the command line does not exist. Exit code 2. */
export function errorTableNotFound(file: string): DistilError {
  return new DistilError('FILE_NOT_FOUND', `${file}: no such file (check the path; a run writes results/<experiment>/<run-id>/results.csv)`, { exitCode: 2 });
}

/** A file named on the command line exists but cannot be used: a directory, a device, too large, unreadable. Exit code 2. */
export function errorFileUnreadable(file: string, what: string, problem: string, hint: string): DistilError {
  return new DistilError('FILE_UNREADABLE', `${what} ${file}: ${problem} (${hint})`, { exitCode: 2 });
}

/**
 * All validation problems of one spec, of which the first `limit` are shown and the rest counted.
 * `complete: false` says validation stopped early, so there may be more. Exit code 2.
 */
export function errorInvalidSpecLimited(file: string, issues: readonly SpecIssue[], limit: number, complete = true): DistilError {
  if (issues.length <= limit && complete) return errorInvalidSpec(file, issues);
  const shown = issues.slice(0, limit);
  const more = issues.length - shown.length;
  const header = `${file}: ${issues.length} errors${complete ? '' : ' or more'} (the first ${shown.length} shown${complete ? '' : '; validation stopped early'})`;
  const lines = shown.map((issue) => `  ${formatIssue(issue)}`);
  if (more > 0) lines.push(`  ... and ${more} more`);
  return new DistilError('INVALID_SPEC', `${header}\n${lines.join('\n')}`, { issues, exitCode: 2 });
}

/** The command's promise never settled and nothing was left for it to wait for. Exit code 1. */
export function errorUnsettled(): DistilError {
  return new DistilError(
    'UNSETTLED',
    'stopped with the work unfinished: a promise never settled and nothing was left to wait for ' +
      '(a plugin or dataset that never finishes loading? DISTIL_PLUGIN_TIMEOUT_MS=0 turns the plugin timeout off)',
  );
}

/** A results file that cannot be written mid-run (disk full, read-only). Exit code 1: the run failed, its rows so far are kept. */
export function errorWrite(file: string, error: unknown): DistilError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new DistilError('RESULTS_ERROR', `cannot write ${file} (${code}); the rows written before are kept (free space or fix permissions, then run again with the same --run-id to resume)`);
}

/** Layers that cannot take what the layer before them gives (a convolution on tabular data), found before the run. Exit code 2. */
export function errorModelShape(problems: readonly string[]): DistilError {
  return new DistilError('MODEL_SHAPE', `these models cannot be built; nothing was run:\n${problems.map((p) => `  ${p}`).join('\n')}`, { exitCode: 2 });
}

/** Grid cells whose models cannot fit the backend's memory, found before anything was allocated. Exit code 2. */
export function errorCellsTooLarge(problems: readonly string[]): DistilError {
  const lines = problems.map((p) => `  ${p}`).join('\n');
  return new DistilError('CELLS_TOO_LARGE', `${problems.length} cell(s) cannot fit the wasm backend's memory; nothing was run:\n${lines}`, { exitCode: 2 });
}

/** The backend broke while training a role; later cells would fail the same way, so the run stops. Exit code 1. */
export function errorBackendFailure(cell: string, role: string, problem: string): DistilError {
  return new DistilError(
    'BACKEND_FAILURE',
    `${role} of cell ${cell}: the compute backend failed (${problem}); the run stopped so later cells are not run on a broken backend. ` +
      'Make that cell smaller (fewer units, a smaller batch_size or evaluation.batch_size) or run it with --backend cpu, then resume with the same --run-id',
  );
}

/** A path given as a run directory that is missing or holds no results table. Exit code 2. */
export function errorNotARunDirectory(dir: string, problem: string, hint: string): DistilError {
  return new DistilError('NOT_A_RUN_DIRECTORY', `${dir}: ${problem} (${hint})`, { exitCode: 2 });
}

/** A metric column a table does not have, with the ones it has. Exit code 2. */
export function errorUnknownMetric(metric: string, file: string, available: readonly string[], suggestion: string | undefined): DistilError {
  const hint = suggestion ? `Did you mean "${suggestion}"? ` : '';
  return new DistilError('UNKNOWN_METRIC', `--metric: ${file} has no metric "${metric}" (${hint}it has ${available.join(', ') || 'none'})`, { exitCode: 2 });
}

/** No search point of a selection stage finished, so there is no teacher to carry on with. Exit code 1. */
export function errorNothingSelected(metric: string): DistilError {
  return new DistilError('NOTHING_SELECTED', `no search point's teacher finished with val_${metric}, so nothing can be selected; the student and the person were not trained (see the failed rows, fix the search grid, and resume with the same --run-id)`);
}

/** A metric that gave NaN or an infinity: the role has no number to report. */
export function errorNonFiniteMetric(role: string, metric: string, split: string, value: number): DistilError {
  return new DistilError('NON_FINITE_METRIC', `${role}: metric ${metric} is ${value} on the ${split} split (a metric must give a finite number; check a plugin metric, or the model's outputs)`);
}

/** A compared metric whose direction is unknown (a plugin's, without --plugin): a threshold cannot be checked. Exit code 2. */
export function errorUnknownOrientation(file: string, metrics: readonly string[]): DistilError {
  return new DistilError(
    'UNKNOWN_METRIC',
    `${file}: ${metrics.map((m) => `test_${m}`).join(', ')} ${metrics.length === 1 ? 'is not a registered metric' : 'are not registered metrics'}, so whether higher or lower is better is unknown and --max-regression cannot be checked (pass --plugin MODULE for the plugin that defines ${metrics.length === 1 ? 'it' : 'them'})`,
    { exitCode: 2 },
  );
}

/** A teacher with no more parameters than its student (`layers: []`, say): it has little to teach, so the spec is likely wrong. */
export function warningTeacherNotLarger(cell: string, teacherParams: number, studentParams: number, loaded: boolean): DistilWarning {
  const count = (n: number) => n.toLocaleString('en-US');
  const hint = loaded ? 'load a larger teacher' : 'give the teacher more or wider layers';
  return {
    code: 'TEACHER_NOT_LARGER',
    message: `cell ${cell}: the teacher has ${count(teacherParams)} parameters and the student ${count(studentParams)}: a teacher no larger than its student is almost always a mistake (${hint})`,
  };
}
