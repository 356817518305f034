// Loads, validates and resolves an experiment spec into a frozen ResolvedExperiment with its grid cells.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { errorInvalidSpec } from '../errors.js';
import type { SpecIssue } from '../errors.js';
import { loadPlugins } from '../plugins/load.js';
import { Registry } from '../registry/registry.js';
import { builtinPlugin } from '../plugins/builtin/index.js';
import { getAjv } from './ajv.js';
import { applyOverrides, formatPath, loadSpecSource, locate, parsePath } from './load.js';
import type { PathSegment, SpecSource } from './load.js';
import { issuesFromAjv } from './messages.js';
import type { Locator } from './messages.js';
import { ConfigResolver } from './resolve.js';
import type { ResolvedConfig } from './resolve.js';

/** One point of the grid: its overrides and the config they give. */
export interface ResolvedCell {
  /** Stable content hash of the cell's config: same config, same id, across runs and machines. */
  readonly id: string;
  readonly index: number;
  /** Grid path → value for this cell (empty without a grid). */
  readonly overrides: Readonly<Record<string, unknown>>;
  readonly config: ResolvedConfig;
}

/** The experiment as the runner reads it. */
export interface ResolvedExperiment {
  readonly name: string;
  readonly description: string;
  readonly file: string;
  readonly baseDir: string;
  /** The spec after --set overrides, as plain data (recorded in the manifest). */
  readonly spec: Readonly<Record<string, unknown>>;
  readonly plugins: readonly string[];
  readonly grid: Readonly<Record<string, readonly unknown[]>>;
  readonly cells: readonly ResolvedCell[];
}

export interface LoadExperimentOptions {
  /** `path=value` overrides, as given to `--set`. */
  readonly set?: readonly string[];
  /** Extra plugin modules (`--plugin`), resolved from the working directory. */
  readonly plugins?: readonly string[];
  /** Registry to resolve against; a new one with the built-ins by default. */
  readonly registry?: Registry;
}

import { packageRoot } from '../shared/package-root.js';

/** The JSON Schema file editors and ajv both read. */
export const schemaPath = (): string => path.join(packageRoot(), 'schema', 'experiment.schema.json');

let baseValidator: ValidateFunction | undefined;

/** The compiled base schema (schema/experiment.schema.json). */
function validateBase(data: unknown): ValidateFunction['errors'] {
  baseValidator ??= getAjv().compile(JSON.parse(readFileSync(schemaPath(), 'utf8')));
  return baseValidator(structuredClone(data)) ? [] : baseValidator.errors;
}

/** Hash of a value's canonical JSON (keys sorted), shortened. */
export function contentHash(value: unknown, length = 12): string {
  const canonical = JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, length);
}

function setPath(target: Record<string, unknown>, segments: readonly PathSegment[], value: unknown): void {
  let node: Record<string | number, unknown> = target;
  segments.slice(0, -1).forEach((segment, i) => {
    const next = node[segment];
    if (typeof next !== 'object' || next === null) node[segment] = typeof segments[i + 1] === 'number' ? [] : {};
    node = node[segment] as Record<string | number, unknown>;
  });
  node[segments[segments.length - 1]] = value;
}

/** Every combination of the grid axes, in the order written (last axis varies fastest). */
function expandGrid(grid: Record<string, unknown[]>): Array<Array<[string, number, unknown]>> {
  let combos: Array<Array<[string, number, unknown]>> = [[]];
  for (const [key, values] of Object.entries(grid)) {
    combos = combos.flatMap((combo) => values.map((value, i) => [...combo, [key, i, value] as [string, number, unknown]]));
  }
  return combos;
}

/** Points errors inside a grid-overridden path at the grid value that caused them. */
function cellLocator(source: SpecSource, combo: Array<[string, number, unknown]>): Locator {
  return (segments, atKey) => {
    const dotted = formatPath(segments);
    for (const [key, i] of combo) {
      const target = formatPath(parsePath(key));
      if (dotted === target || dotted.startsWith(`${target}.`) || dotted.startsWith(`${target}[`)) {
        return locate(source, ['grid', key, i]);
      }
    }
    return locate(source, segments, atKey);
  };
}

/** The grid axes of a spec; malformed axes are left to the base schema's messages. */
function gridAxes(spec: Record<string, unknown>): Record<string, unknown[]> {
  const grid = spec.grid;
  if (typeof grid !== 'object' || grid === null) return {};
  return Object.fromEntries(Object.entries(grid).filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1])));
}

function resolveCells(source: SpecSource, spec: Record<string, unknown>, registry: Registry, issues: SpecIssue[]): ResolvedCell[] {
  return expandGrid(gridAxes(spec)).map((combo, index) => {
    const data = structuredClone(spec);
    delete data.grid;
    for (const [key, , value] of combo) setPath(data, parsePath(key), value);
    const locator = cellLocator(source, combo);
    if (combo.length > 0) issues.push(...issuesFromAjv(validateBase(data) ?? [], [], locator));
    const resolver = new ConfigResolver(registry, locator);
    const config = resolver.config(data);
    issues.push(...resolver.issues);
    const overrides = Object.fromEntries(combo.map(([key, , value]) => [key, value]));
    return { id: contentHash(config), index, overrides, config };
  });
}

function uniqueIssues(issues: readonly SpecIssue[]): SpecIssue[] {
  const seen = new Map<string, SpecIssue>();
  for (const issue of issues) {
    const key = `${issue.location.line}:${issue.location.col}:${issue.location.origin}:${issue.path}:${issue.message}`;
    if (!seen.has(key)) seen.set(key, issue);
  }
  return [...seen.values()].sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0) || (a.location.col ?? 0) - (b.location.col ?? 0));
}

/**
 * Loads, validates and resolves an experiment spec file.
 * @throws DistilError INVALID_SPEC listing every problem with file:line:col, FILE_NOT_FOUND, PLUGIN_ERROR.
 */
export async function loadExperiment(file: string, options: LoadExperimentOptions = {}): Promise<{ experiment: ResolvedExperiment; registry: Registry }> {
  const source = loadSpecSource(file);
  applyOverrides(source, options.set ?? []);
  return resolveExperiment(source, options);
}

/** Validates and resolves an already-parsed spec source (see {@link loadExperiment}). */
export async function resolveExperiment(source: SpecSource, options: LoadExperimentOptions = {}): Promise<{ experiment: ResolvedExperiment; registry: Registry }> {
  const spec = source.doc.toJS() as Record<string, unknown>;
  const locator: Locator = (segments, atKey) => locate(source, segments, atKey);
  const issues = issuesFromAjv(validateBase(spec) ?? [], [], locator);
  const registry = options.registry ?? new Registry().use(builtinPlugin);
  const specPlugins = Array.isArray(spec.plugins) ? spec.plugins.filter((p): p is string => typeof p === 'string') : [];
  await loadPlugins(registry, specPlugins, source.baseDir, locator, issues);
  await loadPlugins(registry, options.plugins ?? [], process.cwd(), undefined, issues);
  const cells = resolveCells(source, spec, registry, issues);
  if (issues.length > 0) throw errorInvalidSpec(source.file, uniqueIssues(issues));
  const experiment: ResolvedExperiment = {
    name: spec.name as string,
    description: typeof spec.description === 'string' ? spec.description : '',
    file: source.file,
    baseDir: source.baseDir,
    spec,
    plugins: [...specPlugins, ...(options.plugins ?? [])],
    grid: gridAxes(spec),
    cells,
  };
  return { experiment: deepFreeze(experiment), registry };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
