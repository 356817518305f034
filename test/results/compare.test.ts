// compareResults: metric changes oriented per metric, results lost in b, thresholds, and tables that cannot be compared.
import { assert } from 'chai';
import { BASELINE, CELL, compareTexts, result, results, RESULTS_HEADER, roles, table } from './table-fixtures.js';
import { assertThrowsMessage, builtinRegistry } from '../helpers.js';

const compare = compareTexts;

const failed = (role: string, status = 'failed', error = '') => result(role, { status, test_loss: '', test_accuracy: '', error });

describe('compareResults', () => {
  it("orients the count and per-class metrics by the registry's facts: fewer errors and a higher class accuracy are better", () => {
    const columns = [...RESULTS_HEADER.slice(0, -6), 'test_errors', 'test_accuracy_class_3', ...RESULTS_HEADER.slice(-6)];
    const side = (errors: number, class3: number) => table(columns, [result('teacher', { test_errors: errors, test_accuracy_class_3: class3 })]);
    const registry = builtinRegistry();
    const comparison = compare(side(74, 0.98), side(67, 0.97), { higherIsBetter: (m) => registry.higherIsBetter(m), maxRegression: 0.005 });
    const byMetric = Object.fromEntries(comparison.deltas.map((d) => [d.metric, Number(d.improvement.toFixed(6))]));
    assert.deepEqual(byMetric, { loss: 0, accuracy: 0, errors: 7, accuracy_class_3: -0.01 });
    assert.deepEqual(comparison.regressions.map((d) => d.metric), ['accuracy_class_3']);
    assert.match(comparison.text, /^distillation\.temperature=2\s+teacher\s+errors\s+74\s+67\s+\+7\s+ok$/m);
  });

  it('orients each metric and flags changes beyond the threshold', () => {
    const comparison = compare(BASELINE, results(result('teacher', { test_loss: 0.2, test_accuracy: 0.96 }), result('student', { test_loss: 0.5, test_accuracy: 0.88 }), result('person')), { maxRegression: 0.01 });
    const byKey = Object.fromEntries(comparison.deltas.map((d) => [`${d.role}/${d.metric}`, Number(d.improvement.toFixed(6))]));
    assert.deepEqual(byKey, { 'teacher/loss': 0.1, 'teacher/accuracy': 0.01, 'student/loss': -0.1, 'student/accuracy': -0.02, 'person/loss': 0, 'person/accuracy': 0 });
    assert.deepEqual(comparison.regressions.map((d) => `${d.role}/${d.metric}`), ['student/loss', 'student/accuracy']);
    assert.isTrue(comparison.failed);
    assert.equal(comparison.verdict, '2 regression(s): 2 metric value(s) worse by more than 0.01');
    assert.match(comparison.text, /^distillation\.temperature=2\s+student\s+loss\s+0\.4\s+0\.5\s+-0\.1\s+REGRESSED$/m);
  });

  it('does not count a change equal to the threshold as beyond it (0.94 - 0.95 is -0.010000000000000009 in floats)', () => {
    const comparison = compare(BASELINE, results(result('teacher', { test_accuracy: 0.94 }), result('student'), result('person')), { maxRegression: 0.01 });
    assert.deepEqual(comparison.regressions, []);
    assert.isFalse(comparison.failed);
  });

  it('counts failed, skipped, interrupted and missing rows of b that were ok in a as regressions', () => {
    const b = results(failed('teacher', 'interrupted'), failed('student', 'skipped', 'teacher failed'));
    const comparison = compare(results(...roles(), result('person', { cell: 'x', cell_id: 'c2' })), b, { maxRegression: 0.5 });
    assert.deepEqual(comparison.lost.map((l) => `${l.role}: ${l.reason}`), [
      'teacher: interrupted in b, ok in a', 'student: skipped in b, ok in a (teacher failed)', 'person: missing in b, ok in a', 'person: missing in b, ok in a',
    ]);
    assert.equal(comparison.rowsCompared, 2);
    assert.isTrue(comparison.failed);
    assert.equal(comparison.verdict, '4 regression(s): 4 row(s) failed, skipped, interrupted or missing in b');
  });

  it('flattens a multi-line error into one note line', () => {
    const comparison = compare(BASELINE, results(result('teacher'), failed('student', 'failed', 'loss is NaN\n  at epoch 3'), result('person')));
    assert.include(comparison.notes, `cell "${CELL}", role student: failed in b, ok in a (loss is NaN at epoch 3)`);
  });

  it('reports, without a threshold, lost rows as a warning and does not fail', () => {
    const comparison = compare(BASELINE, results(result('teacher')));
    assert.isFalse(comparison.failed);
    assert.equal(comparison.verdict, 'warning: RESULTS_LOST: 2 row(s) ok in a are failed, skipped, interrupted or missing in b (pass --max-regression to fail on this)');
  });

  it('notes a row that failed in a and is ok in b, and rows of one table only, without failing', () => {
    const a = results(result('teacher'), failed('student'), failed('person', 'skipped'));
    const comparison = compare(a, results(result('teacher'), result('student'), result('teacher', { cell: 'y', cell_id: 'c3' })), { maxRegression: 0 });
    assert.isFalse(comparison.failed);
    assert.deepEqual(comparison.notes, [
      `cell "${CELL}", role student: ok in b, failed in a`,
      `cell "${CELL}", role person: only in a (skipped there)`,
      'cell "y", role teacher: only in b',
      'compared 2 row(s) and 2 metric value(s) (loss, accuracy); change = b - a, positive = better',
    ]);
    assert.deepEqual(comparison.unmatched, [`${CELL}/person`, 'y/teacher']);
  });

  it('counts an empty or NaN metric in an ok row of b as lost', () => {
    const comparison = compare(BASELINE, results(result('teacher', { test_accuracy: '' }), result('student', { test_loss: 'NaN' }), result('person')), { maxRegression: 0.01 });
    assert.deepEqual(comparison.lost.map((l) => `${l.role} ${l.metric}: ${l.reason}`), ['teacher accuracy: accuracy is empty in b, 0.95 in a', 'student loss: loss is NaN in b, 0.4 in a']);
    assert.equal(comparison.verdict, '2 regression(s): 2 metric value(s) empty or not a number in b');
  });

  it('pairs by seed when a table holds several seeds: the seeds both have, a seed ok in a and missing in b lost', () => {
    const a = results(...roles(), ...roles({ seed: 7, test_accuracy: 0.5 }));
    const comparison = compare(a, results(...roles({ seed: 7, test_accuracy: 0.5 })));
    assert.equal(comparison.kind, 'paired');
    assert.deepEqual(comparison.lost.map((l) => `${l.seed}/${l.role}`), ['42/teacher', '42/student', '42/person']);
    assert.deepEqual(comparison.deltas.filter((d) => d.metric === 'accuracy').map((d) => d.improvement), [0, 0, 0]);
    assert.match(comparison.text, /^cell\s+role\s+metric\s+a\s+b\s+change\s+noise\s+p\s+check$/m);
    assert.match(comparison.scope, /paired by seed over the 1 seed\(s\) both runs have \(7\)/);
  });

  it('says when each table holds one seed and they differ', () => {
    const comparison = compare(BASELINE, results(...roles({ seed: 7 })));
    assert.equal(comparison.kind, 'results');
    assert.include(comparison.notes, "one seed each, not the same (a.csv seed 42, b.csv seed 7): the changes include the seeds' noise");
  });

  it('notes metric columns only one table has, and metrics of unknown orientation', () => {
    const header = [...RESULTS_HEADER.slice(0, 14), 'test_top2', ...RESULTS_HEADER.slice(14)];
    const comparison = compare(table(header, roles({ test_top2: 0.99 })), BASELINE);
    assert.include(comparison.notes, 'metric column(s) only in a.csv: test_top2 (not compared)');
    const both = compare(table(header, roles({ test_top2: 0.99 })), table(header, roles({ test_top2: 0.98 })));
    assert.include(both.notes, 'metric "top2" is not a registered metric: higher is taken as better');
  });

  it('matches rows by their exact grid values, not their labels, which depend on the other entries and the version', () => {
    // An earlier version labelled the cell with the JSON; a grid with a second kd entry labels it kd(temperature=2).
    const header = [...RESULTS_HEADER.slice(0, 4), 'distillation', ...RESULTS_HEADER.slice(4)];
    const kd = '{"name":"kd","temperature":2}';
    const a = table(header, roles({ distillation: kd, cell: `distillation=${kd}` }));
    const b = table(header, [
      ...roles({ distillation: kd, cell: 'distillation=kd(temperature=2)', test_accuracy: 0.97 }),
      ...roles({ distillation: '{"name":"kd","temperature":4}', cell: 'distillation=kd(temperature=4)', cell_id: 'c2' }),
    ]);
    const comparison = compare(a, b, { maxRegression: 0.01 });
    assert.equal(comparison.rowsCompared, 3);
    assert.deepEqual(comparison.lost, []);
    assert.deepEqual(comparison.onlyIn.b.map((k) => `${k.cell}/${k.role}`), ['distillation=kd(temperature=4)/teacher', 'distillation=kd(temperature=4)/student', 'distillation=kd(temperature=4)/person']);
    assert.deepEqual(comparison.deltas.filter((d) => d.metric === 'accuracy').map((d) => Number(d.improvement.toFixed(6))), [0.02, 0.07, 0.08]);
    // Rows without grid values (a search point's, or a run without a grid) are still matched by their cell.
    const search = table(header, [result('teacher', { cell: 'models.teacher.training.epochs=2', distillation: '' }), result('teacher', { cell: 'models.teacher.training.epochs=3', cell_id: 'c9', distillation: '' })]);
    assert.equal(compare(search, search).rowsCompared, 2);
  });

  const refused: ReadonlyArray<readonly [string, string, string, string]> = [
    ['no metric in common', BASELINE, table(RESULTS_HEADER.filter((c) => !c.startsWith('test_')), roles()),
      'no metric in common: a.csv has test_loss, test_accuracy; b.csv has none (compare runs that record the same metrics)'],
    ['no role in common (same cells)', results(result('teacher')), results(result('student')),
      'no row in common: a.csv and b.csv share no cell and role (a.csv has role(s) "teacher"; b.csv has "student") (compare runs of the same grid)'],
    ['a run without a grid and a run of a grid point', results(...roles({ cell: '' })), BASELINE,
      'no row in common: a.csv and b.csv share no cell and role (a.csv has the one cell of a spec without a grid; b.csv has cell(s) "distillation.temperature=2") (compare runs of the same grid)'],
    ['a grid point and a run without a grid', BASELINE, results(...roles({ cell: '' })),
      'no row in common: a.csv and b.csv share no cell and role (a.csv has cell(s) "distillation.temperature=2"; b.csv has the one cell of a spec without a grid) (compare runs of the same grid)'],
    ['a run of a grid point and a merge with a run without a grid', results(...roles({ cell: 'T=8' })), results(...roles(), ...roles({ cell: '', cell_id: 'c0' })),
      'no row in common: a.csv and b.csv share no cell and role (a.csv has cell(s) "T=8"; b.csv has "distillation.temperature=2", the one cell of a spec without a grid) (compare runs of the same grid)'],
    ['two runs in one table with the same cell and role', results(...roles(), result('student', { run_id: 'r2' })), BASELINE,
      'a.csv:5: cell "distillation.temperature=2", role student appears again, from run "r2" (first from run "r1" on line 3) (compare one run per table: pass each run\'s own results.csv)'],
    ['different experiments', BASELINE, results(...roles({ experiment: 'housing' })),
      'cannot compare different experiments: a.csv is "mnist", b.csv is "housing" (pass --allow-different-experiments to compare them anyway)'],
    ['a header-only baseline', results(), BASELINE,
      'a.csv: no rows to compare (the table has only its header: the run or shard had no cells, or nothing finished)'],
  ];
  for (const [name, a, b, message] of refused) {
    it(`refuses ${name}`, () => assertThrowsMessage(() => compare(a, b), message));
  }
});
