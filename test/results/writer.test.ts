// The run writer: whole rows appended under one header, and the tables cut back to finished cells on resume.
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { readCsv } from '../../src/results/csv.js';
import { RunWriter } from '../../src/results/writer.js';
import { assertThrowsMessage } from '../helpers.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'distil-writer-'));

describe('run writer', () => {
  it('appends rows under one header, quoting fields, also across writer instances (resume)', () => {
    const dir = tmp();
    const first = new RunWriter(dir, { metrics: ['loss', 'accuracy'] });
    first.start(() => false);
    first.appendResult({ run_id: 'r', cell_id: 'c', role: 'teacher', test_accuracy: 0.9, status: 'ok' });
    first.appendResult({ run_id: 'r', cell_id: 'd', role: 'teacher', test_accuracy: 0.7, status: 'ok' });
    const second = new RunWriter(dir, { metrics: ['loss', 'accuracy'] });
    second.start((r) => r.cell_id === 'c');
    second.appendResult({ run_id: 'r', cell_id: 'c', role: 'student', test_accuracy: 0.8, status: 'failed', error: 'loss, "NaN"\nagain' });
    const { columns, records } = readCsv(path.join(dir, 'results.csv'));
    assert.deepEqual(columns.slice(-8), ['test_loss', 'test_accuracy', 'distillation_gain', 'gain_metric', 'inference_ms_per_1000', 'source', 'status', 'error']);
    assert.deepEqual(records.map((r) => [r.cell_id, r.role, r.test_accuracy, r.status]), [['c', 'teacher', '0.9', 'ok'], ['c', 'student', '0.8', 'failed']], 'the unfinished cell d was dropped');
    assert.equal(records[1].error, 'loss, "NaN"\nagain');
  });

  it('writes header-only tables for a run with no rows', () => {
    const writer = new RunWriter(tmp(), { metrics: ['accuracy'] });
    writer.start(() => false);
    assert.equal(readFileSync(writer.resultsFile, 'utf8').split('\n').length, 2);
    assert.equal(readFileSync(writer.historyFile, 'utf8'), 'run_id,cell_id,seed,role,epoch,train_loss,seconds,samples_per_sec,test_accuracy\n');
  });

  it('reads only whole rows back: a cut last line and a row of the wrong width are dropped and counted', () => {
    const writer = new RunWriter(tmp(), { metrics: ['accuracy'] });
    writer.start(() => false);
    writer.appendResult({ run_id: 'r', cell_id: 'c', role: 'teacher', test_accuracy: 0.9, status: 'ok' });
    appendFileSync(writer.resultsFile, 'r,x,c\nr,blobs,c,,teach');
    const existing = writer.existingResults();
    assert.deepEqual(existing.records.map((r) => r.role), ['teacher']);
    assert.deepEqual(existing.dropped, [3, 4]);
    assert.deepEqual(writer.start((r) => r.cell_id === 'c'), { droppedLines: 2 });
    assert.deepEqual(readCsv(writer.resultsFile).records.map((r) => r.role), ['teacher']);
  });

  it('refuses to append under a header that is not this run\'s', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'results.csv'), 'run_id,cell_id,role,test_loss\n');
    const writer = new RunWriter(dir, { metrics: ['accuracy'] });
    assertThrowsMessage(() => writer.start(() => false), `${path.join(dir, 'results.csv')}: its header is not this run's (expected 19 columns: `
      + 'run_id,experiment,cell_id,cell,role,seed,backend,params,epochs,batch_size,train_seconds,train_samples_per_sec,test_accuracy,distillation_gain,gain_metric,inference_ms_per_1000,source,status,error); '
      + 'start a new run with another --run-id');
  });

  it('writes the manifest atomically', () => {
    const writer = new RunWriter(tmp(), { metrics: ['loss'] });
    writer.writeManifest({ status: 'running' });
    writer.writeManifest({ status: 'ok' });
    assert.deepEqual(JSON.parse(readFileSync(writer.manifestFile, 'utf8')), { status: 'ok' });
  });
});
