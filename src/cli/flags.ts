// The flags distil-run reads: how each is parsed, and the parser that refuses a flag it cannot read.
import { parseArgs } from 'node:util';
import { errorInvalidArgument } from '../index.js';

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

/**
 * Splits argv into flags and positional arguments.
 * @throws DistilError INVALID_ARGUMENT for an unknown flag, a flag without its value, or a single-value flag given twice.
 */
export function parseArgv(argv: readonly string[]): { values: Values; positionals: string[] } {
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
