// The per-step cost of max_norm: training steps/s of Hinton's 784-1200-1200-10 teacher with and without
// max_norm on both hidden layers, in one process, rounds alternating; prints the medians and their ratio.
// Run: npx tsx bench/max-norm-cost.ts [rounds] [steps]   (sgd with momentum, batch 100, on the default backend)
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/backend/select.js';
import type { ComponentRef } from '../src/config/resolved-config.js';
import { builtinPlugin } from '../src/plugins/builtin/index.js';
import { Registry } from '../src/registry/registry.js';
import type { Dataset, Loss } from '../src/registry/types.js';
import { applyConstraints } from '../src/runner/constraints.js';
import { buildModel, createComponent } from '../src/runner/model.js';
import { trainStep } from '../src/runner/train.js';

const [rounds, steps] = [Number(process.argv[2] ?? 7), Number(process.argv[3] ?? 20)];
const BATCH = 100;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
const registry = new Registry().use(builtinPlugin);
const dataset: Dataset = {
  task: 'classification',
  featureShape: [784],
  outputSize: 10,
  train: { x: new Float32Array(0), y: new Int32Array(0), n: 0 },
  test: { x: new Float32Array(0), y: new Int32Array(0), n: 0 },
};

function dense(maxNorm?: number): ComponentRef {
  const params = { units: 1200, activation: 'relu', use_bias: true, ...(maxNorm ? { max_norm: maxNorm } : {}) };
  return { name: 'dense', params };
}

const info = await selectBackend('auto');
const context = { seed: 1, baseDir: '.', task: 'classification' as const };
const n = BATCH * 8;
const train = {
  x: tf.randomUniform([n, 784], 0, 1, 'float32', 1) as tf.Tensor2D,
  y: tf.randomUniform([n], 0, 10, 'int32', 2) as tf.Tensor1D,
  n,
};
const setups = [undefined, 3.5].map((maxNorm) => {
  const model = buildModel(registry, [dense(maxNorm), dense(maxNorm)], dataset, 1, 'teacher', '.');
  const optimizer = createComponent<tf.Optimizer>(
    registry,
    'optimizer',
    { name: 'sgd', params: { lr: 0.1, momentum: 0.9, nesterov: false } },
    context,
  );
  const loss = createComponent<Loss>(registry, 'loss', { name: 'cross-entropy', params: {} }, context);
  return { maxNorm, model, options: { model, optimizer, loss, train } };
});
const batch = (i: number) => Int32Array.from({ length: BATCH }, (_, j) => (i * BATCH + j * 7) % n);

/** Steps/s of `steps` steps of one setup, waiting for the last step's weights. */
function rate(setup: (typeof setups)[number]): number {
  const started = performance.now();
  for (let i = 0; i < steps; i++) trainStep(setup.options, batch(i)).dispose();
  setup.model.getWeights()[0].dataSync();
  return steps / ((performance.now() - started) / 1000);
}

for (const setup of setups) for (let i = 0; i < 5; i++) trainStep(setup.options, batch(i)).dispose();
const rates = setups.map((): number[] => []);
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const [free, bounded] = setups.map((setup, i) => {
    const value = rate(setup);
    rates[i].push(value);
    return value;
  });
  ratios.push(bounded / free);
}
// The projection alone: applyConstraints on the constrained model, timed without the training step.
const projection: number[] = [];
for (let r = 0; r < rounds; r++) {
  const started = performance.now();
  for (let i = 0; i < steps; i++) applyConstraints(setups[1].model);
  setups[1].model.getWeights()[0].dataSync();
  projection.push((performance.now() - started) / steps);
}
const blas = info.blas ? `, BLAS ${info.blas.library}` : '';
console.log(`backend ${info.name}${blas}; ${rounds} rounds of ${steps} steps, batch ${BATCH}`);
console.log(
  `without max_norm: median ${median(rates[0]).toFixed(2)} steps/s (${rates[0].map((v) => v.toFixed(2)).join(', ')})`,
);
console.log(
  `with max_norm:    median ${median(rates[1]).toFixed(2)} steps/s (${rates[1].map((v) => v.toFixed(2)).join(', ')})`,
);
console.log(`ratio with / without, median of the rounds: ${median(ratios).toFixed(3)}`);
console.log(`the projection alone: median ${median(projection).toFixed(2)} ms per step`);
