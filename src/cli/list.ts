// `distil-run list`: every registered component by kind, with its params, their types and defaults.
import { COMPONENT_KINDS, createRegistry } from '../index.js';
import type { JsonSchema, Registry } from '../index.js';
import type { Command } from './command.js';
import type { Values } from './flags.js';

/** A param's type as `list` shows it: `integer`, `"same"|"valid"`, `integer|[integer, integer]`, `array of integer`. */
function describeType(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join('|');
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).map(describeType).join('|');
  if (schema.type === 'array' && schema.items && typeof schema.items === 'object') {
    const item = describeType(schema.items as JsonSchema);
    return schema.minItems !== undefined && schema.minItems === schema.maxItems
      ? `[${Array(Number(schema.minItems)).fill(item).join(', ')}]`
      : `array of ${item}`;
  }
  return Array.isArray(schema.type) ? schema.type.join(',') : String(schema.type ?? 'any');
}

function describeParam(name: string, schema: JsonSchema, required: boolean): string {
  const type = describeType(schema);
  const fallback =
    schema.default === undefined ? (required ? ' (required)' : '') : ` = ${JSON.stringify(schema.default)}`;
  const description = schema.description ? `  ${String(schema.description)}` : '';
  return `      ${name}: ${type}${fallback}${description}`;
}

/** Every registered component by kind, with its params, types and defaults. */
function formatRegistry(registry: Registry): string {
  const lines: string[] = [];
  for (const kind of COMPONENT_KINDS) {
    lines.push(`${kind === 'loss' ? 'losses' : `${kind}s`}:`);
    for (const { definition, plugin } of registry.list(kind)) {
      const from = plugin === 'builtin' ? '' : ` [plugin ${plugin}]`;
      lines.push(`  ${definition.name}${from}: ${definition.description}`);
      const properties = (definition.params.properties ?? {}) as Record<string, JsonSchema>;
      const required = (definition.params.required ?? []) as string[];
      for (const [name, schema] of Object.entries(properties)) {
        lines.push(describeParam(name, schema, required.includes(name)));
      }
    }
  }
  return lines.join('\n');
}

async function list(_files: readonly string[], values: Values): Promise<number> {
  process.stdout.write(`${formatRegistry(await createRegistry({ plugins: values.plugin }))}\n`);
  return 0;
}

export const listCommand: Command = {
  name: 'list',
  usage: 'list [--plugin P]',
  summary: 'registered components and their params',
  section: 'List and schema options',
  files: { min: 0, max: 0, expected: 'no files' },
  flags: { plugin: { help: 'load a plugin (repeatable): its components are listed, with their params' } },
  run: list,
};
