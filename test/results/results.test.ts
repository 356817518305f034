// The results tables: appended rows, CSV round trips, compare with thresholds, merge of shards.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { parseCsvRows, readCsv } from '../../src/results/csv.js';
import { compareResults, mergeResults } from '../../src/results/compare.js';
import { RunWriter } from '../../src/results/writer.js';
import { formatTable } from '../../src/results/table.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'distil-results-'));

describe('results tables', () => {
  it('parses quoted CSV fields', () => {
    assert.deepEqual(parseCsvRows('a,b\r\n"x, y","say ""hi"""\n'), [['a', 'b'], ['x, y', 'say "hi"']]);
  });

  it('compares two tables, orienting each metric, and flags regressions beyond the threshold', () => {
    const dir = tmp();
    const header = 'run_id,cell_id,cell,role,test_loss,test_accuracy,status\n';
    writeFileSync(path.join(dir, 'a.csv'), `${header}a,x,,teacher,0.30,0.950,ok\na,x,,student,0.40,0.900,ok\n`);
    writeFileSync(path.join(dir, 'b.csv'), `${header}b,y,,teacher,0.20,0.960,ok\nb,y,,student,0.50,0.880,ok\nb,y,,person,0.5,0.87,ok\n`);
    const orientation = (metric: string) => (metric === 'loss' ? false : true);
    const comparison = compareResults(path.join(dir, 'a.csv'), path.join(dir, 'b.csv'), { maxRegression: 0.01, higherIsBetter: orientation });
    const byKey = Object.fromEntries(comparison.deltas.map((d) => [`${d.role}/${d.metric}`, Number(d.improvement.toFixed(6))]));
    assert.deepEqual(byKey, { 'teacher/loss': 0.1, 'teacher/accuracy': 0.01, 'student/loss': -0.1, 'student/accuracy': -0.02 });
    assert.deepEqual(comparison.regressions.map((d) => `${d.role}/${d.metric}`), ['student/loss', 'student/accuracy']);
    assert.deepEqual(comparison.unmatched, ['/person']);
    assert.include(comparison.text, 'REGRESSED');
  });

  it('merges shard tables, unioning columns', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, '1.csv'), 'run_id,cell_id,role,test_accuracy\nr,a,teacher,0.9\n');
    writeFileSync(path.join(dir, '2.csv'), 'run_id,cell_id,role,test_accuracy,test_loss\nr,b,teacher,0.8,0.5\nr,a,teacher,0.91,0.4\n');
    const merged = mergeResults([path.join(dir, '1.csv'), path.join(dir, '2.csv')]);
    assert.equal(merged.rows, 2);
    assert.deepEqual(parseCsvRows(merged.csv).filter((r) => r.length > 1), [
      ['run_id', 'cell_id', 'role', 'test_accuracy', 'test_loss'],
      ['r', 'a', 'teacher', '0.91', '0.4'],
      ['r', 'b', 'teacher', '0.8', '0.5'],
    ]);
  });

  it('formats aligned text tables', () => {
    assert.equal(formatTable(['role', 'params'], [['teacher', 1501770], ['student', 109386]]), 'role        params\n-------  ---------\nteacher  1,501,770\nstudent    109,386');
  });
});
