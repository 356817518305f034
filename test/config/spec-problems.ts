// A spec text as `distil-run validate` reads it (parsed, --set and --grid applied, resolved): what it is refused with.
import { assert } from 'chai';
import { applyGridFlags } from '../../src/config/grid-flags.js';
import { resolveExperiment } from '../../src/config/experiment.js';
import { applyOverrides, parseSpecSource } from '../../src/config/load.js';
import { DistilError, formatIssue } from '../../src/errors/index.js';
import type { Registry } from '../../src/registry/registry.js';
import { builtinRegistry } from '../helpers.js';

export interface SpecInput {
  /** The spec's path, for messages and relative plugin paths. @default 'spec.yaml' */
  readonly file?: string;
  readonly set?: readonly string[];
  readonly grid?: readonly string[];
  readonly plugins?: readonly string[];
  /** @default the built-ins */
  readonly registry?: Registry;
}

/** The DistilError a spec text is refused with, or undefined when it is valid; any other error is rethrown. */
async function outcome(text: string, input: SpecInput): Promise<DistilError | undefined> {
  try {
    const source = parseSpecSource(text, input.file ?? 'spec.yaml');
    applyOverrides(source, input.set ?? []);
    applyGridFlags(source, input.grid ?? []);
    await resolveExperiment(source, { plugins: input.plugins, registry: input.registry ?? builtinRegistry() });
    return undefined;
  } catch (error) {
    if (error instanceof DistilError) return error;
    throw error;
  }
}

/** The DistilError a spec text is refused with; fails the test when the spec is valid. */
export async function specRefusal(text: string, input: SpecInput = {}): Promise<DistilError> {
  return (await outcome(text, input)) ?? assert.fail('the spec was accepted');
}

/**
 * The problems of a spec text as the user reads them: one formatted line per issue, or the message of a
 * refusal without issues (a malformed flag); [] when the spec is valid.
 */
export async function specProblems(text: string, input: SpecInput = {}): Promise<string[]> {
  const error = await outcome(text, input);
  if (error === undefined) return [];
  return error.issues.length > 0 ? error.issues.map(formatIssue) : [error.message];
}
