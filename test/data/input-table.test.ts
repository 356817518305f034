// predict's input file: columns taken by header name (any order, others ignored) or in order, categories one-hot,
// and every refusal at its place.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { readInputRows } from '../../src/data/input-table.js';
import { assertThrowsMessage } from '../helpers.js';

const COLUMNS = [{ name: 'x' }, { name: 'color', categories: ['blue', 'green', 'red'] }, { name: 'size' }];
const SHAPE = { features: 5, columns: COLUMNS };

describe('predict input rows', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-input-'));
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('takes the columns by header name in any order, ignoring the others, and one-hot encodes a category', () => {
    const exact = readInputRows(file('exact.csv', 'x,color,size\n0.5,red,2\n-1,blue,3\n'), SHAPE);
    assert.deepEqual([...exact.values], [0.5, 0, 0, 1, 2, -1, 1, 0, 0, 3]);
    assert.deepEqual(exact.lines, [2, 3]);
    assert.equal(exact.selection, 'names');
    const shuffled = readInputRows(
      file('shuffled.csv', 'label,size, color ,id,x,note\ncat,2,red,7,0.5,"a, b"\ndog,3,blue,8,-1,\n'),
      SHAPE,
    );
    assert.deepEqual([...shuffled.values], [...exact.values]);
    assert.deepEqual(shuffled.lines, [2, 3]);
  });

  it('reads rows without a header in the training order; a row of numbers and known categories is data', () => {
    const rows = readInputRows(file('headerless.csv', '0.5,red,2\n-1,blue,3\n'), SHAPE);
    assert.deepEqual([...rows.values], [0.5, 0, 0, 1, 2, -1, 1, 0, 0, 3]);
    assert.deepEqual(rows.lines, [1, 2]);
    assert.equal(rows.selection, 'positions');
  });

  it('keeps the positional rule for a model without recorded columns, a header line skipped', () => {
    const shape = { features: 3 };
    const withHeader = readInputRows(file('old.csv', 'a,b,c\n1,2,3\n4,5,6\n'), shape);
    assert.deepEqual([...withHeader.values], [1, 2, 3, 4, 5, 6]);
    assert.equal(withHeader.selection, 'positions');
    assert.deepEqual([...readInputRows(file('old2.csv', '1,2,3\n'), shape).values], [1, 2, 3]);
    const f = file('old-wide.csv', 'a,b,c,d\n1,2,3,4\n');
    assertThrowsMessage(
      () => readInputRows(f, shape),
      `${f}:2:1 row has 4 values, the model takes 3 features (the model does not record its feature columns' names, so a header line is skipped and the columns taken in order: give the features in the order the model was trained on, one row per line)`,
      { code: 'INPUT_FILE_ERROR', exitCode: 2 },
    );
  });

  it('refuses a header without a feature column, naming the missing ones and the columns the model takes', () => {
    const f = file('missing.csv', 'size,id\n2,1\n');
    assertThrowsMessage(
      () => readInputRows(f, SHAPE),
      `${f}:1:1 the header has no columns "x", "color": the model was trained on x, color, size (add the missing column(s); the header may name the columns in any order, and other columns are ignored)`,
      { code: 'INPUT_FILE_ERROR', exitCode: 2 },
    );
    const twice = file('twice.csv', 'x,color,size,x\n1,red,2,3\n');
    assertThrowsMessage(
      () => readInputRows(twice, SHAPE),
      `${twice}:1:14 the header has column "x" twice (columns 1 and 4) (rename or remove one of them)`,
    );
  });

  it('refuses an unknown category, a bad number and a ragged row at their line and column', () => {
    const cases: Array<[string, (f: string) => string]> = [
      [
        'x,color,size\n1,red,2\n1,purple,2\n',
        (f) =>
          `${f}:3:3 column "color": "purple" is not a category the model was trained on (it knows blue, green, red) (give one of those values; a model cannot encode a category its training data did not have)`,
      ],
      [
        'x,color,size\n1,,2\n',
        (f) => `${f}:2:3 column "color": empty cell (give one of the column's categories: blue, green, red)`,
      ],
      [
        'color,x,size\nred,1,big\n',
        (f) => `${f}:2:7 column "size": "big" is not a number (every feature value must be a number)`,
      ],
      [
        'x,color,size,id\n1,red,2\n',
        (f) =>
          `${f}:2:1 row has 3 values, the header (line 1) has 4 (give every row a value for each column of the header)`,
      ],
      [
        'x,color,size\n',
        (f) =>
          `${f}: the file has a header line but no rows to predict (write one row of 3 column values (x, color, size) per line)`,
      ],
    ];
    cases.forEach(([text, message], i) => {
      const f = file(`bad-${i}.csv`, text);
      assertThrowsMessage(() => readInputRows(f, SHAPE), message(f), { code: 'INPUT_FILE_ERROR', exitCode: 2 });
    });
  });
});
