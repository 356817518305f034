// One benchmark configuration in its own process (tfjs holds one backend per process): times training
// steps of every role of the shipped experiments and the backend's raw matrix-product rate.
import type { Role } from '../src/shared/types.js';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { measureSgemm } from '../src/backend/blas.js';
import type { Sgemm } from '../src/backend/blas.js';
import { configBackend } from './config-backend.js';
import { timeTrainingStep } from '../src/runner/step-timing.js';
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
  compiled: boolean,
): { rate: number; flops: number } {
  let flops = 0;
  const { samplesPerSec } = timeTrainingStep({
    registry,
    config,
    role,
    dataset: { task: config.task, featureShape: [inputSize], outputSize: outputs },
    steps,
    repeats,
    step: compiled ? 'compiled' : 'tfjs',
    onModel: (model) => {
      flops = flopsPerSample(model);
    },
  });
  return { rate: samplesPerSec, flops };
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
