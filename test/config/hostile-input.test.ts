// Specs, flags and plugins built to break validation: each is refused with exit 2 and a located message.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import type { DistilError } from '../../src/errors/index.js';
import { specRefusal } from './spec-problems.js';
import { assertNoStackTrace, assertRefused, cli, distilRun, fixture, root } from '../cli-harness.js';

const invalid = (name: string): string => fixture(path.join('invalid', name));
const SMALL = fixture('mnist-small.yaml');
const ALLOWED_TOP =
  'allowed keys: $schema, name, description, seed, seeds, splits, plugins, dataset, models, training, distillation, grid, search, evaluation';

/** The exact stderr of a refused spec: the header line and one line per issue. */
const specErrors = (
  file: string,
  lines: readonly string[],
  header = `${lines.length} error${lines.length === 1 ? '' : 's'}`,
): string => [`distil-run: ${file}: ${header}`, ...lines.map((line) => `  ${line}`), ''].join('\n');

/** The DistilError a spec text (and overrides) is refused with. */
const refusal = (text: string, set: readonly string[] = []): Promise<DistilError> => specRefusal(text, { set });

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'distil-hostile-'));

describe('hostile spec input', () => {
  it('refuses a YAML alias bomb at the alias that makes it too large', () => {
    const file = invalid('alias-bomb.yaml');
    const result = distilRun(['validate', file]);
    assertRefused(
      result,
      2,
      specErrors(file, [
        `${file}:7:8 e[0]: alias *d makes the spec too large: its aliases expand to more than 10000 values (write the values out, or use fewer aliases)`,
      ]),
    );
  });

  it('refuses an alias to an anchor that is not defined', async () => {
    const error = await refusal('name: a\nseed: *nope\n');
    assert.equal(
      error.message,
      'spec.yaml: 1 error\n  spec.yaml:2:7 seed: unknown alias *nope (define the anchor &nope before the alias)',
    );
  });

  it('refuses --set through a scalar, naming the flag', () => {
    const result = distilRun(['validate', SMALL, '--set', 'name.sub=1']);
    assertRefused(
      result,
      2,
      'distil-run: --set name.sub=1: name is a string ("mnist-small"), so it has no key "sub" (set name itself, or check the path)\n',
    );
  });

  it('refuses a plugin whose params schema does not compile, naming the plugin and the component', () => {
    const file = invalid('plugin-bad-schema.yaml');
    const result = distilRun(['validate', file]);
    assertRefused(
      result,
      2,
      specErrors(file, [
        `${file}:2:11 plugins[0]: plugin bad-schema: metric "odd-metric" has an invalid params schema: /properties/a/type must be equal to one of the allowed values (fix the component's params JSON Schema)`,
      ]),
    );
  });

  it('refuses a plugin whose import never settles, after the plugin timeout', () => {
    const file = invalid('plugin-never-settles.yaml');
    const result = distilRun(['validate', file], { env: { DISTIL_PLUGIN_TIMEOUT_MS: '300' } });
    assertRefused(
      result,
      2,
      specErrors(file, [
        `${file}:2:11 plugins[0]: plugin "./plugin-never-settles.mjs" did not finish loading within 0.3 s (its top-level code waits for something that never happens; DISTIL_PLUGIN_TIMEOUT_MS sets the limit, default 30000)`,
      ]),
    );
  });

  it('never exits 0 silently when work is left pending with nothing to wait for', () => {
    const result = distilRun(['validate', invalid('plugin-never-settles.yaml')], {
      env: { DISTIL_PLUGIN_TIMEOUT_MS: '0' },
    });
    assertNoStackTrace(result.stderr);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'distil-run: stopped with the work unfinished: a promise never settled and nothing was left to wait for (a plugin or dataset that never finishes loading? DISTIL_PLUGIN_TIMEOUT_MS=0 turns the plugin timeout off)\n',
    );
  });

  it('says a spec path is a directory', () => {
    const dir = path.join(tmp(), 'spec.yaml');
    mkdirSync(dir);
    const result = distilRun(['validate', dir]);
    assertRefused(
      result,
      2,
      `distil-run: experiment spec ${dir}: is a directory, expected a YAML file (give the path of a spec inside it)\n`,
    );
  });

  it('says a spec cannot be read for lack of permission', function () {
    const file = path.join(tmp(), 'spec.yaml');
    writeFileSync(file, 'name: x\n');
    chmodSync(file, 0o000);
    chmodSync(path.dirname(file), 0o755);
    // As root every file is readable: run the command as "nobody" then.
    const asRoot = process.getuid?.() === 0;
    const spawned = spawnSync(process.execPath, [cli, 'validate', file], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, CI: '1' },
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    if (spawned.error) this.skip();
    const result = { code: spawned.status, signal: spawned.signal, stdout: spawned.stdout, stderr: spawned.stderr };
    assertRefused(
      result,
      2,
      `distil-run: experiment spec ${file}: cannot be read: permission denied (EACCES) (check the file's permissions)\n`,
    );
  });

  it('locates an unknown grid path at the grid entry', () => {
    const file = invalid('grid-unknown-path.yaml');
    const result = distilRun(['validate', file]);
    assertRefused(result, 2, specErrors(file, [`${file}:5:3 nosuch: unknown key "nosuch" (${ALLOWED_TOP})`]));
  });

  it('names the flag for an unknown --set path', async () => {
    const error = await refusal(
      'name: x\ndataset: mnist\nmodels: { teacher: { layers: [4] }, student: { layers: [2] } }\n',
      ['nosuch.key=1'],
    );
    assert.equal(
      error.message,
      `spec.yaml: 1 error\n  spec.yaml (--set nosuch.key=1) nosuch: unknown key "nosuch" (${ALLOWED_TOP})`,
    );
  });

  it('names a duplicated key', () => {
    const file = invalid('duplicate-key.yaml');
    const result = distilRun(['validate', file]);
    assertRefused(
      result,
      2,
      specErrors(file, [
        `${file}:3:1 name: duplicate key "name" (first set at line 1, column 1; a key may appear once)`,
      ]),
    );
  });

  it('refuses two YAML documents in one file at the second "---"', () => {
    const file = invalid('two-documents.yaml');
    const result = distilRun(['validate', file]);
    assertRefused(
      result,
      2,
      specErrors(file, [
        `${file}:4:1 contains 2 YAML documents; a spec is one document (remove this "---" and what follows, or split the file into several specs)`,
      ]),
    );
  });

  it('bounds epochs, seeds and the grid size', async () => {
    const base = 'name: x\ndataset: mnist\nmodels: { teacher: { layers: [4] }, student: { layers: [2] } }\n';
    assert.equal(
      (await refusal(base, ['training.epochs=1e12'])).message,
      'spec.yaml: 1 error\n  spec.yaml (--set training.epochs=1e12) training.epochs: must be <= 100000, got 1000000000000',
    );
    assert.equal(
      (await refusal(base, ['seed=4294967296'])).message,
      'spec.yaml: 1 error\n  spec.yaml (--set seed=4294967296) seed: must be <= 4294967295, got 4294967296 (seeds are 32-bit: 0 to 4294967295)',
    );
    const file = invalid('grid-too-large.yaml');
    const started = Date.now();
    const result = distilRun(['validate', file]);
    assert.isBelow(Date.now() - started, 15_000);
    assertRefused(
      result,
      2,
      specErrors(file, [
        `${file}:4:1 grid: makes 1000000 cells (1000 x 1000); at most 10000 are allowed (split the sweep into several specs)`,
      ]),
    );
  });

  it('answers a spec with 30,000 seeds in seconds: no cell is resolved per seed past the limit', async function () {
    this.timeout(120_000);
    const base = 'name: x\ndataset: mnist\nmodels: { teacher: { layers: [4] }, student: { layers: [2] } }\n';
    const started = Date.now();
    const error = await refusal(`${base}seeds: [${Array.from({ length: 30_000 }, (_, i) => i).join(', ')}]\n`);
    assert.isBelow(Date.now() - started, 10_000);
    assert.equal(
      error.message,
      [
        'spec.yaml: 2 errors',
        '  spec.yaml:4:1 seeds: makes 30000 cells (one per seed); at most 10000 are allowed (list at most 100 seeds; split the rest over several specs)',
        '  spec.yaml:4:8 seeds: must list at most 100 item(s), got 30000',
      ].join('\n'),
    );
  });

  it('answers a spec with 250,000 unknown keys in seconds, showing the first 100 errors', function () {
    this.timeout(60_000);
    const file = path.join(tmp(), 'keys.yaml');
    const keys = Array.from({ length: 250_000 }, (_, i) => `k${i}: 1\n`).join('');
    writeFileSync(
      file,
      `name: keys\ndataset: mnist\nmodels: { teacher: { layers: [4] }, student: { layers: [2] } }\n${keys}`,
    );
    const started = Date.now();
    const result = distilRun(['validate', file]);
    const seconds = (Date.now() - started) / 1000;
    const shown = Array.from(
      { length: 100 },
      (_, i) => `${file}:${4 + i}:1 k${i}: unknown key "k${i}" (${ALLOWED_TOP})`,
    );
    assertRefused(
      result,
      2,
      specErrors(file, [...shown, '... and 249900 more'], '250000 errors (the first 100 shown)'),
    );
    assert.isBelow(seconds, 20, `took ${seconds} s`);
  });

  it('stops checking grid cells once the report is full, and says the count is a floor', async () => {
    const unknown = Array.from({ length: 120 }, (_, i) => `x${i}: 1\n`).join('');
    const error = await refusal(
      `name: x\ndataset: mnist\nmodels: { teacher: { layers: [4] }, student: { layers: [2] } }\ngrid:\n  seed: [1, 2, 3]\n${unknown}`,
    );
    const lines = error.message.split('\n');
    assert.equal(lines[0], 'spec.yaml: 120 errors or more (the first 100 shown; validation stopped early)');
    assert.equal(lines[1], `  spec.yaml:6:1 x0: unknown key "x0" (${ALLOWED_TOP})`);
    assert.equal(lines.at(-1), '  ... and 20 more');
    assert.lengthOf(error.issues, 120);
  });

  it('refuses invalid UTF-8 at the first bad byte', () => {
    const file = invalid('bad-utf8.yaml');
    const result = distilRun(['validate', file]);
    assertRefused(result, 2, specErrors(file, [`${file}:4:18 invalid UTF-8 (byte 0xE9) (save the file as UTF-8)`]));
  });
});
