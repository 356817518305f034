// `search:` validation: each problem of a searched path said once, where it is, and `carry` judged against the paths written.
import { assert } from 'chai';
import { specProblems } from './spec-problems.js';
import { VALID } from './valid-spec.js';

/** VALID with a validation split (a search selects on it) and the given `search:` (lines 11 on). */
const searching = (search: string): string =>
  `${VALID.replace('train_limit: 100', 'train_limit: 100, validation: 0.1')}search:\n${search}`;

const repeated = (line: number): string =>
  `spec.yaml:${line}:41 search.grid.training.optimizer.lr[2]: 0.01 is listed twice (also at [0]); each value makes one search point (list each value once)`;
const notSearchable = (line: number): string =>
  `spec.yaml:${line}:5 search.grid.distillation.alpha: searches the teacher's own settings: a path under training or layers (e.g. training.optimizer.lr or training.epochs)`;

const cases: Array<{ title: string; search: string; expected: string[] }> = [
  {
    title: 'a value listed twice on a carried path: the repeat only',
    search:
      '  grid:\n    training.optimizer.lr: [0.01, 0.02, 0.01]\n  select: val_accuracy\n  carry: [training.optimizer.lr]\n',
    expected: [repeated(13)],
  },
  {
    title: 'a carried path that cannot be searched: that it cannot be searched only',
    search:
      '  grid:\n    training.epochs: [1, 2]\n    distillation.alpha: [0.25, 0.5]\n  select: val_accuracy\n  carry: [distillation.alpha]\n',
    expected: [notSearchable(14)],
  },
  {
    title: 'a carried path not in the grid, beside a refused one: the paths written are the ones to carry',
    search:
      '  grid:\n    training.epochs: [1, 2]\n    training.optimizer.lr: [0.01, 0.02, 0.01]\n  select: val_accuracy\n  carry: [training.batch_size]\n',
    expected: [
      repeated(14),
      'spec.yaml:16:11 search.carry[0]: "training.batch_size" is not a searched path, so there is no winning value to carry (carry some of: training.epochs, training.optimizer.lr)',
    ],
  },
  {
    title: 'a carried path when no path can be searched: no empty list to choose from',
    search: '  grid:\n    distillation.alpha: [0.25, 0.5]\n  select: val_accuracy\n  carry: [training.epochs]\n',
    expected: [
      notSearchable(13),
      'spec.yaml:15:11 search.carry[0]: "training.epochs" is not a searched path, so there is no winning value to carry',
    ],
  },
  {
    title: 'a search with both grid and random',
    search:
      '  grid: { training.epochs: [1, 2] }\n  random: { n: 2, space: { training.epochs: { int: [1, 3] } } }\n  select: val_accuracy\n',
    expected: [
      'spec.yaml:11:1 search: has both grid and random; a search is one or the other (keep grid (every combination of the values listed) or random (n points drawn))',
    ],
  },
  {
    title: 'a search with neither grid nor random',
    search: '  select: val_accuracy\n',
    expected: [
      'spec.yaml:11:1 search: needs grid (every combination of the values listed) or random (n points drawn from distributions) (e.g. grid: { training.optimizer.lr: [0.01, 0.1] })',
    ],
  },
  {
    title: 'a random range written high to low, and a random path outside the teacher',
    search:
      '  random:\n    n: 3\n    space:\n      training.optimizer.lr: { loguniform: [0.1, 0.001] }\n      distillation.alpha: { uniform: [0, 1] }\n  select: val_accuracy\n',
    expected: [
      'spec.yaml:15:44 search.random.space.training.optimizer.lr.loguniform: loguniform from 0.1 to 0.001: the low end is above the high end (write [0.001, 0.1])',
      "spec.yaml:16:7 search.random.space.distillation.alpha: searches the teacher's own settings: a path under training or layers (e.g. training.optimizer.lr or training.epochs)",
    ],
  },
  {
    title: 'more random points than the space has',
    search:
      '  random:\n    n: 7\n    space:\n      training.epochs: { int: [1, 3] }\n      layers: { choice: [[8], [16]] }\n  select: val_accuracy\n',
    expected: [
      'spec.yaml:13:8 search.random.n: asks for 7 points, but the space has only 6 different ones (ask for at most 6, or search the space whole with grid)',
    ],
  },
  {
    title: 'a continuous range narrower than the rounding: the points drawing finds',
    search:
      '  random:\n    n: 3\n    space:\n      training.optimizer.lr: { uniform: [1, 1.0004] }\n  select: val_accuracy\n',
    expected: [
      'spec.yaml:13:8 search.random.n: asks for 3 points, but drawing found only 1 different one(s) (values are rounded to 4 significant digits) (widen a range, or ask for fewer points)',
    ],
  },
  {
    title: 'a distribution that is none of the four',
    search: '  random:\n    n: 2\n    space:\n      training.epochs: { normal: [1, 3] }\n  select: val_accuracy\n',
    expected: [
      'spec.yaml:15:26 search.random.space.training.epochs.normal: unknown key "normal" (allowed keys: uniform, loguniform, int, choice)',
    ],
  },
  {
    title: 'a misspelt carried path, with the searched path it looks like',
    search:
      '  grid:\n    training.optimizer.lr: [0.01, 0.02]\n  select: val_accuracy\n  carry: [training.optimizer.rl]\n',
    expected: [
      'spec.yaml:15:11 search.carry[0]: "training.optimizer.rl" is not a searched path, so there is no winning value to carry (Did you mean "training.optimizer.lr"?)',
    ],
  },
];

describe('search validation', () => {
  it('has cases', () => assert.lengthOf(cases, 11));

  for (const { title, search, expected } of cases) {
    it(`reports ${title}`, async () => {
      assert.deepEqual(await specProblems(searching(search)), expected);
    });
  }
});
