// Spec issues carry their codes: a spec with several problems gets each with its own, and hints stay lazy.
import path from 'node:path';
import { assert } from 'chai';
import { formatIssue, issueAt, unknownKey } from '../../src/errors/index.js';
import type { SpecProblem } from '../../src/errors/index.js';
import { specRefusal } from '../config/spec-problems.js';
import type { SpecInput } from '../config/spec-problems.js';

/** Specs with several problems each, and every issue they are refused with: its code and what the user reads. */
const CASES: ReadonlyArray<{
  title: string;
  text: string;
  input?: SpecInput;
  expected: ReadonlyArray<readonly [string, string]>;
}> = [
  {
    title: 'keys, values and components',
    text: `name: demo
seed: 7
sed: 1
dataset: { name: mnst }
models:
  teacher: { layers: [32, 16] }
training:
  epochs: two
  optimizer: { name: adam, lr: 0 }
  metrics: [accuracy, accuracy]
distillation: cross-entropy
`,
    expected: [
      ['UNKNOWN_KEY', 'spec.yaml:3:1 sed: unknown key "sed" (Did you mean "seed"?)'],
      ['UNKNOWN_COMPONENT', 'spec.yaml:4:18 dataset.name: unknown dataset "mnst" (Did you mean "mnist"?)'],
      ['MISSING_KEY', 'spec.yaml:5:1 models: missing required key "student"'],
      ['WRONG_TYPE', 'spec.yaml:8:11 training.epochs: must be integer, got "two"'],
      ['OUT_OF_RANGE', 'spec.yaml:9:32 training.optimizer.lr: must be > 0, got 0'],
      [
        'SHARED_METRIC_COLUMN',
        'spec.yaml:10:23 training.metrics[1]: metric "accuracy" writes the column test_accuracy, which "accuracy" already writes (list each metric once)',
      ],
      [
        'NOT_A_DISTILLATION',
        'spec.yaml:11:15 distillation: loss "cross-entropy" does not use the teacher\'s outputs (use kd for a classification dataset)',
      ],
    ],
  },
  {
    title: 'the YAML itself',
    text: 'name: demo\nname: again\ndataset: mnist\nmodels:\n  teacher: { layers: *wide }\n  student: { layers: [8] }\n',
    expected: [
      [
        'DUPLICATE_KEY',
        'spec.yaml:2:1 name: duplicate key "name" (first set at line 1, column 1; a key may appear once)',
      ],
      [
        'UNKNOWN_ALIAS',
        'spec.yaml:5:22 models.teacher.layers: unknown alias *wide (define the anchor &wide before the alias)',
      ],
    ],
  },
  {
    title: 'the grid',
    text: `name: demo
dataset: mnist
models:
  teacher: { layers: [32] }
  student: { layers: [8] }
grid:
  name: [a, b]
  training.epochs: [1, 2, 1]
  zip:
    training.batch_size: [16, 32]
    distillation.alpha: [0.5]
`,
    expected: [
      [
        'NOT_SWEEPABLE',
        'spec.yaml:7:3 grid.name: name applies to the whole experiment and cannot be swept (write one spec per value)',
      ],
      [
        'REPEATED_VALUE',
        'spec.yaml:8:27 grid.training.epochs[2]: 1 is listed twice (also at [0]); each value makes one cell (list each value once; seeds: repeats a cell per seed)',
      ],
      [
        'ZIP_UNEVEN',
        'spec.yaml:11:5 grid.zip.distillation.alpha: has 1 value(s), but training.batch_size in the same zip group has 2 (the lists of a zip group move together: give each the same number of values)',
      ],
    ],
  },
  {
    title: 'seeds and the search',
    text: `name: demo
dataset: mnist
seed: 1
seeds: [1, 2]
models:
  teacher: { layers: [32] }
  student: { layers: [8] }
search:
  grid:
    training.optimizer.lr: [0.01, 0.02]
    distillation.alpha: [0.5]
  select: val_acc
  carry: [training.epochs]
`,
    expected: [
      [
        'SEED_WITH_SEEDS',
        'spec.yaml:3:1 seed: given with seeds (seeds: runs every cell once per seed and replaces seed: remove one of them)',
      ],
      [
        'NOT_SEARCHABLE',
        "spec.yaml:11:5 search.grid.distillation.alpha: searches the teacher's own settings: a path under training or layers (e.g. training.optimizer.lr or training.epochs)",
      ],
      [
        'NOT_A_VALIDATION_METRIC',
        'spec.yaml:12:11 search.select: "val_acc" is not a validation metric the teacher records; the winner is chosen on the validation split, never the test split (Did you mean "val_accuracy"?)',
      ],
      [
        'CARRY_NOT_SEARCHED',
        'spec.yaml:13:11 search.carry[0]: "training.epochs" is not a searched path, so there is no winning value to carry (carry some of: training.optimizer.lr)',
      ],
    ],
  },
  {
    title: 'plugins that cannot be used, beside a value set on the command line',
    // The spec's directory is the working directory: its plugin paths start there.
    text: 'name: demo\nplugins: [./no-such-plugin.mjs, test/fixtures/plugin-bad.mjs]\ndataset: mnist\nmodels:\n  teacher: { layers: [32] }\n  student: { layers: [8] }\n',
    input: { set: ['training.epochs=0'] },
    expected: [
      ['OUT_OF_RANGE', 'spec.yaml (--set training.epochs=0) training.epochs: must be >= 1, got 0'],
      [
        'PLUGIN_NOT_LOADED',
        `spec.yaml:2:11 plugins[0]: cannot load plugin "./no-such-plugin.mjs": Cannot find module '${path.resolve('no-such-plugin.mjs')}' (paths are relative to the spec file)`,
      ],
      [
        'PLUGIN_NOT_EXPORTED',
        'spec.yaml:2:33 plugins[1]: "test/fixtures/plugin-bad.mjs" exports no plugin (export default definePlugin({ name, components: [...] }))',
      ],
    ],
  },
];

describe('spec issues', () => {
  it('has cases', () => assert.lengthOf(CASES, 5));

  for (const { title, text, input, expected } of CASES) {
    it(`keeps each issue's code: ${title}`, async () => {
      const error = await specRefusal(text, input);
      assert.equal(error.code, 'INVALID_SPEC');
      assert.lengthOf(error.issues, expected.length);
      assert.deepEqual(
        error.issues.map((issue) => [issue.code, formatIssue(issue)]),
        expected.map(([code, line]) => [code, line]),
      );
    });
  }

  it('keeps a hint lazy: issueAt does not read it, and unknown keys compute theirs only when read', () => {
    let reads = 0;
    const lazy: SpecProblem = Object.defineProperty(
      { code: 'UNKNOWN_KEY', message: 'unknown key "x"' } as SpecProblem,
      'hint',
      {
        enumerable: true,
        get: () => {
          reads++;
          return 'a hint';
        },
      },
    );
    const issue = issueAt({ file: 'spec.yaml', line: 1, col: 1 }, 'x', lazy);
    assert.equal(reads, 0, 'placing the problem does not compute its hint');
    assert.equal(formatIssue(issue), 'spec.yaml:1:1 x: unknown key "x" (a hint)');
    assert.isAbove(reads, 0, 'the hint is computed when shown');
    const unknown = unknownKey('sed', ['seed', 'name']);
    assert.isFunction(Object.getOwnPropertyDescriptor(unknown, 'hint')?.get, 'the hint of an unknown key is a getter');
    assert.equal(
      formatIssue(issueAt({ file: 'spec.yaml', line: 2, col: 1 }, 'sed', unknown)),
      'spec.yaml:2:1 sed: unknown key "sed" (Did you mean "seed"?)',
    );
  });

  it('leaves out a hint a problem does not have', () => {
    const issue = issueAt({ file: 'spec.yaml', line: 3, col: 5 }, 'a', {
      code: 'EMPTY_TEXT',
      message: 'must not be empty',
    });
    assert.deepEqual(issue, {
      location: { file: 'spec.yaml', line: 3, col: 5 },
      path: 'a',
      code: 'EMPTY_TEXT',
      message: 'must not be empty',
    });
    assert.notProperty(issue, 'hint');
  });
});
