// readTable: every way a results or history table can be cut short, damaged or not a distil-run table.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { readCsv } from '../../src/results/csv.js';
import { DistilError } from '../../src/errors/index.js';
import { readTable } from '../../src/results/table-check.js';
import { BASELINE, HISTORY_HEADER, RESULTS_HEADER, history, line, result, results, table } from './table-fixtures.js';
import { assertThrowsMessage } from '../helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-table-'));
let count = 0;
/** Writes `text` to a fresh file in the temporary directory and returns its path. */
function file(text: string): string {
  const name = path.join(dir, `t${count++}.csv`);
  writeFileSync(name, text);
  return name;
}

/** The message readTable refuses `text` with, `{file}` standing for the file's path. */
function refusal(text: string): string {
  const name = file(text);
  try {
    readTable(name);
  } catch (error) {
    assert.instanceOf(error, DistilError);
    assert.equal((error as DistilError).exitCode, 2);
    return (error as DistilError).message.replaceAll(name, '{file}');
  }
  return assert.fail('accepted');
}

const CUT = '(the file may be cut short; re-run or resume the run)';
const DAMAGED = '(the file may be damaged; re-run the run)';
const student = line(RESULTS_HEADER, result('student', { status: 'failed', error: 'a, b' }));

describe('readTable', () => {
  it('reads a results table and a history table, with line numbers (a quoted field may span lines)', () => {
    const text = results(result('teacher', { status: 'failed', error: 'line one\nline two' }), result('student'));
    const checked = readTable(file(text));
    assert.equal(checked.kind, 'results');
    assert.deepEqual(checked.rows.map((r) => [r.line, r.record.role, r.record.error]), [[2, 'teacher', 'line one\nline two'], [4, 'student', '']]);
    assert.equal(readTable(file(table(HISTORY_HEADER, history({}, 3)))).kind, 'history');
  });

  it('accepts a header-only table (a shard without cells), CRLF line ends, a byte-order mark and a blank last line', () => {
    assert.deepEqual(readTable(file(results())).rows, []);
    assert.equal(readTable(file(`\uFEFF${BASELINE.replaceAll('\n', '\r\n')}\n`)).rows.length, 3);
  });

  const refused: ReadonlyArray<readonly [string, string, string]> = [
    ['an empty file', '', `{file}: empty file, expected a header line ${CUT}`],
    ['a header cut short', 'run_id,experiment,cell_id,cell,role,seed', "{file}:1: not a distil-run results table: missing columns status (expected the header of a run's results.csv or history.csv)"],
    ['a complete header without its newline', RESULTS_HEADER.join(','), `{file}:1: the header line does not end with a newline, so it may be cut short ${CUT}`],
    ['a column twice', 'run_id,run_id\n', `{file}:1: column "run_id" appears twice in the header ${DAMAGED}`],
    ['a history header without epoch rows', 'run_id,epoch\n', "{file}:1: not a distil-run history table: missing columns cell_id, role (expected the header of a run's results.csv or history.csv)"],
    ['a last row cut mid-row', BASELINE.slice(0, -40), `{file}:4: row has 10 fields, the header has 20 ${CUT}`],
    ['a row with too many fields in the middle (a cut row glued to the next)', results(result('teacher')).trimEnd() + BASELINE.split('\n')[2] + '\n' + line(RESULTS_HEADER, result('person')),
      '{file}:2: row has 39 fields, the header has 20 (the line may be damaged, e.g. by a crash before a resume; re-run the run or delete the line)'],
    ['a last line without its newline', BASELINE.trimEnd(), '{file}:4: the last line does not end with a newline, so it may be cut short (re-run or resume the run; if you edited the file by hand, end it with a newline)'],
    ['a quoted field left open', results(result('teacher')) + student.slice(0, -4), `{file}:3: a quoted field is not closed before the end of the file ${CUT}`],
    ['a repeated header', BASELINE + BASELINE, '{file}:5: the header line is repeated inside the table (were two tables concatenated? combine them with distil-run merge)'],
    ['an unknown status', results(result('teacher', { status: 'o' })), `{file}:2: status is "o", expected ok, failed, skipped or interrupted ${DAMAGED}`],
    ['a number cut short', results(result('teacher', { test_loss: '1e' })), `{file}:2: test_loss is "1e", not a number ${DAMAGED}`],
    ['a word in a numeric column', results(result('teacher', { params: 'many' })), `{file}:2: params is "many", not a number ${DAMAGED}`],
    ['a history epoch that is not a number', table(HISTORY_HEADER, history({ epoch: 'x' }, 1)), `{file}:2: epoch is "x", not a number ${DAMAGED}`],
  ];
  for (const [name, text, message] of refused) {
    it(`refuses ${name}`, () => assert.equal(refusal(text), message));
  }

  it('reads NaN and infinities the runner may write as numbers', () => {
    assert.equal(readTable(file(results(result('teacher', { test_loss: 'NaN', distillation_gain: '-Infinity' })))).rows.length, 1);
  });

  it('names a missing file and a directory', () => {
    assertThrowsMessage(() => readTable(path.join(dir, 'nope.csv')), `${path.join(dir, 'nope.csv')}: no such file (check the path; a run writes results/<experiment>/<run-id>/results.csv)`);
    assertThrowsMessage(() => readTable(dir), `${dir}: is a directory (pass the results.csv or history.csv inside it)`);
  });

  it('refuses a device before reading it (/dev/zero would be read until memory runs out)', () => {
    assertThrowsMessage(
      () => readTable('/dev/null'),
      '/dev/null: is a character device, not a regular file (pass a results.csv or history.csv)',
    );
    assertThrowsMessage(() => readCsv('/dev/null'), '/dev/null: is a character device, not a regular file (give the path of a results table)');
  });
});
