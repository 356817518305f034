// best: the winning cell per role by a metric's mean, oriented by the metric; clear refusals for bad input.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { findBest } from '../../src/results/best.js';
import { round } from '../../src/results/rows.js';
import { summarizeTable, summaryCsv } from '../../src/results/summary.js';
import { readTable } from '../../src/results/table-check.js';
import { distilRun } from '../cli-harness.js';
import { assertThrowsMessage } from '../helpers.js';

const HEADER = 'cell_id,distillation.temperature,cell,role,n,test_loss_mean,test_loss_std,test_loss_ci95,test_accuracy_mean,test_accuracy_std,test_accuracy_ci95,gain_n,gain_mean,gain_std,gain_ci95,gain_p,gain_metric\n';
// A sweep of the distillation: one teacher and one person shared by both cells (the same figures in each).
const SUMMARY = `${HEADER}a,2,distillation.temperature=2,teacher,3,0.20,0.01,0.02,0.95,0.01,0.02,,,,,,
a,2,distillation.temperature=2,student,3,0.30,0.01,0.02,0.91,0.01,0.02,3,0.01,0.01,0.02,0.3,accuracy
a,2,distillation.temperature=2,person,3,0.32,0.01,0.02,0.90,0.01,0.02,,,,,,
b,4,distillation.temperature=4,teacher,3,0.20,0.01,0.02,0.95,0.01,0.02,,,,,,
b,4,distillation.temperature=4,student,3,0.25,0.01,0.02,0.90,0.01,0.02,3,0.00,0.01,0.02,0.9,accuracy
b,4,distillation.temperature=4,person,3,0.32,0.01,0.02,0.90,0.01,0.02,,,,,,
`;
const higherIsBetter = (metric: string) => (metric === 'loss' || metric === 'mse' ? false : metric === 'accuracy' ? true : undefined);

function runDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-best-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** results.csv rows: per cell, the test accuracy of each role for seeds 1 and 2 (and the student's gain). */
function results(cells: Record<string, Record<string, [number, number]>>): string {
  const header = 'run_id,experiment,cell_id,cell,role,seed,params,test_accuracy,distillation_gain,gain_metric,status\n';
  const lines = Object.entries(cells).flatMap(([cell, roles]) =>
    [1, 2].flatMap((seed) =>
      Object.entries(roles).map(([role, values]) => {
        const gain = role === 'student' ? round(values[seed - 1] - roles.person[seed - 1]) : '';
        return `r,x,${cell},T=${cell},${role},${seed},10,${values[seed - 1]},${gain},${gain === '' ? '' : 'accuracy'},ok`;
      }),
    ),
  );
  return header + lines.join('\n') + '\n';
}

describe('best', () => {
  it('picks the highest accuracy and the lowest loss per role, from summary.csv', () => {
    const dir = runDir({ 'summary.csv': SUMMARY.replace('b,4,distillation.temperature=4,person,3,0.32', 'b,4,distillation.temperature=4,person,3,0.31') });
    const byAccuracy = findBest(dir, { higherIsBetter });
    assert.equal(byAccuracy.metric, 'test_accuracy');
    assert.deepEqual(byAccuracy.winners.map((w) => `${w.role}:${w.row.cell_id}`), ['teacher:a', 'student:a', 'person:a']);
    assert.equal(byAccuracy.text, [
      'role     cell_id  cell                                      test_accuracy  n',
      '-------  -------  ----------------------------------------  -------------  -',
      'teacher  (all 2)  the same model in every cell: not ranked  0.950 ± 0.020  3',
      'student  a        distillation.temperature=2                0.910 ± 0.020  3',
      'person   a        distillation.temperature=2                0.900 ± 0.020  3',
    ].join('\n'));
    assert.deepEqual(byAccuracy.notes, [
      `best by test_accuracy (higher is better) among 2 cell(s): mean over the ok seeds (± 95% interval) from ${path.join(dir, 'summary.csv')}`,
      'teacher: the same model in all 2 cells (the same figures in each): not ranked',
    ]);
    const byLoss = findBest(dir, { metric: 'test_loss', role: 'student', higherIsBetter });
    assert.deepEqual(byLoss.winners.map((w) => `${w.role}:${w.row.cell_id}:${w.mean}`), ['student:b:0.25']);
  });

  it('names no best among cells that share one model: a sweep of the distillation shares its teacher and person', () => {
    const dir = runDir({ 'summary.csv': SUMMARY });
    const best = findBest(dir, { higherIsBetter });
    assert.deepEqual(best.winners.map((w) => `${w.role}:${w.sameInEveryCell}:${w.cells.join('+')}`), ['teacher:true:a+b', 'student:false:a', 'person:true:a+b']);
    assert.equal(best.text.split('\n')[4], 'person   (all 2)  the same model in every cell: not ranked  0.900 ± 0.020  3');
    assert.include(best.notes, 'person: the same model in all 2 cells (the same figures in each): not ranked');
  });

  it("tells shared models by each seed's figures in results.csv, not by equal means", () => {
    // The person's means are equal in both cells, its seeds are not: two persons, ranked. The teacher is one.
    const table = results({
      a: { teacher: [0.95, 0.96], student: [0.91, 0.9], person: [0.9, 0.8] },
      b: { teacher: [0.95, 0.96], student: [0.92, 0.9], person: [0.8, 0.9] },
    });
    const dir = runDir({ 'results.csv': table });
    const best = findBest(dir, { higherIsBetter });
    assert.deepEqual(best.winners.map((w) => `${w.role}:${w.row.cell_id}:${w.sameInEveryCell}`), ['teacher:a:true', 'student:b:false', 'person:a:false']);
    assert.deepEqual(best.notes.slice(1), ['teacher: the same model in all 2 cells (the same figures for every seed in results.csv): not ranked']);
    // A summary.csv beside it gives the means; results.csv still tells the models apart.
    writeFileSync(path.join(dir, 'summary.csv'), summaryCsv(summarizeTable(readTable(path.join(dir, 'results.csv'))).columns, summarizeTable(readTable(path.join(dir, 'results.csv'))).rows));
    assert.deepEqual(findBest(dir, { higherIsBetter }).winners.map((w) => `${w.role}:${w.sameInEveryCell}`), ['teacher:true', 'student:false', 'person:false']);
    // Cells that share a teacher in groups: ranked among the groups, the winner's group named.
    const groups = runDir({
      'results.csv': results({
        a: { teacher: [0.95, 0.96], student: [0.91, 0.9], person: [0.9, 0.8] },
        b: { teacher: [0.97, 0.96], student: [0.92, 0.9], person: [0.9, 0.8] },
        c: { teacher: [0.97, 0.96], student: [0.92, 0.91], person: [0.9, 0.8] },
      }),
    });
    const grouped = findBest(groups, { role: 'teacher', higherIsBetter });
    assert.deepEqual(grouped.winners.map((w) => `${w.row.cell_id}:${w.cells.join('+')}:${w.sameInEveryCell}`), ['b:b+c:false']);
    assert.equal(grouped.text.split('\n')[2], 'teacher  b        T=b (+1 cell, the same model)  0.965 ± 0.064  2');
    assert.deepEqual(grouped.notes.slice(1), ['teacher: 2 distinct models among 3 cells (the same figures for every seed in results.csv): cells that share one are ranked as one']);
  });

  it('--metric gain ranks the cells by the paired gain over the person, higher is better whatever its metric', () => {
    const dir = runDir({ 'summary.csv': SUMMARY });
    const best = findBest(dir, { metric: 'gain', higherIsBetter });
    assert.equal(best.metric, 'gain');
    assert.deepEqual(best.winners.map((w) => [w.role, w.row.cell_id, w.mean, w.ci95, w.p]), [['student', 'a', 0.01, 0.02, 0.3]]);
    assert.equal(best.text, [
      'role     cell_id  cell                        gain                                               n',
      '-------  -------  --------------------------  -------------------------------------------------  -',
      'student  a        distillation.temperature=2  +0.010 ± 0.020 accuracy (not significant, p=0.30)  3',
    ].join('\n'));
    assert.deepEqual(best.notes, [
      `best by the gain (student - person on accuracy, paired per seed; positive = distillation helped) among 2 cell(s): mean over the seed pairs (n) ± 95% interval, with the paired t-test's p, from ${path.join(dir, 'summary.csv')}`,
    ]);
    // A gain on a lower-is-better metric is signed already: -0.01 beats -0.02.
    const mse = `${HEADER}a,2,T=2,student,3,0.3,0.01,0.02,0.9,0.01,0.02,3,-0.02,0.01,0.005,0.01,mse\nb,4,T=4,student,3,0.3,0.01,0.02,0.9,0.01,0.02,3,-0.01,0.01,0.005,0.04,mse\n`;
    const byGain = findBest(runDir({ 'summary.csv': mse }), { metric: 'gain', higherIsBetter });
    assert.deepEqual(byGain.winners.map((w) => `${w.row.cell_id}:${w.mean}`), ['b:-0.01']);
    assert.equal(byGain.text.split('\n')[2], 'student  b        T=4   -0.0100 ± 0.0050 mse (p=0.040)  3');
  });

  it('--metric gain of a one-seed run: each gain is a single draw; the notes give the command that repeats the run over seeds', () => {
    const one = `${HEADER}a,2,T=2,student,1,0.3,,,0.9,,,1,0.0027,,,,accuracy\nb,4,T=4,student,1,0.3,,,0.9,,,1,-0.005,,,,accuracy\n`;
    const argv = ['experiments/mnist.yaml', '--set', 'training.epochs=1', '--run-id', 'quick'];
    const manifest = JSON.stringify({ spec_file: 'experiments/mnist.yaml', attempts: [{ argv: ['old.yaml'] }, { argv }] });
    const dir = runDir({ 'summary.csv': one, 'manifest.json': manifest });
    const best = findBest(dir, { metric: 'gain', higherIsBetter });
    assert.equal(best.text.split('\n')[2], 'student  a        T=2   +0.0027 accuracy (single draw)  1');
    assert.deepEqual(best.notes.slice(1), [
      'one seed: the gain is a single draw, not a measured effect (another seed can change its size and its sign); to repeat the run over five seeds:',
      "  distil-run experiments/mnist.yaml --set training.epochs=1 --set 'seeds=[1,2,3,4,5]'",
    ]);
    // Without a manifest beside the summary: the command with a placeholder for the spec.
    const bare = findBest(runDir({ 'summary.csv': one }), { metric: 'gain', higherIsBetter });
    assert.equal(bare.notes[2], "  distil-run <spec.yaml> --set 'seeds=[1,2,3,4,5]'");
    // Ranked by a metric, no gain is printed: nothing to say.
    assert.lengthOf(findBest(dir, { metric: 'accuracy', higherIsBetter }).notes, 1);
  });

  it('refuses --metric gain for another role, and a table without the gain', () => {
    const dir = runDir({ 'summary.csv': SUMMARY });
    assertThrowsMessage(() => findBest(dir, { metric: 'gain', role: 'teacher', higherIsBetter }), '--role: the gain is the student\'s (student - person): give --role student, or leave --role out');
    assertThrowsMessage(() => findBest(dir, { metric: 'gian', higherIsBetter }), `--metric: ${path.join(dir, 'summary.csv')} has no metric "gian" (Did you mean "gain"? it has test_loss, test_accuracy, gain)`);
    const noGain = runDir({ 'summary.csv': 'cell_id,cell,role,n,test_accuracy_mean,test_accuracy_std,test_accuracy_ci95\na,,student,1,0.9,,\n' });
    assertThrowsMessage(() => findBest(noGain, { metric: 'gain', higherIsBetter }), `--metric: ${path.join(noGain, 'summary.csv')} has no metric "gain" (it has test_accuracy)`);
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
    assertThrowsMessage(() => findBest(dir, { metric: 'test_acuracy', higherIsBetter }), `--metric: ${path.join(dir, 'summary.csv')} has no metric "test_acuracy" (Did you mean "test_accuracy"? it has test_loss, test_accuracy, gain)`);
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
