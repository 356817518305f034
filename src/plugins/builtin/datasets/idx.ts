// Dataset "idx": any MNIST-format dataset (Fashion-MNIST, KMNIST, EMNIST digits...) from four IDX files, and a validation pair.
import path from 'node:path';
import { errorDataset } from '../../../errors/index.js';
import { defineComponent } from '../../../registry/index.js';
import { loadIdxDataset } from './idx-files.js';
import { limitParams } from './limit-params.js';

export interface IdxParams {
  dir?: string;
  train_images: string;
  train_labels: string;
  test_images: string;
  test_labels: string;
  validation_images?: string;
  validation_labels?: string;
  scale: boolean;
  train_limit?: number;
  test_limit?: number;
}

export default defineComponent<IdxParams>({
  kind: 'dataset',
  name: 'idx',
  description:
    'Four IDX files (gzip or not) of an MNIST-format dataset, and a validation pair if you have one; pixels scaled to [0, 1] and flattened',
  task: 'classification',
  validationParams: ['validation_images', 'validation_labels'],
  params: {
    required: ['train_images', 'train_labels', 'test_images', 'test_labels'],
    properties: {
      dir: {
        type: 'string',
        minLength: 1,
        description: "Directory the file paths are relative to (default: the spec file's directory).",
      },
      train_images: { type: 'string', minLength: 1 },
      train_labels: { type: 'string', minLength: 1 },
      test_images: { type: 'string', minLength: 1 },
      test_labels: { type: 'string', minLength: 1 },
      validation_images: {
        type: 'string',
        minLength: 1,
        description:
          'Validation images, checked like the test files (instead of dataset.validation); with validation_labels.',
      },
      validation_labels: { type: 'string', minLength: 1, description: 'Labels of validation_images.' },
      scale: { type: 'boolean', default: true, description: 'Divide pixel values by 255.' },
      ...limitParams,
    },
    // One validation file without the other is a mistake, refused where the spec sets it.
    dependencies: { validation_images: ['validation_labels'], validation_labels: ['validation_images'] },
  },
  async create(params, context) {
    const dir = path.resolve(context.baseDir, params.dir ?? '.');
    const at = (file: string) => path.resolve(dir, file);
    const { validation_images: images, validation_labels: labels } = params;
    // The params schema refuses one without the other; a caller that skips validation must still get a message.
    if ((images === undefined) !== (labels === undefined)) {
      const [set, missing] =
        images === undefined ? ['validation_labels', 'validation_images'] : ['validation_images', 'validation_labels'];
      throw errorDataset('idx', `${set} is set without ${missing}`, 'give both validation files, or neither');
    }
    const validation =
      images !== undefined && labels !== undefined
        ? {
            images: at(images),
            labels: at(labels),
            keys: { images: 'dataset.validation_images', labels: 'dataset.validation_labels' },
          }
        : undefined;
    return loadIdxDataset(
      {
        trainImages: at(params.train_images),
        trainLabels: at(params.train_labels),
        testImages: at(params.test_images),
        testLabels: at(params.test_labels),
      },
      {
        name: 'idx',
        scale: params.scale,
        trainLimit: params.train_limit,
        testLimit: params.test_limit,
        keys: {
          trainImages: 'dataset.train_images',
          trainLabels: 'dataset.train_labels',
          testImages: 'dataset.test_images',
          testLabels: 'dataset.test_labels',
        },
        relative: "a relative path starts at dataset.dir, else the spec file's directory",
        validation,
      },
    );
  },
});
