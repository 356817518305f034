// A model that several cells share (a teacher, a person) is saved once; the other cells' directories link to its files.
import type { linkSync } from 'node:fs';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { evaluateSavedModel } from '../../src/runner/evaluate-model.js';
import { predictSavedModel } from '../../src/runner/predict.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { shareModelFiles } from '../../src/runner/saved-models.js';
import { readCsv } from '../../src/results/csv.js';
import { useWasm } from '../helpers.js';
import { experiment, outDir, SPEC } from './blobs.js';

describe('models shared by cells', () => {
  before(useWasm);

  it("are saved once: the second cell holds hard links to the first cell's files, and evaluate and predict read them", async () => {
    const { experiment: exp, registry } = await experiment(`${SPEC}grid:\n  distillation.temperature: [1, 3, 5]\n`);
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 's',
      reporter: new RecordingReporter(),
      teacherCache: false,
      saveModels: 'all',
    });
    assert.lengthOf(exp.cells, 3);
    const dir = (cell: number, role: string) =>
      path.join(summary.runDir, 'models', exp.cells[cell].id, String(exp.cells[cell].seed), role);
    const input = path.join(outDir(), 'input.csv');
    writeFileSync(input, 'a,b,c,d,e,f\n2,0,0,2,0,0\n0,2,0,0,2,0\n0.1,0.2,2,0.3,0,1.9\n');
    for (const role of ['teacher', 'person']) {
      const files = readdirSync(dir(0, role)).sort();
      assert.deepEqual(files, ['model.json', 'weights.bin']);
      for (const file of files) {
        const first = statSync(path.join(dir(0, role), file));
        assert.equal(first.nlink, 3, `${role}/${file}: one file for the three cells`);
        for (const cell of [1, 2]) assert.equal(statSync(path.join(dir(cell, role), file)).ino, first.ino);
      }
      const evaluation = await evaluateSavedModel(dir(1, role), { registry });
      assert.deepEqual(evaluation.metrics, evaluation.recorded, role);
      const [first, second] = await Promise.all([
        predictSavedModel(dir(0, role), input),
        predictSavedModel(dir(1, role), input),
      ]);
      assert.equal(second.rows, 3);
      assert.equal(second.csv, first.csv);
    }
    // Each cell's student is its own model, in files of its own.
    assert.equal(statSync(path.join(dir(1, 'student'), 'weights.bin')).nlink, 1);
    const rows = readCsv(path.join(summary.runDir, 'results.csv')).records;
    assert.lengthOf(rows, 9);
    const teacherRow = rows.find((r) => r.cell_id === exp.cells[1].id && r.role === 'teacher')!;
    const evaluation = await evaluateSavedModel(dir(1, 'teacher'), { registry });
    assert.equal(Number(evaluation.metrics.accuracy.toPrecision(6)), Number(teacherRow.test_accuracy));
  });

  it('are copied where the file system refuses a hard link, weights before model.json', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'distil-share-'));
    const from = path.join(root, 'first');
    mkdirSync(from);
    writeFileSync(path.join(from, 'model.json'), '{"m":1}\n');
    writeFileSync(path.join(from, 'weights.bin'), Buffer.from([1, 2, 3, 4]));
    const linked = path.join(root, 'linked');
    assert.equal(shareModelFiles(from, linked), 'link');
    assert.equal(statSync(path.join(linked, 'weights.bin')).ino, statSync(path.join(from, 'weights.bin')).ino);
    const order: string[] = [];
    const refuse: typeof linkSync = (source) => {
      order.push(path.basename(String(source)));
      throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
    };
    const copied = path.join(root, 'copied');
    assert.equal(shareModelFiles(from, copied, refuse), 'copy');
    assert.deepEqual(order, ['weights.bin', 'model.json']);
    assert.notEqual(statSync(path.join(copied, 'weights.bin')).ino, statSync(path.join(from, 'weights.bin')).ino);
    assert.deepEqual([...readFileSync(path.join(copied, 'weights.bin'))], [1, 2, 3, 4]);
    assert.equal(readFileSync(path.join(copied, 'model.json'), 'utf8'), '{"m":1}\n');
  });
});
