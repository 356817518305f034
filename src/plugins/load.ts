// Loads users' plugin modules (spec `plugins:` and --plugin) and registers their components.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import type { SpecIssue } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { Plugin } from '../registry/types.js';
import type { Locator } from '../config/messages.js';

function isPlugin(value: unknown): value is Plugin {
  return (
    typeof value === 'object' && value !== null && typeof (value as Plugin).name === 'string' && Array.isArray((value as Plugin).components)
  );
}

/** Resolves a plugin reference: a path (relative to `baseDir`) or a package name installed there. */
function resolveModule(reference: string, baseDir: string): string {
  const asPath = path.resolve(baseDir, reference);
  if (reference.startsWith('.') || path.isAbsolute(reference) || existsSync(asPath)) return pathToFileURL(asPath).href;
  return pathToFileURL(createRequire(path.join(baseDir, 'package.json')).resolve(reference)).href;
}

/**
 * Imports each plugin module and registers its default export (or export named `plugin`).
 * Problems become issues located at the spec's `plugins[i]` entry (or named after the flag).
 */
export async function loadPlugins(
  registry: Registry,
  references: readonly string[],
  baseDir: string,
  locateAt: Locator | undefined,
  issues: SpecIssue[],
): Promise<void> {
  for (const [i, reference] of references.entries()) {
    const location = locateAt ? locateAt(['plugins', i]) : { file: reference, origin: `--plugin ${reference}` };
    const fail = (message: string, hint: string): void => {
      issues.push({ location, path: locateAt ? `plugins[${i}]` : '', message, hint });
    };
    let loaded: Record<string, unknown>;
    try {
      loaded = (await import(resolveModule(reference, baseDir))) as Record<string, unknown>;
    } catch (error) {
      const hint = locateAt ? 'paths are relative to the spec file' : 'paths are relative to the working directory';
      fail(`cannot load plugin "${reference}": ${(error as Error).message.split('\n')[0]}`, hint);
      continue;
    }
    const plugin = [loaded.default, loaded.plugin].find(isPlugin);
    if (!plugin) {
      fail(`"${reference}" exports no plugin`, 'export default definePlugin({ name, components: [...] })');
      continue;
    }
    try {
      registry.use(plugin);
    } catch (error) {
      fail((error as Error).message, 'rename the component or drop the duplicate plugin');
    }
  }
}

