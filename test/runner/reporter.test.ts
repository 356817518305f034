// The progress lines ListrReporter prints with listr2's line-by-line renderer (CI, logs).
import { assert } from 'chai';
import { ListrReporter } from '../../src/runner/reporter.js';
import type { EpochRecord } from '../../src/runner/train.js';

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

describe('ListrReporter (line by line)', () => {
  it('says a role failed and why once, as a finished role says how it did', async () => {
    const teacher = { cellId: 'c', cellLabel: '', role: 'teacher' };
    const student = { cellId: 'c', cellLabel: 'distillation.temperature=4', role: 'student' };
    const record = { epoch: 1, trainLoss: 0.5, samplesPerSec: 1000, test: { accuracy: 0.9 } } as unknown as EpochRecord;
    const text = await stderrOf(async () => {
      const reporter = new ListrReporter({ plain: true });
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
    assert.equal(
      text,
      `❯ teacher: 10 params, 1 epochs
› epoch 1/1  loss 0.5  test_accuracy 0.9  1,000 samples/s
✔ teacher: test_accuracy 0.9 (0.1 s)
❯ student [distillation.temperature=4]: 10 params, 1 epochs
✖ student [distillation.temperature=4]: the training loss became NaN or infinite in epoch 1
`,
    );
  });
});
