// Spec validation: every bad spec gets the exact located message a user sees.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { applyOverrides, parseSpecSource } from '../../src/config/load.js';
import { resolveExperiment } from '../../src/config/experiment.js';
import { hasValidation } from '../../src/config/resolved-config.js';
import { builtinRegistry } from '../helpers.js';
import { distilRun } from '../cli-harness.js';
import { specProblems } from './spec-problems.js';
import { VALID } from './valid-spec.js';
import { assertThrowsMessage } from '../helpers.js';

/** Datasets that bring their own validation split: a csv validation file, an idx validation pair. */
const CSV = 'dataset: { name: csv, path: a.csv, target: y, task: classification, validation_path: v.csv }';
const IDX =
  'dataset: { name: idx, train_images: a, train_labels: b, test_images: c, test_labels: d, validation_images: e, validation_labels: f }';
const withDataset = (dataset: string): string => VALID.replace('dataset: { name: mnist, train_limit: 100 }', dataset);
const withEarlyStopping = (text: string): string =>
  text.replace('  epochs: 2', '  epochs: 2\n  early_stopping: { metric: val_accuracy }');
const SEARCH = 'search:\n  grid:\n    training.optimizer.lr: [0.01, 0.1]\n  select: val_accuracy\n';
/** VALID without its `seed:` (9 lines), for specs that list `seeds:`: the two together are refused. */
const SEEDLESS = VALID.replace('seed: 7\n', '');
const SEED_HINT = 'seeds: runs every cell once per seed and replaces seed: remove one of them';

describe('spec validation', () => {
  it('accepts a valid spec and resolves defaults, shorthands and the person', async () => {
    const { experiment } = await resolveExperiment(parseSpecSource(VALID, 'spec.yaml'), {
      registry: builtinRegistry(),
    });
    assert.lengthOf(experiment.cells, 1);
    const { config } = experiment.cells[0];
    assert.equal(config.task, 'classification');
    assert.deepEqual(config.models.teacher.layers[0], {
      name: 'dense',
      params: { units: 32, activation: 'relu', use_bias: true },
    });
    assert.deepEqual(config.models.person.layers, config.models.student.layers);
    assert.deepEqual(config.distillation, { name: 'kd', params: { temperature: 3, alpha: 0.25 } });
    assert.deepEqual(config.models.student.training.optimizer, {
      name: 'adam',
      params: { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    });
    assert.deepEqual(
      config.models.teacher.training.metrics.map((m) => m.name),
      ['loss', 'accuracy'],
    );
    assert.equal(config.models.teacher.training.batchSize, 128);
    assert.isTrue(Object.isFrozen(experiment.cells[0].config.models));
  });

  const cases: Array<{ title: string; text: string; expected: string[]; set?: string[] }> = [
    {
      title: 'unknown top-level key with a suggestion',
      text: VALID.replace('seed: 7', 'sed: 7'),
      expected: ['spec.yaml:2:1 sed: unknown key "sed" (Did you mean "seed"?)'],
    },
    {
      title: 'a parameter out of range',
      text: VALID.replace('lr: 0.01', 'lr: 0'),
      expected: ['spec.yaml:9:32 training.optimizer.lr: must be > 0, got 0'],
    },
    {
      title: 'a misspelt component name',
      text: VALID.replace('{ temperature: 3, alpha: 0.25 }', '{ name: kd-los }'),
      expected: ['spec.yaml:10:23 distillation.name: unknown loss "kd-los" (Did you mean "kd"?)'],
    },
    {
      title: 'a wrong type and a missing key together',
      text: VALID.replace('epochs: 2', 'epochs: two').replace('  student: { layers: [8] }\n', ''),
      expected: [
        'spec.yaml:4:1 models: missing required key "student"',
        'spec.yaml:7:11 training.epochs: must be integer, got "two"',
      ],
    },
    {
      title: "a layer's missing key in block style, at the layer rather than the list",
      text: VALID.replace(
        '  teacher: { layers: [32, 16] }\n',
        '  teacher:\n    layers:\n      - 8\n      - name: dense\n        activation: tanh\n',
      ),
      expected: ['spec.yaml:8:9 models.teacher.layers[1]: missing required key "units"'],
    },
    {
      title: "a layer's missing key in flow style, at the layer rather than the list",
      text: VALID.replace('layers: [32, 16]', 'layers: [32, { name: dropout }]'),
      expected: ['spec.yaml:5:27 models.teacher.layers[1]: missing required key "rate"'],
    },
    {
      title: 'a bad layer entry',
      text: VALID.replace('layers: [32, 16]', 'layers: [32, -4]'),
      expected: [
        'spec.yaml:5:27 models.teacher.layers[1]: must be a positive integer up to 65536 (Dense units with ReLU) or a layer such as { name: dropout, rate: 0.2 }, got -4',
      ],
    },
    {
      title: 'an unknown component param',
      text: VALID.replace('train_limit: 100', 'train_limt: 100'),
      expected: ['spec.yaml:3:25 dataset.train_limt: unknown key "train_limt" (Did you mean "train_limit"?)'],
    },
    {
      title: 'an unknown key with no close match, listing the allowed keys',
      text: `${VALID}x_metrics: 1\n`,
      expected: [
        'spec.yaml:11:1 x_metrics: unknown key "x_metrics" (allowed keys: $schema, name, description, seed, seeds, splits, plugins, dataset, models, training, distillation, grid, search, evaluation)',
      ],
    },
    {
      title: 'a value set on the command line',
      text: VALID,
      set: ['training.epochs=0'],
      expected: ['spec.yaml (--set training.epochs=0) training.epochs: must be >= 1, got 0'],
    },
    {
      title: 'a bad grid value, located at the grid entry',
      text: `${VALID}grid:\n  distillation.alpha: [0.5, 1.5]\n`,
      expected: ['spec.yaml:12:29 distillation.alpha: must be <= 1, got 1.5'],
    },
    {
      title: 'a hard loss as the distillation loss',
      text: VALID.replace('{ temperature: 3, alpha: 0.25 }', 'cross-entropy'),
      expected: [
        'spec.yaml:10:15 distillation: loss "cross-entropy" does not use the teacher\'s outputs (use kd for a classification dataset)',
      ],
    },
    {
      title: "a distillation loss as a role's label loss, at that role's loss",
      text: VALID.replace(
        'teacher: { layers: [32, 16] }',
        'teacher: { layers: [32, 16], training: { loss: { name: kd, temperature: 2 } } }',
      ),
      expected: [
        'spec.yaml:5:50 models.teacher.training.loss: loss "kd" needs the teacher\'s outputs, so it is a distillation: setting, not a role\'s training.loss (use cross-entropy for a classification dataset)',
      ],
    },
    {
      title: 'a validation share beside a csv validation file',
      text: withDataset(CSV.replace(' }', ', validation: 0.1 }')),
      expected: [
        "spec.yaml:3:105 dataset.validation: holds out a share of the training split, and dataset.validation_path gives the dataset's own validation split (pick one: remove validation, or remove validation_path)",
      ],
    },
    {
      title: 'a validation share beside idx validation files',
      text: withDataset(IDX.replace(' }', ', validation: 0.2 }')),
      expected: [
        "spec.yaml:3:145 dataset.validation: holds out a share of the training split, and dataset.validation_images and dataset.validation_labels give the dataset's own validation split (pick one: remove validation, or remove validation_images and validation_labels)",
      ],
    },
    {
      title: 'idx validation images without their labels',
      text: withDataset(IDX.replace(', validation_labels: f', '')),
      expected: [
        'spec.yaml:3:89 dataset.validation_images: needs "validation_labels" as well (give both validation_images and validation_labels, or neither)',
      ],
    },
    {
      title: 'idx validation labels without their images',
      text: withDataset(IDX.replace('validation_images: e, ', '')),
      expected: [
        'spec.yaml:3:89 dataset.validation_labels: needs "validation_images" as well (give both validation_labels and validation_images, or neither)',
      ],
    },
    {
      title: 'early stopping on a csv dataset without a validation split, saying how it could bring one',
      text: withEarlyStopping(withDataset(CSV.replace(', validation_path: v.csv', ''))),
      expected: [
        'spec.yaml:3:10 dataset: early_stopping watches a validation metric, and the dataset has no validation split (add validation: 0.1 to the dataset, the share of the training split to hold out, or set dataset.validation_path)',
      ],
    },
    {
      title: 'a search on an idx dataset without a validation split, saying how it could bring one',
      text: withDataset(IDX.replace(', validation_images: e, validation_labels: f', '')) + SEARCH,
      expected: [
        'spec.yaml:14:11 search.select: selects on the validation split, and the dataset has none (add validation: 0.1 to the dataset, or set dataset.validation_images and dataset.validation_labels)',
      ],
    },
    {
      title: 'YAML syntax errors',
      text: 'name: demo\ndataset: { name: mnist\nmodels: 3\n',
      expected: ['spec.yaml:3:1 Flow map in block collection must be sufficiently indented and end with a }'],
    },
    {
      title: 'seeds that make too many cells, at seeds (the spec has no grid)',
      text: `${SEEDLESS}seeds: [${Array.from({ length: 20_000 }, (_, i) => i).join(', ')}]\n`,
      expected: [
        'spec.yaml:10:1 seeds: makes 20000 cells (one per seed); at most 10000 are allowed (list at most 100 seeds; split the rest over several specs)',
        'spec.yaml:10:8 seeds: must list at most 100 item(s), got 20000',
      ],
    },
    {
      title: 'a seed listed twice, at the repeat',
      text: `${SEEDLESS}seeds: [3, 1, 3]\n`,
      expected: ['spec.yaml:10:15 seeds[2]: seed 3 is listed twice (also seeds[0])'],
    },
    {
      title: 'a seed listed three times, at its first repeat',
      text: `${SEEDLESS}seeds:\n  - 5\n  - 5\n  - 5\n`,
      expected: ['spec.yaml:12:5 seeds[1]: seed 5 is listed twice (also seeds[0])'],
    },
    {
      title: 'seed: given with seeds:, at seed',
      text: `${VALID}seeds: [1, 2]\n`,
      expected: [`spec.yaml:2:1 seed: given with seeds (${SEED_HINT})`],
    },
    {
      title: '--set seed on a spec with seeds:, at the flag',
      text: `${SEEDLESS}seeds: [1, 2]\n`,
      set: ['seed=5'],
      expected: [`spec.yaml (--set seed=5) seed: given with seeds (${SEED_HINT})`],
    },
  ];

  for (const { title, text, expected, set } of cases) {
    it(`reports ${title}`, async () => {
      assert.deepEqual(await specProblems(text, { set }), expected);
    });
  }

  it("refuses seed: with seeds: from the command line (exit 2); --set seeds=[...] replaces a spec's seed:", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'distil-seeds-')), 'spec.yaml');
    writeFileSync(file, `${VALID}seeds: [1, 2]\n`);
    const both = distilRun(['validate', file]);
    assert.equal(both.stderr, `distil-run: ${file}: 1 error\n  ${file}:2:1 seed: given with seeds (${SEED_HINT})\n`);
    assert.equal(both.code, 2);
    assert.equal(both.stdout, '');
    writeFileSync(file, VALID);
    const replaced = distilRun(['validate', file, '--set', 'seeds=[1, 2]']);
    assert.equal(replaced.stdout, `${file}: valid (2 cell(s))\n`);
    assert.equal(replaced.code, 0, replaced.stderr);
  });

  it('accepts early stopping and a search on the validation split a dataset brings itself', async () => {
    for (const [text, own] of [
      [withEarlyStopping(withDataset(CSV)), 'validation_path'],
      [withDataset(IDX) + SEARCH, 'validation_images'],
    ]) {
      const { experiment } = await resolveExperiment(parseSpecSource(text, 'spec.yaml'), {
        registry: builtinRegistry(),
      });
      const { config } = experiment.cells[0];
      assert.equal(config.validation, 0, 'no share is held out of the training split');
      assert.equal(config.ownValidation, own);
      assert.isTrue(hasValidation(config));
    }
    const { experiment } = await resolveExperiment(parseSpecSource(withEarlyStopping(withDataset(CSV)), 'spec.yaml'), {
      registry: builtinRegistry(),
    });
    assert.equal(experiment.cells[0].config.models.teacher.training.earlyStopping?.metric, 'accuracy');
    // A spec without one keeps its config (and so its cell ids) as before.
    const plain = await resolveExperiment(parseSpecSource(VALID, 'spec.yaml'), { registry: builtinRegistry() });
    assert.notProperty(plain.experiment.cells[0].config, 'ownValidation');
    assert.isFalse(hasValidation(plain.experiment.cells[0].config));
  });

  it('reports a metric that does not fit the task', async () => {
    const text = VALID.replace('  epochs: 2', '  epochs: 2\n  metrics: [accuracy, r2]');
    assert.deepEqual(await specProblems(text), [
      'spec.yaml:9:23 training.metrics[1]: metric "r2" is for regression datasets, and this dataset is classification',
    ]);
  });

  it('expands grid axes into cells with stable ids', async () => {
    const text = `${VALID}grid:\n  distillation.temperature: [2, 4]\n  distillation.alpha: [0.1, 0.9]\n`;
    const first = await resolveExperiment(parseSpecSource(text, 'spec.yaml'), { registry: builtinRegistry() });
    const again = await resolveExperiment(parseSpecSource(text, 'spec.yaml'), { registry: builtinRegistry() });
    const cells = first.experiment.cells;
    assert.lengthOf(cells, 4);
    assert.deepEqual(
      cells.map((c) => c.overrides),
      [
        { 'distillation.temperature': 2, 'distillation.alpha': 0.1 },
        { 'distillation.temperature': 2, 'distillation.alpha': 0.9 },
        { 'distillation.temperature': 4, 'distillation.alpha': 0.1 },
        { 'distillation.temperature': 4, 'distillation.alpha': 0.9 },
      ],
    );
    assert.deepEqual(cells[3].config.distillation.params, { temperature: 4, alpha: 0.9 });
    assert.equal(new Set(cells.map((c) => c.id)).size, 4);
    assert.deepEqual(
      cells.map((c) => c.id),
      again.experiment.cells.map((c) => c.id),
    );
  });

  it('applies --set overrides with YAML-typed values', async () => {
    const source = parseSpecSource(VALID, 'spec.yaml');
    applyOverrides(source, ['training.epochs=5', 'models.student.layers=[4, 4]', 'dataset.test_limit=50']);
    const { experiment } = await resolveExperiment(source, { registry: builtinRegistry() });
    const { config } = experiment.cells[0];
    assert.equal(config.models.teacher.training.epochs, 5);
    assert.deepEqual(
      config.models.student.layers.map((l) => l.params.units),
      [4, 4],
    );
    assert.equal(config.dataset.params.test_limit, 50);
  });

  it('rejects a malformed --set', () => {
    const source = parseSpecSource(VALID, 'spec.yaml');
    assertThrowsMessage(
      () => applyOverrides(source, ['training.epochs']),
      '--set: expected path=value, got "training.epochs" (e.g. --set training.epochs=1)',
    );
  });

  it('lets a role override the shared training settings', async () => {
    const text = VALID.replace(
      'teacher: { layers: [32, 16] }',
      'teacher: { layers: [32, 16], training: { epochs: 9, optimizer: sgd } }',
    );
    const { experiment } = await resolveExperiment(parseSpecSource(text, 'spec.yaml'), { registry: builtinRegistry() });
    const { models } = experiment.cells[0].config;
    assert.equal(models.teacher.training.epochs, 9);
    assert.deepEqual(models.teacher.training.optimizer, {
      name: 'sgd',
      params: { lr: 0.01, momentum: 0, nesterov: false },
    });
    assert.equal(models.student.training.epochs, 2);
    assert.equal(models.student.training.optimizer.name, 'adam');
  });

  // Hinton et al. 2015's teacher: dropout, max-norm constrained ReLU layers, SGD with momentum and weight decay.
  const HINTON = VALID.replace(
    'teacher: { layers: [32, 16] }',
    [
      'teacher:',
      '    layers: [{ name: dense, units: 1200, max_norm: 3.5 }, { name: dropout, rate: 0.5 }]',
      '    training: { optimizer: { name: sgd, lr: 0.1, momentum: 0.9, weight_decay: 0.0001 } }',
    ].join('\n'),
  ).replace('{ name: adam, lr: 0.01 }', '{ name: adam, lr: 0.01, weight_decay: 0.01 }');

  it('accepts max_norm on a layer and weight_decay on sgd and adam, and resolves them as given', async () => {
    const { experiment } = await resolveExperiment(parseSpecSource(HINTON, 'spec.yaml'), {
      registry: builtinRegistry(),
    });
    const { models } = experiment.cells[0].config;
    assert.deepEqual(models.teacher.layers[0].params, {
      units: 1200,
      activation: 'relu',
      use_bias: true,
      max_norm: 3.5,
    });
    assert.deepEqual(models.teacher.training.optimizer.params, {
      lr: 0.1,
      momentum: 0.9,
      nesterov: false,
      weight_decay: 0.0001,
    });
    assert.deepEqual(models.student.training.optimizer.params, {
      lr: 0.01,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      weight_decay: 0.01,
    });
  });

  it('refuses max_norm: 0 and weight_decay: -1 at their places, both at once', async () => {
    const text = HINTON.replace('max_norm: 3.5', 'max_norm: 0').replace('weight_decay: 0.0001', 'weight_decay: -1');
    assert.deepEqual(await specProblems(text), [
      'spec.yaml:6:52 models.teacher.layers[0].max_norm: must be > 0, got 0',
      'spec.yaml:7:79 models.teacher.training.optimizer.weight_decay: must be >= 0, got -1',
    ]);
  });
});
