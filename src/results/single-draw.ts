// What the tables say about a gain measured on one seed: a single draw, and the command that repeats the run over seeds.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { argsOverSeeds, commandOverSeeds, shellWord } from '../shared/index.js';

/** The sentence beside a gain of one seed, before the command that repeats the run. */
export const SINGLE_DRAW =
  'one seed: the gain is a single draw, not a measured effect (another seed can change its size and its sign); to repeat the run over five seeds:';

/**
 * The command that repeats a run over five seeds: its arguments (as typed after `distil-run`) with
 * `--set seeds=[1,2,3,4,5]`; without them, the spec file's; `distil-run <spec.yaml> ...` when neither is known.
 */
export function repeatCommand(run: RunInvocation): string {
  if (run.args !== undefined && run.args.length > 0) return commandOverSeeds(run.args);
  if (run.specFile !== undefined) return commandOverSeeds([run.specFile]);
  return ['distil-run', '<spec.yaml>', ...argsOverSeeds([]).map(shellWord)].join(' ');
}

/** The single-draw sentence and, indented below it, the command that repeats the run (stdout and stderr lines). */
export const singleDrawLines = (run: RunInvocation): string[] => [SINGLE_DRAW, `  ${repeatCommand(run)}`];

/** True when the summary has gains and every one is of one seed pair (`gain_n` 1): a run of one seed. */
export function singleDrawGains(rows: ReadonlyArray<Readonly<Record<string, unknown>>>): boolean {
  const gains = rows.filter((r) => typeof r.gain_mean === 'number');
  return gains.length > 0 && gains.every((r) => r.gain_n === 1);
}

/** What manifest.json records of how a run was started: the last attempt's arguments and the spec file. */
export interface RunInvocation {
  readonly args?: readonly string[];
  readonly specFile?: string;
}

/** The invocation manifest.json records (its last attempt's `argv`); empty when the manifest is missing or unreadable. */
export function readInvocation(dir: string): RunInvocation {
  const file = path.join(dir, 'manifest.json');
  if (!existsSync(file)) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // The command is a hint beside the tables; a damaged manifest only loses it.
    return {};
  }
  const manifest = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  const attempts = Array.isArray(manifest.attempts) ? (manifest.attempts as unknown[]) : [];
  const last = attempts[attempts.length - 1] as Record<string, unknown> | undefined;
  const argv = last?.argv;
  const args = Array.isArray(argv) && argv.every((a) => typeof a === 'string') ? (argv as string[]) : undefined;
  const specFile = typeof manifest.spec_file === 'string' ? manifest.spec_file : undefined;
  return { ...(args ? { args } : {}), ...(specFile ? { specFile } : {}) };
}
