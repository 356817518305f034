// A role from a saved model (`load:`): a teacher someone else trained is distilled as it is; a student starts from its weights.
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { DistilError } from '../../src/errors/index.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { saveModel } from '../../src/results/saved-model.js';
import { useWasm } from '../helpers.js';
import { experiment, outDir, SPEC } from './blobs.js';

const withTeacher = (teacher: string) => SPEC.replace('teacher: { layers: [32, 16] }', `teacher: ${teacher}`);

async function rejection(promise: Promise<unknown>): Promise<DistilError> {
  try {
    await promise;
  } catch (error) {
    assert.instanceOf(error, DistilError);
    return error as DistilError;
  }
  return assert.fail('not refused');
}

/** Runs the blobs spec (or `spec`) once, saving every model, and gives the saved directory of one role of its only cell. */
async function trainAndSave(role: 'teacher' | 'student', spec = SPEC) {
  const { experiment: first, registry } = await experiment(spec);
  const trained = await runExperiment(first, registry, {
    outDir: outDir(),
    runId: 't',
    reporter: new RecordingReporter(),
    teacherCache: false,
  });
  const saved = path.join(trained.runDir, 'models', first.cells[0].id, String(first.cells[0].seed), role);
  return { registry, trained, saved };
}

describe('load: a role from a saved model', () => {
  before(useWasm);

  it('distils a loaded teacher as it is: not trained, its row says loaded, its test metrics those it had', async () => {
    const { registry, trained, saved } = await trainAndSave('teacher');
    const { experiment: exp } = await experiment(withTeacher(`{ load: ${saved} }`));
    assert.equal(exp.cells[0].config.models.teacher.load, path.join(saved, 'model.json'));
    const reporter = new RecordingReporter();
    const summary = await runExperiment(exp, registry, { outDir: outDir(), runId: 'l', reporter, teacherCache: false });
    const [teacher, student] = summary.rows;
    assert.deepEqual([teacher.source, teacher.epochs, teacher.status], ['loaded', 0, 'ok']);
    assert.equal(teacher.test_accuracy, trained.rows[0].test_accuracy);
    assert.equal(teacher.test_loss, trained.rows[0].test_loss);
    assert.equal(student.status, 'ok');
    assert.lengthOf(
      reporter.events.filter((e) => e.type === 'epoch' && e.role === 'teacher'),
      0,
      'the teacher was not trained',
    );
  });

  it("reads a loaded teacher's representations from its own layers: fitnet on its first hidden layer", async () => {
    const { registry, saved } = await trainAndSave('teacher');
    const spec = withTeacher(`{ load: ${saved} }`).replace(
      'distillation: { temperature: 2, alpha: 0.5 }',
      'distillation: { name: fitnet, features: { teacher: 0 } }',
    );
    const { experiment: exp } = await experiment(spec);
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'f',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    const student = summary.rows.find((row) => row.role === 'student');
    // The saved teacher's layers are [32, 16] and the output: layer 0 gives 32 features, the student's last 8.
    assert.deepEqual([student?.status, student?.extra_params], ['ok', 8 * 32 + 32]);
  });

  it('saves max_norm as tfjs MaxNorm: the model loads with plain tf.loadLayersModel, inside its bound, and distils as it is', async () => {
    const spec = SPEC.replace(
      'teacher: { layers: [32, 16] }',
      'teacher: { layers: [{ name: dense, units: 32, max_norm: 0.5 }, 16] }',
    );
    const { registry, trained, saved } = await trainAndSave('teacher', spec);
    const json = JSON.parse(readFileSync(path.join(saved, 'model.json'), 'utf8'));
    const weights = readFileSync(path.join(saved, json.weightsManifest[0].paths[0]));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    const [first] = model.layers;
    assert.deepEqual((first.getConfig() as { kernelConstraint?: unknown }).kernelConstraint, {
      className: 'MaxNorm',
      config: { maxValue: 0.5, axis: 0 },
    });
    const kernel = first.getWeights()[0].arraySync() as number[][];
    const norms = kernel[0].map((_, unit) => Math.hypot(...kernel.map((row) => row[unit])));
    assert.lengthOf(norms, 32);
    assert.isAtMost(Math.max(...norms), 0.5 * (1 + 1e-5));
    assert.isAbove(Math.max(...norms), 0.49, 'the bound was reached in training');
    model.dispose();

    const { experiment: exp } = await experiment(withTeacher(`{ load: ${saved} }`));
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'n',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    const [teacher, student] = summary.rows;
    assert.deepEqual([teacher.source, teacher.status, student.status], ['loaded', 'ok', 'ok']);
    assert.equal(teacher.test_accuracy, trained.rows[0].test_accuracy);
  });

  it('refuses a model that does not fit the dataset, or ends in a softmax, before the run directory exists', async () => {
    const { registry } = await experiment();
    const dir = outDir();
    const save = async (name: string, layers: tf.layers.Layer[]) => {
      const file = path.join(dir, name);
      await saveModel(
        file,
        tf.sequential({ layers }),
        { role: 'teacher', task: 'classification', inputShape: [6], outputSize: 3 },
        '0',
      );
      return file;
    };
    const cases: Array<[string, string, string]> = [
      [
        'five classes',
        await save('five', [tf.layers.dense({ units: 5, inputShape: [6] })]),
        'gives 5 output(s), the dataset has 3 classes (load a model made for this dataset)',
      ],
      [
        'other inputs',
        await save('wide', [tf.layers.dense({ units: 3, inputShape: [7] })]),
        'takes inputs of shape [7], the dataset gives 6 features (load a model made for this dataset)',
      ],
      [
        'a softmax',
        await save('soft', [tf.layers.dense({ units: 3, inputShape: [6], activation: 'softmax' })]),
        'its last layer applies a softmax (distil-run trains and distils logits: save the model without the final softmax (a linear last layer))',
      ],
    ];
    const [messages, expected]: [string[], string[]] = [[], []];
    for (const [what, file, problem] of cases) {
      const { experiment: exp } = await experiment(withTeacher(`{ load: ${file} }`));
      const error = await rejection(
        runExperiment(exp, registry, {
          outDir: dir,
          runId: 'x',
          reporter: new RecordingReporter(),
          teacherCache: false,
        }),
      );
      assert.equal(error.code, 'MODEL_SHAPE', what);
      messages.push(error.message);
      expected.push(
        `these models cannot be built; nothing was run:\n  cell ${exp.cells[0].id}, teacher: models.teacher.load: ${path.join(file, 'model.json')}: ${problem}`,
      );
      assert.isFalse(existsSync(path.join(dir, 'blobs', 'x')), what);
    }
    assert.deepEqual(messages, expected);
  });

  it('refuses layers with load, and a load that names no file, at their place in the spec', async () => {
    const both = await rejection(experiment(withTeacher('{ layers: [8], load: ./m }')));
    assert.equal(
      both.message,
      'blobs.yaml: 1 error\n  blobs.yaml:5:27 models.teacher.load: given with layers (a role is built from layers or loaded from a saved model: keep one of them)',
    );
    const none = await rejection(experiment(withTeacher('{ load: ./nowhere }')));
    // The spec is blobs.yaml in the working directory: a relative load: starts there.
    assert.equal(
      none.message,
      `blobs.yaml: 1 error\n  blobs.yaml:5:20 models.teacher.load: ${path.resolve('nowhere')}: no such file ` +
        "(give a model.json saved in the TensorFlow.js layers format, or its directory (a relative path starts at the spec file's directory))",
    );
  });

  it('starts a loaded student from its weights and trains it', async () => {
    const { registry, trained, saved } = await trainAndSave('student');
    const { experiment: exp } = await experiment(
      SPEC.replace('student: { layers: [8] }', `student: { load: ${saved} }`),
    );
    const summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 's',
      reporter: new RecordingReporter(),
      teacherCache: false,
    });
    const student = summary.rows.find((r) => r.role === 'student');
    assert.deepEqual([student?.source, student?.epochs, student?.status], ['trained', 4, 'ok']);
    // The person is the student's model unless the spec says otherwise: it starts from the same weights.
    assert.equal(summary.rows.find((r) => r.role === 'person')?.params, student?.params);
    assert.isAbove(Number(student?.test_accuracy), Number(trained.rows[1].test_accuracy) - 0.2);
  });
});
