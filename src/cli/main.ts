#!/usr/bin/env node
// The distil-run command: argv → a command of the table below → the library; data on stdout, progress and errors on stderr.
import { didYouMean, DistilError, errorUnknownCommand, errorUnsettled, getVersion } from '../index.js';
import { bestCommand } from './best.js';
import { dropOutputWhenClosed } from './closed-output.js';
import { assertFlagsFor, assertPositionals } from './command.js';
import type { Command } from './command.js';
import { compareCommand } from './compare.js';
import { evaluateCommand } from './evaluate.js';
import { GLOBAL_FLAGS, parseArgv } from './flags.js';
import { helpText } from './help.js';
import { listCommand } from './list.js';
import { mergeCommand } from './merge.js';
import { predictCommand } from './predict.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { schemaCommand } from './schema.js';
import { summarizeCommand } from './summarize.js';
import { validateCommand } from './validate.js';

/** Every command, in the order the help lists them: the one table the help, the flag checks and the dispatch read. */
const COMMANDS: readonly Command[] = [
  runCommand,
  validateCommand,
  listCommand,
  compareCommand,
  mergeCommand,
  summarizeCommand,
  bestCommand,
  reportCommand,
  evaluateCommand,
  predictCommand,
  schemaCommand,
];

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgv(argv);
  if (values.version) {
    process.stdout.write(`${getVersion()}\n`);
    return 0;
  }
  if (values.help) {
    process.stdout.write(`${helpText(COMMANDS)}\n`);
    return 0;
  }
  if (positionals.length === 0) {
    // Nothing asked for: the usage is diagnostics (stderr), so stdout stays clean for data.
    process.stderr.write(`${helpText(COMMANDS)}\n`);
    return 2;
  }
  const [first, ...rest] = positionals;
  const isSpec = /\.ya?ml$/i.test(first);
  const command = COMMANDS.find((c) => c.name === (isSpec ? 'run' : first));
  if (!command) {
    throw errorUnknownCommand(
      first,
      didYouMean(
        first,
        COMMANDS.map((c) => c.name),
      ),
    );
  }
  const files = isSpec ? positionals : rest;
  assertFlagsFor(command, values, GLOBAL_FLAGS);
  assertPositionals(command, files);
  return command.run(files, values);
}

// Every answer below ends in process.exit, which skips 'beforeExit': Node emits it only when nothing is
// left to wait for while main() is still pending (a promise that never settles). Never a silent exit 0.
process.on('beforeExit', () => {
  const error = errorUnsettled();
  process.stderr.write(`distil-run: ${error.message}\n`);
  process.exit(error.exitCode);
});

dropOutputWhenClosed();
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof DistilError) {
      process.stderr.write(`distil-run: ${error.message}\n`);
      process.exit(error.code === 'INTERRUPTED' ? 130 : error.exitCode);
    }
    process.stderr.write(`distil-run: internal error (please report it): ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
