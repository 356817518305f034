// The compiled forward pass against tfjs's predict: the seed-004 MNIST teacher on 10,000 random rows, in
// batches of 2,048 (evaluation.batch_size's default), with the system BLAS and without, in one process.
//   npx tsx bench/forward-profile.ts [repeats]
import * as tf from '@tensorflow/tfjs';
import { medianMs } from './median-ms.js';
import { selectBackend } from '../src/backend/select.js';
import type { Dataset } from '../src/registry/index.js';
import { createRegistry } from '../src/plugins/index.js';
import { applyInBatches, buildModel, predictInBatches } from '../src/runner/model.js';

const repeats = Number(process.argv[2] ?? 7);

/** Median milliseconds of `fn` over the repeats after one warm-up. */
const median = (fn: () => void): number => medianMs(fn, repeats, 1);

async function main(): Promise<void> {
  const registry = await createRegistry();
  const dataset = { task: 'classification', featureShape: [784], outputSize: 10 } as unknown as Dataset;
  const layers = [1024, 512, 256, 128, 64].map((units) => ({
    name: 'dense',
    params: { units, activation: 'relu', use_bias: true },
  }));
  const batch = 2048;
  for (const blas of ['auto', 'off'] as const) {
    const info = await selectBackend('wasm', { blas });
    const model = buildModel(registry, layers, dataset, 1, 'teacher', '.');
    const x = tf.randomUniform([10_000, 784], 0, 1, 'float32', 1) as tf.Tensor2D;
    const compiled = median(() => predictInBatches(model, x, batch).dispose());
    const stock = median(() =>
      applyInBatches(x, batch, (b) => model.apply(b, { training: false }) as tf.Tensor2D).dispose(),
    );
    const products = info.blas ? `BLAS ${info.blas.library}` : 'wasm matMul';
    process.stdout.write(
      `${products}: compiled forward ${compiled.toFixed(1)} ms, tfjs predict ${stock.toFixed(1)} ms, ratio ${(compiled / stock).toFixed(2)}\n`,
    );
    x.dispose();
    model.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
