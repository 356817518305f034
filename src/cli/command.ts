// What a command is to the CLI: its usage line, the files and flags it takes (with their help), and what it runs.
import { errorInvalidArgument } from '../index.js';
import type { FlagName, Values } from './flags.js';

/** How many files (positional arguments) a command takes, and the words of the message when they do not fit. */
export interface Positionals {
  readonly min: number;
  readonly max: number;
  /** What it expects, e.g. `one spec file`: said as `expected one spec file, got 0`. */
  readonly expected: string;
  /** The message for too many files, when it says more than the count. */
  readonly tooMany?: (files: readonly string[]) => string;
  /** How the count reads, e.g. `3 argument(s)`. @default the number */
  readonly count?: (n: number) => string;
}

/** A flag's line in the help: its placeholder for this command (the flag's own by default) and what it does. */
export interface FlagHelp {
  readonly value?: string;
  readonly help: string | readonly string[];
}

export interface Command {
  readonly name: string;
  /** After `distil-run `, e.g. `compare <a> <b> [--format F]`. */
  readonly usage: string;
  readonly summary: string;
  /** The help section its flags are listed in; commands that share one list their flags once. */
  readonly section: string;
  readonly files: Positionals;
  /** The flags it reads, with their help (help and version apply to every command). */
  readonly flags: Partial<Record<FlagName, FlagHelp>>;
  run(files: readonly string[], values: Values): number | Promise<number>;
}

const SEE_HELP = '(see distil-run --help)';

/**
 * Refuses too few or too many files: a file a command does not read would be ignored without a word.
 * @throws DistilError INVALID_ARGUMENT naming the command.
 */
export function assertPositionals(command: Command, files: readonly string[]): void {
  const { min, max, expected, tooMany, count = String } = command.files;
  if (files.length < min) {
    throw errorInvalidArgument(command.name, `expected ${expected}, got ${count(files.length)} ${SEE_HELP}`);
  }
  if (files.length > max) {
    if (max === 0) throw errorInvalidArgument(command.name, `takes no files, got ${files.join(' ')} ${SEE_HELP}`);
    throw errorInvalidArgument(
      command.name,
      tooMany ? tooMany(files) : `expected ${expected}, got ${count(files.length)} ${SEE_HELP}`,
    );
  }
}

/**
 * A flag the command does not read would be ignored without a word (`best --out x.csv` writing nothing):
 * refuse it, naming the command's flags.
 * @throws DistilError INVALID_ARGUMENT (exit 2).
 */
export function assertFlagsFor(command: Command, values: Values, global: readonly FlagName[]): void {
  const allowed = Object.keys(command.flags) as FlagName[];
  const given = (Object.keys(values) as FlagName[]).filter(
    (flag) => values[flag] !== undefined && !global.includes(flag),
  );
  const stray = given.find((flag) => !allowed.includes(flag));
  if (stray === undefined) return;
  const takes = allowed.length > 0 ? allowed.map((flag) => `--${flag}`).join(', ') : 'no flags';
  throw errorInvalidArgument(`--${stray}`, `is not a flag of "${command.name}", which takes ${takes} ${SEE_HELP}`);
}
