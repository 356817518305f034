// The end-of-run stdout table: per results row for one seed, mean ± 95% interval and the paired gain for several.
import { assert } from 'chai';
import type { BackendInfo } from '../../src/backend/select.js';
import type { RunSummary } from '../../src/runner/run-options.js';
import { formatRunSummary } from '../../src/cli/format-run.js';

const backend = { name: 'cpu', requested: 'cpu', skipped: [], kernels: [] } as unknown as BackendInfo;
const row = (role: string, seed: number) => ({ cell: '', role, seed, status: 'ok' });
const stats = (role: string, accuracy: [number, number | ''], gain?: [number, number, number]) => ({
  cell_id: 'c1',
  cell: '',
  role,
  n: 3,
  test_accuracy_mean: accuracy[0],
  test_accuracy_std: 0.001,
  test_accuracy_ci95: accuracy[1],
  ...(gain
    ? { gain_n: 3, gain_mean: gain[0], gain_std: 0.001, gain_ci95: gain[1], gain_p: gain[2], gain_metric: 'accuracy' }
    : {}),
});

describe('formatRunSummary', () => {
  it('a resumed run with every cell done before: a line saying so, not an empty table with its legend', () => {
    const done: RunSummary = { runId: 'r', runDir: 'results/x/r', backend, status: 'ok', rows: [], summary: [] };
    assert.deepEqual(formatRunSummary(done).split('\n'), [
      "nothing was trained: every cell this command would train was done before (distil-run summarize results/x/r prints the run's results)",
      'backend: cpu',
      'results/x/r',
    ]);
  });

  it('with several seeds: mean ± 95% interval per role and the gain, marked when its interval contains 0', () => {
    const summary: RunSummary = {
      runId: 'r',
      runDir: 'results/x/r',
      backend,
      status: 'ok',
      rows: [1, 2, 3].flatMap((seed) => ['teacher', 'student', 'person'].map((role) => row(role, seed))),
      summary: [
        stats('teacher', [0.981, 0.0012]),
        stats('student', [0.9782, 0.0021], [0.0021, 0.0015, 0.012]),
        stats('person', [0.9761, 0.0019]),
      ],
    };
    assert.equal(
      formatRunSummary(summary),
      [
        'role     n  accuracy         gain',
        '-------  -  ---------------  -----------------------------------',
        'teacher  3  0.9810 ± 0.0012',
        'student  3  0.9782 ± 0.0021  +0.0021 ± 0.0015 accuracy (p=0.012)',
        'person   3  0.9761 ± 0.0019',
        '',
        'gain = student - person on the first non-loss metric, signed so positive means distillation helped',
        'mean ± 95% interval over the seeds that finished (n); the gain is paired per seed (t-test p), not significant when its interval contains 0',
        'backend: cpu',
        'results/x/r',
      ].join('\n'),
    );
    summary.summary[1].gain_mean = 0.0004;
    summary.summary[1].gain_p = 0.31;
    assert.include(
      formatRunSummary(summary),
      'student  3  0.9782 ± 0.0021  +0.0004 ± 0.0015 accuracy (not significant, p=0.31)',
    );
  });

  it('with a method axis: each method against the kd reference, with its p and Holm p; the reference marked', () => {
    const versus = {
      vs_kd_ref: 'k4',
      vs_kd_n: 3,
      vs_kd_mean: 0.0215,
      vs_kd_std: 0.0005,
      vs_kd_ci95: 0.0012,
      vs_kd_p: 0.0002,
      vs_kd_p_holm: 0.0041,
      vs_kd_metric: 'accuracy',
    };
    const empty = Object.fromEntries(Object.keys(versus).map((k) => [k, '']));
    const summary: RunSummary = {
      runId: 'r',
      runDir: 'results/x/r',
      backend,
      status: 'ok',
      rows: [1, 2, 3].map((seed) => row('student', seed)),
      summary: [
        {
          ...stats('student', [0.98, 0.001], [0.03, 0.006, 0.001]),
          cell_id: 'dk',
          cell: 'distillation=dkd',
          ...versus,
        },
        { ...stats('student', [0.96, 0.001], [0.01, 0.005, 0.007]), cell_id: 'k4', cell: 'distillation=kd', ...empty },
      ],
    };
    const lines = formatRunSummary(summary).split('\n');
    assert.deepEqual(lines.slice(0, 4), [
      'cell              role     n  accuracy         gain                                  vs kd',
      '----------------  -------  -  ---------------  ------------------------------------  -----------------------------------------',
      'distillation=dkd  student  3  0.9800 ± 0.0010  +0.0300 ± 0.0060 accuracy (p=0.0010)  +0.0215 ± 0.0012 (p<0.001, Holm p=0.0041)',
      'distillation=kd   student  3  0.9600 ± 0.0010  +0.0100 ± 0.0050 accuracy (p=0.0070)  kd reference',
    ]);
    assert.include(
      lines,
      "vs kd = the method's student - the kd reference's student (the first kd entry, same seed and other axes), signed like the gain; Holm p over the methods compared",
    );
  });

  it("prints counts as whole numbers: errors every seed agrees on (± 0), and a single seed's gain in errors", () => {
    const errors = (role: string, mean: number, ci: number, accuracy: number) => ({
      ...stats(role, [accuracy, 0]),
      test_errors_mean: mean,
      test_errors_std: 0,
      test_errors_ci95: ci,
    });
    const summary: RunSummary = {
      runId: 'r',
      runDir: 'results/x/r',
      backend,
      status: 'ok',
      rows: [1, 2, 3].flatMap((seed) => ['teacher', 'person'].map((role) => row(role, seed))),
      summary: [errors('teacher', 67, 0, 1), errors('person', 146, 0, 0.9854)],
    };
    const seeded = formatRunSummary(summary).split('\n');
    // An interval of 0 (every seed agrees) sets no decimal place: each value prints as it does alone.
    assert.deepEqual(seeded.slice(0, 4), [
      'role     n  accuracy    errors   gain',
      '-------  -  ----------  -------  ----',
      'teacher  3  1 ± 0       67 ± 0',
      'person   3  0.9854 ± 0  146 ± 0',
    ]);
    const spread = { ...summary, summary: [errors('teacher', 67, 0, 1), errors('person', 146.5, 2.1, 0.9854)] };
    assert.include(formatRunSummary(spread), 'person   3  0.9854 ± 0  146.5 ± 2.1');
    const one: RunSummary = {
      ...summary,
      rows: [
        { ...row('student', 1), params: 10, test_errors: 74, distillation_gain: 72, gain_metric: 'errors' },
        { ...row('person', 1), params: 10, test_errors: 146 },
      ],
      summary: [],
    };
    assert.deepEqual(formatRunSummary(one).split('\n').slice(0, 4), [
      'role     params  errors  gain        status',
      '-------  ------  ------  ----------  ------',
      'student      10      74  +72 errors  ok',
      'person       10     146              ok',
    ]);
  });

  it('with one seed: the gain is a single draw, and the run repeated over five seeds is the command to measure it', () => {
    const one: RunSummary = {
      runId: 'r',
      runDir: 'results/x/r',
      backend,
      status: 'ok',
      rows: [
        { ...row('teacher', 1), params: 1000, test_loss: 0.4307, test_accuracy: 0.86 },
        {
          ...row('student', 1),
          params: 100,
          test_loss: 0.5026,
          test_accuracy: 0.84,
          distillation_gain: -0.005,
          gain_metric: 'accuracy',
        },
        { ...row('person', 1), params: 100, test_loss: 0.5413, test_accuracy: 0.845 },
      ],
      summary: [],
    };
    const args = ['experiments/mnist.yaml', '--set', 'training.epochs=1', '--run-id', 'quick'];
    assert.equal(
      formatRunSummary(one, args),
      [
        'role     params    loss  accuracy  gain             status',
        '-------  ------  ------  --------  ---------------  ------',
        'teacher   1,000  0.4307      0.86                   ok',
        'student     100  0.5026      0.84  -0.005 accuracy  ok',
        'person      100  0.5413     0.845                   ok',
        '',
        'gain = student - person on the first non-loss metric, signed so positive means distillation helped',
        'one seed: the gain is a single draw, not a measured effect (another seed can change its size and its sign); to repeat the run over five seeds:',
        "  distil-run experiments/mnist.yaml --set training.epochs=1 --set 'seeds=[1,2,3,4,5]'",
        'backend: cpu',
        'results/x/r',
      ].join('\n'),
    );
    // Without a gain (no student and person pair) there is nothing to call a draw.
    const teacher = { ...one, rows: one.rows.slice(0, 1) };
    assert.notInclude(formatRunSummary(teacher, args), 'single draw');
  });
});
