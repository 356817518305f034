// report.html's confusion matrices: which cell, the sums over seeds, the student − person difference and its sentence,
// from hand-made tables and from a real run; and a report without confusion.csv.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import { readTable } from '../../src/results/table-check.js';
import { confusionView, differenceSentence } from '../../src/report/confusion.js';
import { loadRunData } from '../../src/report/run-data.js';
import { writeReport } from '../../src/report/report.js';
import { assertErrorMessage, useWasm } from '../helpers.js';
import { runBlobs, SEEDLESS, writeRun } from './fixtures.js';
import type { FixtureCell } from './fixtures.js';

const CELLS: FixtureCell[] = [
  { id: 'c1', axes: { a: 1 } },
  { id: 'c2', axes: { a: 2 } },
];
const PERSON = [
  [9, 1, 0],
  [0, 10, 0],
  [0, 2, 8],
];
const STUDENT: Record<number, number[][]> = {
  1: [
    [10, 0, 0],
    [0, 10, 0],
    [0, 1, 9],
  ],
  2: [
    [10, 0, 0],
    [0, 9, 1],
    [0, 0, 10],
  ],
};
const DIAGONAL = [
  [10, 0, 0],
  [0, 10, 0],
  [0, 0, 10],
];

/** Two cells, two seeds: c2 has the higher gain; in c1 the student classifies as the person does. */
function run(classNames?: readonly string[]): string {
  return writeRun({
    cells: CELLS,
    seeds: [1, 2],
    gain: (cell) => (cell.id === 'c2' ? 0.05 : 0.01),
    classNames,
    confusion: (cell, seed, role) =>
      role === 'teacher' ? DIAGONAL : role === 'student' && cell.id === 'c2' ? STUDENT[seed] : PERSON,
  });
}

describe('report.html: confusion matrices', () => {
  it("shows the cell with the highest mean gain: each role's matrix summed over the seeds, and the student − person difference", () => {
    const view = confusionView(loadRunData(run(['cat', 'dog', 'owl'])));
    assert.isDefined(view);
    const { cell, chosen, classes, roles, difference } = view!;
    assert.equal(cell, 'a=2');
    assert.equal(chosen, 'the cell with the highest mean gain (accuracy) of 2');
    assert.deepEqual(classes, ['0 cat', '1 dog', '2 owl']);
    assert.deepEqual(
      roles.map((m) => [m.role, m.seeds.length, m.counts]),
      [
        ['teacher', 2, DIAGONAL.map((row) => row.map((c) => 2 * c))],
        [
          'student',
          2,
          [
            [20, 0, 0],
            [0, 19, 1],
            [0, 1, 19],
          ],
        ],
        ['person', 2, PERSON.map((row) => row.map((c) => 2 * c))],
      ],
    );
    assert.deepEqual(difference?.counts, [
      [2, -2, 0],
      [0, -1, 1],
      [0, -3, 3],
    ]);
    assert.equal(
      differenceSentence(view!, difference!),
      'Largest differences (student − person, summed over 2 seeds): ' +
        'true 2 owl predicted 1 dog: −3 (the student makes this mistake 3 times fewer); ' +
        'true 2 owl predicted correctly: +3 (3 more right); ' +
        'true 0 cat predicted 1 dog: −2 (the student makes this mistake 2 times fewer); 3 other pair(s) differ too.',
    );
  });

  it('says when the student and the person classify alike, and pairs only the seeds both finished', async () => {
    const dir = writeRun({
      cells: [CELLS[0]],
      seeds: [1, 2],
      confusion: (_, __, role) => (role === 'teacher' ? DIAGONAL : PERSON),
    });
    const file = path.join(dir, 'confusion.csv');
    // The person of seed 2 never finished: its rows are not in the table.
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, lines.filter((l) => !/^r1,fixture,c1,a=1,1,person,2,/.test(l)).join('\n'));
    const view = confusionView(loadRunData(dir));
    assert.equal(view?.chosen, "the run's only cell");
    assert.deepEqual(view?.difference?.seeds, ['1']);
    assert.deepEqual(
      view?.roles.map((m) => [m.role, m.seeds]),
      [
        ['teacher', ['1', '2']],
        ['student', ['1', '2']],
        ['person', ['1']],
      ],
    );
    assert.equal(
      differenceSentence(view!, view!.difference!),
      'The student and the person have the same confusion matrix (over 1 seed).',
    );
    const html = readFileSync((await writeReport(dir)).file, 'utf8');
    assert.include(
      html,
      'Confusion matrix of each role on the test split for the run&#39;s only cell, summed over 2 seeds:',
    );
    assert.notInclude(html, 'confusion.csv.</figcaption>', 'no other cells to point at');
  });

  it('writes the heat maps and the sentence into the page, naming the cell', async () => {
    const report = await writeReport(run(['cat', 'dog', 'owl']));
    assert.deepEqual(report.charts, ['gain', 'params', 'confusion', 'confusion-difference', 'learning-curves']);
    const html = readFileSync(report.file, 'utf8');
    const section = /<section id="confusion">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    assert.include(section, '<h2>Confusion matrices</h2>');
    assert.include(
      section,
      'Confusion matrix of each role on the test split for the cell with the highest mean gain (accuracy) of 2 (a=2), summed over 2 seeds',
    );
    assert.include(section, 'The other cells&#39; matrices are in confusion.csv.');
    assert.include(section, 'true 2 owl predicted 1 dog: −3 (the student makes this mistake 3 times fewer)');
    assert.lengthOf(section.match(/<svg /g) ?? [], 2);
    assert.include(html, 'from manifest.json, results.csv, history.csv and confusion.csv;');
  });

  it('renders without confusion.csv (a regression, a run of an older version): no confusion section', async () => {
    const dir = run();
    rmSync(path.join(dir, 'confusion.csv'));
    const report = await writeReport(dir);
    assert.deepEqual(report.charts, ['gain', 'params', 'learning-curves']);
    const html = readFileSync(report.file, 'utf8');
    assert.notInclude(html, 'id="confusion"');
    assert.include(html, 'from manifest.json, results.csv and history.csv;');
  });

  it('draws no heat map for more classes than one can read, and says where the matrices are', async () => {
    const k = 31;
    const identity = Array.from({ length: k }, (_, t) => Array.from({ length: k }, (_, p) => (t === p ? 5 : 0)));
    const dir = writeRun({ cells: [{ id: 'c1', axes: {} }], seeds: [1], confusion: () => identity });
    const report = await writeReport(dir);
    assert.deepEqual(report.charts, ['params', 'learning-curves']);
    const section = /<section id="confusion">[\s\S]*?<\/section>/.exec(readFileSync(report.file, 'utf8'))?.[0];
    assert.equal(
      section,
      '<section id="confusion"><h2>Confusion matrices</h2><p class="note">31 classes are too many for a readable heat map: the matrices are in confusion.csv.</p></section>',
    );
  });

  it('refuses a damaged confusion.csv, naming its line (exit code 2)', async () => {
    const dir = run();
    const file = path.join(dir, 'confusion.csv');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, -3));
    const error = await writeReport(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    assertErrorMessage(
      error,
      // 2 cells x 2 seeds x 3 roles x 9 pairs after the header: the last row is cut.
      `${file}:109: row has 9 fields, the header has 10 (the file may be cut short; re-run or resume the run)`,
      { code: 'INVALID_TABLE', exitCode: 2 },
    );
  });

  describe('from a real run', () => {
    before(useWasm);

    it("names the largest student − person difference the run's confusion.csv holds for the chosen cell", async () => {
      const dir = await runBlobs(`${SEEDLESS}seeds: [1, 2]\ngrid:\n  distillation.temperature: [1, 4]\n`);
      const table = readTable(path.join(dir, 'confusion.csv'));
      const results = readTable(path.join(dir, 'results.csv'));
      // The chosen cell, found independently: the highest mean distillation_gain of the student rows.
      const gains = new Map<string, number[]>();
      for (const { record } of results.rows.filter((r) => r.record.role === 'student')) {
        gains.set(record.cell_id, [...(gains.get(record.cell_id) ?? []), Number(record.distillation_gain)]);
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const best = [...gains].reduce((a, b) => (mean(b[1]) > mean(a[1]) ? b : a))[0];
      const sum = (role: string, t: number, p: number) =>
        table.rows
          .map((r) => r.record)
          .filter((r) => r.cell_id === best && r.role === role && +r.true_class === t && +r.predicted_class === p)
          .reduce((total, r) => total + Number(r.count), 0);
      const diffs = [0, 1, 2].flatMap((t) => [0, 1, 2].map((p) => sum('student', t, p) - sum('person', t, p)));
      const view = confusionView(loadRunData(dir));
      assert.deepEqual(view?.difference?.counts.flat(), diffs);
      const html = readFileSync((await writeReport(dir)).file, 'utf8');
      const largest = Math.max(...diffs.map(Math.abs));
      const expected =
        largest === 0
          ? /The student and the person have the same confusion matrix \(over 2 seeds\)\./
          : new RegExp(
              `Largest differences \\(student − person, summed over 2 seeds\\): true \\d predicted (\\d|correctly): [+−]${largest} `,
            );
      assert.match(html, expected);
    });
  });
});
