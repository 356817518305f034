// Shared test helpers: a registry with the built-ins, component creation, a spec's located problems, the wasm backend.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/backend/select.js';
import { resolveExperiment } from '../src/config/experiment.js';
import { applyOverrides, parseSpecSource } from '../src/config/load.js';
import { DistilError, formatIssue } from '../src/errors.js';
import { builtinPlugin } from '../src/plugins/builtin/index.js';
import { Registry } from '../src/registry/registry.js';
import type { ComponentKind } from '../src/registry/types.js';
import { createComponent, createMetric } from '../src/runner/model.js';

// Tests never touch the user's cache (downloads, trained teachers): one temporary cache for the process
// and the CLI processes it starts.
process.env.XDG_CACHE_HOME = mkdtempSync(path.join(os.tmpdir(), 'distil-cache-'));

export function builtinRegistry(): Registry {
  return new Registry().use(builtinPlugin);
}

/** Creates a built-in component with its params validated and defaults filled, as the resolver would. */
export function create<T>(kind: Exclude<ComponentKind, 'dataset'>, name: string, params: Record<string, unknown> = {}): T {
  const registry = builtinRegistry();
  const filled = structuredClone(params);
  const errors = registry.get(kind, name).validate(filled);
  if (errors.length > 0) throw new Error(`invalid params: ${JSON.stringify(errors)}`);
  const ref = { name, params: filled };
  const context = { seed: 1, baseDir: '.' };
  // Metrics are created as the runner creates them: the definition's facts with the computation.
  return kind === 'metric' ? (createMetric(registry, ref, context) as T) : createComponent<T>(registry, kind, ref, context);
}

/**
 * The problems a spec text (read as spec.yaml, after `--set` overrides) is refused with, as the user
 * sees them (`spec.yaml:9:32 training.optimizer.lr: must be > 0, got 0`); [] when it resolves.
 */
export async function specProblems(text: string, set: readonly string[] = []): Promise<string[]> {
  try {
    const source = parseSpecSource(text, 'spec.yaml');
    applyOverrides(source, set);
    await resolveExperiment(source, { registry: builtinRegistry() });
    return [];
  } catch (error) {
    if (!(error instanceof DistilError)) throw error;
    // A refusal without located issues (a bad --set) must not read as a valid spec.
    return error.issues.length > 0 ? error.issues.map(formatIssue) : [error.message];
  }
}

/** Uses the product's default backend in Node (wasm) for in-process tests. */
export async function useWasm(): Promise<void> {
  await selectBackend('wasm');
}

/** The value of a scalar tensor, disposing it. */
export function value(scalar: tf.Scalar): number {
  const v = scalar.dataSync()[0];
  scalar.dispose();
  return v;
}
