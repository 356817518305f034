// Errors in what the user gives: the spec, the command line, the files it names, plugins. Each is exit code 2 unless it says otherwise.
import { DistilError, formatIssue } from './distil-error.js';
import type { SpecIssue } from './distil-error.js';

/**
 * All validation problems of one spec, reported together: the first `limit` shown and the rest counted.
 * `complete: false` says validation stopped early, so there may be more. Exit code 2.
 */
export function errorInvalidSpec(
  file: string,
  issues: readonly SpecIssue[],
  limit = Infinity,
  complete = true,
): DistilError {
  if (issues.length <= limit && complete) {
    const count = issues.length === 1 ? '1 error' : `${issues.length} errors`;
    const lines = issues.map((issue) => `  ${formatIssue(issue)}`).join('\n');
    return new DistilError('INVALID_SPEC', `${file}: ${count}\n${lines}`, { issues, exitCode: 2 });
  }
  const shown = issues.slice(0, limit);
  const more = issues.length - shown.length;
  const header = `${file}: ${issues.length} errors${complete ? '' : ' or more'} (the first ${shown.length} shown${complete ? '' : '; validation stopped early'})`;
  const lines = shown.map((issue) => `  ${formatIssue(issue)}`);
  if (more > 0) lines.push(`  ... and ${more} more`);
  return new DistilError('INVALID_SPEC', `${header}\n${lines.join('\n')}`, { issues, exitCode: 2 });
}

/** A file named on the command line (a spec, a table) does not exist. Exit code 2. */
export function errorFileNotFound(file: string, what: string, hint: string): DistilError {
  return new DistilError('FILE_NOT_FOUND', `${what} not found: ${file} (${hint})`, { exitCode: 2 });
}

/** A file named on the command line exists but cannot be used: a directory, a device, too large, unreadable. Exit code 2. */
export function errorFileUnreadable(file: string, what: string, problem: string, hint: string): DistilError {
  return new DistilError('FILE_UNREADABLE', `${what} ${file}: ${problem} (${hint})`, { exitCode: 2 });
}

/** A first word that is no command and no spec file, with the command it looks like. Exit code 2. */
export function errorUnknownCommand(command: string, suggestion: string | undefined): DistilError {
  const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
  return new DistilError(
    'UNKNOWN_COMMAND',
    `unknown command "${command}".${hint} Run "distil-run --help" for the list.`,
    {
      exitCode: 2,
    },
  );
}

/** A flag (or command) given a value it cannot take: `--backend: expected one of ...`. Exit code 2. */
export function errorInvalidArgument(flag: string, problem: string): DistilError {
  return new DistilError('INVALID_ARGUMENT', `${flag}: ${problem}`, { exitCode: 2 });
}

/** A flag value the run cannot use (a file where a directory is expected, a path it cannot write). Exit code 2. */
export function errorUnusablePath(flag: string, file: string, problem: string, hint: string): DistilError {
  return new DistilError('UNUSABLE_PATH', `${flag} ${file}: ${problem} (${hint})`, { exitCode: 2 });
}

/** Plugin modules given on the command line that cannot be loaded, one line each: `--plugin x.mjs: problem (hint)`. Exit code 2. */
export function errorPluginsNotLoaded(issues: readonly SpecIssue[]): DistilError {
  return new DistilError(
    'PLUGIN_ERROR',
    issues.map((i) => `${i.location.origin}: ${i.message} (${i.hint})`).join('\n'),
    { exitCode: 2 },
  );
}

/**
 * A component gave back something other than its contract says, e.g.
 * `metric "m" (plugin p): compute() must return a tf.Scalar, got number`. Exit code 2.
 */
export function errorComponentResult(kind: string, name: string, plugin: string, problem: string): DistilError {
  return new DistilError('COMPONENT_RESULT', `${kind} "${name}" (plugin ${plugin}): ${problem}`, { exitCode: 2 });
}

/**
 * A plugin that cannot be registered (malformed components, a name taken, a params schema ajv cannot
 * compile); `hint` says what its author should change. Exit code 2.
 */
export function errorPluginInvalid(problem: string, hint: string): DistilError {
  return new DistilError('PLUGIN_INVALID', problem, { exitCode: 2, hint });
}

/** The command's promise never settled and nothing was left for it to wait for. Exit code 1. */
export function errorUnsettled(): DistilError {
  return new DistilError(
    'UNSETTLED',
    'stopped with the work unfinished: a promise never settled and nothing was left to wait for ' +
      '(a plugin or dataset that never finishes loading? DISTIL_PLUGIN_TIMEOUT_MS=0 turns the plugin timeout off)',
  );
}
