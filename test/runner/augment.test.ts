// Augmentation in a run: the listed transformations reach each training batch with a seed of its own, the
// teacher of an augmented student sees the student's batches, runs repeat, and tabular data is refused first.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { createAugmenter } from '../../src/runner/augment.js';
import { teacherOnBatchOf } from '../../src/runner/role.js';
import { trainStep } from '../../src/runner/train.js';
import { definePlugin } from '../../src/registry/types.js';
import type { Dataset, Loss } from '../../src/registry/types.js';
import { assertRejectsMessage, builtinRegistry, useWasm } from '../helpers.js';
import { experiment, outDir, roleDetail, runSpec, SPEC, TILES } from './blobs.js';

const IMAGES: Dataset = {
  task: 'classification',
  featureShape: [16],
  imageShape: [4, 4, 1],
  outputSize: 2,
  train: { x: new Float32Array(16 * 8), y: new Int32Array(8), n: 8 },
  test: { x: new Float32Array(16), y: new Int32Array(1), n: 1 },
};

/** An augmentation that records the seed of every call and adds it to the images (so the seed is visible). */
function recordingPlugin(seeds: number[]) {
  return definePlugin({
    name: 'recording',
    components: [
      {
        kind: 'augmentation',
        name: 'record',
        description: 'records seeds',
        params: { properties: {} },
        create: () => ({
          apply: (images: tf.Tensor4D, seed: number) => {
            seeds.push(seed);
            return tf.add(images, seed % 7) as tf.Tensor4D;
          },
        }),
      },
      {
        kind: 'augmentation',
        name: 'squash',
        description: 'returns the wrong shape',
        params: { properties: {} },
        create: () => ({
          apply: (images: tf.Tensor4D) => images.reshape([images.shape[0], -1]) as unknown as tf.Tensor4D,
        }),
      },
    ],
  });
}

async function run(spec: string) {
  const { results, ...rest } = await runSpec(spec, 'augment');
  return { results: results.records, ...rest };
}

const teacherAugmented = TILES.replace(
  'teacher: { layers: [32, 16] }',
  'teacher: { layers: [32, 16], training: { augment: [{ name: shift, pixels: 1 }] } }',
);

describe('augmentation in a run', () => {
  before(useWasm);

  it('gives every batch of every epoch, and every augmentation of the list, its own seed, the same in every run', () => {
    const seeds: number[] = [];
    const registry = builtinRegistry().use(recordingPlugin(seeds));
    const refs = [
      { name: 'record', params: {} },
      { name: 'record', params: {} },
    ];
    const augment = createAugmenter(registry, refs, IMAGES, 42, '.')!;
    const x = tf.zeros([8, 16]) as tf.Tensor2D;
    for (const epoch of [1, 2]) for (const batch of [0, 1, 2]) tf.dispose(augment(x, epoch, batch));
    assert.lengthOf(seeds, 12);
    assert.equal(new Set(seeds).size, 12, 'no two calls share a seed');
    const again: number[] = [];
    const repeat = createAugmenter(builtinRegistry().use(recordingPlugin(again)), refs, IMAGES, 42, '.')!;
    for (const epoch of [1, 2]) for (const batch of [0, 1, 2]) tf.dispose(repeat(x, epoch, batch));
    assert.deepEqual(again, seeds, 'the same role seed gives the same seeds');
    x.dispose();
  });

  it("runs an augmented student's teacher on the student's augmented batch", () => {
    const registry = builtinRegistry();
    const student = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [16] })] });
    const teacher = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [16] })] });
    const shift = createAugmenter(registry, [{ name: 'shift', params: { pixels: 1 } }], IMAGES, 5, '.')!;
    const train = {
      x: tf.tensor2d(
        Float32Array.from({ length: 8 * 16 }, (_, i) => (i % 17) / 17),
        [8, 16],
      ),
      y: tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'),
      n: 8,
    };
    let augmented: tf.Tensor | undefined;
    let taught: tf.Tensor | undefined;
    const loss: Loss = {
      compute: (prediction, _target, teacherOutputs) => {
        taught = tf.keep(teacherOutputs!.clone());
        return tf.mean(prediction) as tf.Scalar;
      },
    };
    const teacherOnBatch = teacherOnBatchOf(teacher, loss);
    const cost = trainStep(
      {
        model: student,
        loss,
        train,
        optimizer: tf.train.sgd(0.1),
        augment: (x, epoch, batch) => {
          const out = shift(x, epoch, batch);
          augmented = tf.keep(out.clone());
          return out;
        },
        teacherOnBatch,
      },
      Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]),
      3,
      1,
    );
    const onAugmented = teacher.predict(augmented!) as tf.Tensor;
    const onRows = teacher.predict(train.x) as tf.Tensor;
    assert.deepEqual(Array.from(taught!.dataSync()), Array.from(onAugmented.dataSync()));
    assert.notDeepEqual(
      Array.from(taught!.dataSync()),
      Array.from(onRows.dataSync()),
      'not the outputs on the rows as stored',
    );
    tf.dispose([cost, onAugmented, onRows, augmented!, taught!, train.x, train.y]);
    student.dispose();
    teacher.dispose();
  });

  it('trains a teacher on augmented batches (another training than without), repeats exactly, and says so', async function () {
    this.timeout(60_000);
    const [a, b, plain] = [await run(teacherAugmented), await run(teacherAugmented), await run(TILES)];
    const losses = (r: typeof a, role: string) => r.history.filter((h) => h.role === role).map((h) => h.train_loss);
    assert.deepEqual(losses(a, 'teacher'), losses(b, 'teacher'), 'the same spec, the same epochs');
    assert.deepEqual(
      a.results.map((r) => [r.role, r.test_accuracy, r.test_loss]),
      b.results.map((r) => [r.role, r.test_accuracy, r.test_loss]),
    );
    assert.notDeepEqual(losses(a, 'teacher'), losses(plain, 'teacher'), 'the teacher trained on other inputs');
    assert.deepEqual(losses(a, 'person'), losses(plain, 'person'), 'the person is not augmented');
    assert.include(roleDetail(a.reporter.events, 'teacher'), 'augment: shift(pixels=1)');
    assert.include(
      roleDetail(a.reporter.events, 'student'),
      "teacher's outputs computed once on the training split (the student's inputs are not augmented)",
    );
    const manifest = JSON.parse(readFileSync(path.join(a.summary.runDir, 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.cells[0].augment, { teacher: 'shift(pixels=1)' });
    assert.equal(manifest.cells[0].teacher_outputs, 'once');
  });

  it("computes the teacher's outputs per batch for an augmented student, and says so in the log and the manifest", async function () {
    this.timeout(60_000);
    const spec = TILES.replace('student: { layers: [8] }', 'student: { layers: [8], training: { augment: [crop] } }');
    const { results, summary, reporter } = await run(spec);
    assert.isTrue(results.every((r) => r.status === 'ok'));
    assert.include(
      roleDetail(reporter.events, 'student'),
      'augment: crop(padding=4, padding_mode="constant"); teacher\'s outputs computed per batch, on the student\'s augmented inputs',
    );
    const manifest = JSON.parse(readFileSync(path.join(summary.runDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.cells[0].teacher_outputs, 'per batch, on the augmented inputs');
  });

  it('refuses augmentation of tabular data before anything trains (exit 2)', async () => {
    const spec = SPEC.replace('training: { epochs: 4', 'training: { augment: [shift], epochs: 4');
    const { experiment: exp, registry } = await experiment(spec);
    const reporter = new RecordingReporter();
    await assertRejectsMessage(
      runExperiment(exp, registry, { outDir: outDir(), runId: 'tabular', reporter, teacherCache: false }),
      /^these augmentations cannot be applied; nothing was run:\n {2}cell \w+, teacher: shift\(pixels=2\) transform images, and the dataset blobs gives 6 features without an image shape \(remove training.augment, or use an image dataset\)\n {2}cell \w+, student: .*\n {2}cell \w+, person: .*$/,
      { code: 'AUGMENTATION', exitCode: 2 },
    );
    assert.notInclude(
      reporter.events.map((e) => e.type),
      'roleStart',
    );
  });

  it("names a plugin's augmentation that returns another shape", () => {
    const registry = builtinRegistry().use(recordingPlugin([]));
    const augment = createAugmenter(registry, [{ name: 'squash', params: {} }], IMAGES, 1, '.')!;
    const x = tf.zeros([8, 16]) as tf.Tensor2D;
    assert.throws(
      () => augment(x, 1, 0),
      'augmentation "squash" (plugin recording): apply() must return a tensor of the images\' shape [8, 4, 4, 1], got a tensor of shape [8, 16]',
    );
    x.dispose();
  });
});
