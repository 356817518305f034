// The published JSON Schema (schema/experiment.schema.json): generated from the registry, compiled by
// generic validators in strict mode, accepting every valid spec and refusing the typos distil-run refuses.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { assert } from 'chai';
import { parse } from 'yaml';
import { resolveExperiment, schemaPath } from '../../src/config/experiment.js';
import { parseSpecSource } from '../../src/config/load.js';
import { experimentSchema, experimentSchemaText, REGENERATE_COMMAND, SLOTS } from '../../src/config/schema-gen.js';
import { builtinPlugin } from '../../src/plugins/builtin/index.js';
import { Registry } from '../../src/registry/registry.js';
import { definePlugin } from '../../src/registry/types.js';
import type { ComponentDefinition } from '../../src/registry/types.js';
import { root } from '../cli-harness.js';
import { specProblems } from './spec-problems.js';
import { VALID } from './valid-spec.js';

const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');
const builtins = (): Registry => new Registry().use(builtinPlugin);

/** Compiles a schema as a generic tool would (ajv's strict mode), failing on any warning too. */
function strictValidator(schema: object) {
  const warnings: string[] = [];
  const record = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  const validate = new Ajv({
    strict: true,
    allErrors: true,
    logger: { log: record, warn: record, error: record },
  }).compile(schema);
  assert.deepEqual(warnings, [], 'ajv warned while compiling the schema');
  return validate;
}

/** The spec examples of the README: its YAML blocks that are whole specs. */
function readmeSpecs(): Array<{ what: string; text: string }> {
  const blocks = [...read('README.md').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks
    .filter((b) => /^name: /m.test(b) && /^models:/m.test(b))
    .map((text, i) => ({ what: `README spec example ${i + 1}`, text }));
}

/** Valid specs written one way or another: the shorthands and every place a component is named. */
const WRITTEN_FORMS: Array<{ what: string; text: string }> = [
  {
    what: 'components as bare names',
    text: `${VALID}`
      .replace(
        'optimizer: { name: adam, lr: 0.01 }',
        'optimizer: sgd\n  loss: cross-entropy\n  metrics: [loss, accuracy]',
      )
      .replace('dataset: { name: mnist, train_limit: 100 }', 'dataset: mnist'),
  },
  {
    what: 'a layer by name, params, and a per-role override of training',
    text: VALID.replace(
      'teacher: { layers: [32, 16] }',
      'teacher: { layers: [32, { name: dropout, rate: 0.2 }, { name: dense, units: 8, activation: tanh }], training: { optimizer: { name: sgd, momentum: 0.9, nesterov: true }, loss: { name: cross-entropy } } }',
    ),
  },
  {
    what: 'objects without a name (the defaults)',
    text: VALID.replace('optimizer: { name: adam, lr: 0.01 }', 'optimizer: { lr: 0.01 }\n  loss: {}'),
  },
  {
    what: 'a validation split and a csv dataset with mixed feature columns',
    text: VALID.replace(
      'dataset: { name: mnist, train_limit: 100 }',
      'dataset: { name: csv, path: wine.csv, target: 0, task: regression, features: [alcohol, 3], validation: 0.1 }',
    ).replace('distillation: { temperature: 3, alpha: 0.25 }', 'distillation: { name: soft-mse, alpha: 0.5 }'),
  },
  {
    what: "a dataset's own validation files, watched by early stopping",
    text: VALID.replace(
      'dataset: { name: mnist, train_limit: 100 }',
      'dataset: { name: idx, train_images: a, train_labels: b, test_images: c, test_labels: d, validation_images: e, validation_labels: f }',
    ).replace('epochs: 2', 'epochs: 2\n  early_stopping: { metric: val_accuracy }'),
  },
  {
    what: 'a regression dataset with nameless distillation params',
    text: VALID.replace(
      'dataset: { name: mnist, train_limit: 100 }',
      'dataset: { name: california-housing, test_fraction: 0.3 }',
    ).replace('distillation: { temperature: 3, alpha: 0.25 }', 'distillation: { alpha: 0.25 }'),
  },
];

/** A spec that loads a plugin may name components this schema cannot know. */
const WITH_PLUGIN = `${VALID}plugins: [./my-plugin.js]\n`.replace(
  'optimizer: { name: adam, lr: 0.01 }',
  'optimizer: { name: lion, lr: 0.01 }\n  metrics: [top2-accuracy]',
);

function acceptedSpecs(): Array<{ what: string; text: string }> {
  const experiments = readdirSync(path.join(root, 'experiments'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ what: `experiments/${f}`, text: read(`experiments/${f}`) }));
  return [
    ...experiments,
    { what: 'test/fixtures/mnist-small.yaml', text: read('test/fixtures/mnist-small.yaml') },
    { what: "the config tests' valid spec", text: VALID },
    ...readmeSpecs(),
    ...WRITTEN_FORMS,
    { what: "a plugin's components in a spec that lists plugins", text: WITH_PLUGIN },
  ];
}

/** Typos distil-run refuses, each with the key or value a generic validator must name. */
const REFUSED: Array<{ what: string; text: string; names: string }> = [
  {
    what: 'a misspelt optimizer param',
    text: VALID.replace('{ name: adam, lr: 0.01 }', '{ name: sgd, momentm: 0.9 }'),
    names: 'momentm',
  },
  {
    what: "a misspelt optimizer param in a role's training",
    text: VALID.replace(
      'student: { layers: [8] }',
      'student: { layers: [8], training: { optimizer: { name: sgd, momentm: 0.9 } } }',
    ),
    names: 'momentm',
  },
  {
    what: 'a param of the default optimizer that it does not take',
    text: VALID.replace('{ name: adam, lr: 0.01 }', '{ momentum: 0.9 }'),
    names: 'momentum',
  },
  { what: 'a misspelt dataset param', text: VALID.replace('train_limit: 100', 'train_limt: 100'), names: 'train_limt' },
  { what: 'an unknown top-level key', text: `${VALID}epochs: 3\n`, names: 'epochs' },
  {
    what: 'a misspelt param of the default distillation loss',
    text: VALID.replace('temperature: 3', 'temprature: 3'),
    names: 'temprature',
  },
  {
    what: 'a misspelt layer param',
    text: VALID.replace('layers: [8]', 'layers: [8, { name: dropout, rat: 0.2 }]'),
    names: 'rat',
  },
  {
    what: 'a param of a metric that takes none',
    text: VALID.replace('epochs: 2', 'epochs: 2\n  metrics: [{ name: accuracy, top: 2 }]'),
    names: 'top',
  },
  {
    what: 'an optimizer param out of range',
    text: VALID.replace('{ name: adam, lr: 0.01 }', '{ name: sgd, momentum: 1.5 }'),
    names: 'momentum',
  },
  {
    what: 'a validation share above 0.5',
    text: VALID.replace('train_limit: 100', 'train_limit: 100, validation: 0.9'),
    names: 'validation',
  },
  {
    what: 'a missing required dataset param',
    text: VALID.replace('{ name: mnist, train_limit: 100 }', '{ name: csv, path: a.csv, task: regression }'),
    names: 'target',
  },
  {
    what: 'one idx validation file without the other',
    text: VALID.replace(
      'dataset: { name: mnist, train_limit: 100 }',
      'dataset: { name: idx, train_images: a, train_labels: b, test_images: c, test_labels: d, validation_images: e }',
    ),
    names: 'validation_labels',
  },
  {
    what: 'a bare dataset name that needs params',
    text: VALID.replace('{ name: mnist, train_limit: 100 }', 'csv'),
    names: 'dataset',
  },
  {
    what: 'a misspelt optimizer name (no plugins)',
    text: VALID.replace('{ name: adam, lr: 0.01 }', 'sdg'),
    names: 'optimizer',
  },
  {
    what: 'a misspelt metric name in an object (no plugins)',
    text: VALID.replace('epochs: 2', 'epochs: 2\n  metrics: [{ name: acuracy }]'),
    names: 'metrics/0/name',
  },
  {
    what: 'a loss that does not read the teacher as distillation',
    text: VALID.replace('{ temperature: 3, alpha: 0.25 }', 'mse'),
    names: 'distillation',
  },
  {
    what: 'a distillation loss as the label loss',
    text: VALID.replace('epochs: 2', 'epochs: 2\n  loss: kd'),
    names: 'training/loss',
  },
  {
    what: "a distillation loss as a role's label loss, with params",
    text: VALID.replace(
      'student: { layers: [8] }',
      'student: { layers: [8], training: { loss: { name: kd, alpha: 0.5 } } }',
    ),
    names: 'models/student/training/loss',
  },
];

/** The first line where two texts differ, to say where a stale file is stale. */
function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const line = left.findIndex((l, i) => l !== right[i]);
  return line < 0
    ? 'lengths differ'
    : `line ${line + 1}: ${JSON.stringify(left[line])} (generated: ${JSON.stringify(right[line])})`;
}

describe('published schema (schema/experiment.schema.json)', () => {
  const committed = readFileSync(schemaPath(), 'utf8');
  const schema = JSON.parse(committed) as Record<string, unknown>;

  it('is the one generated from the registry', () => {
    const generated = experimentSchemaText(builtins());
    assert.isTrue(
      committed === generated,
      `schema/experiment.schema.json is out of date (${firstDifference(committed, generated)}): regenerate it with ${REGENERATE_COMMAND}`,
    );
  });

  it("compiles in ajv's strict mode without warnings, with no x- keywords left", () => {
    strictValidator(schema);
    assert.notMatch(committed, /"x-[a-z-]+":/);
  });

  it("is where every experiment's yaml-language-server comment points", () => {
    const files = readdirSync(path.join(root, 'experiments')).filter((f) => f.endsWith('.yaml'));
    assert.lengthOf(files, 12, files.join(', '));
    for (const file of files) {
      const first = read(`experiments/${file}`).split('\n')[0];
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      assert.isNotNull(match, `experiments/${file} does not start with the yaml-language-server comment`);
      assert.equal(path.resolve(root, 'experiments', match![1]), schemaPath(), file);
    }
  });

  it('accepts every valid spec (experiments, fixtures, README examples, every written form)', async () => {
    const validate = strictValidator(schema);
    const specs = acceptedSpecs();
    // 11 experiments, the fixture, VALID, 3 README examples, 6 written forms and the spec with a plugin.
    assert.lengthOf(specs, 24, specs.map((s) => s.what).join(', '));
    for (const { what, text } of specs) {
      assert.isTrue(validate(parse(text)), `${what}: ${JSON.stringify(validate.errors, null, 1)}`);
    }
    // The written forms are valid to distil-run too: the schema is no stricter than it.
    for (const { what, text } of WRITTEN_FORMS) assert.deepEqual(await specProblems(text), [], what);
  });

  for (const { what, text, names } of REFUSED) {
    it(`refuses ${what}, as distil-run does`, async () => {
      const validate = strictValidator(schema);
      assert.isFalse(validate(parse(text)), 'the schema accepted it');
      assert.include(JSON.stringify(validate.errors as ErrorObject[]), names);
      assert.isNotEmpty(await specProblems(text), 'distil-run accepted it');
    });
  }

  it('says which component an object without "name" is, as the resolver picks it', async () => {
    const regression = VALID.replace('{ name: mnist, train_limit: 100 }', 'california-housing').replace(
      '{ temperature: 3, alpha: 0.25 }',
      '{}',
    );
    const configs = await Promise.all(
      [VALID.replace('{ name: adam, lr: 0.01 }', '{}'), regression.replace('{ name: adam, lr: 0.01 }', '{}')].map(
        async (text) => {
          const { experiment } = await resolveExperiment(parseSpecSource(text, 'spec.yaml'), {
            registry: builtinRegistry(),
          });
          return experiment.cells[0].config;
        },
      ),
    );
    for (const config of configs) {
      const { training } = config.models.teacher;
      assert.equal(training.optimizer.name, SLOTS.optimizer.defaults[config.task]);
      assert.equal(training.loss.name, SLOTS.loss.defaults[config.task]);
      assert.equal(config.distillation.name, SLOTS.distillation.defaults[config.task]);
    }
    assert.deepEqual(
      configs.map((c) => c.task),
      ['classification', 'regression'],
    );
  });
});

/** A plugin with the schema features a generic validator must still read: union types, local refs, x- keywords. */
const TEST_PLUGIN = definePlugin({
  name: 'schema-test',
  components: [
    {
      kind: 'optimizer',
      name: 'lion',
      description: 'A plugin optimizer (schema test)',
      params: {
        $defs: { rate: { type: 'number', exclusiveMinimum: 0 } },
        properties: {
          lr: { $ref: '#/$defs/rate' },
          mode: { type: ['string', 'integer'], minimum: 0, 'x-note': 'ours' },
        },
      },
      create: () => {
        throw new Error('not created in this test');
      },
    } as ComponentDefinition<never>,
  ],
});

describe('schema generated with a plugin', () => {
  const schema = experimentSchema(builtins().use(TEST_PLUGIN));
  const spec = (optimizer: string, extra = ''): unknown =>
    parse(VALID.replace('{ name: adam, lr: 0.01 }', optimizer) + extra);

  it("compiles strictly and checks the plugin component's params, names it without plugins: and refuses its typos", () => {
    const validate = strictValidator(schema);
    assert.isTrue(validate(spec('{ name: lion, lr: 0.1, mode: fast }')), JSON.stringify(validate.errors));
    assert.isTrue(validate(spec('{ name: lion, mode: 2 }')), JSON.stringify(validate.errors));
    assert.isFalse(validate(spec('{ name: lion, lr: 0 }')));
    assert.isFalse(validate(spec('{ name: lion, mode: -1 }')));
    assert.isFalse(validate(spec('{ name: lion, lrr: 0.1 }')));
    assert.include(JSON.stringify(validate.errors), 'lrr');
  });

  it('still refuses names no plugin registered, unless the spec lists plugins', () => {
    const validate = strictValidator(schema);
    assert.isFalse(validate(spec('lino')));
    assert.isTrue(validate(spec('lino', 'plugins: [./other.js]\n')), JSON.stringify(validate.errors));
  });
});

/** Python's jsonschema, when python3 has it: the same verdicts from a second, independent implementation. */
function pythonJsonschema(): { ok: true } | { ok: false; why: string } {
  const probe = spawnSync('python3', ['-c', 'import jsonschema'], { encoding: 'utf8' });
  if (probe.error) return { ok: false, why: `python3 cannot be run (${probe.error.message})` };
  if (probe.status !== 0) {
    return { ok: false, why: `python3 -c 'import jsonschema' failed: ${probe.stderr.trim().split('\n').pop() ?? ''}` };
  }
  return { ok: true };
}

const PYTHON_CHECK = `
import json, sys
from jsonschema import Draft7Validator
data = json.load(sys.stdin)
Draft7Validator.check_schema(data["schema"])
validator = Draft7Validator(data["schema"])
print(json.dumps([[e.message for e in validator.iter_errors(spec)] for spec in data["specs"]]))
`;
import { builtinRegistry } from '../helpers.js';

describe("published schema with Python's jsonschema", () => {
  const python = pythonJsonschema();
  const title = 'accepts the valid specs and refuses the typos';
  const test = python.ok ? it : it.skip;
  test(python.ok ? title : `${title} (skipped: ${python.why}; pip install jsonschema to run it)`, () => {
    const schema = JSON.parse(readFileSync(schemaPath(), 'utf8')) as unknown;
    const accepted = acceptedSpecs();
    const specs = [...accepted, ...REFUSED].map(({ text }) => parse(text) as unknown);
    const result = spawnSync('python3', ['-c', PYTHON_CHECK], {
      input: JSON.stringify({ schema, specs }),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(result.status, 0, result.stderr);
    const verdicts = JSON.parse(result.stdout) as string[][];
    accepted.forEach(({ what }, i) => assert.deepEqual(verdicts[i], [], what));
    REFUSED.forEach(({ what }, i) => assert.isNotEmpty(verdicts[accepted.length + i], what));
  });
});
