// `distil-run schema`: the published schema on stdout (or --out), a plugin's components with --plugin,
// plugin problems reported as every command reports them.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { schemaPath } from '../../src/config/experiment.js';
import { assertRefused, distilRun, fixture } from '../cli-harness.js';

describe('distil-run schema', () => {
  const committed = readFileSync(schemaPath(), 'utf8');

  it('prints the committed schema on stdout, nothing on stderr, exit 0', () => {
    const result = distilRun(['schema']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.isTrue(result.stdout === committed, 'distil-run schema differs from schema/experiment.schema.json');
  });

  it('writes the same schema to --out instead', () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'schema-')), 'nested', 'my.schema.json');
    const result = distilRun(['schema', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.isTrue(readFileSync(out, 'utf8') === committed);
  });

  it("adds a plugin's components with their params", () => {
    const result = distilRun(['schema', '--plugin', fixture('plugin-ok.mjs')]);
    assert.equal(result.code, 0, result.stderr);
    const schema = JSON.parse(result.stdout) as {
      definitions: Record<
        string,
        { else: { allOf: Array<{ if: unknown; then: { properties: Record<string, unknown> } }> } }
      > & { metricName: { then: { enum: string[] } } };
    };
    assert.include(schema.definitions.metricName.then.enum, 'always-one');
    const branch = schema.definitions.metric.else.allOf.find((b) => JSON.stringify(b.if).includes('"always-one"'));
    assert.deepEqual(branch?.then.properties, { name: { const: 'always-one' }, scale: { type: 'number', default: 1 } });
  });

  it('reports a plugin that cannot load as list does (exit 2, nothing on stdout)', () => {
    const args = ['--plugin', fixture(path.join('invalid', 'plugin-throws.mjs'))];
    const listed = distilRun(['list', ...args]);
    const result = distilRun(['schema', ...args]);
    const plugin = args[1];
    assertRefused(
      result,
      2,
      `distil-run: --plugin ${plugin}: cannot load plugin "${plugin}": no GPU found (paths are relative to the working directory)\n`,
    );
    assertRefused(listed, 2, result.stderr);
  });

  it('refuses files and flags it does not read', () => {
    assertRefused(
      distilRun(['schema', 'experiments/mnist.yaml']),
      2,
      'distil-run: schema: takes no files, got experiments/mnist.yaml (see distil-run --help)\n',
    );
    assertRefused(
      distilRun(['schema', '--set', 'a=1']),
      2,
      'distil-run: --set: is not a flag of "schema", which takes --plugin, --out (see distil-run --help)\n',
    );
  });

  it('is listed by --help', () => {
    assert.match(distilRun(['--help']).stdout, /^ {2}distil-run schema \[--plugin P\] \[--out FILE\] /m);
  });
});
