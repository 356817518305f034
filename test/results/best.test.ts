// best: the winning cell per role by a metric's mean, oriented by the metric; clear refusals for bad input.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { findBest } from '../../src/results/best.js';
import { distilRun } from '../cli-harness.js';
import { assertThrowsMessage } from '../helpers.js';

const HEADER = 'cell_id,distillation.temperature,cell,role,n,test_loss_mean,test_loss_std,test_loss_ci95,test_accuracy_mean,test_accuracy_std,test_accuracy_ci95,gain_n,gain_mean,gain_std,gain_ci95,gain_p,gain_metric\n';
const SUMMARY = `${HEADER}a,2,distillation.temperature=2,student,3,0.30,0.01,0.02,0.91,0.01,0.02,3,0.01,0.01,0.02,0.3,accuracy
a,2,distillation.temperature=2,person,3,0.32,0.01,0.02,0.90,0.01,0.02,,,,,,
b,4,distillation.temperature=4,student,3,0.25,0.01,0.02,0.90,0.01,0.02,3,0.00,0.01,0.02,0.9,accuracy
b,4,distillation.temperature=4,person,3,0.32,0.01,0.02,0.90,0.01,0.02,,,,,,
`;
const higherIsBetter = (metric: string) => (metric === 'loss' ? false : metric === 'accuracy' ? true : undefined);

function runDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-best-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('best', () => {
  it('picks the highest accuracy and the lowest loss per role, from summary.csv', () => {
    const dir = runDir({ 'summary.csv': SUMMARY });
    const byAccuracy = findBest(dir, { higherIsBetter });
    assert.equal(byAccuracy.metric, 'test_accuracy');
    assert.deepEqual(byAccuracy.winners.map((w) => `${w.role}:${w.row.cell_id}`), ['student:a', 'person:a']);
    assert.equal(byAccuracy.text, [
      'role     cell_id  cell                        test_accuracy  n',
      '-------  -------  --------------------------  -------------  -',
      'student  a        distillation.temperature=2  0.91 ± 0.02    3',
      'person   a        distillation.temperature=2  0.9 ± 0.02     3',
    ].join('\n'));
    assert.equal(byAccuracy.notes[0], `best by test_accuracy (higher is better) among 2 cell(s): mean over the ok seeds (± 95% interval) from ${path.join(dir, 'summary.csv')}`);
    const byLoss = findBest(dir, { metric: 'test_loss', role: 'student', higherIsBetter });
    assert.deepEqual(byLoss.winners.map((w) => `${w.role}:${w.row.cell_id}:${w.mean}`), ['student:b:0.25']);
  });

  it('summarizes results.csv when the run has no summary.csv', () => {
    const header = 'run_id,experiment,cell_id,cell,role,seed,test_accuracy,distillation_gain,gain_metric,status\n';
    const dir = runDir({ 'results.csv': `${header}r,x,a,,student,1,0.8,,,ok\nr,x,a,,student,2,0.9,,,ok\n` });
    const best = findBest(dir, { metric: 'accuracy', higherIsBetter });
    assert.deepEqual(best.winners.map((w) => [w.role, w.mean]), [['student', 0.85]]);
    assert.equal(best.notes[0], `best by test_accuracy (higher is better) among 1 cell(s): mean over the ok seeds (± 95% interval) from ${path.join(dir, 'results.csv')}`);
  });

  it('refuses an unknown metric, an unknown role and a missing or empty run directory', () => {
    const dir = runDir({ 'summary.csv': SUMMARY });
    assertThrowsMessage(() => findBest(dir, { metric: 'test_acuracy', higherIsBetter }), `--metric: ${path.join(dir, 'summary.csv')} has no metric "test_acuracy" (Did you mean "test_accuracy"? it has test_loss, test_accuracy)`);
    assertThrowsMessage(() => findBest(dir, { role: 'pupil', higherIsBetter }), '--role: expected one of teacher, student, person, got "pupil"');
    assertThrowsMessage(() => findBest(path.join(dir, 'nope'), { higherIsBetter }), `${path.join(dir, 'nope')}: no such run directory (a run writes results/<experiment>/<run-id>/)`);
    const sharded = runDir({});
    mkdirSync(path.join(sharded, 'shard-1-of-2'));
    assertThrowsMessage(() => findBest(sharded, { higherIsBetter }), `${sharded}: holds no summary.csv or results.csv (a sharded run keeps its tables in shard-1-of-2/...: pass a shard directory, or merge the shards' results.csv and run distil-run summarize on the merged table)`);
  });

  it('refuses (exit 2, naming the file) a run directory whose results.csv is another kind of table', () => {
    const history = 'run_id,cell_id,role,seed,epoch,train_loss,seconds,samples_per_sec,test_loss,test_accuracy\nr,a,student,1,1,0.5,0.1,100,0.3,0.9\n';
    const cases: ReadonlyArray<readonly [string, string]> = [['history', history], ['summary', SUMMARY]];
    assert.lengthOf(cases, 2);
    for (const [kind, text] of cases) {
      const dir = runDir({ 'results.csv': text });
      const file = path.join(dir, 'results.csv');
      const { code, stdout, stderr } = distilRun(['best', dir]);
      assert.equal(stderr, `distil-run: ${file}: is a ${kind} table, not a results table (best reads the results.csv a run writes: restore the run's own table there)\n`);
      assert.equal(code, 2);
      assert.equal(stdout, '');
    }
  });
});
