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
  | 'PLUGIN_ERROR'
  | 'BACKEND_UNAVAILABLE'
  | 'NON_FINITE_LOSS'
  | 'INTERRUPTED'
  | 'RESULTS_ERROR';

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

export function errorDataset(dataset: string, problem: string, hint?: string): DistilError {
  return new DistilError('DATASET_ERROR', `dataset "${dataset}": ${problem}${hint ? ` (${hint})` : ''}`);
}

export function errorDatasetNotFound(dataset: string, looked: readonly string[], hint: string): DistilError {
  const where = looked.map((place) => `  - ${place}`).join('\n');
  return new DistilError('DATASET_NOT_FOUND', `dataset "${dataset}": data not found. Looked in:\n${where}\n${hint}`);
}

export function errorPlugin(plugin: string, problem: string): DistilError {
  return new DistilError('PLUGIN_ERROR', `plugin ${plugin}: ${problem}`, { exitCode: 2 });
}

export function errorBackendUnavailable(backend: string, reason: string): DistilError {
  return new DistilError(
    'BACKEND_UNAVAILABLE',
    `backend "${backend}" is not available: ${reason} (use --backend auto to fall back to what loads)`,
    { exitCode: 2 },
  );
}

export function errorNonFiniteLoss(role: string, epoch: number): DistilError {
  return new DistilError(
    'NON_FINITE_LOSS',
    `${role}: the training loss became NaN or infinite in epoch ${epoch} ` +
      '(lower the learning rate, check the data for NaN, or standardise the features)',
  );
}

export function errorInterrupted(): DistilError {
  return new DistilError('INTERRUPTED', 'interrupted: results of finished roles are kept in the run directory');
}

export function errorResults(file: string, problem: string): DistilError {
  return new DistilError('RESULTS_ERROR', `${file}: ${problem}`, { exitCode: 2 });
}
