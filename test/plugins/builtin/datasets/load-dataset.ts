// What the dataset tests share: temporary directories, loading a dataset as the runner does, its refusal, IDX files.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { assert } from 'chai';
import { encodeIdxUbyte } from '../../../../src/data/idx.js';
import { DistilError } from '../../../../src/errors/index.js';
import type { Dataset } from '../../../../src/registry/types.js';
import { distilRun, root } from '../../../cli-harness.js';
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
  return definition.create(filled as never, { tf, seed: 5, baseDir });
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

/**
 * The message of the DistilError a load fails with (exit code 2) in a process of the user nobody, for what root
 * cannot see: every file is readable to root. `dir` is opened to that user.
 */
export function failureAsNobody(name: string, params: Record<string, unknown>, dir: string): string {
  chmodSync(dir, 0o755);
  const module = (file: string) => JSON.stringify(pathToFileURL(path.join(root, 'src', ...file.split('/'))).href);
  const script = `
    const { Registry } = await import(${module('registry/registry.ts')});
    const { builtinPlugin } = await import(${module('plugins/builtin/index.ts')});
    const entry = new Registry().use(builtinPlugin).get('dataset', ${JSON.stringify(name)});
    const params = ${JSON.stringify(params)};
    const errors = entry.validate(params);
    if (errors.length > 0) throw new Error(JSON.stringify(errors));
    try {
      await entry.definition.create(params, { seed: 5, baseDir: ${JSON.stringify(dir)} });
      console.log(JSON.stringify({ accepted: true }));
    } catch (error) {
      console.log(JSON.stringify({ name: error.name, exitCode: error.exitCode, message: error.message }));
    }`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    uid: 65534,
    gid: 65534,
  });
  assert.equal(child.status, 0, child.stderr);
  const outcome = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as {
    name?: string;
    exitCode?: number;
    message?: string;
  };
  assert.deepEqual([outcome.name, outcome.exitCode], ['DistilError', 2], child.stdout);
  return String(outcome.message);
}

/** Writes IDX files into a new directory: images `[n, 2, 2]` and labels `[n]`, gzipped when the name ends in .gz. */
export function idxDir(files: Record<string, Buffer>): string {
  const dir = tmp();
  for (const [name, bytes] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), name.endsWith('.gz') ? gzipSync(bytes) : bytes);
  }
  return dir;
}
export const idxImages = (n: number, side = 2): Buffer =>
  encodeIdxUbyte(
    [n, side, side],
    Uint8Array.from({ length: n * side * side }, (_, i) => (i * 51) % 256),
  );
export const idxLabels = (labels: readonly number[]): Buffer =>
  encodeIdxUbyte([labels.length], Uint8Array.from(labels));

/**
 * Asserts that a one-epoch run of dataset `name` (its params set by `--set dataset.X=V`, for each of `set`)
 * is refused as `distil-run` answers: exit 2, `message` alone on stderr, nothing on stdout.
 */
export function assertRunRefused(
  name: string,
  set: readonly string[],
  cache: string | undefined,
  message: string,
): void {
  const spec = path.join(tmp(), `${name}.yaml`);
  writeFileSync(
    spec,
    `name: ${name}\ndataset: { name: ${name} }\nmodels: { teacher: { layers: [4] }, student: { layers: [2] } }\ntraining: { epochs: 1 }\n`,
  );
  const flags = set.flatMap((value) => ['--set', `dataset.${value}`]);
  const run = distilRun([spec, '--out', tmp(), '--teacher-cache', 'off', '--blas', 'off', ...flags], {
    env: { DISTIL_DATA_DIR: '', XDG_CACHE_HOME: cache },
  });
  assert.equal(run.stderr, `distil-run: ${message}\n`);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
}
