// The flags distil-run reads: how each is parsed, and the parser that refuses a flag it cannot read.
import { parseArgs } from 'node:util';
import { didYouMean, errorInvalidArgument, SPEC_KEYS } from '../index.js';
import type { DistilError } from '../index.js';

/** How a flag is parsed, and the placeholder its help shows (`--out DIR`). */
interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  readonly value?: string;
}

/** Every flag of every command. Which command reads which is each command's own table (commands.ts). */
export const FLAGS = {
  set: { type: 'string', multiple: true, value: 'PATH=VALUE' },
  grid: { type: 'string', multiple: true, value: 'PATH=VALUES' },
  plugin: { type: 'string', multiple: true, value: 'MODULE' },
  backend: { type: 'string', value: 'NAME' },
  blas: { type: 'string', value: 'auto|off|PATH' },
  'compiled-step': { type: 'string', value: 'on|off' },
  'teacher-cache': { type: 'string', value: 'DIR|off' },
  out: { type: 'string', value: 'DIR' },
  'run-id': { type: 'string', value: 'ID' },
  shard: { type: 'string', value: 'I/N' },
  selection: { type: 'string', value: 'FILE' },
  dataset: { type: 'string', value: 'NAME|FILE' },
  'save-models': { type: 'string', value: 'all|teacher|none|auto' },
  jobs: { type: 'string', value: 'N|auto' },
  'dry-run': { type: 'boolean' },
  data: { type: 'boolean' },
  report: { type: 'boolean' },
  'no-report': { type: 'boolean' },
  plain: { type: 'boolean' },
  probabilities: { type: 'boolean' },
  'max-regression': { type: 'string', multiple: true, value: '[METRIC=]X' },
  format: { type: 'string', value: 'F' },
  'allow-different-experiments': { type: 'boolean' },
  metric: { type: 'string', value: 'M' },
  role: { type: 'string', value: 'R' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies Readonly<Record<string, FlagSpec>>;

export type FlagName = keyof typeof FLAGS;

/** The flags given, by name: a string (or strings, for a repeatable flag) or true. */
export type Values = {
  -readonly [K in FlagName]?: (typeof FLAGS)[K]['type'] extends 'boolean'
    ? boolean
    : (typeof FLAGS)[K] extends { multiple: true }
      ? string[]
      : string;
};

/** The flags that apply to every command. */
export const GLOBAL_FLAGS: readonly FlagName[] = ['help', 'version'];

const PARSE_OPTIONS = Object.fromEntries(
  Object.entries(FLAGS).map(([name, spec]) => [
    name,
    {
      type: spec.type,
      ...('multiple' in spec ? { multiple: spec.multiple } : {}),
      ...('short' in spec ? { short: spec.short } : {}),
    },
  ]),
) as { [K in FlagName]: { type: (typeof FLAGS)[K]['type']; multiple?: boolean; short?: string } };

/** The switches with a one-letter form (`-h`), by that letter. */
const SHORT_SWITCHES = new Map<string, string>(
  Object.entries(FLAGS).flatMap(([name, spec]) =>
    'short' in spec && spec.type === 'boolean' ? [[spec.short, name]] : [],
  ),
);

/**
 * An argument that is no flag, as the user wrote it (`arg`, not parseArgs' pieces of it: `-h=3` is not `-=`):
 * a value given to switches (`-h=3`), dashes without a name, a flag it looks like (said before a spec key
 * of that name, which `--set` sets), or `--set` for a spec key.
 */
function errorUnknownFlag(arg: string, tokenValue: string | undefined): DistilError {
  const eq = arg.indexOf('=');
  const written = eq === -1 ? arg : arg.slice(0, eq);
  const value = eq === -1 ? tokenValue : arg.slice(eq + 1);
  const name = written.replace(/^-+/, '');
  if (name === '') {
    return errorInvalidArgument(
      arg,
      `no flag name ${eq === -1 ? 'after the dashes' : 'before "="'} (see distil-run --help)`,
    );
  }
  const short = !written.startsWith('--');
  if (short && eq !== -1 && [...name].every((letter) => SHORT_SWITCHES.has(letter))) {
    return errorInvalidArgument(written, `takes no value, got "${value}" (give ${written} alone)`);
  }
  // `-x` is a one-letter flag, too short to look like one; a dotted name is a spec path.
  const suggestion =
    (short && name.length === 1) || name.includes('.') ? undefined : didYouMean(name, Object.keys(FLAGS));
  const key = name.split('.')[0];
  const setIt = `--set ${name}=${value ?? 'VALUE'} sets it`;
  // --set is what the spec key's advice says: no "Did you mean --set" for --seed.
  if (SPEC_KEYS.includes(key) && (suggestion === undefined || suggestion === 'set')) {
    return errorInvalidArgument(written, `unknown flag; ${key} is a key of the spec: ${setIt} (see distil-run --help)`);
  }
  if (suggestion === undefined) return errorInvalidArgument(written, 'unknown flag (see distil-run --help)');
  const alsoKey = SPEC_KEYS.includes(key) ? ` (${key} is also a key of the spec: ${setIt})` : '';
  return errorInvalidArgument(written, `unknown flag. Did you mean "--${suggestion}"?${alsoKey}`);
}

/**
 * Node's parseArgs words its refusals for programmers (`Unknown option '--plian'. To specify a positional
 * argument...`): the flags are read leniently first, and an unknown flag, a missing value or a value given
 * to a switch is refused in the house shape, naming the flag.
 * @throws DistilError INVALID_ARGUMENT (exit 2).
 */
function assertFlagTokens(argv: readonly string[]): void {
  const { tokens } = parseArgs({
    args: [...argv],
    options: PARSE_OPTIONS,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  for (const token of tokens) {
    // After `--` every argument is a file or a command, whatever it starts with.
    if (token.kind === 'option-terminator') return;
    if (token.kind === 'positional' && token.value === '-') {
      throw errorInvalidArgument('-', 'not a flag, and distil-run reads no standard input (a file named "-" is ./-)');
    }
    if (token.kind !== 'option') continue;
    const spec: FlagSpec | undefined = (FLAGS as Record<string, FlagSpec>)[token.name];
    if (spec === undefined) throw errorUnknownFlag(argv[token.index], token.value);
    if (spec.type === 'boolean' && token.value !== undefined) {
      throw errorInvalidArgument(token.rawName, `takes no value, got "${token.value}" (give ${token.rawName} alone)`);
    }
    if (spec.type === 'string' && token.value === undefined) {
      throw errorInvalidArgument(token.rawName, 'needs a value after it (see distil-run --help)');
    }
    if (spec.type === 'string' && !token.inlineValue && token.value?.startsWith('-')) {
      throw errorInvalidArgument(
        token.rawName,
        `needs a value, got the flag ${token.value} (a value starting with "-" is written ${token.rawName}=VALUE)`,
      );
    }
  }
}

/**
 * Splits argv into flags and positional arguments.
 * @throws DistilError INVALID_ARGUMENT for an unknown flag, a flag without its value, or a single-value flag given twice.
 */
export function parseArgv(argv: readonly string[]): { values: Values; positionals: string[] } {
  assertFlagTokens(argv);
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: PARSE_OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw errorInvalidArgument('arguments', `${(error as Error).message} (see distil-run --help)`);
  }
  assertSingleValues(parsed.tokens);
  return { values: parsed.values as Values, positionals: parsed.positionals };
}

/** parseArgs keeps the last of a repeated single-value flag silently; a flag given twice is refused instead. */
function assertSingleValues(tokens: ReadonlyArray<{ kind: string; name?: string; value?: string }>): void {
  const given = new Map<string, string[]>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    const spec: FlagSpec = FLAGS[token.name as FlagName];
    if (spec.type !== 'string' || spec.multiple) continue;
    const values = [...(given.get(token.name) ?? []), token.value ?? ''];
    given.set(token.name, values);
    if (values.length > 1) {
      throw errorInvalidArgument(
        `--${token.name}`,
        `given ${values.length} times (${values.map((v) => JSON.stringify(v)).join(', ')}); give it once`,
      );
    }
  }
}
