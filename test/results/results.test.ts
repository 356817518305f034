// The results tables: CSV round trips and text tables (compare: compare.test.ts, merge: merge.test.ts).
import { assert } from 'chai';
import { parseCsvRows } from '../../src/shared/csv.js';
import { formatTable } from '../../src/results/table.js';

describe('results tables', () => {
  it('parses quoted CSV fields', () => {
    assert.deepEqual(parseCsvRows('a,b\r\n"x, y","say ""hi"""\n'), [['a', 'b'], ['x, y', 'say "hi"']]);
  });

  it('formats aligned text tables', () => {
    assert.equal(formatTable(['role', 'params'], [['teacher', 1501770], ['student', 109386]]), 'role        params\n-------  ---------\nteacher  1,501,770\nstudent    109,386');
  });
});
