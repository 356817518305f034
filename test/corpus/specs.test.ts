// A corpus of hostile specs, --set flags and plugins: each is refused with exit code 2 and the exact
// located message a user reads (never a stack trace), and random damage to valid specs never gets
// anything but a located refusal.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { loadExperiment, resolveExperiment } from '../../src/config/experiment.js';
import { applyOverrides, parseSpecSource } from '../../src/config/load.js';
import { decodeSpec } from '../../src/config/read.js';
import { DistilError } from '../../src/errors/index.js';
import { createRandom } from '../../src/shared/random.js';
import { assertRefused, distilRun, root } from '../cli-harness.js';
import { VALID } from '../config/valid-spec.js';
import { builtinRegistry } from '../helpers.js';

const INVALID = path.join(root, 'test', 'fixtures', 'invalid');

/** A spec that loads the given plugins (copied beside it). */
const withPlugins = (plugins: string, dataset = 'mnist'): string =>
  `name: p\nplugins: [${plugins}]\ndataset: ${dataset}\nmodels: { teacher: { layers: [4] }, student: { layers: [2] } }\n`;

const TOP_KEYS =
  'allowed keys: $schema, name, description, seed, seeds, splits, plugins, dataset, models, training, distillation, grid, search, evaluation';
const LAYER =
  'must be a positive integer up to 65536 (Dense units with ReLU) or a layer such as { name: dropout, rate: 0.2 }';
const SHAPE = 'each component needs kind, name, description, params (a JSON Schema) and create()';
const SPEC = '<spec>';

interface SpecCase {
  readonly what: string;
  /** The spec file's bytes; `null` makes a directory. */
  readonly spec: string | Buffer | null;
  readonly set?: readonly string[];
  /** --plugin modules, from the fixtures of invalid plugins. */
  readonly plugins?: readonly string[];
  /** Plugin fixtures copied beside the spec (from test/fixtures/invalid, or test/fixtures for plugin-ok.mjs). */
  readonly files?: readonly string[];
  /** Run the command in a process (for what only a process shows: exit codes, timers, devices). */
  readonly cli?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  /** The spec path given, when not the case's spec.yaml. */
  readonly path?: string;
  readonly code?: number;
  /** The message after "distil-run: ", line by line, with <spec> for the spec's path. */
  readonly expected: readonly string[];
}

/** The message of a refused spec: a header and one line per problem. */
const refused = (...issues: string[]): string[] => [
  `${SPEC}: ${issues.length} error${issues.length === 1 ? '' : 's'}`,
  ...issues.map((i) => `  ${SPEC}${i}`),
];

const cases: SpecCase[] = [
  // Malformed YAML
  {
    what: 'an unclosed flow mapping',
    spec: VALID.replace('train_limit: 100 }', 'train_limit: 100'),
    expected: refused(':4:1 Flow map in block collection must be sufficiently indented and end with a }'),
  },
  {
    what: 'a tab used as indentation',
    spec: VALID.replace('  teacher:', '\tteacher:'),
    expected: refused(
      ':5:1 Tabs are not allowed as indentation',
      ':6:1 All mapping items must start at the same column',
    ),
  },
  {
    what: 'an unterminated quoted string',
    spec: VALID.replace('name: demo', 'name: "demo'),
    expected: refused(':11:1 Missing closing "quote'),
  },
  {
    what: 'a duplicate nested key, named with where it was first set',
    spec: VALID.replace('  student: { layers: [8] }', '  student: { layers: [8] }\n  teacher: { layers: [4] }'),
    expected: refused(
      ':7:3 models.teacher: duplicate key "teacher" (first set at line 5, column 3; a key may appear once)',
    ),
  },
  {
    what: 'two YAML documents',
    spec: `---\n${VALID}---\n${VALID}---\nname: third\n`,
    expected: refused(
      ':12:1 contains 3 YAML documents; a spec is one document (remove this "---" and what follows, or split the file into several specs)',
    ),
  },
  {
    what: 'a YAML alias bomb',
    spec: readFileSync(path.join(INVALID, 'alias-bomb.yaml')),
    cli: true,
    expected: refused(
      ':7:8 e[0]: alias *d makes the spec too large: its aliases expand to more than 10000 values (write the values out, or use fewer aliases)',
    ),
  },
  {
    what: 'an alias to an undefined anchor',
    spec: VALID.replace('seed: 7', 'seed: *seed'),
    expected: refused(':2:7 seed: unknown alias *seed (define the anchor &seed before the alias)'),
  },
  {
    what: 'an alias inside the value it stands for',
    spec: `${VALID}description: &d [1, *d]\n`,
    expected: refused(':11:21 description[1]: alias *d stands for the value that contains it'),
  },
  {
    what: 'a key that is a list',
    spec: `${VALID}? [a, b]\n: 1\n`,
    expected: refused(':11:3 a key must be text, got a list'),
  },
  {
    what: 'an empty file',
    spec: '',
    expected: refused(':1:1 is empty; a spec is a mapping of keys such as name, dataset, models'),
  },
  {
    what: 'a file of comments only',
    spec: '# nothing\n# here\n',
    expected: refused(':1:1 is empty; a spec is a mapping of keys such as name, dataset, models'),
  },
  {
    what: 'a list at the top',
    spec: '- name: demo\n',
    expected: refused(':1:1 must be a mapping of keys such as name, dataset, models, got a list'),
  },
  {
    what: 'nesting deeper than 64 levels',
    spec: `${VALID}description: ${'['.repeat(100)}${']'.repeat(100)}\n`,
    expected: refused(':11:78 description[0][0]...: nests deeper than 64 levels'),
  },
  {
    what: 'nesting too deep for the parser',
    spec: `${VALID}description: ${'['.repeat(3000)}${']'.repeat(3000)}\n`,
    expected: refused(':11:526 nests too deeply to be read (a spec nests at most 64 levels)'),
  },
  {
    what: 'a key longer than YAML allows',
    spec: `${VALID}${'k'.repeat(2000)}: 1\n`,
    expected: refused(
      ':11:1 The : indicator must be at most 1024 chars after the start of an implicit block mapping key',
    ),
  },
  // Wrong types and values out of bounds
  {
    what: 'a number for the name',
    spec: VALID.replace('name: demo', 'name: 42'),
    expected: refused(':1:7 name: must be string, got 42'),
  },
  {
    what: 'a name that climbs out of the results directory',
    spec: VALID.replace('name: demo', 'name: ../../etc'),
    expected: refused(":1:7 name: must be a name of letters, digits, '.', '_' or '-', got \"../../etc\""),
  },
  {
    what: 'a 101-character name',
    spec: VALID.replace('name: demo', `name: ${'n'.repeat(101)}`),
    expected: refused(':1:7 name: must be at most 100 character(s) long, got 101'),
  },
  {
    what: 'a fractional seed',
    spec: VALID.replace('seed: 7', 'seed: 1.5'),
    expected: refused(':2:7 seed: must be integer, got 1.5'),
  },
  {
    what: 'a seed of 2^32, which would wrap to 0',
    spec: VALID.replace('seed: 7', 'seed: 4294967296'),
    expected: refused(':2:7 seed: must be <= 4294967295, got 4294967296 (seeds are 32-bit: 0 to 4294967295)'),
  },
  {
    what: 'a hexadecimal seed past 32 bits',
    spec: VALID.replace('seed: 7', 'seed: 0xFFFFFFFFF'),
    expected: refused(':2:7 seed: must be <= 4294967295, got 68719476735 (seeds are 32-bit: 0 to 4294967295)'),
  },
  {
    what: 'infinitely many epochs',
    spec: VALID.replace('epochs: 2', 'epochs: .inf'),
    expected: refused(':8:11 training.epochs: must be a finite integer, got .inf'),
  },
  {
    what: 'a NaN learning rate',
    spec: VALID.replace('lr: 0.01', 'lr: .nan'),
    expected: refused(':9:32 training.optimizer.lr: must be a finite number, got .nan'),
  },
  {
    what: 'layers given as text',
    spec: VALID.replace('layers: [8]', 'layers: abc'),
    expected: refused(':6:22 models.student.layers: must be array, got "abc"'),
  },
  {
    what: 'models given as a list',
    spec: VALID.replace('  teacher: { layers: [32, 16] }\n  student: { layers: [8] }\n', '').replace(
      'models:',
      'models: []',
    ),
    expected: refused(':4:9 models: must be object, got a list'),
  },
  {
    what: 'a dataset without a name',
    spec: VALID.replace('{ name: mnist, train_limit: 100 }', '{ train_limit: 100 }'),
    expected: refused(':3:10 dataset: must be a component name or an object with "name" and its params, got a mapping'),
  },
  {
    what: 'a null layer',
    spec: VALID.replace('layers: [8]', 'layers: [8, null]'),
    expected: refused(`:6:26 models.student.layers[1]: ${LAYER}, got null`),
  },
  {
    what: 'binary data for the name',
    spec: VALID.replace('name: demo', 'name: !!binary aGVsbG8='),
    expected: refused(':1:16 name: must be string, got binary data'),
  },
  // Limits
  {
    what: 'a dense layer of 10^9 units',
    spec: VALID.replace('layers: [32, 16]', 'layers: [{ name: dense, units: 1000000000 }]'),
    expected: refused(':5:45 models.teacher.layers[0].units: must be <= 65536, got 1000000000'),
  },
  {
    what: 'a csv split seed past 32 bits',
    spec: VALID.replace(
      'dataset: { name: mnist, train_limit: 100 }',
      'dataset: { name: csv, path: x.csv, target: y, task: classification, split_seed: 4294967296 }',
    ),
    expected: refused(':3:81 dataset.split_seed: must be <= 4294967295, got 4294967296'),
  },
  {
    what: 'a negative csv target column index',
    spec: VALID.replace(
      'dataset: { name: mnist, train_limit: 100 }',
      'dataset: { name: csv, path: x.csv, target: -1, task: classification }',
    ),
    expected: refused(':3:44 dataset.target: must be >= 0, got -1'),
  },
  {
    what: 'a negative csv feature column index',
    cli: true,
    spec: VALID.replace(
      'dataset: { name: mnist, train_limit: 100 }',
      'dataset: { name: csv, path: x.csv, target: y, features: [a, -1], task: classification }',
    ),
    expected: refused(':3:61 dataset.features[1]: must be >= 0, got -1'),
  },
  {
    what: 'a grid value listed twice',
    spec: `${VALID}grid:\n  distillation.temperature: [2, 3, 2]\n`,
    expected: refused(
      ':12:36 grid.distillation.temperature[2]: 2 is listed twice (also at [0]); each value makes one cell (list each value once; seeds: repeats a cell per seed)',
    ),
  },
  {
    what: 'a zip step listed twice',
    spec: `${VALID}grid:\n  zip:\n    distillation.temperature: [2, 2]\n    distillation.alpha: [0.1, 0.1]\n`,
    expected: refused(
      ':13:35 grid.zip.distillation.temperature[1]: the step [2,0.1] is listed twice (also at [0]); each value makes one cell (list each value once; seeds: repeats a cell per seed)',
    ),
  },
  {
    what: 'two metrics writing one column',
    spec: VALID.replace(
      '  optimizer: { name: adam, lr: 0.01 }',
      '  optimizer: { name: adam, lr: 0.01 }\n  metrics: [accuracy, loss, accuracy]',
    ),
    expected: refused(
      ':10:29 training.metrics[2]: metric "accuracy" writes the column test_accuracy, which "accuracy" already writes (list each metric once)',
    ),
  },
  {
    what: 'a grid value that swaps a component, whose other params it does not take',
    spec:
      VALID.replace(
        'dataset: { name: mnist, train_limit: 100 }',
        'dataset: { name: csv, path: d.csv, target: y, task: classification }',
      ) + 'grid:\n  dataset.name: [csv, mnist]\n',
    expected: refused(
      ':12:23 dataset.path: unknown key "path" (allowed keys: dir, verify, train_limit, test_limit)',
      ':12:23 dataset.target: unknown key "target" (allowed keys: dir, verify, train_limit, test_limit)',
      ':12:23 dataset.task: unknown key "task" (allowed keys: dir, verify, train_limit, test_limit)',
    ),
  },
  {
    what: '10^12 epochs',
    spec: VALID.replace('epochs: 2', 'epochs: 1e12'),
    expected: refused(':8:11 training.epochs: must be <= 100000, got 1000000000000'),
  },
  {
    what: 'a batch of two million',
    spec: VALID.replace('epochs: 2', 'epochs: 2\n  batch_size: 2000000'),
    expected: refused(':9:15 training.batch_size: must be <= 1000000, got 2000000'),
  },
  {
    what: 'a layer of 70,000 units',
    spec: VALID.replace('layers: [8]', 'layers: [70000]'),
    expected: refused(`:6:23 models.student.layers[0]: ${LAYER}, got 70000`),
  },
  {
    what: '101 layers',
    spec: VALID.replace('layers: [8]', `layers: [${Array(101).fill(4).join(', ')}]`),
    expected: refused(':6:22 models.student.layers: must list at most 100 item(s), got 101'),
  },
  {
    what: 'a 1000 x 1000 grid, refused before expanding it',
    spec: readFileSync(path.join(INVALID, 'grid-too-large.yaml')),
    expected: refused(
      ':4:1 grid: makes 1000000 cells (1000 x 1000); at most 10000 are allowed (split the sweep into several specs)',
    ),
  },
  {
    what: 'a spec larger than 4 MB',
    spec: `${VALID}#${'x'.repeat(4 * 1024 * 1024)}\n`,
    cli: true,
    expected: [
      `experiment spec ${SPEC}: is ${VALID.length + 4 * 1024 * 1024 + 2} bytes; a spec may be at most 4 MB (4194304 bytes) (a spec names its data files rather than holding the data)`,
    ],
  },
  // Unknown components and keys
  {
    what: 'an unknown top-level key with a suggestion',
    spec: VALID.replace('seed: 7', 'seeed: 7'),
    expected: refused(':2:1 seeed: unknown key "seeed" (Did you mean "seed"?)'),
  },
  {
    what: 'an unknown optimizer with a suggestion',
    spec: VALID.replace('name: adam', 'name: adamw'),
    expected: refused(':9:22 training.optimizer.name: unknown optimizer "adamw" (Did you mean "adam"?)'),
  },
  {
    what: 'an unknown layer, listing the known ones',
    spec: VALID.replace('layers: [8]', 'layers: [{ name: lstm, units: 3 }]'),
    expected: refused(
      ':6:31 models.student.layers[0].name: unknown layer "lstm" (known: avg-pool, batch-norm, conv2d, dense, dropout, flatten, global-avg-pool, max-pool, reshape; run "distil-run list" or add a plugin)',
    ),
  },
  {
    what: 'a misspelt component param',
    spec: VALID.replace('temperature: 3', 'temperatur: 3'),
    expected: refused(':10:17 distillation.temperatur: unknown key "temperatur" (Did you mean "temperature"?)'),
  },
  {
    what: 'a key with terminal escape codes, shown escaped',
    spec: `${VALID}"\\e[2Jx": 1\n`,
    expected: refused(`:11:1 \\u001b[2Jx: unknown key "\\u001b[2Jx" (${TOP_KEYS})`),
  },
  {
    what: 'a key named __proto__',
    spec: `${VALID}__proto__: { polluted: 1 }\n`,
    expected: refused(`:11:1 __proto__: unknown key "__proto__" (${TOP_KEYS})`),
  },
  // --set
  {
    what: '--set through a string',
    spec: VALID,
    set: ['name.sub=1'],
    expected: [
      '--set name.sub=1: name is a string ("demo"), so it has no key "sub" (set name itself, or check the path)',
    ],
  },
  {
    what: '--set past the end of a list',
    spec: VALID,
    set: ['models.teacher.layers.5=3'],
    expected: [
      '--set models.teacher.layers.5=3: models.teacher.layers has 2 item(s), so index 5 would leave a gap (use an index from 0 to 2)',
    ],
  },
  {
    what: '--set a key of a list',
    spec: VALID,
    set: ['models.teacher.layers.x=3'],
    expected: [
      '--set models.teacher.layers.x=3: models.teacher.layers is a list, so it has no key "x" (use an index from 0 to 2)',
    ],
  },
  {
    what: '--set without a value',
    spec: VALID,
    set: ['training.epochs'],
    cli: true,
    expected: ['--set: expected path=value, got "training.epochs" (e.g. --set training.epochs=1)'],
  },
  {
    what: '--set with an empty path segment',
    spec: VALID,
    set: ['training..epochs=1'],
    expected: ['--set: malformed path "training..epochs"'],
  },
  {
    what: '--set with a value that is not YAML',
    spec: VALID,
    set: ['seed=[1'],
    expected: ['--set seed: value is not valid YAML: Flow sequence must end with a ]'],
  },
  {
    what: '--set with an alias bomb for a value',
    spec: VALID,
    set: [
      'description=[&a [1,1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]]',
    ],
    expected: [
      '--set description: value is not valid YAML: Excessive alias count indicates a resource exhaustion attack',
    ],
  },
  {
    what: '--set on an unknown path, naming the flag',
    spec: VALID,
    set: ['nosuch.key=1'],
    cli: true,
    expected: refused(` (--set nosuch.key=1) nosuch: unknown key "nosuch" (${TOP_KEYS})`),
  },
  {
    what: '--set seed past 32 bits',
    spec: VALID,
    set: ['seed=4294967296'],
    expected: refused(
      ' (--set seed=4294967296) seed: must be <= 4294967295, got 4294967296 (seeds are 32-bit: 0 to 4294967295)',
    ),
  },
  {
    what: '--set into a mapping left empty is accepted',
    spec: `${VALID}evaluation:\n`,
    set: ['evaluation.batch_size=512'],
    expected: [],
  },
  // Grid entries
  {
    what: 'an empty grid axis',
    spec: `${VALID}grid:\n  seed: []\n`,
    expected: refused(':12:9 grid.seed: must list at least 1 item(s)'),
  },
  {
    what: 'a grid axis that is not a list',
    spec: `${VALID}grid:\n  seed: 3\n`,
    expected: refused(':12:9 grid.seed: must be array, got 3'),
  },
  {
    what: 'a grid key that is not a dotted path',
    spec: `${VALID}grid:\n  a..b: [1]\n`,
    expected: refused(
      ':12:3 grid.a..b: invalid key "a..b" (expected a dotted path of this spec, such as distillation.temperature)',
    ),
  },
  {
    what: 'a grid over the experiment name',
    spec: `${VALID}grid:\n  name: [a, b]\n`,
    expected: refused(
      ':12:3 grid.name: name applies to the whole experiment and cannot be swept (write one spec per value)',
    ),
  },
  {
    what: 'a grid path through a number',
    spec: `${VALID}grid:\n  distillation.temperature.x: [1]\n`,
    expected: refused(
      ':12:3 grid.distillation.temperature.x: cannot sweep distillation.temperature.x: distillation.temperature is a number (3), so it has no key "x" (set distillation.temperature itself, or check the path)',
    ),
  },
  {
    what: 'a grid path on an unknown key, at the grid entry',
    spec: readFileSync(path.join(INVALID, 'grid-unknown-path.yaml')),
    expected: refused(`:5:3 nosuch: unknown key "nosuch" (${TOP_KEYS})`),
  },
  {
    what: 'a bad grid value, at the value',
    spec: `${VALID}grid:\n  distillation.alpha: [0.5, 1.5]\n  training.epochs: [1, 2]\n`,
    expected: refused(':12:29 distillation.alpha: must be <= 1, got 1.5'),
  },
  // Plugins
  {
    what: 'a missing plugin module',
    spec: withPlugins('./nope.mjs'),
    expected: refused(
      ':2:11 plugins[0]: cannot load plugin "./nope.mjs": Cannot find module \'<dir>/nope.mjs\' (paths are relative to the spec file)',
    ),
  },
  {
    what: 'a plugin package that is not installed',
    spec: withPlugins('no-such-package-xyz'),
    expected: refused(
      ':2:11 plugins[0]: cannot load plugin "no-such-package-xyz": Cannot find module \'no-such-package-xyz\' (paths are relative to the spec file)',
    ),
  },
  {
    what: 'a plugin that throws on import',
    spec: withPlugins('./plugin-throws.mjs'),
    files: ['plugin-throws.mjs'],
    expected: refused(
      ':2:11 plugins[0]: cannot load plugin "./plugin-throws.mjs": no GPU found (paths are relative to the spec file)',
    ),
  },
  {
    what: 'a plugin that throws a number',
    spec: withPlugins('./plugin-throws-value.mjs'),
    files: ['plugin-throws-value.mjs'],
    expected: refused(
      ':2:11 plugins[0]: cannot load plugin "./plugin-throws-value.mjs": 42 (paths are relative to the spec file)',
    ),
  },
  {
    what: 'a module that exports no plugin',
    spec: withPlugins('./plugin-no-export.mjs'),
    files: ['plugin-no-export.mjs'],
    expected: refused(
      ':2:11 plugins[0]: "./plugin-no-export.mjs" exports no plugin (export default definePlugin({ name, components: [...] }))',
    ),
  },
  {
    what: "a plugin component with a built-in's name",
    spec: withPlugins('./plugin-clash.mjs'),
    files: ['plugin-clash.mjs'],
    expected: refused(
      ':2:11 plugins[0]: plugin clash: loss "kd" is already registered by plugin builtin (rename the component or drop the duplicate plugin)',
    ),
  },
  {
    what: 'a plugin that declares a component twice',
    spec: withPlugins('./plugin-twice.mjs'),
    files: ['plugin-twice.mjs'],
    expected: refused(':2:11 plugins[0]: plugin twice: declares metric "twice" twice (rename one of them)'),
  },
  {
    what: 'two plugins with one name',
    spec: withPlugins('./plugin-ok.mjs, ./plugin-same-name.mjs'),
    files: ['plugin-ok.mjs', 'plugin-same-name.mjs'],
    expected: refused(
      ':2:28 plugins[1]: plugin fixture-plugin: another plugin named "fixture-plugin" is already loaded (give each plugin its own name)',
    ),
  },
  {
    what: 'a plugin whose params schema does not compile',
    spec: withPlugins('./plugin-bad-schema.mjs'),
    files: ['plugin-bad-schema.mjs'],
    expected: refused(
      ':2:11 plugins[0]: plugin bad-schema: metric "odd-metric" has an invalid params schema: /properties/a/type must be equal to one of the allowed values (fix the component\'s params JSON Schema)',
    ),
  },
  {
    what: 'a plugin component without create()',
    spec: withPlugins('./plugin-malformed.mjs'),
    files: ['plugin-malformed.mjs'],
    expected: refused(`:2:11 plugins[0]: plugin malformed: component "no-create" has no create() function (${SHAPE})`),
  },
  {
    what: 'a plugin component that is null',
    spec: withPlugins('./plugin-null-component.mjs'),
    files: ['plugin-null-component.mjs'],
    expected: refused(`:2:11 plugins[0]: plugin null-component: component 0 is not an object (${SHAPE})`),
  },
  {
    what: 'a plugin dataset whose task() throws',
    spec: withPlugins('./plugin-task-throws.mjs', 'moody'),
    files: ['plugin-task-throws.mjs'],
    expected: refused(
      ':3:10 dataset: dataset "moody": telling its task failed: cannot tell yet (check the params, or report it to the plugin\'s author)',
    ),
  },
  {
    what: 'a plugin entry after one of the wrong type, located at its own entry',
    spec: withPlugins('3, ./nope.mjs'),
    expected: refused(
      ':2:11 plugins[0]: must be string, got 3',
      ':2:14 plugins[1]: cannot load plugin "./nope.mjs": Cannot find module \'<dir>/nope.mjs\' (paths are relative to the spec file)',
    ),
  },
  {
    what: 'a --plugin module that throws',
    spec: VALID,
    plugins: ['test/fixtures/invalid/plugin-throws.mjs'],
    expected: [
      `${SPEC}: 1 error`,
      '  test/fixtures/invalid/plugin-throws.mjs (--plugin test/fixtures/invalid/plugin-throws.mjs) cannot load plugin "test/fixtures/invalid/plugin-throws.mjs": no GPU found (paths are relative to the working directory)',
    ],
  },
  {
    what: 'a plugin whose import never settles',
    spec: withPlugins('./plugin-never-settles.mjs'),
    files: ['plugin-never-settles.mjs'],
    env: { DISTIL_PLUGIN_TIMEOUT_MS: '200' },
    expected: refused(
      ':2:11 plugins[0]: plugin "./plugin-never-settles.mjs" did not finish loading within 0.2 s (its top-level code waits for something that never happens; DISTIL_PLUGIN_TIMEOUT_MS sets the limit, default 30000)',
    ),
  },
  {
    what: 'a never-settling plugin with the timeout off: no silent exit 0',
    spec: withPlugins('./plugin-never-settles.mjs'),
    files: ['plugin-never-settles.mjs'],
    env: { DISTIL_PLUGIN_TIMEOUT_MS: '0' },
    cli: true,
    code: 1,
    expected: [
      'stopped with the work unfinished: a promise never settled and nothing was left to wait for (a plugin or dataset that never finishes loading? DISTIL_PLUGIN_TIMEOUT_MS=0 turns the plugin timeout off)',
    ],
  },
  // Encodings and files
  {
    what: 'invalid UTF-8',
    spec: readFileSync(path.join(INVALID, 'bad-utf8.yaml')),
    cli: true,
    expected: refused(':4:18 invalid UTF-8 (byte 0xE9) (save the file as UTF-8)'),
  },
  {
    what: 'Latin-1 text',
    spec: Buffer.from(VALID.replace('name: demo', 'description: "Überblick"\nname: demo'), 'latin1'),
    expected: refused(':1:15 invalid UTF-8 (byte 0xDC) (save the file as UTF-8)'),
  },
  {
    what: 'UTF-16 text',
    spec: Buffer.from(`\ufeff${VALID}`, 'utf16le'),
    expected: refused(':1:1 invalid UTF-8 (byte 0xFF) (this looks like UTF-16; save the file as UTF-8)'),
  },
  {
    what: 'a NUL byte in a value',
    spec: VALID.replace('seed: 7', 'seed: 7\0'),
    expected: refused(':2:7 seed: must be integer, got "7\\u0000"'),
  },
  {
    what: 'a byte-order mark and CRLF line ends are accepted',
    spec: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VALID.replace(/\n/g, '\r\n'))]),
    expected: [],
  },
  {
    what: 'a directory for a spec',
    spec: null,
    cli: true,
    expected: [`experiment spec ${SPEC}: is a directory, expected a YAML file (give the path of a spec inside it)`],
  },
  {
    what: 'a device for a spec',
    spec: VALID,
    path: '/dev/null',
    cli: true,
    expected: ['experiment spec /dev/null: is not a regular file (give the path of a YAML file)'],
  },
  {
    what: 'a spec that does not exist',
    spec: VALID,
    path: 'missing.yaml',
    expected: ['experiment spec not found: missing.yaml (check the path; specs usually live in experiments/)'],
  },
];

/** A fresh directory holding the case's spec (and plugin files); returns the spec's path. */
function writeCase(c: SpecCase): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-specs-'));
  const file = path.join(dir, 'spec.yaml');
  if (c.spec === null) mkdirSync(file);
  else writeFileSync(file, c.spec);
  for (const name of c.files ?? []) {
    const from = name === 'plugin-ok.mjs' ? path.join(root, 'test', 'fixtures', name) : path.join(INVALID, name);
    copyFileSync(from, path.join(dir, name));
  }
  return { dir, file: c.path ?? file };
}

const expectedText = (c: SpecCase, file: string, dir: string): string =>
  c.expected.join('\n').replaceAll(SPEC, file).replaceAll('<dir>', dir);

async function inProcess(c: SpecCase, file: string): Promise<unknown> {
  const saved = { ...process.env };
  Object.assign(process.env, c.env ?? {});
  try {
    await loadExperiment(file, { registry: builtinRegistry(), set: c.set, plugins: c.plugins });
    return undefined;
  } catch (error) {
    return error;
  } finally {
    for (const key of Object.keys(c.env ?? {})) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

describe('hostile specs, flags and plugins', () => {
  it('covers at least 45 cases', () => assert.isAtLeast(cases.length, 45));

  for (const c of cases) {
    it(`${c.expected.length === 0 ? 'accepts' : 'refuses'} ${c.what}`, async function () {
      const { dir, file } = writeCase(c);
      if (c.cli) {
        const args = [
          'validate',
          file,
          ...(c.set ?? []).flatMap((s) => ['--set', s]),
          ...(c.plugins ?? []).flatMap((p) => ['--plugin', p]),
        ];
        const result = distilRun(args, { env: c.env });
        if (c.expected.length === 0) return assert.equal(result.code, 0, result.stderr);
        const expected = `distil-run: ${expectedText(c, file, dir)}\n`;
        assertRefused(result, c.code ?? 2, expected);
        return;
      }
      const error = await inProcess(c, file);
      if (c.expected.length === 0) return assert.isUndefined(error, String(error));
      if (!(error instanceof DistilError)) throw error;
      assert.equal(error.exitCode, c.code ?? 2);
      assert.equal(error.message, expectedText(c, file, dir));
    });
  }
});

// --- Random damage to valid specs -------------------------------------------------------------

const GARBAGE = [
  '{',
  '}',
  '[',
  ']',
  ':',
  ': ',
  '- ',
  '&a ',
  '*a',
  '*zz',
  '!',
  '!!binary ',
  '%',
  '\t',
  '"',
  "'",
  '#',
  '|',
  '>',
  '?',
  ',',
  '@',
  '`',
  '\0',
  '\uFFFD',
  '\u202E',
  '---\n',
  '...\n',
  '<<: ',
  '\r',
  '\\',
];
const VALUES = [
  '',
  '~',
  'null',
  'true',
  '-1',
  '0',
  '1.5',
  '1e12',
  '4294967296',
  '.nan',
  '-.inf',
  '"text"',
  '[]',
  '{}',
  '[1, [2, [3]]]',
  '{ name: kd }',
  'x'.repeat(300),
  '*a',
  '&a 1',
];
const SET_PATHS = [
  'seed',
  'name',
  'training.epochs',
  'training.optimizer',
  'training.optimizer.lr',
  'models.teacher.layers',
  'models.teacher.layers.0',
  'models.student.layers.1',
  'dataset',
  'dataset.name',
  'dataset.train_limit',
  'distillation',
  'distillation.temperature.x',
  'grid',
  'grid.seed',
  'grid.training.epochs',
  'evaluation.batch_size',
  'plugins',
  'name.x',
  'models.person',
];

type Mutation = (text: string, next: () => number) => { text: string | Buffer; set?: string[]; what: string };

const pick = <T>(items: readonly T[], next: () => number): T => items[Math.floor(next() * items.length)];
const lines = (text: string): string[] => text.split('\n');

const MUTATIONS: Mutation[] = [
  (text, next) => {
    const l = lines(text);
    const i = Math.floor(next() * l.length);
    return { text: [...l.slice(0, i), ...l.slice(i + 1)].join('\n'), what: `delete line ${i + 1}` };
  },
  (text, next) => {
    const l = lines(text);
    const i = Math.floor(next() * l.length);
    return { text: [...l.slice(0, i + 1), l[i], ...l.slice(i + 1)].join('\n'), what: `duplicate line ${i + 1}` };
  },
  (text, next) => {
    const numbers = [...text.matchAll(/-?\d+(\.\d+)?(e\d+)?/g)];
    if (numbers.length === 0) return { text, what: 'no number' };
    const m = pick(numbers, next);
    const value = pick(VALUES, next);
    return {
      text: text.slice(0, m.index) + value + text.slice(m.index + m[0].length),
      what: `number at ${m.index} -> ${JSON.stringify(value.slice(0, 20))}`,
    };
  },
  (text, next) => {
    const words = [...text.matchAll(/[A-Za-z_][\w-]*/g)];
    if (words.length === 0) return { text, what: 'no word' };
    const m = pick(words, next);
    const value = pick([...VALUES, `${m[0]}x`, m[0].slice(1), m[0].toUpperCase()], next);
    return {
      text: text.slice(0, m.index) + value + text.slice(m.index + m[0].length),
      what: `word ${m[0]} -> ${JSON.stringify(value.slice(0, 20))}`,
    };
  },
  (text, next) => {
    const at = Math.floor(next() * text.length);
    const g = pick(GARBAGE, next);
    return { text: text.slice(0, at) + g + text.slice(at), what: `insert ${JSON.stringify(g)} at ${at}` };
  },
  (text, next) => {
    const bytes = Buffer.from(text);
    const at = Math.floor(next() * bytes.length);
    return { text: bytes.subarray(0, at), what: `truncate at byte ${at}` };
  },
  (text, next) => {
    const bytes = Buffer.from(text);
    const at = Math.floor(next() * bytes.length);
    const bad = Buffer.from([pick([0x80, 0xc0, 0xe9, 0xff, 0xfe, 0xed], next)]);
    return { text: Buffer.concat([bytes.subarray(0, at), bad, bytes.subarray(at)]), what: `byte ${bad[0]} at ${at}` };
  },
  (text, next) => {
    const l = lines(text);
    const i = Math.floor(next() * l.length);
    l[i] = next() < 0.5 ? ` ${l[i]}` : l[i].replace(/^ {1,2}/, '');
    return { text: l.join('\n'), what: `indent line ${i + 1}` };
  },
  (text, next) => {
    const set = `${pick(SET_PATHS, next)}=${pick(VALUES, next)}`;
    return { text, set: [set], what: `--set ${set.slice(0, 40)}` };
  },
  (text, next) => {
    const l = lines(text).filter((line) => /^\w/.test(line));
    const key = l.length > 0 ? pick(l, next).split(':')[0] : 'seed';
    return {
      text: `${text}grid:\n  ${key}: [${pick(VALUES, next)}, ${pick(VALUES, next)}]\n`,
      what: `grid over ${key}`,
    };
  },
];

const SOURCES = ['test/fixtures/mnist-small.yaml', 'experiments/mnist.yaml', 'experiments/housing.yaml'].map(
  (file) => ({ file, text: readFileSync(path.join(root, file), 'utf8') }),
);

/** Loads a (damaged) spec in-process: the outcome is acceptance or a DistilError, never anything else. */
async function attempt(bytes: string | Buffer, set: readonly string[]): Promise<unknown> {
  try {
    const text = typeof bytes === 'string' ? bytes : decodeSpec(bytes, 'damaged.yaml');
    const source = parseSpecSource(text, 'damaged.yaml');
    applyOverrides(source, set);
    await resolveExperiment(source, { registry: builtinRegistry() });
    return undefined;
  } catch (error) {
    return error;
  }
}

/** A refusal says where (every problem has a line and column or names the flag, or the message names the flag) and prints safely. */
function assertLocated(error: DistilError, context: string): void {
  assert.equal(error.exitCode, 2, context);
  // What reaches the terminal has no control characters or bidirectional overrides from the spec.
  // eslint-disable-next-line no-control-regex
  assert.notMatch(error.message, /[\u0000-\u0009\u000b-\u001f\u007f\u2028\u2029\u202a-\u202e]/, context);
  if (error.issues.length === 0) return assert.match(error.message, /^--set /, context);
  assert.match(error.message, /^damaged\.yaml: \d+ errors?/, context);
  for (const issue of error.issues) {
    const { line, col, origin } = issue.location;
    assert.isTrue(
      (Number.isInteger(line) && Number.isInteger(col)) || origin !== undefined,
      `${context}\nunlocated: ${JSON.stringify(issue)}`,
    );
  }
}

/** One series of one to three mutations of a valid spec (damage compounds), and what it was. */
function damage(next: () => number): { file: string; text: string | Buffer; set: string[]; what: string } {
  const source = pick(SOURCES, next);
  let text: string | Buffer = source.text;
  const set: string[] = [];
  const what: string[] = [];
  for (let k = 0, n = 1 + Math.floor(next() * 3); k < n; k++) {
    const mutated = pick(MUTATIONS, next)(typeof text === 'string' ? text : text.toString('latin1'), next);
    text = mutated.text;
    set.push(...(mutated.set ?? []));
    what.push(mutated.what);
  }
  return { file: source.file, text, set, what: what.join('; ') };
}

describe('random damage to valid specs (seeded)', () => {
  // A warning Node prints (e.g. the yaml package's "Keys with collection values will be stringified")
  // is output the user did not ask for: it fails the case too.
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.message);
  before(() => process.on('warning', onWarning));
  after(() => process.off('warning', onWarning));

  it('300 mutations each validate or get a located refusal, never another exception', async function () {
    this.timeout(60_000);
    const next = createRandom(20261123);
    const outcomes = { valid: 0, refused: 0 };
    for (let i = 0; i < 300; i++) {
      const { file, text, set, what } = damage(next);
      const context = `mutation ${i} of ${file}: ${what}`;
      const error = await attempt(text, set);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      assert.deepEqual(warnings, [], context);
      if (error === undefined) {
        outcomes.valid++;
        continue;
      }
      if (!(error instanceof DistilError)) assert.fail(`${context}\nthrew ${(error as Error)?.stack ?? String(error)}`);
      assertLocated(error, `${context}\n${error.message.slice(0, 500)}`);
      outcomes.refused++;
    }
    // The damage is real: most mutations are refused, and some harmless ones pass.
    assert.isAbove(outcomes.refused, 150, JSON.stringify(outcomes));
    assert.isAbove(outcomes.valid, 5, JSON.stringify(outcomes));
  });
});
