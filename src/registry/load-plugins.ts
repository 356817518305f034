// Loads users' plugin modules (spec `plugins:` and --plugin) and registers their components.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  DistilError,
  issueAt,
  pluginInvalid,
  pluginNotExported,
  pluginNotLoaded,
  pluginNotRegistered,
  pluginTimedOut,
} from '../errors/index.js';
import type { SourceLocation, SpecIssue, SpecProblem } from '../errors/index.js';
import { printable } from '../shared/index.js';
import type { Registry } from './registry.js';
import type { Plugin } from './types.js';

/** How long a plugin module may take to load, unless DISTIL_PLUGIN_TIMEOUT_MS says otherwise (0: no limit). */
export const PLUGIN_TIMEOUT_MS = 30_000;

function pluginTimeout(): number {
  const configured = Number(process.env.DISTIL_PLUGIN_TIMEOUT_MS);
  return process.env.DISTIL_PLUGIN_TIMEOUT_MS && Number.isFinite(configured) && configured >= 0
    ? configured
    : PLUGIN_TIMEOUT_MS;
}

function isPlugin(value: unknown): value is Plugin {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Plugin).name === 'string' &&
    Array.isArray((value as Plugin).components)
  );
}

/** The first line of whatever a plugin threw (it need not be an Error). */
function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return printable(message.split('\n')[0]);
}

/** Resolves a plugin reference: a path (relative to `baseDir`) or a package name installed there. */
function resolveModule(reference: string, baseDir: string): string {
  const asPath = path.resolve(baseDir, reference);
  if (reference.startsWith('.') || path.isAbsolute(reference) || existsSync(asPath)) return pathToFileURL(asPath).href;
  return pathToFileURL(createRequire(path.join(baseDir, 'package.json')).resolve(reference)).href;
}

class PluginTimeout extends Error {}

/**
 * Imports a module, giving up after `ms` (0: waits for ever). The timer keeps the process alive while
 * it waits: a module whose top-level code never settles would otherwise let Node exit silently.
 */
async function importWithin(url: string, ms: number): Promise<Record<string, unknown>> {
  if (ms <= 0) return (await import(url)) as Record<string, unknown>;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new PluginTimeout()), ms);
  });
  try {
    return (await Promise.race([import(url), timeout])) as Record<string, unknown>;
  } finally {
    clearTimeout(timer);
  }
}

/** The plugin a module exports, registered; or the problem and a hint. */
async function registerModule(
  registry: Registry,
  reference: string,
  baseDir: string,
  relativeHint: string,
): Promise<SpecProblem | undefined> {
  const ms = pluginTimeout();
  let loaded: Record<string, unknown>;
  try {
    loaded = await importWithin(resolveModule(reference, baseDir), ms);
  } catch (error) {
    if (error instanceof PluginTimeout) return pluginTimedOut(reference, ms, PLUGIN_TIMEOUT_MS);
    // Node names the module that imported the plugin (ours): not the user's concern.
    return pluginNotLoaded(reference, messageOf(error).replace(/ imported from \S+$/, ''), relativeHint);
  }
  try {
    const plugin = [loaded.default, loaded.plugin].find(isPlugin);
    if (!plugin) return pluginNotExported(reference);
    registry.use(plugin);
    return undefined;
  } catch (error) {
    if (error instanceof DistilError && error.code === 'PLUGIN_INVALID') {
      return pluginInvalid(error.message, error.hint ?? '');
    }
    return pluginNotRegistered(reference, messageOf(error));
  }
}

/**
 * Imports each plugin module and registers its default export (or export named `plugin`).
 * Problems become issues located by `locateEntry(i)` at the spec's `plugins[i]` entry, or named after
 * the flag when there is no spec; `entries[k]` is the index in `plugins:` of `references[k]` when some
 * entries were left out.
 */
export async function loadPlugins(
  registry: Registry,
  references: readonly string[],
  baseDir: string,
  locateEntry: ((index: number) => SourceLocation) | undefined,
  issues: SpecIssue[],
  entries?: readonly number[],
): Promise<void> {
  const relativeHint = locateEntry
    ? 'paths are relative to the spec file'
    : 'paths are relative to the working directory';
  for (const [k, reference] of references.entries()) {
    const problem = await registerModule(registry, reference, baseDir, relativeHint);
    if (!problem) continue;
    const i = entries?.[k] ?? k;
    const location = locateEntry ? locateEntry(i) : { file: reference, origin: `--plugin ${reference}` };
    issues.push(issueAt(location, locateEntry ? `plugins[${i}]` : '', problem));
  }
}
