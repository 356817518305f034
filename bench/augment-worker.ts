// What augmentation costs, in one process on one backend: the training speed of experiments/hinton-mnist.yaml's
// teacher with and without its jitter (shift, 2 pixels), and of its student distilled from cached teacher
// outputs against an augmented student whose teacher runs on every batch. Interleaved rounds, medians.
// Prints JSON rows.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { configBackend } from './config-backend.js';
import { loadExperiment } from '../src/config/experiment.js';
import { createRegistry } from '../src/plugins/index.js';
import type { Dataset, Loss } from '../src/registry/types.js';
import { createAugmenter } from '../src/runner/augment.js';
import { buildModel, createComponent } from '../src/runner/model.js';
import { teacherOnBatchOf } from '../src/runner/role.js';
import { trainStep } from '../src/runner/train.js';
import type { TrainRoleOptions } from '../src/runner/train.js';
import { packageRoot } from '../src/shared/package-root.js';

export interface AugmentBenchRow {
  config: string;
  setup: string;
  batch_size: number;
  samples_per_sec: number;
  /** Samples/s over those of the same role without augmentation, medians of the same interleaved rounds. */
  ratio_to_plain: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

type Step = Parameters<typeof trainStep>[0];

async function main(): Promise<void> {
  const [configName, stepsText, repeatsText] = process.argv.slice(2);
  await configBackend(configName);
  const registry = await createRegistry();
  const { experiment } = await loadExperiment(path.join(packageRoot(), 'experiments', 'hinton-mnist.yaml'), {
    registry,
  });
  const config = experiment.cells[0].config;
  const dataset: Dataset = {
    task: 'classification',
    featureShape: [784],
    imageShape: [28, 28, 1],
    outputSize: 10,
    train: { x: new Float32Array(0), y: new Int32Array(0), n: 0 },
    test: { x: new Float32Array(0), y: new Int32Array(0), n: 0 },
  };
  const { batchSize } = config.models.teacher.training;
  const n = batchSize * 16;
  const x = tf.randomUniform([n, 784], 0, 1, 'float32', 1) as tf.Tensor2D;
  const y = tf.randomUniform([n], 0, 10, 'int32', 2) as tf.Tensor1D;
  const train = { x, y, n };
  const context = { seed: 1, baseDir: '.', task: 'classification' as const };
  const shift = createAugmenter(registry, config.models.teacher.training.augment, dataset, 1, '.');
  if (!shift) throw new Error('hinton-mnist.yaml: the teacher has no augmentation');
  const teacher = buildModel(registry, config.models.teacher.layers, dataset, 1, 'teacher', '.');
  const student = buildModel(registry, config.models.student.layers, dataset, 1, 'small', '.');
  const labelLoss = createComponent<Loss>(registry, 'loss', config.models.teacher.training.loss, context);
  const kd = createComponent<Loss>(registry, 'loss', config.distillation, context);
  const outputs = teacher.predict(x) as tf.Tensor2D;
  const prepared = kd.prepareTeacher ? kd.prepareTeacher(outputs) : outputs;
  const optimizer = (role: 'teacher' | 'student') =>
    createComponent<tf.Optimizer>(registry, 'optimizer', config.models[role].training.optimizer, context);
  const roleOptions = (role: 'teacher' | 'student', extra: Partial<TrainRoleOptions>): Step => ({
    model: role === 'teacher' ? teacher : student,
    loss: role === 'teacher' ? labelLoss : kd,
    optimizer: optimizer(role),
    train,
    ...extra,
  });
  const setups: Array<{ setup: string; plain: number; options: Step }> = [
    { setup: 'teacher', plain: 0, options: roleOptions('teacher', {}) },
    { setup: 'teacher + shift(2)', plain: 0, options: roleOptions('teacher', { augment: shift }) },
    { setup: 'student, teacher outputs once', plain: 2, options: roleOptions('student', { teacherTrain: prepared }) },
    {
      setup: 'student + shift(2), teacher per batch',
      plain: 2,
      options: roleOptions('student', { augment: shift, teacherOnBatch: teacherOnBatchOf(teacher, kd) }),
    },
  ];
  const batch = (i: number) => Int32Array.from({ length: batchSize }, (_, j) => (i * batchSize + j * 7) % n);
  const steps = Number(stepsText);
  const rates = setups.map(() => [] as number[]);
  for (const { options } of setups) for (let i = 0; i < 5; i++) trainStep(options, batch(i), 1, i).dispose();
  for (let round = 0; round < Number(repeatsText); round++) {
    setups.forEach(({ options }, k) => {
      const started = performance.now();
      for (let i = 0; i < steps; i++) trainStep(options, batch(i), round + 2, i).dispose();
      tf.backend().readSync(options.model.getWeights()[0].dataId);
      rates[k].push((steps * batchSize) / ((performance.now() - started) / 1000));
    });
  }
  const rows: AugmentBenchRow[] = setups.map(({ setup, plain }, k) => ({
    config: configName,
    setup,
    batch_size: batchSize,
    samples_per_sec: Math.round(median(rates[k])),
    ratio_to_plain: Number((median(rates[k]) / median(rates[plain])).toFixed(3)),
  }));
  process.stdout.write(JSON.stringify(rows));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
