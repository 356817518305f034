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
  'teacher-cache': { type: 'string', value: 'DIR|off' },
  out: { type: 'string', value: 'DIR' },
  'run-id': { type: 'string', value: 'ID' },
  shard: { type: 'string', value: 'I/N' },
  selection: { type: 'string', value: 'FILE' },
  dataset: { type: 'string', value: 'NAME|FILE' },
  'save-models': { type: 'string', value: 'all|teacher|none|auto' },
  'dry-run': { type: 'boolean' },
  report: { type: 'boolean' },
  'no-report': { type: 'boolean' },
  plain: { type: 'boolean' },
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
  -readonly [K in FlagName]?: (typeof FLAGS)[K]['type'] extends 'boolean' ? boolean : (typeof FLAGS)[K] extends { multiple: true } ? string[] : string;
};

/** The flags that apply to every command. */
export const GLOBAL_FLAGS: readonly FlagName[] = ['help', 'version'];

const PARSE_OPTIONS = Object.fromEntries(
  Object.entries(FLAGS).map(([name, spec]) => [name, { type: spec.type, ...('multiple' in spec ? { multiple: spec.multiple } : {}), ...('short' in spec ? { short: spec.short } : {}) }]),
) as { [K in FlagName]: { type: (typeof FLAGS)[K]['type']; multiple?: boolean; short?: string } };

/** An unknown flag, with the flag it looks like, or `--set` for a spec key. */
function errorUnknownFlag(token: { name: string; rawName: string; value?: string }): DistilError {
  const suggestion = token.rawName.startsWith('--') ? didYouMean(token.name, Object.keys(FLAGS)) : undefined;
  const key = token.name.split('.')[0];
  if (SPEC_KEYS.includes(key)) {
    return errorInvalidArgument(token.rawName, `unknown flag; ${key} is a key of the spec: --set ${token.name}=${token.value ?? 'VALUE'} sets it (see distil-run --help)`);
  }
  return errorInvalidArgument(token.rawName, suggestion ? `unknown flag. Did you mean "--${suggestion}"?` : 'unknown flag (see distil-run --help)');
}

/**
 * Node's parseArgs words its refusals for programmers (`Unknown option '--plian'. To specify a positional
 * argument...`): the flags are read leniently first, and an unknown flag, a missing value or a value given
 * to a switch is refused in the house shape, naming the flag.
 * @throws DistilError INVALID_ARGUMENT (exit 2).
 */
function assertFlagTokens(argv: readonly string[]): void {
  const { tokens } = parseArgs({ args: [...argv], options: PARSE_OPTIONS, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec: FlagSpec | undefined = (FLAGS as Record<string, FlagSpec>)[token.name];
    if (spec === undefined) throw errorUnknownFlag(token);
    if (spec.type === 'boolean' && token.value !== undefined) throw errorInvalidArgument(token.rawName, `takes no value, got "${token.value}" (give ${token.rawName} alone)`);
    if (spec.type === 'string' && token.value === undefined) throw errorInvalidArgument(token.rawName, 'needs a value after it (see distil-run --help)');
    if (spec.type === 'string' && !token.inlineValue && token.value?.startsWith('-')) {
      throw errorInvalidArgument(token.rawName, `needs a value, got the flag ${token.value} (a value starting with "-" is written ${token.rawName}=VALUE)`);
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
      throw errorInvalidArgument(`--${token.name}`, `given ${values.length} times (${values.map((v) => JSON.stringify(v)).join(', ')}); give it once`);
    }
  }
}
