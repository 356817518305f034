// Where a compiled training step of the seed-004 MNIST teacher spends its time: each sgemm call of the step
// on its own (the same shapes and transposes), the whole step, and the sgemm rate on 512^3, in one process.
//   npx tsx bench/step-profile.ts [steps]
import * as tf from '@tensorflow/tfjs';
import { installedBlas } from '../src/backend/blas-kernels.js';
import { measureSgemm } from '../src/backend/blas.js';
import type { Sgemm } from '../src/backend/blas.js';
import { medianMs } from './median-ms.js';
import { selectBackend } from '../src/backend/select.js';
import type { Dataset, Loss } from '../src/registry/index.js';
import { createRegistry } from '../src/plugins/index.js';
import { compileRoleStep, stepCoverage } from '../src/runner/compiled-training.js';
import { buildModel, createComponent } from '../src/runner/model.js';

/** Median milliseconds of `fn` over `repeats` runs after two warm-ups. */
const time = (fn: () => void, repeats = 15): number => medianMs(fn, repeats);

/** The sgemm calls of one step of a dense model of `widths` at batch `n` (forward, weight and input gradients, bias sums). */
function stepProducts(widths: readonly number[], n: number): Array<[string, boolean, boolean, number, number, number]> {
  const calls: Array<[string, boolean, boolean, number, number, number]> = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const [k, m] = [widths[i], widths[i + 1]];
    calls.push([`forward ${k}->${m}`, false, false, n, m, k]);
    calls.push([`dW ${k}x${m}`, true, false, k, m, n]);
    calls.push([`bias ${m}`, false, false, 1, m, n]);
    if (i > 0) calls.push([`dX ${m}->${k}`, false, true, n, k, m]);
  }
  return calls;
}

async function main(): Promise<void> {
  await selectBackend('wasm', { blas: 'auto' });
  const blas = installedBlas();
  if (!blas) throw new Error('no BLAS');
  const sgemm: Sgemm = blas.sgemm;
  const widths = [784, 1024, 512, 256, 128, 64, 10];
  const n = 128;
  let total = 0;
  let flops = 0;
  for (const [name, ta, tb, m, nn, k] of stepProducts(widths, n)) {
    const a = new Float32Array(m * k).fill(0.5);
    const b = new Float32Array(k * nn).fill(0.25);
    const c = new Float32Array(m * nn);
    const ms = time(() => sgemm(ta, tb, m, nn, k, 1, a, ta ? m : k, b, tb ? k : nn, 0, c, nn));
    total += ms;
    flops += 2 * m * nn * k;
    process.stdout.write(
      `${name.padEnd(18)} ${ms.toFixed(3)} ms  ${((2 * m * nn * k) / (ms * 1e6)).toFixed(1)} GFLOP/s\n`,
    );
  }
  process.stdout.write(
    `sgemm calls alone: ${total.toFixed(2)} ms per step, ${(flops / (total * 1e6)).toFixed(1)} GFLOP/s\n`,
  );

  const registry = await createRegistry();
  const dataset = { task: 'classification', featureShape: [784], outputSize: 10 } as unknown as Dataset;
  const layers = [1024, 512, 256, 128, 64].map((units) => ({
    name: 'dense',
    params: { units, activation: 'relu', use_bias: true },
  }));
  const model = buildModel(registry, layers, dataset, 1, 'teacher', '.');
  const context = { seed: 1, baseDir: '.', task: 'classification' as const };
  const loss = createComponent<Loss>(registry, 'loss', { name: 'cross-entropy', params: {} }, context);
  const optimizer = createComponent<tf.Optimizer>(
    registry,
    'optimizer',
    { name: 'adam', params: { lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } },
    context,
  );
  const rows = n * 32;
  const train = {
    x: tf.randomUniform([rows, 784], 0, 1, 'float32', 1) as tf.Tensor2D,
    y: tf.randomUniform([rows], 0, 10, 'int32', 2) as tf.Tensor1D,
    n: rows,
  };
  const coverage = stepCoverage({ model, loss, optimizer: 'adam', train });
  if (!('stages' in coverage)) throw new Error(coverage.reason);
  const step = compileRoleStep(coverage, { loss, optimizer, train, batchSize: n });
  let batch = 0;
  const next = () => Int32Array.from({ length: n }, (_, j) => ((batch++ % 32) * n + j) % rows);
  const stepMs = time(() => step.step(next(), 1), 30);
  const raw = measureSgemm(sgemm);
  process.stdout.write(
    `whole compiled step: ${stepMs.toFixed(2)} ms (${Math.round((n / stepMs) * 1000)} samples/s, ${(flops / (stepMs * 1e6)).toFixed(1)} GFLOP/s)\n` +
      `sgemm 512^3: ${raw.toFixed(1)} GFLOP/s; step / raw ${(flops / (stepMs * 1e6) / raw).toFixed(2)}; sgemm calls / raw ${(flops / (total * 1e6) / raw).toFixed(2)}\n`,
  );
  step.dispose();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
