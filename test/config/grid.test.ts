// Grid axes: zip groups, --grid flags and `--set grid=...`, each problem with the exact located message.
import { readFileSync } from 'node:fs';
import { assert } from 'chai';
import { resolveExperiment, schemaPath } from '../../src/config/experiment.js';
import { applyGridFlags } from '../../src/config/grid-flags.js';
import { applyOverrides, parseSpecSource } from '../../src/config/load.js';
import { formatPlan, planRun } from '../../src/runner/plan.js';
import { specProblems } from './spec-problems.js';
import { VALID } from './valid-spec.js';
import { builtinRegistry } from '../helpers.js';

/** VALID is 10 lines: a grid appended to it starts on line 11. */
const ZIPPED = `${VALID}grid:
  training.optimizer.lr: [0.001, 0.01]
  zip:
    distillation.temperature: [2, 4, 8]
    distillation.alpha: [0.9, 0.5, 0.1]
`;

interface Flags {
  readonly set?: readonly string[];
  readonly grid?: readonly string[];
}

async function load(text: string, flags: Flags = {}) {
  const source = parseSpecSource(text, 'spec.yaml');
  applyOverrides(source, flags.set ?? []);
  applyGridFlags(source, flags.grid ?? []);
  return (await resolveExperiment(source, { registry: builtinRegistry() })).experiment;
}

describe('grid: zip groups', () => {
  it("moves a zip group's paths together: one axis of the product, both paths in the cell label", async () => {
    const experiment = await load(ZIPPED);
    assert.deepEqual(
      experiment.cells.map((c) => c.overrides),
      [
        { 'training.optimizer.lr': 0.001, 'distillation.temperature': 2, 'distillation.alpha': 0.9 },
        { 'training.optimizer.lr': 0.001, 'distillation.temperature': 4, 'distillation.alpha': 0.5 },
        { 'training.optimizer.lr': 0.001, 'distillation.temperature': 8, 'distillation.alpha': 0.1 },
        { 'training.optimizer.lr': 0.01, 'distillation.temperature': 2, 'distillation.alpha': 0.9 },
        { 'training.optimizer.lr': 0.01, 'distillation.temperature': 4, 'distillation.alpha': 0.5 },
        { 'training.optimizer.lr': 0.01, 'distillation.temperature': 8, 'distillation.alpha': 0.1 },
      ],
    );
    assert.deepEqual(experiment.cells[4].config.distillation.params, { temperature: 4, alpha: 0.5 });
    assert.deepEqual(experiment.axes, [
      { paths: ['training.optimizer.lr'], length: 2 },
      { paths: ['distillation.temperature', 'distillation.alpha'], length: 3 },
    ]);
    assert.deepEqual(experiment.grid, {
      'training.optimizer.lr': [0.001, 0.01],
      'distillation.temperature': [2, 4, 8],
      'distillation.alpha': [0.9, 0.5, 0.1],
    });
  });

  it('shows the axes in the --dry-run plan', async () => {
    const lines = formatPlan(planRun(await load(ZIPPED), { shard: { index: 2, count: 3 } })).split('\n');
    assert.equal(lines[0], 'experiment demo: 2 cell(s) to run (2 grid point(s) x 1 seed(s)) (shard 2/3)');
    assert.equal(
      lines[1],
      'grid: training.optimizer.lr (2 values) x zip of distillation.temperature, distillation.alpha (3 steps) = 6 point(s)',
    );
    assert.match(
      lines[3],
      /^ {2}cell [0-9a-f]{12} {2}seed 7 {2}training\.optimizer\.lr=0\.001, distillation\.temperature=4, distillation\.alpha=0\.5 {2}teacher /,
    );
  });

  it('takes a list of zip groups as several axes, in the order written', async () => {
    const text = `${VALID}grid:\n  zip:\n    - { distillation.temperature: [2, 4], distillation.alpha: [0.9, 0.5] }\n    - { training.epochs: [1, 3], training.batch_size: [16, 32] }\n`;
    const experiment = await load(text);
    assert.deepEqual(
      experiment.axes.map((a) => a.paths),
      [
        ['distillation.temperature', 'distillation.alpha'],
        ['training.epochs', 'training.batch_size'],
      ],
    );
    assert.deepEqual(
      experiment.cells.map((c) => Object.values(c.overrides).join(' ')),
      ['2 0.9 1 16', '2 0.9 3 32', '4 0.5 1 16', '4 0.5 3 32'],
    );
  });

  it('keeps zip free for groups: the spec has no top-level key "zip", so no grid path can start with it', () => {
    const schema = JSON.parse(readFileSync(schemaPath(), 'utf8')) as { properties: Record<string, unknown> };
    assert.notProperty(schema.properties, 'zip');
  });

  const cases: Array<{ title: string; text: string; expected: string[] }> = [
    {
      title: 'lists of different lengths, at the first that differs',
      text: ZIPPED.replace('[0.9, 0.5, 0.1]', '[0.9, 0.5]'),
      expected: [
        'spec.yaml:15:5 grid.zip.distillation.alpha: has 2 value(s), but distillation.temperature in the same zip group has 3 (the lists of a zip group move together: give each the same number of values)',
      ],
    },
    {
      title: 'lists of different lengths in the second of several groups',
      text: `${VALID}grid:\n  zip:\n    - { distillation.alpha: [0.5] }\n    - { training.epochs: [1, 3], training.batch_size: [16] }\n`,
      expected: [
        'spec.yaml:14:34 grid.zip[1].training.batch_size: has 1 value(s), but training.epochs in the same zip group has 2 (the lists of a zip group move together: give each the same number of values)',
      ],
    },
    {
      title: 'a path both in a zip group and as its own axis',
      text: `${ZIPPED}  distillation.alpha: [0.2]\n`,
      expected: [
        'spec.yaml:16:3 grid.distillation.alpha: distillation.alpha is already swept by grid.zip.distillation.alpha (sweep each path once: as its own axis or in one zip group)',
      ],
    },
    {
      title: 'a bad value in a zip group, at the value',
      text: ZIPPED.replace('[0.9, 0.5, 0.1]', '[0.9, 1.5, 0.1]'),
      expected: ['spec.yaml:15:31 distillation.alpha: must be <= 1, got 1.5'],
    },
    {
      title: 'a setting of the whole experiment in a zip group',
      text: ZIPPED.replace('    distillation.alpha', '    name: [a, b, c]\n    distillation.alpha'),
      expected: [
        'spec.yaml:15:5 grid.zip.name: name applies to the whole experiment and cannot be swept (write one spec per value)',
      ],
    },
    {
      title: 'a zip that is neither a group nor a list of groups',
      text: `${VALID}grid:\n  zip: 3\n`,
      expected: ['spec.yaml:12:8 grid.zip: must be object, got 3'],
    },
    {
      title: 'an empty zip group',
      text: `${VALID}grid:\n  zip: {}\n`,
      expected: ['spec.yaml:12:8 grid.zip: must have at least 1 key(s)'],
    },
    {
      title: 'a zip group path that is not a list',
      text: `${VALID}grid:\n  zip:\n    - { distillation.alpha: 0.5 }\n`,
      expected: ['spec.yaml:13:29 grid.zip[0].distillation.alpha: must be array, got 0.5'],
    },
    {
      title: 'a grid too large, a zip group counted as one axis',
      text: `${VALID}grid:\n  training.epochs: [${Array.from({ length: 101 }, (_, i) => i + 1).join(', ')}]\n  training.batch_size: [${Array.from({ length: 100 }, (_, i) => i + 1).join(', ')}]\n  zip: { distillation.temperature: [2, 4], distillation.alpha: [0.9, 0.5] }\n`,
      expected: [
        'spec.yaml:11:1 grid: makes 20200 cells (101 x 100 x 2); at most 10000 are allowed (split the sweep into several specs)',
      ],
    },
  ];

  for (const { title, text, expected } of cases) {
    it(`reports ${title}`, async () => {
      assert.deepEqual(await specProblems(text), expected);
    });
  }
});

/** A method axis of whole components beside a learning-rate axis. */
const METHODS = `${VALID}grid:
  training.optimizer.lr: [0.001, 0.01]
  distillation:
    - { name: kd, temperature: 4 }
    - { name: kd, temperature: 2, alpha: 0.9 }
    - { name: kd, temperature: 8 }
`;

describe('grid: whole components as values', () => {
  it('labels a component by its name, or by name and the params that differ, in the cells and the --dry-run plan', async () => {
    const experiment = await load(METHODS);
    assert.deepEqual(
      experiment.cells.map((c) => c.label),
      [
        'training.optimizer.lr=0.001, distillation=kd(temperature=4)',
        'training.optimizer.lr=0.001, distillation=kd(temperature=2, alpha=0.9)',
        'training.optimizer.lr=0.001, distillation=kd(temperature=8)',
        'training.optimizer.lr=0.01, distillation=kd(temperature=4)',
        'training.optimizer.lr=0.01, distillation=kd(temperature=2, alpha=0.9)',
        'training.optimizer.lr=0.01, distillation=kd(temperature=8)',
      ],
    );
    // The overrides keep the exact values: the results' axis column records them as JSON.
    assert.deepEqual(experiment.cells[1].overrides.distillation, { name: 'kd', temperature: 2, alpha: 0.9 });
    const lines = formatPlan(planRun(experiment)).split('\n');
    assert.equal(lines[1], 'grid: training.optimizer.lr (2 values) x distillation (3 values) = 6 point(s)');
    assert.match(
      lines[4],
      /^ {2}cell [0-9a-f]{12} {2}seed 7 {2}training\.optimizer\.lr=0\.001, distillation=kd\(temperature=2, alpha=0\.9\) {2}teacher /,
    );
  });

  it('a name unique on the axis is the label; a name alone is the component with its defaults', async () => {
    const experiment = await load(
      `${VALID}grid:\n  distillation: [kd, { name: kd, temperature: 8 }]\n  training.loss: [cross-entropy]\n`,
    );
    assert.deepEqual(
      experiment.cells.map((c) => c.label),
      ['distillation=kd, training.loss=cross-entropy', 'distillation=kd(temperature=8), training.loss=cross-entropy'],
    );
  });

  it("locates a bad entry's problem at the entry, at its key or value when it is written there", async () => {
    const text = `${VALID}grid:
  training.optimizer.lr: [0.001, 0.01]
  distillation:
    - { name: kd, temperature: 4 }
    - { name: kd, temperatur: 2 }
    - { name: kd, temperature: 0 }
    - { name: soft-mse }
    - { name: kdd }
`;
    // Each problem once, although the learning-rate axis gives every entry two cells.
    assert.deepEqual(await specProblems(text), [
      'spec.yaml:15:19 distillation.temperatur: unknown key "temperatur" (Did you mean "temperature"?)',
      'spec.yaml:16:32 distillation.temperature: must be > 0, got 0',
      'spec.yaml:17:7 distillation: loss "soft-mse" is for regression datasets, and this dataset is classification',
      'spec.yaml:18:15 distillation.name: unknown loss "kdd" (Did you mean "kd"?)',
    ]);
  });
});

describe('grid: --grid PATH=VALUES and --set grid=...', () => {
  it('adds an axis, creating the grid', async () => {
    const experiment = await load(VALID, { grid: ['training.optimizer.lr=[0.001,0.01]'] });
    assert.deepEqual(
      experiment.cells.map((c) => c.config.models.teacher.training.optimizer.params.lr),
      [0.001, 0.01],
    );
  });

  it('replaces the list of an axis, and of a path in a zip group, in place', async () => {
    const experiment = await load(ZIPPED, {
      grid: ['training.optimizer.lr=[0.1]', 'distillation.alpha=[0.7, 0.6, 0.5]'],
    });
    assert.deepEqual(experiment.axes, [
      { paths: ['training.optimizer.lr'], length: 1 },
      { paths: ['distillation.temperature', 'distillation.alpha'], length: 3 },
    ]);
    assert.deepEqual(
      experiment.cells.map((c) => c.overrides['distillation.alpha']),
      [0.7, 0.6, 0.5],
    );
  });

  it('keeps --set grid={...} working, zip groups included', async () => {
    const experiment = await load(VALID, {
      set: ['grid={training.epochs: [1, 2], zip: {distillation.temperature: [2, 4], distillation.alpha: [0.9, 0.5]}}'],
    });
    assert.deepEqual(
      experiment.axes.map((a) => a.paths),
      [['training.epochs'], ['distillation.temperature', 'distillation.alpha']],
    );
    assert.lengthOf(experiment.cells, 4);
  });

  const cases: Array<{ title: string; text?: string; flags: Flags; expected: string[] }> = [
    {
      title: 'a bad value from --grid, located at the flag',
      flags: { grid: ['distillation.alpha=[0.5, 1.5]'] },
      expected: ['spec.yaml (--grid distillation.alpha=[0.5, 1.5]) distillation.alpha: must be <= 1, got 1.5'],
    },
    {
      title: 'a --grid list that no longer matches its zip group',
      text: ZIPPED,
      flags: { grid: ['distillation.alpha=[0.9, 0.5]'] },
      expected: [
        'spec.yaml (--grid distillation.alpha=[0.9, 0.5]) grid.zip.distillation.alpha: has 2 value(s), but distillation.temperature in the same zip group has 3 (the lists of a zip group move together: give each the same number of values)',
      ],
    },
    {
      title: "a --grid list that no longer matches its zip group, given for the group's first path",
      text: ZIPPED,
      flags: { grid: ['distillation.temperature=[2,4]'] },
      expected: [
        'spec.yaml (--grid distillation.temperature=[2,4]) grid.zip.distillation.temperature: has 2 value(s), but distillation.alpha in the same zip group has 3 (the lists of a zip group move together: give each the same number of values)',
      ],
    },
    {
      title: 'a --grid path that cannot be set',
      flags: { grid: ['distillation.temperature.x=[1]'] },
      expected: [
        'spec.yaml (--grid distillation.temperature.x=[1]) grid.distillation.temperature.x: cannot sweep distillation.temperature.x: distillation.temperature is a number (3), so it has no key "x" (set distillation.temperature itself, or check the path)',
      ],
    },
    {
      title: 'a bad zip group from --set grid={...}, located at the flag',
      flags: { set: ['grid={zip: {distillation.temperature: [2, 4], distillation.alpha: [1]}}'] },
      expected: [
        'spec.yaml (--set grid={zip: {distillation.temperature: [2, 4], distillation.alpha: [1]}}) grid.zip.distillation.alpha: has 1 value(s), but distillation.temperature in the same zip group has 2 (the lists of a zip group move together: give each the same number of values)',
      ],
    },
    {
      title: 'a --grid without =',
      flags: { grid: ['training.epochs'] },
      expected: [
        '--grid: expected PATH=VALUES, got "training.epochs" (e.g. --grid training.optimizer.lr=[0.001,0.01])',
      ],
    },
    {
      title: 'a --grid path that is not a dotted path',
      flags: { grid: ['training..epochs=[1]'] },
      expected: [
        '--grid: "training..epochs" is not a dotted path of the spec (e.g. --grid training.optimizer.lr=[0.001,0.01])',
      ],
    },
    {
      title: 'a --grid value that is not a list',
      flags: { grid: ['training.epochs=3'] },
      expected: [
        '--grid training.epochs=3: expected a YAML list of at least one value, got 3 (one value for every cell: --set training.epochs=...)',
      ],
    },
    {
      title: 'a --grid value that is an empty list',
      flags: { grid: ['training.epochs=[]'] },
      expected: [
        '--grid training.epochs=[]: expected a YAML list of at least one value, got an empty list (one value for every cell: --set training.epochs=...)',
      ],
    },
    {
      title: 'a --grid value that is not YAML',
      flags: { grid: ['training.epochs=[1, 2'] },
      expected: ['--grid training.epochs: value is not valid YAML: Flow sequence must end with a ]'],
    },
    {
      title: '--grid zip=...',
      flags: { grid: ['zip=[1]'] },
      expected: [
        "--grid zip=[1]: \"zip\" names the grid's zip groups, not a path (write the group in the spec, or --set 'grid.zip={a.b: [1, 2], c.d: [3, 4]}')",
      ],
    },
    {
      title: '--grid on a spec whose grid is a list',
      text: `${VALID}grid: [1, 2]\n`,
      flags: { grid: ['training.epochs=[1]'] },
      expected: [
        "--grid training.epochs=[1]: the spec's grid is a list, not a mapping of paths to lists (fix grid: in the spec)",
      ],
    },
    {
      title: '--set on a dotted grid path, which it would nest',
      flags: { set: ['grid.training.optimizer.lr=[0.001,0.01]'] },
      expected: [
        '--set grid.training.optimizer.lr=[0.001,0.01]: grid.training.optimizer.lr would be read as keys nested under grid, but a grid axis is one dotted key (use --grid training.optimizer.lr=[0.001,0.01])',
      ],
    },
  ];

  for (const { title, text, flags, expected } of cases) {
    it(`reports ${title}`, async () => {
      assert.deepEqual(await specProblems(text ?? VALID, flags), expected);
    });
  }
});
