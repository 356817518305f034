// A dataset's own validation file (csv validation_path) gives the same val_ columns and early stopping as a held-out share.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { loadExperiment } from '../../src/config/experiment.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { readCsv } from '../../src/results/csv.js';
import { useWasm } from '../helpers.js';
import { builtinRegistry } from '../helpers.js';

/** Two separable classes in two features. */
function rows(n: number, offset: number): string {
  return Array.from({ length: n }, (_, i) => {
    const label = i % 2;
    return `${(label * 2 + ((i * 7 + offset) % 10) / 10).toFixed(2)},${(((i * 3 + offset) % 10) / 10).toFixed(2)},${label}`;
  }).join('\n');
}

describe('a validation file', () => {
  before(useWasm);

  it('gives val_ columns in both tables and lets early stopping keep its best epoch', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-valfile-'));
    writeFileSync(path.join(dir, 'train.csv'), `a,b,y\n${rows(80, 0)}\n`);
    writeFileSync(path.join(dir, 'val.csv'), `a,b,y\n${rows(20, 3)}\n`);
    const spec = path.join(dir, 'spec.yaml');
    writeFileSync(
      spec,
      `name: valfile
dataset: { name: csv, path: train.csv, validation_path: val.csv, target: y, task: classification }
models: { teacher: { layers: [8] }, student: { layers: [4] } }
training: { epochs: 6, batch_size: 16, optimizer: { name: adam, lr: 0.05 }, early_stopping: { metric: val_accuracy, patience: 2 } }
`,
    );
    const { experiment, registry } = await loadExperiment(spec, { registry: builtinRegistry() });
    const summary = await runExperiment(experiment, registry, {
      outDir: path.join(dir, 'results'),
      runId: 'v',
      reporter: new RecordingReporter(),
      teacherCache: false,
      saveModels: 'none',
    });
    const results = readCsv(path.join(summary.runDir, 'results.csv'));
    assert.includeMembers(results.columns, ['val_loss', 'val_accuracy', 'kept_epoch']);
    assert.deepEqual(
      results.records.map((r) => r.role),
      ['teacher', 'student', 'person'],
    );
    for (const row of results.records) assert.match(row.val_accuracy, /^[0-9.]+$/, row.role);
    const history = readCsv(path.join(summary.runDir, 'history.csv'));
    assert.include(history.columns, 'val_accuracy');
  });
});
