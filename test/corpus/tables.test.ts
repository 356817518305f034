// compare and merge on a corpus of damaged, mismatched and edge-case tables, as a user runs them (built CLI).
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { parseCsvRows } from '../../src/shared/csv.js';
import {
  BASELINE,
  CELL,
  HISTORY_HEADER,
  RESULTS_HEADER,
  history,
  line,
  result,
  results,
  roles,
  table,
} from '../results/table-fixtures.js';
import type { Values } from '../results/table-fixtures.js';
import { assertNoStackTrace, finished, startDistilRun } from '../cli-harness.js';
import type { CliResult } from '../cli-harness.js';

const cutLast = (text: string, chars: number): string => text.slice(0, text.length - chars);

interface Case {
  readonly name: string;
  /** Files written into the case's directory (the CLI runs there, so messages show these names). */
  readonly files: Record<string, string>;
  /** Makes what plain files cannot be (a FIFO, a symbolic link) in the case's directory, before the command runs. */
  readonly setup?: (dir: string) => void;
  /** Checks the case's directory after the command ran. */
  readonly after?: (dir: string) => void;
  readonly args: readonly string[];
  readonly code: number;
  /** The whole of stderr, line by line. */
  readonly stderr: readonly string[];
  readonly stdout?: RegExp;
  /** For merges that succeed: the output (a file, or stdout) holds every input row's key once, each row equal to an input row. */
  readonly merged?: {
    readonly from: readonly string[];
    readonly out?: string;
    readonly kind: 'results' | 'history';
    readonly rows: number;
  };
}

const ERRRATE = (value: number) =>
  `run_id,experiment,cell_id,cell,role,seed,test_errrate,status\nr1,mnist,c1,,teacher,1,${value},ok\n`;

const CASES: Case[] = [
  // A metric whose direction is unknown (a plugin's, compared without --plugin) cannot gate a threshold.
  {
    name: 'compare: a threshold on a metric that is not registered is refused, not guessed',
    files: { 'a.csv': ERRRATE(0.25), 'b.csv': ERRRATE(0.4) },
    args: ['compare', 'a.csv', 'b.csv', '--max-regression', '0.01'],
    code: 2,
    stderr: [
      'distil-run: b.csv: test_errrate is not a registered metric, so whether higher or lower is better is unknown and --max-regression cannot be checked (pass --plugin MODULE for the plugin that defines it)',
    ],
  },
  // Defect 1: failed, skipped, interrupted or missing rows in b; no overlap.
  {
    name: 'compare: a student that failed in b is a regression',
    files: {
      'a.csv': BASELINE,
      'b.csv': results(
        result('teacher'),
        result('student', { test_loss: '', test_accuracy: '', status: 'failed', error: 'loss became NaN' }),
        result('person'),
      ),
    },
    args: ['compare', 'a.csv', 'b.csv', '--max-regression', '0.01'],
    code: 1,
    stderr: [
      `cell "${CELL}", role student: failed in b, ok in a (loss became NaN)`,
      'compared 3 row(s) and 4 metric value(s) (loss, accuracy); change = b - a, positive = better',
      'distil-run: 1 regression(s): 1 row(s) failed, skipped, interrupted or missing in b',
    ],
  },
  {
    name: 'compare: every role failed in b',
    files: {
      'a.csv': BASELINE,
      'b.csv': results(...roles({ test_loss: '', test_accuracy: '', status: 'failed', error: 'out of memory' })),
    },
    args: ['compare', 'a.csv', 'b.csv', '--max-regression', '0.01'],
    code: 1,
    stderr: [
      ...['teacher', 'student', 'person'].map(
        (role) => `cell "${CELL}", role ${role}: failed in b, ok in a (out of memory)`,
      ),
      'compared 3 row(s) and 0 metric value(s) (loss, accuracy); change = b - a, positive = better',
      'distil-run: 3 regression(s): 3 row(s) failed, skipped, interrupted or missing in b',
    ],
  },
  {
    name: 'compare: rows missing in b',
    files: { 'a.csv': BASELINE, 'b.csv': results(result('teacher')) },
    args: ['compare', 'a.csv', 'b.csv', '--max-regression', '0.01'],
    code: 1,
    stderr: [
      `cell "${CELL}", role student: missing in b, ok in a`,
      `cell "${CELL}", role person: missing in b, ok in a`,
      'compared 1 row(s) and 2 metric value(s) (loss, accuracy); change = b - a, positive = better',
      'distil-run: 2 regression(s): 2 row(s) failed, skipped, interrupted or missing in b',
    ],
  },
  {
    name: 'compare: no row in common is an error, with or without a threshold',
    files: { 'a.csv': BASELINE, 'b.csv': results(...roles({ cell: 'distillation.temperature=8', cell_id: 'c9' })) },
    args: ['compare', 'a.csv', 'b.csv'],
    code: 2,
    stderr: [
      `distil-run: no row in common: a.csv and b.csv share no cell and role (a.csv has cell(s) "${CELL}"; b.csv has "distillation.temperature=8") (compare runs of the same grid)`,
    ],
  },
  {
    name: 'compare: a header-only b has nothing to compare',
    files: { 'a.csv': BASELINE, 'b.csv': results() },
    args: ['compare', 'a.csv', 'b.csv', '--max-regression', '0.01'],
    code: 2,
    stderr: [
      'distil-run: b.csv: no rows to compare (the table has only its header: the run or shard had no cells, or nothing finished)',
    ],
  },
  {
    name: 'compare without a threshold prints the table and warns about lost rows (exit 0)',
    files: {
      'a.csv': BASELINE,
      'b.csv': results(
        result('teacher', { test_accuracy: 0.96 }),
        result('student', { status: 'failed', test_loss: '', test_accuracy: '', error: 'boom' }),
      ),
    },
    args: ['compare', 'a.csv', 'b.csv'],
    code: 0,
    stdout: /^-?\S*\s+teacher\s+accuracy\s+0\.95\s+0\.96\s+\+0\.01$/m,
    stderr: [
      `cell "${CELL}", role student: failed in b, ok in a (boom)`,
      `cell "${CELL}", role person: missing in b, ok in a`,
      'compared 2 row(s) and 2 metric value(s) (loss, accuracy); change = b - a, positive = better',
      'distil-run: warning: RESULTS_LOST: 2 row(s) ok in a are failed, skipped, interrupted or missing in b (pass --max-regression to fail on this)',
    ],
  },
  {
    name: 'compare: a metric worse beyond the threshold',
    files: {
      'a.csv': BASELINE,
      'b.csv': results(result('teacher'), result('student', { test_accuracy: 0.85 }), result('person')),
    },
    args: ['compare', 'a.csv', 'b.csv', '--max-regression', '0.01'],
    code: 1,
    stdout: /student\s+accuracy\s+0\.9\s+0\.85\s+-0\.05\s+REGRESSED/,
    stderr: [
      'compared 3 row(s) and 6 metric value(s) (loss, accuracy); change = b - a, positive = better',
      'distil-run: 1 regression(s): 1 metric value(s) worse by more than 0.01',
    ],
  },
  // Defect 2: truncated and damaged tables.
  {
    name: 'compare: b cut mid-row (too few fields, no final newline)',
    files: { 'a.csv': BASELINE, 'b.csv': cutLast(BASELINE, 40) },
    args: ['compare', 'a.csv', 'b.csv', '--max-regression', '0.01'],
    code: 2,
    stderr: [
      'distil-run: b.csv:4: row has 10 fields, the header has 20 (the file may be cut short; re-run or resume the run)',
    ],
  },
  {
    name: 'compare: b cut inside the last field (field count right, no final newline)',
    files: {
      'a.csv': BASELINE,
      'b.csv': `${RESULTS_HEADER.join(',')}\n${line(RESULTS_HEADER, result('teacher'))}${line(RESULTS_HEADER, result('student')).trimEnd()}`,
    },
    args: ['compare', 'a.csv', 'b.csv'],
    code: 2,
    stderr: [
      'distil-run: b.csv:3: the last line does not end with a newline, so it may be cut short (re-run or resume the run; if you edited the file by hand, end it with a newline)',
    ],
  },
  {
    name: 'compare: a number cut short in a metric column',
    files: { 'a.csv': BASELINE, 'b.csv': results(result('teacher', { test_accuracy: '0.9e' })) },
    args: ['compare', 'a.csv', 'b.csv'],
    code: 2,
    stderr: ['distil-run: b.csv:2: test_accuracy is "0.9e", not a number (the file may be damaged; re-run the run)'],
  },
  {
    name: 'compare: a repeated header line (two tables concatenated)',
    files: { 'a.csv': BASELINE, 'b.csv': BASELINE + BASELINE },
    args: ['compare', 'a.csv', 'b.csv'],
    code: 2,
    stderr: [
      'distil-run: b.csv:5: the header line is repeated inside the table (were two tables concatenated? combine them with distil-run merge)',
    ],
  },
  // Defect 3: different experiments; not a results table.
  {
    name: 'compare: tables of different experiments are refused',
    files: { 'a.csv': BASELINE, 'b.csv': results(...roles({ experiment: 'housing' })) },
    args: ['compare', 'a.csv', 'b.csv'],
    code: 2,
    stderr: [
      'distil-run: cannot compare different experiments: a.csv is "mnist", b.csv is "housing" (pass --allow-different-experiments to compare them anyway)',
    ],
  },
  {
    name: 'compare: --allow-different-experiments compares them',
    files: { 'a.csv': BASELINE, 'b.csv': results(...roles({ experiment: 'mnist-v2' })) },
    args: ['compare', 'a.csv', 'b.csv', '--allow-different-experiments', '--max-regression', '0.01'],
    code: 0,
    stderr: ['compared 3 row(s) and 6 metric value(s) (loss, accuracy); change = b - a, positive = better'],
  },
  {
    name: 'compare: a CSV that is not a results table names the missing columns',
    files: { 'a.csv': BASELINE, 'b.csv': 'name,score\nx,1\n' },
    args: ['compare', 'a.csv', 'b.csv'],
    code: 2,
    stderr: [
      "distil-run: b.csv:1: not a distil-run results table: missing columns run_id, experiment, cell_id, cell, role, status (expected the header of a run's results.csv or history.csv)",
    ],
  },
  {
    name: 'compare: history tables are refused',
    files: { 'a.csv': BASELINE, 'history.csv': table(HISTORY_HEADER, history({}, 2)) },
    args: ['compare', 'a.csv', 'history.csv'],
    code: 2,
    stderr: [
      'distil-run: history.csv: is a history table, not a results table (compare takes the results.csv of two runs)',
    ],
  },
  {
    name: 'compare: a missing file',
    files: { 'a.csv': BASELINE },
    args: ['compare', 'a.csv', 'nope.csv'],
    code: 2,
    stderr: [
      'distil-run: nope.csv: no such file (check the path; a run writes results/<experiment>/<run-id>/results.csv)',
    ],
  },
  {
    name: 'compare: --max-regression must be a number',
    files: { 'a.csv': BASELINE },
    args: ['compare', 'a.csv', 'a.csv', '--max-regression', 'abc'],
    code: 2,
    stderr: ['distil-run: --max-regression: expected a number >= 0, got "abc"'],
  },
  {
    name: 'compare: a third file is refused, not ignored',
    files: { 'a.csv': BASELINE, 'b.csv': BASELINE },
    args: ['compare', 'a.csv', 'b.csv', 'b.csv'],
    code: 2,
    stderr: ['distil-run: compare: expected 2 files (a baseline and a new table), got 3 (see distil-run --help)'],
  },
  // Defect 2 on the merge side: a cut row must not replace a complete one.
  {
    name: 'merge: a shard cut mid-row is refused',
    files: { '1.csv': BASELINE, '2.csv': cutLast(results(result('student', { test_accuracy: 0.91 })), 30) },
    args: ['merge', '1.csv', '2.csv'],
    code: 2,
    stderr: [
      'distil-run: 2.csv:2: row has 15 fields, the header has 20 (the file may be cut short; re-run or resume the run)',
    ],
  },
  // Defect 3: merge refuses mixing experiments; not a table.
  {
    name: 'merge: shards of different experiments are refused',
    files: { '1.csv': BASELINE, '2.csv': results(...roles({ experiment: 'housing', cell_id: 'c2' })) },
    args: ['merge', '1.csv', '2.csv'],
    code: 2,
    stderr: [
      'distil-run: cannot merge different experiments: 1.csv is "mnist", 2.csv is "housing" (merge the shards of one experiment)',
    ],
  },
  // Defect 4: duplicates.
  {
    name: 'merge: conflicting duplicate rows are refused, naming both places',
    files: { '1.csv': BASELINE, '2.csv': results(result('student', { test_accuracy: 0.91 })) },
    args: ['merge', '1.csv', '2.csv'],
    code: 2,
    stderr: [
      'distil-run: 1.csv:3 and 2.csv:2: two different rows for run "r1", cell c1, seed 42, role student (test_accuracy: 0.9 vs 0.91) (merge each shard once; if one file is a newer re-run, keep only that one)',
    ],
  },
  {
    name: 'merge: identical duplicates (two copies of a shard) collapse',
    files: {
      '1.csv': BASELINE,
      'copy.csv': BASELINE,
      '2.csv': results(...roles({ cell_id: 'c2', cell: 'distillation.temperature=4' })),
    },
    args: ['merge', '1.csv', 'copy.csv', '2.csv', '--out', 'merged.csv'],
    code: 0,
    stderr: ['merged 6 row(s) from 3 file(s) into merged.csv (3 identical duplicate row(s) collapsed)'],
    merged: { from: ['1.csv', 'copy.csv', '2.csv'], out: 'merged.csv', kind: 'results', rows: 6 },
  },
  {
    name: 'merge: two different rows for one key inside one file are refused, naming the file and both lines',
    files: {
      '1.csv': results(
        result('teacher'),
        result('student', { status: 'interrupted', test_loss: '', test_accuracy: '' }),
        ...roles(),
      ),
    },
    args: ['merge', '1.csv'],
    code: 2,
    stderr: [
      'distil-run: 1.csv:5: two different rows for run "r1", cell c1, seed 42, role student on lines 3 and 5 (test_loss: (empty) vs 0.4; test_accuracy: (empty) vs 0.9; status: interrupted vs ok) (a run writes one row per key, so the file is damaged or was edited: re-run the run, or delete the wrong line)',
    ],
  },
  {
    name: 'merge: two different history rows for one epoch inside one file are refused',
    files: { 'h.csv': table(HISTORY_HEADER, [...history({}, 2), ...history({ train_loss: 9 }, 1)]) },
    args: ['merge', 'h.csv'],
    code: 2,
    stderr: [
      'distil-run: h.csv:4: two different rows for run "r1", cell c1, role teacher, epoch 1 on lines 2 and 4 (train_loss: 1 vs 9) (a run writes one row per key, so the file is damaged or was edited: re-run the run, or delete the wrong line)',
    ],
  },
  {
    name: 'compare: two different rows for one key inside b are refused, not the later one used',
    files: { 'a.csv': BASELINE, 'b.csv': results(...roles(), result('student', { test_accuracy: 0.5 })) },
    args: ['compare', 'a.csv', 'b.csv', '--max-regression', '0.01'],
    code: 2,
    stderr: [
      'distil-run: b.csv:5: two different rows for run "r1", cell c1, seed 42, role student on lines 3 and 5 (test_accuracy: 0.9 vs 0.5) (a run writes one row per key, so the file is damaged or was edited: re-run the run, or delete the wrong line)',
    ],
  },
  {
    name: 'merge: an identical line repeated inside one file is kept once, with a note',
    files: { '1.csv': BASELINE + line(RESULTS_HEADER, result('person')) },
    args: ['merge', '1.csv', '--out', 'm.csv'],
    code: 0,
    stderr: ['merged 3 row(s) from 1 file(s) into m.csv (1 identical duplicate row(s) collapsed)'],
    merged: { from: ['1.csv'], out: 'm.csv', kind: 'results', rows: 3 },
  },
  {
    name: 'compare: an identical line repeated inside b is counted once, with a note',
    files: { 'a.csv': BASELINE, 'b.csv': BASELINE + line(RESULTS_HEADER, result('person')) },
    args: ['compare', 'a.csv', 'b.csv', '--max-regression', '0.01'],
    code: 0,
    stderr: [
      'b.csv:5: repeats line 4 exactly; counted once',
      'compared 3 row(s) and 6 metric value(s) (loss, accuracy); change = b - a, positive = better',
    ],
  },
  {
    name: 'merge without files says what merge expects',
    files: {},
    args: ['merge'],
    code: 2,
    stderr: [
      'distil-run: merge: expected one or more results.csv or history.csv files to combine, got 0 (see distil-run --help)',
    ],
  },
  {
    name: 'compare: two plain --max-regression values are refused, not the last one taken',
    files: { 'a.csv': BASELINE },
    args: ['compare', 'a.csv', 'a.csv', '--max-regression', '0.1', '--max-regression', '0.2'],
    code: 2,
    stderr: [
      'distil-run: --max-regression: given 2 plain thresholds ("0.1", "0.2"); give one for every metric, and name the others (e.g. --max-regression test_accuracy=0.005)',
    ],
  },
  // Defect 5: history tables keyed by epoch; kinds not mixed.
  {
    name: 'merge: two history shards keep every epoch',
    files: {
      'h1.csv': table(HISTORY_HEADER, history({}, 10)),
      'h2.csv': table(HISTORY_HEADER, history({ cell_id: 'c2' }, 10)),
    },
    args: ['merge', 'h1.csv', 'h2.csv', '--out', 'history.csv'],
    code: 0,
    stderr: ['merged 20 row(s) from 2 file(s) into history.csv'],
    merged: { from: ['h1.csv', 'h2.csv'], out: 'history.csv', kind: 'history', rows: 20 },
  },
  {
    name: 'merge: a results table with a history table is refused',
    files: { 'results.csv': BASELINE, 'history.csv': table(HISTORY_HEADER, history({}, 2)) },
    args: ['merge', 'results.csv', 'history.csv'],
    code: 2,
    stderr: [
      'distil-run: cannot merge a results table (results.csv) with a history table (history.csv) (merge results.csv files and history.csv files separately)',
    ],
  },
  // Defect 6: empty shards, missing shards.
  {
    name: 'merge: a header-only shard (no cells) merges as 0 rows',
    files: { '1.csv': BASELINE, 'empty.csv': results() },
    args: ['merge', '1.csv', 'empty.csv', '--out', 'm.csv'],
    code: 0,
    stderr: ['merged 3 row(s) from 2 file(s) into m.csv'],
    merged: { from: ['1.csv', 'empty.csv'], out: 'm.csv', kind: 'results', rows: 3 },
  },
  {
    name: 'merge: a missing shard is named',
    files: { '1.csv': BASELINE },
    args: ['merge', '1.csv', 'shard2/mnist/ci/results.csv'],
    code: 2,
    stderr: [
      'distil-run: shard2/mnist/ci/results.csv: no such file (check the path; a run writes results/<experiment>/<run-id>/results.csv)',
    ],
  },
  // Defect 7: --out paths.
  {
    name: 'merge: --out into a missing directory creates it',
    files: { '1.csv': BASELINE },
    args: ['merge', '1.csv', '--out', 'new/dir/merged.csv'],
    code: 0,
    stderr: ['merged 3 row(s) from 1 file(s) into new/dir/merged.csv'],
    merged: { from: ['1.csv'], out: 'new/dir/merged.csv', kind: 'results', rows: 3 },
  },
  {
    name: 'merge: --out a FIFO is refused, not replaced by a file',
    files: { '1.csv': BASELINE },
    setup: (dir) => assert.equal(spawnSync('mkfifo', [path.join(dir, 'pipe')]).status, 0, 'mkfifo'),
    args: ['merge', '1.csv', '--out', 'pipe'],
    code: 2,
    stderr: [
      'distil-run: --out: pipe is a FIFO (named pipe), not a regular file (give the path of a file to write, or leave out --out to write to stdout)',
    ],
    after: (dir) => assert.isTrue(lstatSync(path.join(dir, 'pipe')).isFIFO(), 'still a FIFO'),
  },
  {
    name: 'merge: --out a symbolic link is refused, the link and its target untouched',
    files: { '1.csv': BASELINE, 'target.csv': 'keep\n' },
    setup: (dir) => symlinkSync('target.csv', path.join(dir, 'link.csv')),
    args: ['merge', '1.csv', '--out', 'link.csv'],
    code: 2,
    stderr: ['distil-run: --out: link.csv is a symbolic link (to target.csv); give the file itself'],
    after: (dir) => {
      assert.isTrue(lstatSync(path.join(dir, 'link.csv')).isSymbolicLink(), 'still a link');
      assert.equal(readFileSync(path.join(dir, 'target.csv'), 'utf8'), 'keep\n');
    },
  },
  {
    name: 'merge: --out an existing directory is refused',
    files: { '1.csv': BASELINE, 'outdir/keep.txt': '' },
    args: ['merge', '1.csv', '--out', 'outdir'],
    code: 2,
    stderr: [
      `distil-run: --out: outdir is a directory, expected a file path (e.g. ${path.join('outdir', 'results.csv')})`,
    ],
  },
];

/** Runs every case's command at once, a few processes at a time (each is a Node start-up, no training). */
async function runAll(cases: readonly Case[], root: string, parallel = 4): Promise<CliResult[]> {
  const answers: CliResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      answers[i] = await finished(startDistilRun(cases[i].args, { cwd: path.join(root, String(i)) }));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return answers;
}

const keyColumns = (kind: 'results' | 'history') =>
  kind === 'results' ? ['run_id', 'cell_id', 'seed', 'role'] : ['run_id', 'cell_id', 'role', 'epoch'];

function records(text: string): Values[] {
  const [columns, ...rows] = parseCsvRows(text);
  return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
}

/** Every merged row equals an input row (nothing invented), and every input key is there once (nothing lost). */
function assertMerged(dir: string, merged: NonNullable<Case['merged']>, stdout: string): void {
  const output = records(merged.out ? readFileSync(path.join(dir, merged.out), 'utf8') : stdout);
  const inputs = merged.from.flatMap((file) => records(readFileSync(path.join(dir, file), 'utf8')));
  const key = (r: Values) =>
    keyColumns(merged.kind)
      .map((c) => r[c] ?? '')
      .join('/');
  const same = (a: Values, b: Values) =>
    Object.keys({ ...a, ...b }).every((c) => String(a[c] ?? '') === String(b[c] ?? ''));
  assert.equal(output.length, merged.rows);
  assert.equal(new Set(output.map(key)).size, output.length, 'one row per key');
  assert.sameMembers([...new Set(output.map(key))], [...new Set(inputs.map(key))], 'no key lost or invented');
  for (const row of output) {
    assert.isTrue(
      inputs.some((input) => same(input, row)),
      `invented row ${JSON.stringify(row)}`,
    );
  }
}

describe('compare and merge on damaged and mismatched tables', function () {
  this.timeout(60_000);
  const root = mkdtempSync(path.join(os.tmpdir(), 'distil-corpus-'));
  let answers: CliResult[] = [];

  before(async () => {
    CASES.forEach((c, i) => {
      for (const [name, text] of Object.entries(c.files)) {
        mkdirSync(path.dirname(path.join(root, String(i), name)), { recursive: true });
        writeFileSync(path.join(root, String(i), name), text);
      }
      mkdirSync(path.join(root, String(i)), { recursive: true });
      c.setup?.(path.join(root, String(i)));
    });
    answers = await runAll(CASES, root);
  });

  CASES.forEach((c, i) => {
    it(c.name, () => {
      const answer = answers[i];
      const context = `exit ${answer.code}\nstderr:\n${answer.stderr}\nstdout:\n${answer.stdout}`;
      assert.equal(answer.code, c.code, context);
      assertNoStackTrace(answer.stderr);
      assert.deepEqual(answer.stderr.split('\n'), [...c.stderr, ''], context);
      if (c.code === 2) assert.equal(answer.stdout, '', 'nothing on stdout when refused');
      if (c.stdout) assert.match(answer.stdout, c.stdout, context);
      if (c.merged) assertMerged(path.join(root, String(i)), c.merged, answer.stdout);
      c.after?.(path.join(root, String(i)));
    });
  });
});
