// Saved models: every role's model in <run dir>/models/ in the TensorFlow.js layers format, loadable as a user would.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { DistilError } from '../../src/errors/index.js';
import { runExperiment } from '../../src/runner/execute.js';
import { saveModelsFor } from '../../src/runner/run-options.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { loadData } from '../../src/runner/dataset-cache.js';
import { loadSavedModel, readSavedModel, saveModel } from '../../src/results/saved-model.js';
import { readCsv } from '../../src/results/csv.js';
import { messagePattern, useWasm } from '../helpers.js';
import { experiment, outDir, SPEC } from '../runner/blobs.js';

/** What a user's script does: read model.json and its weights file, and hand them to tf.loadLayersModel. */
async function loadLikeAUser(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const weights = readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
  return tf.loadLayersModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  });
}

describe('saved models', () => {
  before(useWasm);

  it('keeps every role\'s model of a small run; each loads with tf.loadLayersModel and scores the recorded test accuracy', async () => {
    const { experiment: exp, registry } = await experiment(`${SPEC}grid:\n  distillation.temperature: [1, 3]\n`);
    const summary = await runExperiment(exp, registry, { outDir: outDir(), runId: 'm', reporter: new RecordingReporter(), teacherCache: false });
    const data = await loadData(registry, exp.cells[0].config, exp.baseDir);
    const labels = data.test.y.dataSync();
    for (const row of readCsv(path.join(summary.runDir, 'results.csv')).records) {
      const dir = path.join(summary.runDir, 'models', row.cell_id, row.seed, row.role);
      const model = await loadLikeAUser(dir);
      const predicted = [...tf.tidy(() => (model.predict(data.test.x) as tf.Tensor2D).argMax(1)).dataSync()];
      const accuracy = predicted.filter((p, i) => p === labels[i]).length / labels.length;
      assert.equal(Number(accuracy.toPrecision(6)), Number(row.test_accuracy), `${row.cell} ${row.role}`);
      model.dispose();
    }
    // The person shared by both cells is the same model in each.
    const persons = exp.cells.map((cell) => readFileSync(path.join(summary.runDir, 'models', cell.id, String(cell.seed), 'person', 'weights.bin')));
    assert.isTrue(persons[0].equals(persons[1]));
    const info = readSavedModel(path.join(summary.runDir, 'models', exp.cells[0].id, String(exp.cells[0].seed), 'student')).info;
    assert.deepInclude(info, { role: 'student', task: 'classification', inputShape: [6], outputSize: 3, experiment: 'blobs', cellId: exp.cells[0].id });
  });

  it('round-trips weights exactly, and refuses a damaged or missing model naming the file', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] }), tf.layers.dense({ units: 2 })] });
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'distil-model-')), 'm');
    await saveModel(dir, model, { role: 'teacher', task: 'classification', inputShape: [4], outputSize: 2 }, '0.0.0');
    const { model: loaded } = await loadSavedModel(path.join(dir, 'model.json'));
    const values = (m: tf.LayersModel) => m.getWeights().map((w) => [...w.dataSync()]);
    assert.deepEqual(values(loaded), values(model));

    const refusal = (target: string) => {
      try {
        readSavedModel(target);
      } catch (error) {
        assert.instanceOf(error, DistilError);
        assert.equal((error as DistilError).exitCode, 2);
        return (error as DistilError).message;
      }
      return assert.fail('not refused');
    };
    const weights = path.join(dir, 'weights.bin');
    const bytes = readFileSync(weights);
    bytes.writeFloatLE(7.25, 4);
    writeFileSync(weights, bytes);
    assert.equal(refusal(dir), `${dir}/model.json: its weights do not match the checksum recorded when it was saved (the weights file is damaged; save the model again)`);
    writeFileSync(weights, bytes.subarray(0, 8));
    assert.equal(refusal(dir), `${dir}/model.json: its weights have 8 bytes, the manifest describes ${bytes.length} (the weights file may be cut short; save the model again)`);
    writeFileSync(path.join(dir, 'model.json'), '{"modelTopology": ');
    // The JSON parser's own words change with the Node version.
    assert.match(refusal(dir), messagePattern`${dir}/model.json: not JSON (${/.+/}) (the file may be cut short or damaged; save the model again)`);
    assert.equal(refusal(path.join(dir, 'nothing')), `${path.join(dir, 'nothing')}: no model.json there (give a model directory, e.g. <run dir>/models/<cell>/<seed>/<role>, or its model.json)`);
  });

  it('keeps only the teachers with --save-models teacher, none with none; auto keeps all for small runs only', async () => {
    const { experiment: exp, registry } = await experiment();
    const teacherOnly = await runExperiment(exp, registry, { outDir: outDir(), runId: 't', reporter: new RecordingReporter(), teacherCache: false, saveModels: 'teacher' });
    const cell = path.join(teacherOnly.runDir, 'models', exp.cells[0].id, String(exp.cells[0].seed));
    assert.deepEqual(readdirSync(cell), ['teacher']);
    const none = await runExperiment(exp, registry, { outDir: outDir(), runId: 'n', reporter: new RecordingReporter(), teacherCache: false, saveModels: 'none' });
    assert.isFalse(existsSync(path.join(none.runDir, 'models')));
    assert.equal(saveModelsFor('auto', 12), 'all');
    assert.equal(saveModelsFor(undefined, 13), 'teacher');
  });

  it('stores the teacher cache as model directories a user can open', async () => {
    const { experiment: exp, registry } = await experiment();
    const cache = outDir();
    await runExperiment(exp, registry, { outDir: outDir(), runId: 'c', reporter: new RecordingReporter(), teacherCache: cache, saveModels: 'none' });
    const [entry] = readdirSync(cache);
    const model = await loadLikeAUser(path.join(cache, entry));
    assert.equal(model.outputs[0].shape[1], 3);
  });
});
