// The training speed of one student with each distillation method of experiments/methods-mnist.yaml, in
// one process on one backend: samples/s per method and its ratio to kd's, timed in interleaved rounds (kd,
// then each method, repeated) so that the machine's noise falls on all of them alike; a method the compiled
// step covers is timed on it too (after the compiled step was planned, on wasm). Prints JSON rows.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { configBackend } from './config-backend.js';
import { loadExperiment } from '../src/config/experiment.js';
import type { ComponentRef } from '../src/config/resolved-config.js';
import { createRegistry } from '../src/plugins/index.js';
import type { Loss } from '../src/registry/types.js';
import { buildModel, createComponent } from '../src/runner/model.js';
import { readsRepresentations, roleFeatureModel, teacherFeatures } from '../src/runner/representations.js';
import { compileRoleStep, stepCoverage } from '../src/runner/compiled-training.js';
import { trainStep } from '../src/runner/train.js';
import type { StepRepresentations } from '../src/runner/train.js';
import { packageRoot } from '../src/shared/package-root.js';

export interface MethodBenchRow {
  config: string;
  method: string;
  batch_size: number;
  samples_per_sec: number;
  /** This method's samples/s over kd's, both medians of the same interleaved rounds. */
  ratio_to_kd: number;
}

const label = (ref: ComponentRef): string => {
  const params = Object.entries(ref.params)
    .filter(([key, value]) => key === 'standardize' && value === true)
    .map(([key]) => key);
  return params.length > 0 ? `${ref.name}(${params.join(', ')})` : ref.name;
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const [configName, stepsText, repeatsText] = process.argv.slice(2);
  await configBackend(configName);
  const registry = await createRegistry();
  const { experiment } = await loadExperiment(path.join(packageRoot(), 'experiments', 'methods-mnist.yaml'), {
    registry,
  });
  const dataset = {
    task: 'classification' as const,
    featureShape: [784],
    outputSize: 10,
    train: { x: new Float32Array(0), y: new Int32Array(0), n: 0 },
    test: { x: new Float32Array(0), y: new Int32Array(0), n: 0 },
  };
  const base = experiment.cells[0].config;
  const { batchSize } = base.models.student.training;
  const n = batchSize * 16;
  const x = tf.randomUniform([n, 784], 0, 1, 'float32', 1) as tf.Tensor2D;
  const y = tf.randomUniform([n], 0, 10, 'int32', 2) as tf.Tensor1D;
  const train = { x, y, n };
  const teacher = buildModel(registry, base.models.teacher.layers, dataset, 1, 'teacher', '.');
  const teacherLogits = teacher.predict(x) as tf.Tensor2D;
  const batch = (i: number) => Int32Array.from({ length: batchSize }, (_, j) => (i * batchSize + j * 7) % n);
  const setups = experiment.cells
    .filter((cell) => cell.seed === base.seed)
    .map((cell) => {
      const { distillation } = cell.config;
      const student = buildModel(registry, cell.config.models.student.layers, dataset, 1, 'small', '.');
      let representations: StepRepresentations | undefined;
      let features: { student: number[]; teacher: number[] } | undefined;
      if (readsRepresentations(registry, distillation)) {
        const studentView = roleFeatureModel(registry, cell.config, 'student', student, dataset);
        const teacherView = roleFeatureModel(registry, cell.config, 'teacher', teacher, dataset);
        const teacherRows = teacherFeatures(teacherView, train, 1024);
        features = { student: [...studentView.shape], teacher: [...teacherView.shape] };
        representations = { student: (b, training) => studentView.apply(b, training), teacher: teacherRows.rows };
      }
      const loss = createComponent<Loss>(registry, 'loss', distillation, {
        seed: 1,
        baseDir: '.',
        task: 'classification',
        features,
      });
      const optimizerRef = cell.config.models.student.training.optimizer;
      const optimizer = createComponent<tf.Optimizer>(registry, 'optimizer', optimizerRef, { seed: 1, baseDir: '.' });
      const prepared = loss.prepareTeacher ? loss.prepareTeacher(teacherLogits) : teacherLogits;
      const options = { model: student, optimizer, loss, train, teacherTrain: prepared, representations };
      const step = (i: number) => trainStep(options, batch(i), 20).dispose();
      const tfjs = { method: label(distillation), step, student };
      // The methods the compiled step covers are timed on it too, on a student and optimizer of their own.
      const own = buildModel(registry, cell.config.models.student.layers, dataset, 1, 'small', '.');
      const coverage = stepCoverage({ model: own, loss, optimizer: optimizerRef.name, train });
      if (!('stages' in coverage)) return [tfjs];
      const plan = compileRoleStep(coverage, {
        loss,
        optimizer: createComponent<tf.Optimizer>(registry, 'optimizer', optimizerRef, { seed: 1, baseDir: '.' }),
        train,
        teacherTrain: prepared,
        batchSize,
      });
      const compiled = {
        method: `${tfjs.method} (compiled step)`,
        step: (i: number) => plan.step(batch(i), 20),
        student: own,
      };
      return [tfjs, compiled];
    })
    .flat();
  const steps = Number(stepsText);
  const rates = setups.map(() => [] as number[]);
  // Warm-up, then interleaved rounds.
  for (const setup of setups) for (let i = 0; i < 10; i++) setup.step(i);
  for (let round = 0; round < Number(repeatsText); round++) {
    setups.forEach((setup, k) => {
      const started = performance.now();
      for (let i = 0; i < steps; i++) setup.step(i);
      tf.backend().readSync(setup.student.getWeights()[0].dataId);
      rates[k].push((steps * batchSize) / ((performance.now() - started) / 1000));
    });
  }
  const kd = median(rates[0]);
  const rows: MethodBenchRow[] = setups.map((setup, k) => ({
    config: configName,
    method: setup.method,
    batch_size: batchSize,
    samples_per_sec: Math.round(median(rates[k])),
    ratio_to_kd: Number((median(rates[k]) / kd).toFixed(3)),
  }));
  process.stdout.write(JSON.stringify(rows));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
