// One benchmark configuration in its own process (tfjs holds one backend per process): times training
// steps of every role of the shipped experiments and the backend's raw matrix-product rate.
import type { Role } from '../src/shared/types.js';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { measureSgemm } from '../src/backend/blas.js';
import type { Sgemm } from '../src/backend/blas.js';
import { configBackend } from './config-backend.js';
import type { Loss } from '../src/registry/types.js';
import { buildModel, createComponent } from '../src/runner/model.js';
import { trainStep } from '../src/runner/train.js';
import { compileRoleStep, stepCoverage } from '../src/runner/compiled-training.js';
import { loadExperiment } from '../src/config/experiment.js';
import type { ResolvedConfig } from '../src/config/resolved-config.js';
import type { Registry } from '../src/registry/registry.js';
import { packageRoot } from '../src/shared/package-root.js';
import { createRegistry } from '../src/plugins/index.js';

export interface BenchRow {
  config: string;
  backend: string;
  experiment: string;
  role: string;
  /** `tfjs` (tfjs's step) or `compiled` (the compiled step). */
  step: string;
  batch_size: number;
  steps: number;
  samples_per_sec: number;
  mflop_per_sample: number;
  achieved_gflops: number;
  raw_gflops: number;
  ratio: number;
}

/** Training FLOPs per example: forward 2·MACs, weight gradients 2·MACs, input gradients 2·MACs except the first layer's. */
function flopsPerSample(model: tf.Sequential): number {
  const dense = model.layers.filter((l) => l.getClassName() === 'Dense');
  const macs = dense.map((l) => (l.getWeights()[0].shape[0] as number) * (l.getWeights()[0].shape[1] as number));
  return 6 * macs.reduce((a, b) => a + b, 0) - 2 * macs[0];
}

/** The backend's own rate on a 512^3 product: BLAS sgemm when it does the matMuls, else tf.matMul. */
function rawRate(sgemm: Sgemm | undefined): number {
  if (sgemm) return measureSgemm(sgemm);
  const [a, b] = [tf.randomNormal([512, 512]), tf.randomNormal([512, 512])];
  tf.matMul(a, b).dataSync();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    best = Math.min(best, performance.now() - started);
  }
  tf.dispose([a, b]);
  return (2 * 512 ** 3) / (best * 1e6);
}

/** Median samples/s of `repeats` runs of `steps` steps of one role on random data of the experiment's shape. */
function timeRole(
  registry: Registry,
  config: ResolvedConfig,
  role: Role,
  steps: number,
  repeats: number,
  inputSize: number,
  outputs: number,
  compiled = false,
): { rate: number; flops: number } {
  const { batchSize } = config.models[role].training;
  const dataset = {
    task: config.task,
    featureShape: [inputSize],
    outputSize: outputs,
    train: { x: new Float32Array(0), y: new Int32Array(0), n: 0 },
    test: { x: new Float32Array(0), y: new Int32Array(0), n: 0 },
  };
  const model = buildModel(registry, config.models[role].layers, dataset, config.seed, role, '.');
  const context = { seed: 1, baseDir: '.', task: config.task };
  const loss = createComponent<Loss>(
    registry,
    'loss',
    role === 'student' ? config.distillation : config.models[role].training.loss,
    context,
  );
  const optimizer = createComponent<tf.Optimizer>(
    registry,
    'optimizer',
    config.models[role].training.optimizer,
    context,
  );
  const n = batchSize * 16;
  const train = {
    x: tf.randomUniform([n, inputSize], 0, 1, 'float32', 1) as tf.Tensor2D,
    y: (config.task === 'classification'
      ? tf.randomUniform([n], 0, outputs, 'int32', 2)
      : tf.randomNormal([n], 0, 1, 'float32', 2)) as tf.Tensor1D,
    n,
  };
  const teacherTrain =
    role === 'student' ? (tf.randomNormal([n, outputs], 0, 1, 'float32', 3) as tf.Tensor2D) : undefined;
  const options = { model, optimizer, loss, train, teacherTrain };
  const coverage = stepCoverage({ model, loss, optimizer: config.models[role].training.optimizer.name, train });
  if (compiled && !('stages' in coverage)) throw new Error(`${role}: no compiled step (${coverage.reason})`);
  const plan =
    compiled && 'stages' in coverage
      ? compileRoleStep(coverage, { loss, optimizer, train, teacherTrain, batchSize })
      : undefined;
  const run = (indices: Int32Array) => (plan ? plan.step(indices) : trainStep(options, indices).dispose());
  const batch = (i: number) => Int32Array.from({ length: batchSize }, (_, j) => (i * batchSize + j * 7) % n);
  // Warm-up: JIT, optimizer slots and heap growth happen here, not in the timed steps.
  for (let i = 0; i < 15; i++) run(batch(i));
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    for (let i = 0; i < steps; i++) run(batch(i));
    tf.backend().readSync(model.getWeights()[0].dataId); // make sure queued work is done
    rates.push((steps * batchSize) / ((performance.now() - started) / 1000));
  }
  const flops = flopsPerSample(model);
  plan?.dispose();
  tf.dispose([train.x, train.y, ...(teacherTrain ? [teacherTrain] : [])]);
  optimizer.dispose();
  model.dispose();
  return { rate: rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)], flops };
}

async function main(): Promise<void> {
  const [configName, stepsText, repeatsText, maxStepMsText] = process.argv.slice(2);
  const info = await configBackend(configName);
  const { loadBlas } = await import('../src/backend/blas.js');
  const raw = rawRate(info.blas ? loadBlas('auto').blas?.sgemm : undefined);
  const rows: BenchRow[] = [];
  for (const [file, inputSize, outputs] of [
    ['mnist.yaml', 784, 10],
    ['housing.yaml', 8, 1],
  ] as const) {
    const { experiment, registry } = await loadExperiment(path.join(packageRoot(), 'experiments', file), {
      registry: await createRegistry(),
    });
    const config = experiment.cells[0].config;
    // The compiled step beside tfjs's where it runs (wasm, with or without a BLAS), in the same process.
    const paths = info.compiledStep === 'on' ? [false, true] : [false];
    for (const [role, compiled] of (['teacher', 'student', 'person'] as const).flatMap((r) =>
      paths.map((c) => [r, c] as const),
    )) {
      // A slow backend (cpu) gets fewer steps so the whole benchmark stays in minutes.
      const probe = timeRole(registry, config, role, 2, 1, inputSize, outputs, compiled);
      const msPerStep = (config.models[role].training.batchSize / probe.rate) * 1000;
      const steps = Math.max(3, Math.min(Number(stepsText), Math.floor(Number(maxStepMsText) / msPerStep)));
      const { rate, flops } = timeRole(
        registry,
        config,
        role,
        steps,
        Number(repeatsText),
        inputSize,
        outputs,
        compiled,
      );
      const achieved = (rate * flops) / 1e9;
      rows.push({
        config: configName,
        backend: info.name,
        experiment: experiment.name,
        role,
        step: compiled ? 'compiled' : 'tfjs',
        batch_size: config.models[role].training.batchSize,
        steps,
        samples_per_sec: Math.round(rate),
        mflop_per_sample: Number((flops / 1e6).toFixed(3)),
        achieved_gflops: Number(achieved.toFixed(2)),
        raw_gflops: Number(raw.toFixed(1)),
        ratio: Number((achieved / raw).toFixed(3)),
      });
    }
  }
  process.stdout.write(`${JSON.stringify(rows)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(3);
});
