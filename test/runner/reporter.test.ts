// The progress lines ListrReporter prints with listr2's line-by-line renderer (CI, logs), and what the runner tells it.
import { assert } from 'chai';
import { formatDuration, ListrReporter, RunEta } from '../../src/runner/reporter.js';
import type { RoleEvent } from '../../src/runner/reporter.js';
import type { EpochRecord } from '../../src/runner/train.js';
import { useWasm } from '../helpers.js';
import { runSpec, SEEDLESS } from './blobs.js';

/** What `fn` writes to stderr (a reporter must be created inside: listr2 keeps the write method it finds). */
async function stderrOf(fn: () => Promise<void>): Promise<string> {
  const write = process.stderr.write;
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stderr.write = write;
  }
  return text;
}

const START = { experiment: 'x', runDir: 'results/x/r', backend: 'cpu', skippedCells: 0 };

describe('ListrReporter (line by line)', () => {
  it('says a role failed and why once, as a finished role says how it did; each title names the seed', async () => {
    const teacher: RoleEvent = { cellId: 'c', cellLabel: '', role: 'teacher', seed: 7, cell: 1, training: 't' };
    const student: RoleEvent = { ...teacher, cellLabel: 'distillation.temperature=4', role: 'student', training: 's' };
    const record = { epoch: 1, trainLoss: 0.5, samplesPerSec: 1000, test: { accuracy: 0.9 } } as unknown as EpochRecord;
    const text = await stderrOf(async () => {
      const reporter = new ListrReporter({ plain: true });
      reporter.runStart({ ...START, cells: 1, trainings: { teacher: 1, student: 1, person: 1 } });
      await reporter.roleStart({ ...teacher, epochs: 1, detail: '10 params, 1 epochs' });
      reporter.epoch({ ...teacher, epochs: 1, logEvery: 1, record });
      reporter.roleEnd({ ...teacher, status: 'ok', summary: 'test_accuracy 0.9 (0.1 s)' });
      await reporter.roleStart({ ...student, epochs: 1, detail: '10 params, 1 epochs' });
      reporter.roleEnd({
        ...student,
        status: 'failed',
        summary: 'the training loss became NaN or infinite in epoch 1',
      });
      await reporter.runEnd();
    });
    // One cell: no "cell 1 of 1"; no ETA before the student (the only roles left have not been timed).
    assert.equal(
      text,
      `distil-run: x, 1 cell(s), backend cpu
results: results/x/r
❯ teacher seed 7: 10 params, 1 epochs
› epoch 1/1  loss 0.5  test_accuracy 0.9  1,000 samples/s
✔ teacher seed 7: test_accuracy 0.9 (0.1 s)
❯ student [distillation.temperature=4] seed 7: 10 params, 1 epochs
✖ student [distillation.temperature=4] seed 7: the training loss became NaN or infinite in epoch 1
`,
    );
  });

  it('a sweep: "cell k of n", and the ETA from the mean time of each role\'s finished trainings times those left', async () => {
    // Three cells of one seed sharing a teacher and a person: 1 teacher, 3 student and 1 person trainings.
    let now = 0;
    const cell = (k: number, role: RoleEvent['role']): RoleEvent => ({
      cellId: `c${k}`,
      cellLabel: `distillation.temperature=${k}`,
      role,
      seed: 1,
      cell: k,
      training: role === 'student' ? `student-${k}` : role,
    });
    const text = await stderrOf(async () => {
      const reporter = new ListrReporter({ plain: true, now: () => now * 1000 });
      reporter.runStart({ ...START, cells: 3, trainings: { teacher: 1, student: 3, person: 1 } });
      const role = async (event: RoleEvent, seconds: number, epochs = 4) => {
        await reporter.roleStart({ ...event, epochs, detail: epochs > 0 ? `${epochs} epochs` : 'shared' });
        now += seconds;
        reporter.roleEnd({ ...event, status: 'ok', summary: 'done' });
      };
      await role(cell(1, 'teacher'), 600);
      await role(cell(1, 'student'), 100);
      await role(cell(1, 'person'), 50);
      // The teacher and the person of the later cells are the first cell's: the runner reports the person as shared.
      await role(cell(2, 'student'), 110);
      await role(cell(2, 'person'), 0, 0);
      await role(cell(3, 'student'), 90);
      await role(cell(3, 'person'), 0, 0);
      await reporter.runEnd();
    });
    const starts = text.split('\n').filter((line) => line.startsWith('❯'));
    assert.deepEqual(starts, [
      // Nothing finished: no ETA.
      '❯ teacher [distillation.temperature=1] seed 1, cell 1 of 3: 4 epochs',
      // The teacher is done and nothing left is timed.
      '❯ student [distillation.temperature=1] seed 1, cell 1 of 3: 4 epochs',
      // 2 students left at 100 s; the person has no time yet, so the figure is a lower bound.
      '❯ person [distillation.temperature=1] seed 1, cell 1 of 3, ETA over 3 min 20 s (person not timed yet): 4 epochs',
      // 2 students left (this one included) at 100 s.
      '❯ student [distillation.temperature=2] seed 1, cell 2 of 3, ETA 3 min 20 s: 4 epochs',
      // 1 student left at (100 + 110) / 2 = 105 s.
      '❯ person [distillation.temperature=2] seed 1, cell 2 of 3, ETA 1 min 45 s: shared',
      '❯ student [distillation.temperature=3] seed 1, cell 3 of 3, ETA 1 min 45 s: 4 epochs',
      // Nothing left to time.
      '❯ person [distillation.temperature=3] seed 1, cell 3 of 3: shared',
    ]);
    assert.include(text, '✔ student [distillation.temperature=2] seed 1, cell 2 of 3: done\n');
  });

  it('times only trainings that finished: a failed one and a model from the cache are done, without a time', () => {
    const eta = new RunEta({ teacher: 2, student: 2, person: 0 });
    assert.isUndefined(eta.describe(), 'nothing finished');
    eta.finish('teacher', 'a');
    assert.isUndefined(eta.describe(), 'a teacher from the cache gives no time');
    eta.finish('teacher', 'b', 30);
    assert.isUndefined(eta.describe(), 'no teacher left; the two students left have no time yet');
    eta.finish('student', 's1');
    eta.finish('student', 's2', 40);
    assert.isUndefined(eta.describe(), 'nothing left');
    const more = new RunEta({ teacher: 3, student: 1, person: 0 });
    more.finish('teacher', 'a', 30);
    more.finish('teacher', 'b', 60);
    assert.equal(more.describe(), 'ETA over 45 s (student not timed yet)');
    // A model several cells share is reported for each: one training done, not two.
    more.finish('teacher', 'b');
    assert.equal(more.describe(), 'ETA over 45 s (student not timed yet)');
    more.finish('student', 's', 20);
    assert.equal(more.describe(), 'ETA 45 s');
  });

  it('formats the time left in seconds, minutes or hours', () => {
    assert.deepEqual([0.4, 40, 59.6, 250, 3599, 7500].map(formatDuration), [
      '< 1 s',
      '40 s',
      '1 min 00 s',
      '4 min 10 s',
      '59 min 59 s',
      '2 h 05 min',
    ]);
  });
});

describe('what the runner tells the reporter', () => {
  before(useWasm);

  it('each role event names its seed and its cell among those run; runStart counts trainings as --dry-run does', async () => {
    const { reporter } = await runSpec(`${SEEDLESS}seeds: [1, 2]\ngrid:\n  distillation.temperature: [2, 4]\n`);
    const start = reporter.events.find((e) => e.type === 'runStart');
    assert.include(start, { cells: 4, skippedCells: 0 });
    // Per seed one teacher and one person for both temperatures, a student per cell.
    assert.deepEqual(start?.trainings, { teacher: 2, student: 4, person: 2 });
    const starts = reporter.events.filter((e) => e.type === 'roleStart');
    assert.lengthOf(
      starts,
      10,
      'a later cell of a seed takes its teacher without an event, and reports its person as shared',
    );
    assert.deepEqual(
      starts.map((e) => `${e.cell} ${e.seed} ${e.role}`),
      [
        '1 1 teacher',
        '1 1 student',
        '1 1 person',
        '2 2 teacher',
        '2 2 student',
        '2 2 person',
        '3 1 student',
        '3 1 person',
        '4 2 student',
        '4 2 person',
      ],
    );
    // The shared person is the same training as the one it shares; a student of another cell is another.
    assert.equal(starts[7].training, starts[2].training);
    assert.notEqual(starts[6].training, starts[1].training);
    assert.notEqual(starts[5].training, starts[2].training, "another seed's person");
  });
});
