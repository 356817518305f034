// search.random: points drawn from each path's distribution, seeded, different from each other, and what the
// draws are checked against: each distribution's moments and range (4,000 draws), not the draws themselves.
import { assert } from 'chai';
import { parseSpecSource } from '../../src/config/load.js';
import { resolveExperiment } from '../../src/config/experiment.js';
import { drawPoints } from '../../src/config/search.js';
import { builtinRegistry } from '../helpers.js';
import { formatPlan, planRun } from '../../src/runner/plan.js';
import { VALID } from './valid-spec.js';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: readonly number[]) => mean(xs.map((x) => (x - mean(xs)) ** 2));

describe('random search', () => {
  it('draws each distribution with its moments and range: uniform, loguniform, int (both ends), choice', () => {
    const n = 4000;
    const points = drawPoints(
      {
        a: { uniform: [2, 6] },
        b: { loguniform: [0.001, 0.1] },
        c: { int: [1, 4] },
        d: { choice: ['x', 'y', 'z'] },
      },
      n,
      11,
    );
    assert.isDefined(points);
    const column = (key: string) => points!.map((p) => p[key]);
    const a = column('a') as number[];
    // Uniform on [2, 6]: mean 4, variance (6 - 2)^2 / 12 = 1.333; the standard error of the mean is 0.018.
    assert.closeTo(mean(a), 4, 0.06);
    assert.closeTo(variance(a), 16 / 12, 0.06);
    assert.isTrue(a.every((x) => x >= 2 && x <= 6));
    // Loguniform on [0.001, 0.1]: log10 uniform on [-3, -1], mean -2, variance 4 / 12.
    const logs = (column('b') as number[]).map(Math.log10);
    assert.closeTo(mean(logs), -2, 0.03);
    assert.closeTo(variance(logs), 4 / 12, 0.03);
    assert.isTrue(logs.every((x) => x >= -3 - 1e-9 && x <= -1 + 1e-9));
    // Int on [1, 4]: each of 1..4 a quarter of the time; choice: each a third.
    for (const [key, values] of [
      ['c', [1, 2, 3, 4]],
      ['d', ['x', 'y', 'z']],
    ] as const) {
      for (const value of values) {
        const share = column(key).filter((x) => x === value).length / n;
        assert.closeTo(share, 1 / values.length, 0.03, `${key}=${value}`);
      }
    }
    // Every point is different, and drawn numbers keep 4 significant digits.
    assert.lengthOf(new Set(points!.map((p) => JSON.stringify(p))), n);
    assert.isTrue(a.every((x) => Number(x.toPrecision(4)) === x));
  });

  it('draws the same points for the same seed, others for another, and draws a repeated point again', () => {
    const space = { lr: { loguniform: [0.001, 0.1] }, epochs: { int: [1, 3] } } as const;
    assert.deepEqual(drawPoints(space, 5, 3), drawPoints(space, 5, 3));
    assert.notDeepEqual(drawPoints(space, 5, 3), drawPoints(space, 5, 4));
    // Three values and three points: every value once, however often a draw repeats one.
    const all = drawPoints({ epochs: { int: [1, 3] } }, 3, 3);
    assert.sameMembers(
      all!.map((p) => p.epochs),
      [1, 2, 3],
    );
    assert.isUndefined(drawPoints({ epochs: { int: [1, 3] } }, 4, 3));
  });

  it("resolves to n teacher cells per seed, labelled by the drawn values, seeded by the spec's seed or its own", async () => {
    const spec = (extra = '') =>
      `${VALID.replace('train_limit: 100', 'train_limit: 100, validation: 0.1')}search:
  random:
    n: 4${extra}
    space:
      training.optimizer.lr: { loguniform: [0.001, 0.1] }
      training.epochs: { int: [1, 3] }
  select: val_accuracy
  carry: [training.optimizer.lr]
`;
    const resolve = async (text: string) =>
      (await resolveExperiment(parseSpecSource(text, 'spec.yaml'), { registry: builtinRegistry() })).experiment;
    const first = await resolve(spec());
    const search = first.search!;
    assert.equal(search.strategy, 'random');
    assert.lengthOf(search.points, 4);
    assert.lengthOf(search.cells, 4);
    assert.equal(search.random?.seed, 7, "the spec's seed");
    const point = search.points[0];
    assert.equal(
      search.cells[0].label,
      `models.teacher.training.optimizer.lr=${point['training.optimizer.lr']}, models.teacher.training.epochs=${point['training.epochs']}`,
    );
    assert.equal(search.cells[0].config.models.teacher.training.epochs, point['training.epochs']);
    // The same spec draws the same points; a seed of its own draws others.
    assert.deepEqual((await resolve(spec())).search?.points, search.points);
    const reseeded = (await resolve(spec('\n    seed: 8'))).search!;
    assert.equal(reseeded.random?.seed, 8);
    assert.notDeepEqual(reseeded.points, search.points);
    assert.include(
      formatPlan(planRun(first)),
      'search (stage 1): teacher at 4 point(s) x 1 seed(s) = 4 teacher training(s): 4 point(s) drawn (seed 7) from training.optimizer.lr loguniform [0.001,0.1], training.epochs int [1,3]',
    );
    // The cells after each possible winner carry its learning rate.
    assert.equal(
      search.finals[2][0].config.models.student.training.optimizer.params.lr,
      search.points[2]['training.optimizer.lr'],
    );
  });
});
