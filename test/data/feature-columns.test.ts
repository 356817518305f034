// Categorical feature columns: categories in their documented order, the one-hot layout and its names, and
// standardisation that leaves a category's 0/1 features alone.
import { assert } from 'chai';
import {
  categoriesOf,
  createEncoder,
  encodedNames,
  knownValues,
  numericFeatures,
} from '../../src/data/feature-columns.js';
import { standardize } from '../../src/data/tabular.js';

describe('feature columns', () => {
  it('orders categories as text, or as numbers when every value is one ("1" and "1.0" one category)', () => {
    const cases: Array<[string[], string[]]> = [
      [
        ['red', 'blue', 'red', 'green'],
        ['blue', 'green', 'red'],
      ],
      [
        ['Zebra', 'apple', 'Apple'],
        ['Apple', 'Zebra', 'apple'],
      ],
      [
        ['10', '2', '1.0', '1', '2e0'],
        ['1', '2', '10'],
      ],
      [
        ['10', '2', 'x'],
        ['10', '2', 'x'],
      ],
    ];
    for (const [values, expected] of cases) assert.deepEqual(categoriesOf(values), expected, values.join(' '));
  });

  it('lays out one feature per numeric column and one per category, and finds each value', () => {
    const columns = [{ name: 'x' }, { name: 'color', categories: ['blue', 'green', 'red'] }, { name: 'size' }];
    const encoder = createEncoder(columns);
    assert.equal(encoder.width, 5);
    assert.deepEqual(encoder.offsets, [0, 1, 4]);
    assert.deepEqual(
      ['blue', 'green', 'red', 'purple', 'Red', ''].map((text) => encoder.category(1, text)),
      [0, 1, 2, -1, -1, -1],
    );
    assert.equal(encoder.category(0, '1'), -1, 'a numeric column has no categories');
    assert.deepEqual(encodedNames(columns), ['x', 'color=blue', 'color=green', 'color=red', 'size']);
    assert.deepEqual(numericFeatures(columns), [true, false, false, false, true]);
    // A headerless file's columns are called by their index in the file.
    assert.deepEqual(encodedNames([{}, { categories: ['a', 'b'] }], ['0', '3']), ['0', '3=a', '3=b']);
  });

  it('reads a numeric code as its category whatever its spelling', () => {
    const encoder = createEncoder([{ name: 'zip', categories: ['1', '2', '10'] }]);
    assert.deepEqual(
      ['1', '1.0', '+1', '10', '1e1', '3', 'one'].map((text) => encoder.category(0, text)),
      [0, 0, 0, 2, 2, -1, -1],
    );
  });

  it('lists at most 20 known values in a message', () => {
    assert.equal(knownValues(['a', 'b']), 'a, b');
    const many = Array.from({ length: 23 }, (_, i) => `v${i}`);
    assert.equal(knownValues(many), `${many.slice(0, 20).join(', ')} and 3 more`);
  });

  it("standardises numeric features with the training split's mean and std, and leaves one-hot features as they are", () => {
    // Features: a (numeric), c=blue, c=red (one-hot). Training a: 1, 3, 5, 7 (mean 4, population std sqrt(5)).
    const train = { x: Float32Array.from([1, 1, 0, 3, 0, 1, 5, 1, 0, 7, 0, 1]), y: new Int32Array(4), n: 4 };
    const test = { x: Float32Array.from([4, 0, 1]), y: new Int32Array(1), n: 1 };
    const input = standardize(train, [test], 3, [true, false, false]);
    const s = Math.sqrt(5);
    assert.deepEqual(input.shift, [4, 0, 0]);
    assert.deepEqual(input.scale, [1 / s, 1, 1]);
    const expected = [(1 - 4) / s, 1, 0, (3 - 4) / s, 0, 1, (5 - 4) / s, 1, 0, (7 - 4) / s, 0, 1];
    [...train.x].forEach((v, i) => assert.closeTo(v, expected[i], 1e-6, `train ${i}`));
    assert.deepEqual([...test.x], [0, 0, 1]);
  });
});
