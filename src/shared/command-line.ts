// Command lines as a shell reads them back: the manifest's record of a run, and the run repeated over seeds.

/** The seeds a single-seed run is repeated over, as `--set` writes them. */
export const REPEAT_SEEDS = '[1,2,3,4,5]';

/** A word as a POSIX shell reads it back: quoted only when it needs to be. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** `distil-run <args>` as a shell reads it back. */
export const commandLine = (args: readonly string[]): string => ['distil-run', ...args].map(shellWord).join(' ');

/** A `--set` value that sets the seed or the seeds (`seed=3`, `seeds=[1,2]`), which the repeat replaces. */
const setsSeeds = (value: string): boolean => /^\s*seeds?\s*=/.test(value);

/**
 * The arguments of a run (as typed after `distil-run`) repeated over five seeds: the same arguments with
 * `--set seeds=[1,2,3,4,5]`, without the run's `--run-id` (its directory holds another experiment now) and
 * without a `--set` of `seed` or `seeds` (a `--set seed=N` beside `seeds` is refused).
 */
export function argsOverSeeds(args: readonly string[]): string[] {
  const end = args.indexOf('--');
  const [flags, rest] = end === -1 ? [args, []] : [args.slice(0, end), args.slice(end)];
  const kept: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const arg = flags[i];
    if (arg === '--run-id' || (arg === '--set' && setsSeeds(flags[i + 1] ?? ''))) {
      i++;
      continue;
    }
    if (arg.startsWith('--run-id=') || (arg.startsWith('--set=') && setsSeeds(arg.slice('--set='.length)))) continue;
    kept.push(arg);
  }
  return [...kept, '--set', `seeds=${REPEAT_SEEDS}`, ...rest];
}

/** The command that repeats a single-seed run over five seeds: `distil-run spec.yaml --set 'seeds=[1,2,3,4,5]'`. */
export const commandOverSeeds = (args: readonly string[]): string => commandLine(argsOverSeeds(args));
