// Lists the kernels CNN training needs that the wasm backend lacks: trains one tiny model per layer type
// on the cpu backend under tf.profile (every kernel it runs), checks each against the wasm registry, then
// trains the same models on wasm: prints what fails, and each last loss beside the cpu's. Run: npx tsx bench/conv-missing-kernels.ts [--stock]
// (--stock: the stock wasm kernels alone, without distil-run's kernel layers).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../src/backend/select.js';
import { isolateKernelLayers } from '../src/backend/kernel-layers.js';

type LayerFactory = () => tf.layers.Layer[];

const IMAGE: [number, number, number] = [8, 8, 3];

/** One tiny model per layer type (the layers before a dense output), as distil-run's layers build them. */
const MODELS: Record<string, LayerFactory> = {
  'conv2d relu same': () => [tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' })],
  'conv2d linear valid stride 2': () => [tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid' })],
  'conv2d no bias': () => [tf.layers.conv2d({ filters: 4, kernelSize: 3, useBias: false, activation: 'relu' })],
  'max-pool': () => [tf.layers.maxPooling2d({ poolSize: 2 })],
  'max-pool same stride 1': () => [tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' })],
  'avg-pool': () => [tf.layers.averagePooling2d({ poolSize: 2 })],
  'batch-norm (image)': () => [tf.layers.batchNormalization()],
  'batch-norm (features)': () => [tf.layers.flatten(), tf.layers.batchNormalization()],
  'global-avg-pool': () => [tf.layers.globalAveragePooling2d({})],
  'reshape + flatten': () => [tf.layers.reshape({ targetShape: [IMAGE[0] * IMAGE[1], IMAGE[2]] })],
  'dropout (image)': () => [tf.layers.dropout({ rate: 0.25, seed: 1 })],
};

/** A per-pixel dense layer first, so every layer under test also runs its input gradient. */
function buildModel(layers: LayerFactory): tf.Sequential {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: IMAGE[2], inputShape: IMAGE }), ...layers()] });
  if (model.outputs[0].shape.length > 2) model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 3 }));
  return model;
}

/** Two training steps (Adam, softmax cross-entropy) from seeded weights and a prediction: the last loss. */
function train(layers: LayerFactory): number {
  const model = buildModel(layers);
  model.setWeights(
    model.getWeights().map((w, i) => tf.tidy(() => tf.randomNormal(w.shape, 0, 0.3, 'float32', 10 + i))),
  );
  const optimizer = tf.train.adam(0.01);
  const loss = tf.tidy(() => {
    const x = tf.randomNormal([4, ...IMAGE], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const step = () =>
      optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
      ) as tf.Scalar;
    step().dispose();
    const last = step().dataSync()[0];
    (model.predict(x) as tf.Tensor).dataSync();
    return last;
  });
  optimizer.dispose();
  model.dispose();
  return loss;
}

async function kernelsRun(layers: LayerFactory): Promise<{ kernels: Set<string>; loss: number }> {
  let loss = NaN;
  const info = await tf.profile(() => {
    loss = train(layers);
  });
  // The profile also lists ops' scopes (fusedConv2d__op): only kernels are registered per backend.
  return { kernels: new Set(info.kernels.map((k) => k.name).filter((name) => !name.endsWith('__op'))), loss };
}

async function main(): Promise<void> {
  const stockOnly = process.argv.includes('--stock');
  await tf.setBackend('cpu');
  const cpu = new Map<string, { kernels: Set<string>; loss: number }>();
  for (const [name, layers] of Object.entries(MODELS)) cpu.set(name, await kernelsRun(layers));

  await selectBackend('wasm');
  const restore = stockOnly ? isolateKernelLayers([]) : undefined;
  const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const missing = new Set<string>();
  for (const [name, layers] of Object.entries(MODELS)) {
    const reference = cpu.get(name) as { kernels: Set<string>; loss: number };
    const absent = [...reference.kernels].filter((k) => !wasm.has(k));
    absent.forEach((k) => missing.add(k));
    let outcome: string;
    try {
      const loss = train(layers);
      outcome = `trains: loss ${loss.toFixed(5)} (cpu ${reference.loss.toFixed(5)})${Math.abs(loss - reference.loss) > 1e-3 * (1 + reference.loss) ? ' DIFFERS' : ''}`;
    } catch (error) {
      outcome = `fails: ${(error as Error).message.split('\n')[0]}`;
    }
    process.stdout.write(
      `${name.padEnd(30)} ${outcome}${absent.length > 0 ? ` (not registered for wasm: ${absent.join(', ')})` : ''}\n`,
    );
  }
  restore?.();
  process.stdout.write(
    `\nkernels run on cpu: ${[...new Set([...cpu.values()].flatMap((r) => [...r.kernels]))].sort().join(' ')}\n`,
  );
  process.stdout.write(`not registered for wasm: ${missing.size > 0 ? [...missing].sort().join(', ') : 'none'}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
