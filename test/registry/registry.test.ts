// The registry: lookup with suggestions, duplicate names, and plugins loaded from a spec.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert } from 'chai';
import { didYouMean, editDistance } from '../../src/registry/did-you-mean.js';
import { Registry } from '../../src/registry/registry.js';
import { definePlugin } from '../../src/registry/types.js';
import { DistilError, formatIssue } from '../../src/errors.js';
import { parseSpecSource } from '../../src/config/load.js';
import { resolveExperiment } from '../../src/config/experiment.js';
import { builtinRegistry } from '../helpers.js';

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
    assert.deepEqual(registry.list('optimizer').map((c) => c.definition.name), ['adam', 'rmsprop', 'sgd']);
  });

  it('refuses a second component with a taken name', () => {
    const registry = builtinRegistry();
    const clash = definePlugin({ name: 'clash', components: [{ kind: 'loss', name: 'kd', description: '', params: {}, create: () => ({ needsTeacher: false, compute: () => { throw new Error(); } }) }] });
    assert.throws(() => registry.use(clash), 'plugin clash: loss "kd" is already registered by plugin builtin');
  });

  it('computes edit distances and bounded suggestions', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(didYouMean('acuracy', ['accuracy', 'loss']), 'accuracy');
    assert.equal(didYouMean('kd-los', ['kd', 'mse']), 'kd');
    assert.isUndefined(didYouMean('banana', ['accuracy', 'loss']));
  });

  it('loads a plugin named in the spec, relative to the spec file, and validates its params', async () => {
    const source = parseSpecSource(SPEC('./plugin-ok.mjs', '{ name: always-one, scale: 2 }'), path.join(fixtures, 'spec.yaml'));
    const { experiment, registry } = await resolveExperiment(source, { registry: new Registry().use((await import('../../src/plugins/builtin/index.js')).builtinPlugin) });
    assert.deepEqual(experiment.cells[0].config.models.student.training.metrics, [{ name: 'always-one', params: { scale: 2 } }]);
    assert.equal(registry.get('metric', 'always-one').plugin, 'fixture-plugin');
  });

  it('locates plugin problems and a plugin component\'s bad params', async () => {
    const file = path.join(fixtures, 'spec.yaml');
    const messages = async (text: string) => {
      try {
        await resolveExperiment(parseSpecSource(text, file));
        return [];
      } catch (error) {
        return (error as DistilError).issues.map((i) => formatIssue({ ...i, location: { ...i.location, file: 'spec.yaml' } }));
      }
    };
    assert.deepEqual(await messages(SPEC('./plugin-ok.mjs', '{ name: always-one, scale: x }')), [
      'spec.yaml:5:50 training.metrics[0].scale: must be number, got "x"',
    ]);
    assert.deepEqual(await messages(SPEC('./plugin-bad.mjs', 'accuracy')), [
      'spec.yaml:2:11 plugins[0]: "./plugin-bad.mjs" exports no plugin (export default definePlugin({ name, components: [...] }))',
    ]);
    const missing = await messages(SPEC('./nope.mjs', 'accuracy'));
    assert.lengthOf(missing, 1);
    assert.match(missing[0], /^spec\.yaml:2:11 plugins\[0\]: cannot load plugin "\.\/nope\.mjs": .*\(paths are relative to the spec file\)$/);
  });
});
