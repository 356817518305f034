// Text the CLI prints on stdout: the end-of-run summary table and the component list.
import type { Registry } from './registry/registry.js';
import { COMPONENT_KINDS } from './registry/types.js';
import type { JsonSchema } from './registry/types.js';
import { describeBackend } from './runner/execute.js';
import type { RunSummary } from './runner/execute.js';
import { formatTable, signed } from './results/table.js';

/** The end-of-run table: role, params, test metrics and the distillation gain, then the run directory. */
export function formatSummary(summary: RunSummary): string {
  const metrics = [...new Set(summary.rows.flatMap((row) => Object.keys(row).filter((k) => k.startsWith('test_') && row[k] !== undefined)))];
  const grid = summary.rows.some((row) => row.cell);
  const headers = [...(grid ? ['cell'] : []), 'role', 'params', ...metrics.map((m) => m.slice(5)), 'gain', 'status'];
  const rows = summary.rows.map((row) => [
    ...(grid ? [String(row.cell)] : []),
    String(row.role),
    row.params as number | undefined,
    ...metrics.map((m) => row[m] as number | undefined),
    typeof row.distillation_gain === 'number' ? `${signed(row.distillation_gain)} ${row.gain_metric}` : '',
    String(row.status),
  ]);
  const failed = summary.rows.filter((row) => row.status === 'failed').map((row) => `${row.role}: ${row.error}`);
  return [
    formatTable(headers, rows),
    ...(failed.length > 0 ? ['', 'failed:', ...failed.map((f) => `  ${f}`)] : []),
    '',
    `gain = student - person on the first non-loss metric, signed so positive means distillation helped`,
    `backend: ${describeBackend(summary.backend)}`,
    summary.runDir,
  ].join('\n');
}

function describeParam(name: string, schema: JsonSchema, required: boolean): string {
  const type = Array.isArray(schema.enum) ? schema.enum.map((v) => JSON.stringify(v)).join('|') : String(schema.type ?? 'any');
  const fallback = schema.default === undefined ? (required ? ' (required)' : '') : ` = ${JSON.stringify(schema.default)}`;
  const description = schema.description ? `  ${String(schema.description)}` : '';
  return `      ${name}: ${type}${fallback}${description}`;
}

/** Every registered component by kind, with its params, types and defaults. */
export function formatRegistry(registry: Registry): string {
  const lines: string[] = [];
  for (const kind of COMPONENT_KINDS) {
    lines.push(`${kind === 'loss' ? 'losses' : `${kind}s`}:`);
    for (const { definition, plugin } of registry.list(kind)) {
      const from = plugin === 'builtin' ? '' : ` [plugin ${plugin}]`;
      lines.push(`  ${definition.name}${from}: ${definition.description}`);
      const properties = (definition.params.properties ?? {}) as Record<string, JsonSchema>;
      const required = (definition.params.required ?? []) as string[];
      for (const [name, schema] of Object.entries(properties)) lines.push(describeParam(name, schema, required.includes(name)));
    }
  }
  return lines.join('\n');
}
