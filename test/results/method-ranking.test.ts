// summary.csv with a method axis: readable labels, and each method against the first kd entry, paired by seed, with Holm's p.
import { assert } from 'chai';
import type { CsvRecord } from '../../src/results/csv.js';
import { summarizeResults, summaryColumns, summaryExtras } from '../../src/results/summary.js';
import type { SummaryInput } from '../../src/results/summary.js';
import { result } from './table-fixtures.js';

const LR = 'training.optimizer.lr';
const AXES = [LR, 'distillation'];
const DKD = '{"name":"dkd","beta":8}';
const KD4 = '{"name":"kd","temperature":4}';
const KD2 = '{"name":"kd","temperature":2}';

/** The teacher, student and person rows of one cell for each seed: the student's accuracy per seed (NaN: it failed). */
function cell(id: string, lr: number, method: string, student: readonly number[]): CsvRecord[] {
  return student.flatMap((accuracy, i) =>
    ['teacher', 'student', 'person'].map((role) => {
      const failed = role === 'student' && Number.isNaN(accuracy);
      const values = result(role, {
        cell_id: id, cell: `${LR}=${lr}, distillation=${method}`, [LR]: lr, distillation: method, seed: i + 1,
        ...(role === 'student' ? { test_accuracy: failed ? '' : accuracy, status: failed ? 'failed' : 'ok', distillation_gain: failed ? '' : 0.01 } : {}),
      });
      return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
    }),
  );
}

// lr 0.001: kd(T=4) is the reference (the first kd entry, though dkd comes first); lr 0.01 has no dkd cell and a failed seed.
const RECORDS = [
  ...cell('d1', 0.001, DKD, [0.93, 0.95, 0.96]),
  ...cell('a1', 0.001, KD4, [0.9, 0.91, 0.92]),
  ...cell('b1', 0.001, KD2, [0.91, 0.93, 0.93]),
  ...cell('a2', 0.01, KD4, [0.8, 0.81, 0.82]),
  ...cell('b2', 0.01, KD2, [0.82, NaN, 0.81]),
];

const input = (over: Partial<SummaryInput> = {}): SummaryInput => ({ records: RECORDS, axes: AXES, metrics: ['test_accuracy'], ...over });
const students = (rows: ReturnType<typeof summarizeResults>) => Object.fromEntries(rows.filter((r) => r.role === 'student').map((r) => [r.cell_id, r]));
const VS_KD = ['vs_kd_ref', 'vs_kd_n', 'vs_kd_mean', 'vs_kd_std', 'vs_kd_ci95', 'vs_kd_p', 'vs_kd_p_holm', 'vs_kd_metric'];
const pick = (row: Record<string, unknown>) => Object.fromEntries(VS_KD.map((c) => [c, row[c]]));

describe('summary: methods against kd', () => {
  it('adds the readable label after cell and the vs_kd columns after the gain when the grid sweeps distillation', () => {
    const extras = summaryExtras(input());
    assert.deepEqual(extras, { labelled: ['distillation'], ranked: true });
    assert.deepEqual(summaryColumns(AXES, ['test_accuracy'], extras), [
      'cell_id', LR, 'distillation', 'cell', 'distillation_label', 'role', 'n', 'test_accuracy_mean', 'test_accuracy_std', 'test_accuracy_ci95',
      'gain_n', 'gain_mean', 'gain_std', 'gain_ci95', 'gain_p', 'gain_metric', ...VS_KD,
    ]);
    const labels = summarizeResults(input()).filter((r) => r.role === 'teacher').map((r) => `${r.cell_id} ${r.distillation_label}`);
    assert.deepEqual(labels, ['d1 dkd', 'a1 kd(temperature=4)', 'b1 kd(temperature=2)', 'a2 kd(temperature=4)', 'b2 kd(temperature=2)']);
    // No method axis: the summary is what it was.
    assert.deepEqual(summaryExtras(input({ axes: [LR] })), { labelled: [], ranked: false });
  });

  // lr 0.001, differences from kd(T=4) per seed: kd(T=2) 0.01, 0.02, 0.01 (mean 0.013333, std 0.0057735, t = 4 with 2 df,
  // p = 1 - 4 / sqrt(2 + 16) = 0.05719); dkd 0.03, 0.04, 0.04 (t = 11, p = 1 - 11 / sqrt(123) = 0.008163).
  // Holm over the two: 2 x 0.008163 = 0.01633, then max(0.01633, 1 x 0.05719) = 0.05719.
  // lr 0.01, seeds 1 and 3 (seed 2's student failed): 0.02, -0.01, t = 0.005 / (0.0212132 / sqrt 2) = 1/3 with 1 df,
  // p = 1 - (2 / pi) atan(1/3) = 0.7952, ci95 = 12.706205 x 0.015 = 0.190593; one method, so Holm leaves it.
  it("pairs each method's student with kd's over the seeds both finished, other axes equal, with t-test p and Holm's p", () => {
    const rows = students(summarizeResults(input({ higherIsBetter: (m) => (m === 'accuracy' ? true : undefined) })));
    assert.deepEqual(pick(rows.b1), {
      vs_kd_ref: 'a1', vs_kd_n: 3, vs_kd_mean: 0.0133333, vs_kd_std: 0.00577350, vs_kd_ci95: 0.0143422, vs_kd_p: 0.05719, vs_kd_p_holm: 0.05719, vs_kd_metric: 'accuracy',
    });
    assert.deepEqual(pick(rows.d1), {
      vs_kd_ref: 'a1', vs_kd_n: 3, vs_kd_mean: 0.0366667, vs_kd_std: 0.00577350, vs_kd_ci95: 0.0143422, vs_kd_p: 0.008163, vs_kd_p_holm: 0.01633, vs_kd_metric: 'accuracy',
    });
    assert.deepEqual(pick(rows.b2), {
      vs_kd_ref: 'a2', vs_kd_n: 2, vs_kd_mean: 0.005, vs_kd_std: 0.0212132, vs_kd_ci95: 0.190593, vs_kd_p: 0.7952, vs_kd_p_holm: 0.7952, vs_kd_metric: 'accuracy',
    });
    // The reference itself, and the teacher and person rows, have nothing to compare.
    assert.deepEqual(pick(rows.a1), Object.fromEntries(VS_KD.map((c) => [c, ''])));
    const others = summarizeResults(input()).filter((r) => r.role !== 'student');
    assert.lengthOf(others, 10);
    for (const row of others) assert.notProperty(row, 'vs_kd_mean');
  });

  it('signs the difference by the metric, so positive is better than kd for a metric where lower is better', () => {
    const rows = students(summarizeResults(input({ higherIsBetter: () => false })));
    assert.deepEqual([rows.b1.vs_kd_mean, rows.d1.vs_kd_mean, rows.b1.vs_kd_p], [-0.0133333, -0.0366667, 0.05719]);
  });

  it('leaves the columns empty without a kd entry on the axis, and for a cell whose kd cell did not run', () => {
    const withoutKd = RECORDS.filter((r) => r.distillation !== KD4 && r.distillation !== KD2);
    const [student] = summarizeResults(input({ records: withoutKd })).filter((r) => r.role === 'student');
    assert.deepEqual(pick(student), Object.fromEntries(VS_KD.map((c) => [c, ''])));
    // A shard that ran kd(T=2) but not kd(T=4): the reference is the first kd entry the table holds.
    const shard = RECORDS.filter((r) => r.distillation !== KD4);
    const rows = students(summarizeResults(input({ records: shard })));
    assert.include(rows.d1, { vs_kd_ref: 'b1', vs_kd_n: 3, vs_kd_mean: 0.0233333 });
    assert.equal(rows.b2.vs_kd_ref, '');
  });
});
