// The registry: lookup with suggestions, duplicate names, and plugins loaded from a spec.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert } from 'chai';
import { didYouMean, editDistance } from '../../src/shared/did-you-mean.js';
import type { Registry } from '../../src/registry/registry.js';
import { DistilError } from '../../src/errors/index.js';
import { definePlugin } from '../../src/registry/types.js';
import type { Plugin } from '../../src/registry/types.js';
import { parseSpecSource } from '../../src/config/load.js';
import { resolveExperiment } from '../../src/config/experiment.js';
import { specProblems } from '../config/spec-problems.js';
import { assertThrowsMessage, builtinRegistry } from '../helpers.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

const SPEC = (plugins: string, metric: string) => `name: p
plugins: [${plugins}]
dataset: mnist
models: { teacher: { layers: [4] }, student: { layers: [2] } }
training: { metrics: [${metric}] }
`;

describe('registry', () => {
  it('finds built-ins by kind and name and suggests close names', () => {
    const registry = builtinRegistry();
    assert.equal(registry.get('loss', 'kd').definition.name, 'kd');
    const missing = registry.lookup('optimizer', 'adma');
    assert.isUndefined(missing.found);
    assert.equal(!missing.found && missing.suggestion, 'adam');
    assert.deepEqual(
      registry.list('optimizer').map((c) => c.definition.name),
      ['adam', 'rmsprop', 'sgd'],
    );
  });

  it('refuses a second component with a taken name', () => {
    const registry = builtinRegistry();
    const clash = definePlugin({
      name: 'clash',
      components: [
        {
          kind: 'loss',
          name: 'kd',
          description: '',
          params: {},
          create: () => ({
            compute: () => {
              throw new Error();
            },
          }),
        },
      ],
    });
    assertThrowsMessage(() => registry.use(clash), 'plugin clash: loss "kd" is already registered by plugin builtin', {
      type: DistilError,
      code: 'PLUGIN_INVALID',
    });
  });

  /** The message and hint a plugin is refused with. */
  const refusal = (registry: Registry, plugin: unknown): string => {
    try {
      registry.use(plugin as Plugin);
    } catch (error) {
      assert.instanceOf(error, DistilError);
      assert.equal((error as DistilError).code, 'PLUGIN_INVALID');
      return `${(error as DistilError).message} (${(error as DistilError).hint})`;
    }
    return 'registered';
  };
  const metric = (name: string, params: unknown = {}): unknown => ({
    kind: 'metric',
    name,
    description: '',
    params,
    higherIsBetter: true,
    create: () => ({}),
  });

  it('refuses, when it registers, a component whose params schema does not compile', () => {
    assert.equal(
      refusal(builtinRegistry(), { name: 'p', components: [metric('m', { properties: { a: { type: 'nonsense' } } })] }),
      'plugin p: metric "m" has an invalid params schema: /properties/a/type must be equal to one of the allowed values (fix the component\'s params JSON Schema)',
    );
    assert.equal(
      refusal(builtinRegistry(), {
        name: 'p',
        components: [metric('m', { properties: { a: { $ref: '#/nowhere' } } })],
      }),
      'plugin p: metric "m" has an invalid params schema: can\'t resolve reference #/nowhere from id # (fix the component\'s params JSON Schema)',
    );
  });

  it('refuses malformed components, saying what is missing', () => {
    const registry = builtinRegistry();
    const hint = '(each component needs kind, name, description, params (a JSON Schema) and create())';
    assert.equal(
      refusal(registry, { name: 'p', components: [null] }),
      `plugin p: component 0 is not an object ${hint}`,
    );
    assert.equal(
      refusal(registry, { name: 'p', components: [{ kind: 'metric' }] }),
      `plugin p: component 0 has no name ${hint}`,
    );
    assert.equal(
      refusal(registry, { name: 'p', components: [{ ...(metric('m') as object), kind: 'metrik' }] }),
      `plugin p: component "m" has unknown kind "metrik" (expected dataset, layer, augmentation, loss, optimizer, metric) ${hint}`,
    );
    assert.equal(
      refusal(registry, { name: 'p', components: [{ ...(metric('m') as object), params: undefined }] }),
      `plugin p: component "m" has no params schema (an object; { properties: {} } for none) ${hint}`,
    );
    assert.equal(
      refusal(registry, { name: 'p', components: [{ ...(metric('m') as object), tasks: 'classification' }] }),
      `plugin p: component "m" has tasks that are not a list of "classification" and "regression" ${hint}`,
    );
    assert.equal(
      refusal(registry, {
        name: 'p',
        components: [{ kind: 'dataset', name: 'd', description: '', params: {}, create: () => ({}) }],
      }),
      `plugin p: component "d" declares no task ("classification", "regression" or a function of its params) ${hint}`,
    );
    // Facts the runner, compare and the gain read without creating the component.
    assert.equal(
      refusal(registry, { name: 'p', components: [{ ...(metric('m') as object), higherIsBetter: undefined }] }),
      `plugin p: component "m" declares no higherIsBetter (true or false, next to its name; column, optional, names its results column) ${hint}`,
    );
    assert.equal(
      refusal(registry, { name: 'p', components: [{ ...(metric('m') as object), column: 'Top 2' }] }),
      `plugin p: component "m" has a column that is not lower-case letters, digits and "_" (or a function of its params giving one) ${hint}`,
    );
    assert.equal(
      refusal(registry, { name: 'p', components: [{ ...(metric('m') as object), columnPattern: '^m_\\d+$' }] }),
      `plugin p: component "m" has a columnPattern that is not a regular expression ${hint}`,
    );
    assert.equal(
      refusal(registry, { name: 'p', components: [{ ...(metric('m') as object), checkDataset: 'yes' }] }),
      `plugin p: component "m" has a checkDataset that is not a function ${hint}`,
    );
    assert.equal(
      refusal(registry, {
        name: 'p',
        components: [
          {
            kind: 'dataset',
            name: 'd',
            description: '',
            task: 'classification',
            classes: 1,
            params: {},
            create: () => ({}),
          },
        ],
      }),
      `plugin p: component "d" has classes that is not a whole number of at least 2 (or a function of its params) ${hint}`,
    );
    assert.equal(
      refusal(registry, {
        name: 'p',
        components: [{ kind: 'loss', name: 'l', description: '', params: {}, needsTeacher: 'yes', create: () => ({}) }],
      }),
      `plugin p: component "l" has a needsTeacher that is not true or false ${hint}`,
    );
    const dataset = {
      kind: 'dataset',
      name: 'd',
      description: '',
      task: 'classification',
      params: { properties: { val_file: { type: 'string' } } },
      create: () => ({}),
    };
    assert.equal(
      refusal(registry, { name: 'p', components: [{ ...dataset, validationParams: ['val_fil'] }] }),
      `plugin p: component "d" has validationParams that are not a list of its params' names ${hint}`,
    );
    assert.equal(
      refusal(registry, { name: 'p', components: [{ ...dataset, validationParams: 'val_file' }] }),
      `plugin p: component "d" has validationParams that are not a list of its params' names ${hint}`,
    );
    assert.equal(
      refusal(registry, { name: 'p', components: [{ ...dataset, checkData: true }] }),
      `plugin p: component "d" has a checkData that is not a function ${hint}`,
    );
    assert.equal(
      refusal(builtinRegistry(), { name: 'p', components: [{ ...dataset, validationParams: ['val_file'] }] }),
      'registered',
    );
  });

  it('registers all of a plugin or none of it', () => {
    const registry = builtinRegistry();
    assert.equal(
      refusal(registry, {
        name: 'half',
        components: [metric('first'), metric('kd-metric'), { ...(metric('loss') as object) }],
      }),
      'plugin half: metric "loss" is already registered by plugin builtin (rename the component or drop the duplicate plugin)',
    );
    assert.isUndefined(registry.lookup('metric', 'first').found);
    assert.deepEqual(registry.pluginNames(), ['builtin']);
  });

  it('loads the same plugin twice as once, and refuses another plugin of the same name', () => {
    const registry = builtinRegistry();
    const plugin = { name: 'mine', components: [metric('one')] };
    registry.use(plugin as Plugin).use(plugin as Plugin);
    assert.equal(
      refusal(registry, { name: 'mine', components: [metric('two')] }),
      'plugin mine: another plugin named "mine" is already loaded (give each plugin its own name)',
    );
    assert.equal(
      refusal(registry, { name: 'twice', components: [metric('x'), metric('x')] }),
      'plugin twice: declares metric "x" twice (rename one of them)',
    );
  });

  it('computes edit distances and bounded suggestions', () => {
    assert.equal(editDistance('kitten', 'sitting', 1), 2, 'stops once past the bound');
    assert.isUndefined(didYouMean('', ['accuracy', 'loss']));
    const started = Date.now();
    assert.isUndefined(didYouMean('x'.repeat(100_000), ['accuracy', 'loss']));
    assert.isBelow(Date.now() - started, 100, 'a long key costs no more than a short one');
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(didYouMean('acuracy', ['accuracy', 'loss']), 'accuracy');
    assert.equal(didYouMean('kd-los', ['kd', 'mse']), 'kd');
    assert.isUndefined(didYouMean('banana', ['accuracy', 'loss']));
  });

  it('loads a plugin named in the spec, relative to the spec file, and validates its params', async () => {
    const source = parseSpecSource(
      SPEC('./plugin-ok.mjs', '{ name: always-one, scale: 2 }'),
      path.join(fixtures, 'spec.yaml'),
    );
    const { experiment, registry } = await resolveExperiment(source, { registry: builtinRegistry() });
    assert.deepEqual(experiment.cells[0].config.models.student.training.metrics, [
      { name: 'always-one', params: { scale: 2 } },
    ]);
    assert.equal(registry.get('metric', 'always-one').plugin, 'fixture-plugin');
  });

  it("locates plugin problems and a plugin component's bad params", async () => {
    const file = path.join(fixtures, 'spec.yaml');
    const messages = (text: string) => specProblems(text, { file });
    assert.deepEqual(await messages(SPEC('./plugin-ok.mjs', '{ name: always-one, scale: x }')), [
      `${file}:5:50 training.metrics[0].scale: must be number, got "x"`,
    ]);
    assert.deepEqual(await messages(SPEC('./plugin-bad.mjs', 'accuracy')), [
      `${file}:2:11 plugins[0]: "./plugin-bad.mjs" exports no plugin (export default definePlugin({ name, components: [...] }))`,
    ]);
    assert.deepEqual(await messages(SPEC('./nope.mjs', 'accuracy')), [
      `${file}:2:11 plugins[0]: cannot load plugin "./nope.mjs": Cannot find module '${path.join(fixtures, 'nope.mjs')}' (paths are relative to the spec file)`,
    ]);
  });
});
