// What the dataset tests share: temporary directories, loading a dataset as the runner does, its refusal, IDX files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { assert } from 'chai';
import { encodeIdxUbyte } from '../../../../src/data/idx.js';
import { DistilError } from '../../../../src/errors.js';
import type { Dataset } from '../../../../src/registry/types.js';
import { builtinRegistry } from '../../../helpers.js';

export const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'distil-data-'));

/** Validates params (filling defaults) and creates a dataset, as the runner does. */
export async function load(name: string, params: Record<string, unknown>, baseDir = '.'): Promise<Dataset> {
  const registry = builtinRegistry();
  const filled = structuredClone(params);
  const errors = registry.get('dataset', name).validate(filled);
  assert.deepEqual(errors, []);
  const definition = registry.get('dataset', name).definition;
  if (definition.kind !== 'dataset') throw new Error('not a dataset');
  return definition.create(filled as never, { seed: 5, baseDir });
}

/** The message of the DistilError a load fails with, after checking its exit code (2: bad input). */
export async function failure(promise: Promise<unknown>, exitCode: 1 | 2 = 2): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.instanceOf(error, DistilError);
    assert.equal((error as DistilError).exitCode, exitCode, (error as Error).message);
    return (error as Error).message;
  }
  throw new Error('expected a failure');
}

/** Writes IDX files into a new directory: images `[n, 2, 2]` and labels `[n]`, gzipped when the name ends in .gz. */
export function idxDir(files: Record<string, Buffer>): string {
  const dir = tmp();
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), name.endsWith('.gz') ? gzipSync(bytes) : bytes);
  return dir;
}
export const idxImages = (n: number, side = 2): Buffer => encodeIdxUbyte([n, side, side], Uint8Array.from({ length: n * side * side }, (_, i) => (i * 51) % 256));
export const idxLabels = (labels: readonly number[]): Buffer => encodeIdxUbyte([labels.length], Uint8Array.from(labels));
