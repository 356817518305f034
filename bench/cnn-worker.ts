// One CNN benchmark configuration in its own process (tfjs holds one backend per process): training
// samples/s of each role of experiments/mnist-cnn.yaml (the LeNet-like teacher: conv 32 3x3, pool, conv 64
// 3x3, pool, dense 128, dense 10, batch 128) on tfjs's step and on the compiled step, and the achieved
// GFLOP/s of the convolution kernels at each role's shapes beside the raw matrix-product rate, in
// interleaved rounds of the same run.
import type { Role } from '../src/shared/types.js';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadBlas } from '../src/backend/blas.js';
import type { Sgemm } from '../src/backend/blas.js';
import { configBackend } from './config-backend.js';
import { loadExperiment } from '../src/config/experiment.js';
import type { ResolvedConfig } from '../src/config/resolved-config.js';
import type { Registry } from '../src/registry/registry.js';
import type { Dataset, Loss } from '../src/registry/types.js';
import { buildModel, createComponent } from '../src/runner/model.js';
import { trainStep } from '../src/runner/train.js';
import { compileRoleStep, stepCoverage } from '../src/runner/compiled-training.js';
import { packageRoot } from '../src/shared/package-root.js';
import { createRegistry } from '../src/plugins/index.js';

export interface CnnBenchRow {
  config: string;
  backend: string;
  role: string;
  batch_size: number;
  steps: number;
  samples_per_sec: number;
  /** The same role on the compiled step, in rounds interleaved with tfjs's (0 when the plan does not cover it). */
  compiled_samples_per_sec: number;
  /** compiled_samples_per_sec / samples_per_sec, per round, median over rounds (0 when not covered). */
  compiled_ratio: number;
  /** Forward, filter- and input-gradient FLOPs of the role's convolutions per training step. */
  conv_gflop_per_step: number;
  /** Those FLOPs over the conv kernels' time (median of rounds). */
  conv_gflops: number;
  /** sgemm (BLAS) or tf.matMul 512x512x512 in the same rounds (median). */
  raw_gflops: number;
  /** conv_gflops / raw_gflops per round, median over rounds. */
  ratio: number;
  /** Each conv kernel's median milliseconds, e.g. "conv1 fwd 4.1; conv1 dw 5.0; ...". */
  kernels: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median milliseconds of `runs` calls of `fn` after one warm-up call. */
function medianMs(fn: () => void, runs: number): number {
  fn();
  return median(
    Array.from({ length: runs }, () => {
      const started = performance.now();
      fn();
      return performance.now() - started;
    }),
  );
}

/** GFLOP/s of a 512^3 product: BLAS sgemm when it does the matMuls, else tf.matMul (median of 5). */
function rawRate(sgemm: Sgemm | undefined): number {
  const size = 512;
  let ms: number;
  if (sgemm) {
    const a = new Float32Array(size * size).map((_, i) => ((i * 7) % 13) / 13 - 0.5);
    const c = new Float32Array(size * size);
    ms = medianMs(() => sgemm(false, false, size, size, size, 1, a, size, a, size, 0, c, size), 5);
  } else {
    const [a, b] = [tf.randomNormal([size, size]), tf.randomNormal([size, size])];
    ms = medianMs(
      () => {
        // Not inside tf.tidy: tidy would walk the returned array looking for tensors.
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
      },
      tf.getBackend() === 'cpu' ? 1 : 5,
    );
    tf.dispose([a, b]);
  }
  return (2 * size ** 3) / (ms * 1e6);
}

interface ConvKernel {
  name: string;
  flops: number;
  run: () => void;
  dispose: () => void;
}

/** The three kernels of each conv layer of `model` (no input gradient for the first layer), on random tensors of its training shapes. */
function convKernels(model: tf.LayersModel, batch: number): ConvKernel[] {
  const kernels: ConvKernel[] = [];
  model.layers
    .filter((l) => l.getClassName() === 'Conv2D')
    .forEach((layer, i) => {
      const [, h, w, c] = (layer.input as tf.SymbolicTensor).shape as number[];
      const [, oh, ow, f] = (layer.output as tf.SymbolicTensor).shape as number[];
      const filterShape = layer.getWeights()[0].shape as [number, number, number, number];
      const { strides, padding } = layer.getConfig() as { strides: [number, number]; padding: 'same' | 'valid' };
      const attrs = { strides, pad: padding, dataFormat: 'NHWC', dilations: 1 };
      const x = tf.randomNormal([batch, h, w, c]);
      const filter = tf.randomNormal(filterShape);
      const dy = tf.randomNormal([batch, oh, ow, f]);
      const flops = 2 * batch * oh * ow * filterShape[0] * filterShape[1] * c * f;
      const run = (kernel: string, inputs: Record<string, tf.Tensor>, extra: Record<string, unknown>) => () =>
        (tf.engine().runKernel(kernel, inputs, { ...attrs, ...extra }) as tf.Tensor).dispose();
      const dispose = () => tf.dispose([x, filter, dy]);
      kernels.push({ name: `conv${i + 1} fwd`, flops, run: run('Conv2D', { x, filter }, {}), dispose });
      kernels.push({
        name: `conv${i + 1} dw`,
        flops,
        run: run('Conv2DBackpropFilter', { x, dy }, { filterShape }),
        dispose: () => undefined,
      });
      if (i > 0) {
        kernels.push({
          name: `conv${i + 1} dx`,
          flops,
          run: run('Conv2DBackpropInput', { dy, filter }, { inputShape: [batch, h, w, c] }),
          dispose: () => undefined,
        });
      }
    });
  return kernels;
}

/** Rounds of (raw rate, every conv kernel's median time): each round's ratio, then the medians. */
function timeConvKernels(
  kernels: ConvKernel[],
  sgemm: Sgemm | undefined,
  maxMs: number,
): Pick<CnnBenchRow, 'conv_gflops' | 'raw_gflops' | 'ratio' | 'kernels'> {
  const first = kernels.map((k) => medianMs(k.run, 1));
  const perRound = first.reduce((a, b) => a + b, 0);
  const runs = Math.max(1, Math.min(5, Math.floor(maxMs / perRound)));
  // A slow backend gets one round of single runs.
  const rounds = perRound * runs > maxMs ? 1 : 5;
  const flops = kernels.reduce((a, k) => a + k.flops, 0);
  const results = Array.from({ length: rounds }, () => {
    const raw = rawRate(sgemm);
    const ms = kernels.map((k) => medianMs(k.run, runs));
    const conv = flops / (ms.reduce((a, b) => a + b, 0) * 1e6);
    return { raw, ms, conv, ratio: conv / raw };
  });
  const perKernel = kernels.map((k, i) => `${k.name} ${median(results.map((r) => r.ms[i])).toFixed(1)}`);
  return {
    conv_gflops: Number(median(results.map((r) => r.conv)).toFixed(1)),
    raw_gflops: Number(median(results.map((r) => r.raw)).toFixed(1)),
    ratio: Number(median(results.map((r) => r.ratio)).toFixed(3)),
    kernels: perKernel.join('; '),
  };
}

/** Median samples/s of training steps of one role on random data of MNIST's shape. */
function timeTraining(
  registry: Registry,
  config: ResolvedConfig,
  role: Role,
  steps: number,
  repeats: number,
  maxMs: number,
): { rate: number; compiled: number; ratio: number; steps: number; model: tf.Sequential } {
  const { batchSize } = config.models[role].training;
  const empty = { x: new Float32Array(0), y: new Int32Array(0), n: 0 };
  const dataset: Dataset = {
    task: 'classification',
    featureShape: [784],
    imageShape: [28, 28, 1],
    outputSize: 10,
    train: empty,
    test: empty,
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
  const n = batchSize * 8;
  const train = {
    x: tf.randomUniform([n, 784], 0, 1, 'float32', 1) as tf.Tensor2D,
    y: tf.randomUniform([n], 0, 10, 'int32', 2) as tf.Tensor1D,
    n,
  };
  const teacherTrain = role === 'student' ? (tf.randomNormal([n, 10], 0, 1, 'float32', 3) as tf.Tensor2D) : undefined;
  const options = { model, optimizer, loss, train, teacherTrain };
  const batch = (i: number) => Int32Array.from({ length: batchSize }, (_, j) => (i * batchSize + j * 7) % n);
  const stock = (i: number) => trainStep(options, batch(i)).dispose();
  const coverage = stepCoverage({ model, loss, optimizer: config.models[role].training.optimizer.name, train });
  const plan =
    'stages' in coverage ? compileRoleStep(coverage, { loss, optimizer, train, teacherTrain, batchSize }) : undefined;
  const compiled = plan ? (i: number) => void plan.step(batch(i), 1) : undefined;
  // Warm-up (JIT, optimizer slots, heap growth), as many steps as fit the budget, at least two.
  const probeMs = medianMs(() => stock(0), 1);
  for (let i = 0; i < Math.max(2, Math.min(15, Math.floor(maxMs / probeMs))); i++) {
    stock(i);
    compiled?.(i);
  }
  const count = Math.max(1, Math.min(steps, Math.floor(maxMs / probeMs)));
  const rounds = Math.max(1, Math.min(repeats, Math.floor((4 * maxMs) / (probeMs * count))));
  const rate = (step: (i: number) => void) => {
    const started = performance.now();
    for (let i = 0; i < count; i++) step(i);
    tf.backend().readSync(model.getWeights()[0].dataId);
    return (count * batchSize) / ((performance.now() - started) / 1000);
  };
  // Rounds alternate the two steps, so the machine's noise falls on both alike.
  const measured = Array.from({ length: rounds }, () => {
    const tfjs = rate(stock);
    return { tfjs, compiled: compiled ? rate(compiled) : 0 };
  });
  plan?.dispose();
  tf.dispose([train.x, train.y, ...(teacherTrain ? [teacherTrain] : [])]);
  optimizer.dispose();
  return {
    rate: median(measured.map((m) => m.tfjs)),
    compiled: median(measured.map((m) => m.compiled)),
    ratio: median(measured.map((m) => m.compiled / m.tfjs)),
    steps: count,
    model,
  };
}

async function main(): Promise<void> {
  const [configName, stepsText, repeatsText, maxMsText] = process.argv.slice(2);
  const info = await configBackend(configName);
  const sgemm = info.blas ? loadBlas('auto').blas?.sgemm : undefined;
  const { experiment, registry } = await loadExperiment(path.join(packageRoot(), 'experiments', 'mnist-cnn.yaml'), {
    registry: await createRegistry(),
  });
  const config = experiment.cells[0].config;
  const maxMs = Number(maxMsText);
  const rows: CnnBenchRow[] = [];
  for (const role of ['teacher', 'student', 'person'] as const) {
    const batchSize = config.models[role].training.batchSize;
    const trained = timeTraining(registry, config, role, Number(stepsText), Number(repeatsText), maxMs);
    const kernels = convKernels(trained.model, batchSize);
    const timed = timeConvKernels(kernels, sgemm, maxMs);
    kernels.forEach((k) => k.dispose());
    trained.model.dispose();
    rows.push({
      config: configName,
      backend: info.name,
      role,
      batch_size: batchSize,
      steps: trained.steps,
      samples_per_sec: Math.round(trained.rate),
      compiled_samples_per_sec: Math.round(trained.compiled),
      compiled_ratio: Number(trained.ratio.toFixed(2)),
      conv_gflop_per_step: Number((kernels.reduce((a, k) => a + k.flops, 0) / 1e9).toFixed(3)),
      ...timed,
    });
  }
  process.stdout.write(`${JSON.stringify(rows)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(3);
});
