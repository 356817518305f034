// The shape of every error distil-run raises on purpose: its class, its code, and how a location and an issue read.

/** Where in the user's input a problem sits: a file position, or the command-line flag that set it. */
export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
  /** Set when the value came from `--set` or a grid axis rather than the file itself. */
  readonly origin?: string;
}

/** One problem in the user's input, rendered as `file:line:col path: message (hint)`; made by spec-issues.ts. */
export interface SpecIssue {
  readonly location: SourceLocation;
  /** Dotted path into the spec, e.g. `training.optimizer.lr`; empty for the whole document. */
  readonly path: string;
  /** What kind of problem it is, stable for scripts (the message's words may improve). */
  readonly code: IssueCode;
  readonly message: string;
  readonly hint?: string;
}

/**
 * The code of each kind of spec issue, one per factory of spec-issues.ts (which says what each means).
 * Declared here, beside SpecIssue, so that the issue's shape and its catalogue do not import each other.
 */
export type IssueCode =
  // The spec's keys and values, as the schemas check them.
  | 'UNKNOWN_KEY'
  | 'INVALID_KEY'
  | 'MISSING_KEY'
  | 'MISSING_COMPANION_KEY'
  | 'WRONG_TYPE'
  | 'OUT_OF_RANGE'
  | 'NOT_ALLOWED'
  | 'WRONG_FORM'
  | 'PATTERN_MISMATCH'
  | 'TOO_MANY_ITEMS'
  | 'TOO_FEW_ITEMS'
  | 'TOO_MANY_KEYS'
  | 'TOO_FEW_KEYS'
  | 'TOO_LONG'
  | 'EMPTY_TEXT'
  | 'REPEATED_ITEM'
  | 'INVALID_VALUE'
  // The file as text and YAML.
  | 'INVALID_UTF8'
  | 'YAML_SYNTAX'
  | 'MULTIPLE_DOCUMENTS'
  | 'TOO_DEEP_TO_READ'
  | 'NESTED_TOO_DEEP'
  | 'DUPLICATE_KEY'
  | 'KEY_NOT_TEXT'
  | 'UNKNOWN_ALIAS'
  | 'CIRCULAR_ALIAS'
  | 'ALIASES_TOO_LARGE'
  | 'EMPTY_SPEC'
  | 'SPEC_NOT_A_MAPPING'
  | 'SPEC_UNREADABLE'
  // Components and the settings around them.
  | 'UNKNOWN_COMPONENT'
  | 'WRONG_TASK'
  | 'COMPONENT_FAILED'
  | 'INVALID_TASK'
  | 'NOT_A_DISTILLATION'
  | 'DISTILLATION_AS_LOSS'
  | 'SHARED_METRIC_COLUMN'
  | 'INVALID_METRIC_COLUMN'
  | 'METRIC_DOES_NOT_FIT'
  | 'UNRECORDED_METRIC'
  | 'LOAD_WITH_LAYERS'
  | 'MODEL_FILE_NOT_FOUND'
  | 'INVALID_VALIDATION_SHARE'
  | 'TRANSFER_CLASSES'
  | 'TEACHER_SEED_ONLY'
  | 'TWO_VALIDATION_SPLITS'
  | 'NO_VALIDATION_SPLIT'
  | 'SEED_WITH_SEEDS'
  // The grid.
  | 'NOT_SWEEPABLE'
  | 'PATH_NOT_SETTABLE'
  | 'SWEPT_TWICE'
  | 'SWEEPS_OVERLAP'
  | 'SEED_SWEPT_WITH_SEEDS'
  | 'REPEATED_VALUE'
  | 'ZIP_UNEVEN'
  | 'GRID_TOO_LARGE'
  | 'SAME_CELL'
  // The search.
  | 'NOT_SEARCHABLE'
  | 'REPEATED_SEARCH_VALUE'
  | 'CARRY_NOT_SEARCHED'
  | 'NOT_A_VALIDATION_METRIC'
  | 'SEARCH_TOO_LARGE'
  | 'SEARCH_STRATEGY'
  | 'SEARCH_RANGE'
  | 'SEARCH_SPACE_TOO_SMALL'
  | 'HALVING_CONFLICT'
  // Plugins.
  | 'PLUGIN_TIMEOUT'
  | 'PLUGIN_NOT_LOADED'
  | 'PLUGIN_NOT_EXPORTED'
  | 'PLUGIN_NOT_REGISTERED'
  | 'PLUGIN_INVALID';

/**
 * The code of each error, one per factory of this folder: stable, so scripts and the README's table of
 * errors can name them. The exit code is 2 for invalid input and 1 for a run that failed.
 */
export type ErrorCode =
  // The spec, the command line and the files it names (input-errors.ts).
  | 'INVALID_SPEC'
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'UNKNOWN_COMMAND'
  | 'INVALID_ARGUMENT'
  | 'UNUSABLE_PATH'
  | 'PLUGIN_ERROR'
  | 'PLUGIN_INVALID'
  | 'COMPONENT_RESULT'
  | 'UNSETTLED'
  // Data and models (data-errors.ts).
  | 'DATASET_ERROR'
  | 'DATASET_NOT_FOUND'
  | 'DATA_FILE_ERROR'
  | 'DATA_FILE_NOT_FOUND'
  | 'INPUT_FILE_ERROR'
  | 'SAVED_MODEL_ERROR'
  | 'MODEL_SHAPE'
  | 'METHOD_FEATURES'
  | 'AUGMENTATION'
  | 'TRANSFER_SET'
  | 'METRIC_DATASET'
  | 'CELLS_TOO_LARGE'
  // A run (run-errors.ts).
  | 'NON_FINITE_LOSS'
  | 'INTERRUPTED'
  | 'DIVERGED'
  | 'NON_FINITE_METRIC'
  | 'RUN_LOCKED'
  | 'RUN_MISMATCH'
  | 'WRITE_FAILED'
  | 'BACKEND_UNAVAILABLE'
  | 'BACKEND_FAILURE'
  | 'WORKER_FAILED'
  | 'NOTHING_SELECTED'
  // Tables (table-errors.ts).
  | 'RESULTS_ERROR'
  | 'INVALID_TABLE'
  | 'TABLE_NOT_FOUND'
  | 'TABLE_MISMATCH'
  | 'MERGE_CONFLICT'
  | 'NOT_A_RUN_DIRECTORY'
  | 'UNKNOWN_METRIC'
  | 'UNKNOWN_ORIENTATION';

/** Every error distil-run raises on purpose; anything else is a bug and keeps its stack trace. */
export class DistilError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly SpecIssue[];
  /** Exit code the CLI uses: 2 for invalid input, 1 for a failed run. */
  readonly exitCode: 1 | 2;
  /** What to do, when the message is used as a part of another (a plugin that cannot be registered, as a spec issue). */
  readonly hint?: string;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: readonly SpecIssue[]; exitCode?: 1 | 2; hint?: string } = {},
  ) {
    super(message);
    this.name = 'DistilError';
    this.code = code;
    this.issues = options.issues ?? [];
    this.exitCode = options.exitCode ?? 1;
    if (options.hint !== undefined) this.hint = options.hint;
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

/** Where in a data file a problem sits: the file, for a cell its 1-based line and column, and the column's name. */
export interface DataLocation {
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
  /** The table column the problem is in: its header name, or its 0-based index in a file without a header. */
  readonly column?: string;
}

/** `file: `, `file:3:1`, `file:3:5 column "b":` or `file column "y":`, before the problem. */
export function formatDataLocation(at: DataLocation): string {
  // `file: problem`, `file:3:1 problem`, `file:3:5 column "b": problem`, `file column "y": problem`.
  if (at.column !== undefined) return `${formatLocation(at)} column "${at.column}":`;
  return at.line === undefined ? `${at.file}:` : formatLocation(at);
}

/** Whether `error` is the stop a signal asked for (see {@link errorInterrupted}), not a failure. */
export function isInterrupted(error: unknown): error is DistilError {
  return error instanceof DistilError && error.code === 'INTERRUPTED';
}
