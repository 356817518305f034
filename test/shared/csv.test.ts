// CSV text to rows that keep the line and column of every cell (for messages that point at a cell).
import { assert } from 'chai';
import { parseCsvText } from '../../src/shared/csv.js';

const shape = (text: string, delimiter = ',') =>
  parseCsvText(text, { delimiter, skipBlank: true }).rows.map((row) => ({
    line: row.line,
    cells: [...row.cells],
    cols: [...row.cols],
  }));
const cellLines = (text: string) => parseCsvText(text, { skipBlank: true }).rows.map((row) => [...row.lines]);

describe('CSV text with positions', () => {
  it('numbers lines and columns from 1, counting the blank lines it skips', () => {
    assert.deepEqual(shape('a,bb,c\n\n1,22,333\n  \n4,5,6'), [
      { line: 1, cells: ['a', 'bb', 'c'], cols: [1, 3, 6] },
      { line: 3, cells: ['1', '22', '333'], cols: [1, 3, 6] },
      { line: 5, cells: ['4', '5', '6'], cols: [1, 3, 5] },
    ]);
  });

  it('reads CRLF and CR line ends, another delimiter, and ignores a byte order mark', () => {
    assert.deepEqual(shape('\uFEFFa;b\r\n1;2\r3;4\r\n', ';'), [
      { line: 1, cells: ['a', 'b'], cols: [1, 3] },
      { line: 2, cells: ['1', '2'], cols: [1, 3] },
      { line: 3, cells: ['3', '4'], cols: [1, 3] },
    ]);
  });

  it('reads quoted cells with delimiters, doubled quotes and newlines, and counts the lines inside them', () => {
    assert.deepEqual(shape('name,note\n"a,b","say ""hi"""\n"two\nlines",x\nlast,y\n'), [
      { line: 1, cells: ['name', 'note'], cols: [1, 6] },
      { line: 2, cells: ['a,b', 'say "hi"'], cols: [1, 7] },
      { line: 3, cells: ['two\nlines', 'x'], cols: [1, 8] },
      { line: 5, cells: ['last', 'y'], cols: [1, 6] },
    ]);
    assert.deepEqual(cellLines('"two\nlines",x\n'), [[1, 2]], 'a cell after a quoted newline is on the next line');
  });

  it('keeps empty cells and a last line without a newline', () => {
    assert.deepEqual(shape('1,,3\n,5,'), [
      { line: 1, cells: ['1', '', '3'], cols: [1, 3, 4] },
      { line: 2, cells: ['', '5', ''], cols: [1, 2, 4] },
    ]);
  });

  it('reports where a quote opens that is never closed', () => {
    assert.deepEqual(parseCsvText('a,b\n1,"2\n3,4\n').unclosedQuote, { line: 2, col: 3 });
    assert.isUndefined(parseCsvText('a,"b"\n').unclosedQuote);
  });

  it('returns no rows for empty or blank text', () => {
    assert.deepEqual(parseCsvText('').rows, []);
    assert.deepEqual(parseCsvText('\n \n,,\n', { skipBlank: true }).rows, []);
  });

  it('keeps blank rows unless asked to skip them, and says how the text ended', () => {
    const parsed = parseCsvText('a,b\r\n"x\ny",1\n\n2,3');
    assert.deepEqual(
      parsed.rows.map((row) => [row.line, ...row.cells]),
      [
        [1, 'a', 'b'],
        [2, 'x\ny', '1'],
        [4, ''],
        [5, '2', '3'],
      ],
    );
    assert.isFalse(parsed.endsWithNewline);
    assert.isTrue(parseCsvText('a\n').endsWithNewline);
    assert.deepEqual(parseCsvText('a\n"open\n').unclosedQuote, { line: 2, col: 1 });
  });

  it('counts a CR line end inside a quoted cell as a line, as outside it', () => {
    assert.deepEqual(
      parseCsvText('"a\rb",c\rd,e\r').rows.map((row) => [row.line, ...row.cells, ...row.lines]),
      [
        [1, 'a\rb', 'c', 1, 2],
        [3, 'd', 'e', 3, 3],
      ],
    );
  });
});
