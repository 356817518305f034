// Reads an MNIST-format dataset (four IDX files) into typed arrays; shared by "idx" and "mnist".
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { errorDataset, errorDatasetNotFound } from '../../../errors.js';
import { parseIdx } from '../../../data/idx.js';
import type { DataSplit, Dataset } from '../../../registry/types.js';

export interface IdxFiles {
  readonly trainImages: string;
  readonly trainLabels: string;
  readonly testImages: string;
  readonly testLabels: string;
}

export interface IdxLoadOptions {
  /** Dataset name for messages. */
  readonly name: string;
  readonly scale: boolean;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Expected MD5 of each file's uncompressed bytes, when known. */
  readonly md5?: Partial<Record<keyof IdxFiles, string>>;
}

function readIdxFile(file: string, role: keyof IdxFiles, options: IdxLoadOptions) {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw errorDatasetNotFound(options.name, [file], 'Give the four IDX file paths in the dataset params (gzip or not).');
  }
  const expected = options.md5?.[role];
  if (expected) {
    const actual = createHash('md5').update(bytes).digest('hex');
    if (actual !== expected) throw errorDataset(options.name, `${file} has MD5 ${actual}, expected ${expected}`, 'the file is corrupt; reinstall the package');
  }
  try {
    return parseIdx(bytes);
  } catch (error) {
    throw errorDataset(options.name, `${file}: ${(error as Error).message}`);
  }
}

function loadSplit(imagesFile: string, labelsFile: string, split: 'train' | 'test', options: IdxLoadOptions, limit?: number) {
  const images = readIdxFile(imagesFile, split === 'train' ? 'trainImages' : 'testImages', options);
  const labels = readIdxFile(labelsFile, split === 'train' ? 'trainLabels' : 'testLabels', options);
  if (images.dims[0] !== labels.dims[0]) {
    throw errorDataset(options.name, `${split} split has ${images.dims[0]} images but ${labels.dims[0]} labels`);
  }
  if (labels.dims.length !== 1) throw errorDataset(options.name, `${labelsFile} must be a 1-D label file, got ${labels.dims.join('x')}`);
  const n = Math.min(images.dims[0], limit ?? Infinity);
  const features = images.dims.slice(1).reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * features);
  const factor = options.scale ? 1 / 255 : 1;
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] * factor;
  const y = Int32Array.from(labels.data.subarray(0, n));
  return { split: { x, y, n } satisfies DataSplit, features };
}

/**
 * Loads a four-file IDX dataset as a classification dataset with flattened features.
 * @throws DistilError DATASET_NOT_FOUND or DATASET_ERROR naming the file.
 */
export function loadIdxDataset(files: IdxFiles, options: IdxLoadOptions): Dataset {
  const train = loadSplit(files.trainImages, files.trainLabels, 'train', options, options.trainLimit);
  const test = loadSplit(files.testImages, files.testLabels, 'test', options, options.testLimit);
  if (train.features !== test.features) throw errorDataset(options.name, `train has ${train.features} features per example, test has ${test.features}`);
  let maxLabel = 0;
  for (const split of [train.split, test.split]) for (const label of split.y) maxLabel = Math.max(maxLabel, label);
  return {
    task: 'classification',
    featureShape: [train.features],
    outputSize: maxLabel + 1,
    train: train.split,
    test: test.split,
    info: { train_images: files.trainImages, test_images: files.testImages, train_n: train.split.n, test_n: test.split.n },
  };
}
