// Which cells' rows of a role are one model: the same figures for every seed; rows without figures never are.
import { assert } from 'chai';
import { oneModel, sameModelCells } from '../../src/results/same-model.js';

type Rows = Array<Record<string, string>>;
const row = (cell: string, seed: string, accuracy: string, status = 'ok'): Record<string, string> => ({
  cell_id: cell,
  role: 'teacher',
  seed,
  params: '10',
  test_accuracy: accuracy,
  status,
});

describe('same model', () => {
  const cases: ReadonlyArray<readonly [string, Rows, string[][]]> = [
    ['the same figures for every seed', [row('a', '1', '0.9'), row('a', '2', '0.8'), row('b', '1', '0.9'), row('b', '2', '0.8')], [['a', 'b']]],
    ['another figure on one seed', [row('a', '1', '0.9'), row('a', '2', '0.8'), row('b', '1', '0.9'), row('b', '2', '0.7')], [['a'], ['b']]],
    ['the same figures on other seeds', [row('a', '1', '0.9'), row('b', '2', '0.9')], [['a'], ['b']]],
    ['failed rows (no figures to tell)', [row('a', '1', '', 'failed'), row('b', '1', '', 'failed')], [['a'], ['b']]],
    ['a seed that failed in one cell', [row('a', '1', '0.9'), row('a', '2', '', 'failed'), row('b', '1', '0.9'), row('b', '2', '', 'failed')], [['a'], ['b']]],
    ['groups of cells', [row('a', '1', '0.9'), row('b', '1', '0.8'), row('c', '1', '0.9'), row('d', '1', '0.8')], [['a', 'c'], ['b', 'd']]],
  ];

  it('groups cells whose rows of the role have the same figures for every seed', () => {
    assert.lengthOf(cases, 6);
    for (const [name, rows, expected] of cases) {
      const groups = sameModelCells(rows, 'teacher', (r) => String(r.cell_id), false);
      assert.deepEqual([...new Set(groups.values())], expected, name);
    }
  });

  it('one model in every cell needs two cells or more, all in one group', () => {
    const groups = sameModelCells(cases[0][1], 'teacher', (r) => String(r.cell_id), false);
    assert.isTrue(oneModel(groups, ['a', 'b']));
    assert.isFalse(oneModel(groups, ['a']));
    const apart = sameModelCells(cases[1][1], 'teacher', (r) => String(r.cell_id), false);
    assert.isFalse(oneModel(apart, ['a', 'b']));
  });

  it('tells models of a summary by their means and spreads', () => {
    const summary = (cell: string, mean: string, n = '3') => ({ cell_id: cell, role: 'person', n, test_accuracy_mean: mean, test_accuracy_std: '0.01' });
    const groups = sameModelCells([summary('a', '0.9'), summary('b', '0.9'), summary('c', '0.8'), summary('d', '', '0')], 'person', (r) => String(r.cell_id), true);
    assert.deepEqual([...new Set(groups.values())], [['a', 'b'], ['c'], ['d']]);
  });
});
