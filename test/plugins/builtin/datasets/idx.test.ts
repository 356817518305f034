// Dataset idx on generated IDX files: gzip, scaling, prefixes, validation files, every refusal with its message; its params.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { assert } from 'chai';
import { encodeIdxUbyte } from '../../../../src/data/idx.js';
import { builtinRegistry } from '../../../helpers.js';
import { describeParams } from '../params-table.js';
import { failure, idxDir, idxImages, idxLabels, load, tmp } from './load-dataset.js';

const IDX_PARAMS = { train_images: 'tr-x', train_labels: 'tr-y', test_images: 'te-x', test_labels: 'te-y' };
const goodIdx = () => ({
  'tr-x': idxImages(6),
  'tr-y': idxLabels([0, 1, 2, 3, 0, 1]),
  'te-x': idxImages(3),
  'te-y': idxLabels([0, 1, 2]),
});

describe('dataset idx', () => {
  it('reads four gzipped IDX files, scales pixels and takes prefixes', async () => {
    const dir = tmp();
    const images = (n: number) =>
      gzipSync(
        encodeIdxUbyte(
          [n, 2, 2],
          Uint8Array.from({ length: n * 4 }, (_, i) => (i * 51) % 256),
        ),
      );
    const labels = (n: number) =>
      gzipSync(
        encodeIdxUbyte(
          [n],
          Uint8Array.from({ length: n }, (_, i) => i % 4),
        ),
      );
    writeFileSync(path.join(dir, 'tr-x.gz'), images(6));
    writeFileSync(path.join(dir, 'tr-y.gz'), labels(6));
    writeFileSync(path.join(dir, 'te-x.gz'), images(3));
    writeFileSync(path.join(dir, 'te-y.gz'), labels(3));
    const data = await load(
      'idx',
      {
        train_images: 'tr-x.gz',
        train_labels: 'tr-y.gz',
        test_images: 'te-x.gz',
        test_labels: 'te-y.gz',
        train_limit: 5,
      },
      dir,
    );
    assert.deepEqual(data.featureShape, [4]);
    assert.equal(data.outputSize, 4);
    assert.equal(data.train.n, 5);
    assert.deepEqual(
      [...data.train.x.subarray(0, 4)],
      [0, 51, 102, 153].map((v) => Math.fround(v / 255)),
    );
    assert.deepEqual([...data.test.y], [0, 1, 2]);
  });

  const VALIDATION = { ...IDX_PARAMS, validation_images: 'va-x', validation_labels: 'va-y' };
  const withValidation = () => ({ ...goodIdx(), 'va-x': idxImages(2), 'va-y': idxLabels([3, 1]) });

  it('reads validation files like the test files: scaled, checked, used whole', async () => {
    const dir = idxDir(withValidation());
    const data = await load('idx', { ...VALIDATION, train_limit: 1, test_limit: 1 }, dir);
    assert.equal(data.validation!.n, 2, 'the limits leave the validation split whole');
    assert.deepEqual(
      [...data.validation!.x],
      [0, 51, 102, 153, 204, 255, 50, 101].map((v) => Math.fround(v / 255)),
    );
    assert.deepEqual([...data.validation!.y], [3, 1]);
    assert.equal(data.info?.validation_n, 2);
    assert.equal(data.info?.validation_labels, path.join(dir, 'va-y'));
    const raw = await load('idx', { ...VALIDATION, scale: false }, dir);
    assert.deepEqual([...raw.validation!.x.subarray(0, 4)], [0, 51, 102, 153]);
    assert.isUndefined((await load('idx', IDX_PARAMS, dir)).validation);
  });

  const validationErrors: Array<[string, Record<string, Buffer>, (file: (name: string) => string) => string]> = [
    [
      'a validation class never seen in training',
      { 'va-y': idxLabels([0, 7]) },
      (file) =>
        `${file('va-y')}: class 7 (item 1) never occurs in the training labels ${file('tr-y')}; a classifier cannot learn it (check dataset.validation_labels and dataset.train_labels)`,
    ],
    [
      'validation images of another size',
      { 'va-x': idxImages(2, 3) },
      (file) =>
        `${file('va-x')}: examples are 3x3, but ${file('tr-x')} has 2x2 (train and validation images must have the same shape)`,
    ],
    [
      'validation images and labels of different counts',
      { 'va-y': idxLabels([0]) },
      (file) =>
        `${file('va-y')}: 1 labels, but ${file('va-x')} holds 2 images (an images file and its labels file must hold the same examples, in the same order)`,
    ],
    [
      'a label file given as validation images',
      { 'va-x': idxLabels([0, 1]) },
      (file) =>
        `${file('va-x')}: images must have at least 2 dimensions (examples x features), got 2 (check dataset.validation_images: is it a label file?)`,
    ],
    [
      'a truncated validation file',
      { 'va-y': idxLabels([0, 1]).subarray(0, 9) },
      (file) => `${file('va-y')}: truncated: the header declares 2 ubyte (10 bytes), the file has 9 (${REDOWNLOAD})`,
    ],
  ];
  for (const [what, replace, message] of validationErrors) {
    it(`reports ${what}, naming the validation file (exit 2)`, async () => {
      const dir = idxDir({ ...withValidation(), ...replace });
      assert.equal(
        await failure(load('idx', VALIDATION, dir)),
        `dataset "idx": ${message((name) => path.join(dir, name))}`,
      );
    });
  }

  it('reports a missing validation file, naming its key, and one validation file without the other', async () => {
    const dir = idxDir(withValidation());
    assert.equal(
      await failure(load('idx', { ...VALIDATION, validation_images: 'nope' }, dir)),
      `dataset "idx": ${path.join(dir, 'nope')}: no such file (check dataset.validation_images; a relative path starts at dataset.dir, else the spec file's directory)`,
    );
    // The params schema refuses it when a spec is resolved (test/config); create() still says so to a caller that skips it.
    const registry = builtinRegistry();
    const { definition } = registry.get('dataset', 'idx');
    assert.isNotEmpty(registry.get('dataset', 'idx').validate({ ...IDX_PARAMS, validation_labels: 'va-y' }));
    if (definition.kind !== 'dataset') throw new Error('not a dataset');
    assert.equal(
      await failure(
        definition.create({ ...IDX_PARAMS, scale: true, validation_labels: 'va-y' } as never, {
          tf,
          seed: 1,
          baseDir: dir,
        }),
      ),
      'dataset "idx": validation_labels is set without validation_images (give both validation files, or neither)',
    );
  });

  const negativeLabels = Buffer.from([0, 0, 0x09, 1, 0, 0, 0, 6, 0, 1, 2, 0xff, 0, 1]);
  const REDOWNLOAD = 'download it again, or check that the path names an IDX file';
  const errors: Array<[string, Record<string, Buffer>, (file: (name: string) => string) => string]> = [
    [
      'images and labels of different counts',
      { 'tr-y': idxLabels([0, 1, 2, 3, 0]) },
      (file) =>
        `${file('tr-y')}: 5 labels, but ${file('tr-x')} holds 6 images (an images file and its labels file must hold the same examples, in the same order)`,
    ],
    [
      'train and test images of different sizes',
      { 'te-x': idxImages(3, 3) },
      (file) =>
        `${file('te-x')}: examples are 3x3, but ${file('tr-x')} has 2x2 (train and test images must have the same shape)`,
    ],
    [
      'a label file given as images',
      { 'tr-x': idxLabels([0, 1, 2, 3, 0, 1]) },
      (file) =>
        `${file('tr-x')}: images must have at least 2 dimensions (examples x features), got 6 (check dataset.train_images: is it a label file?)`,
    ],
    [
      'an image file given as labels',
      { 'te-y': idxImages(3) },
      (file) =>
        `${file('te-y')}: labels must have 1 dimension, got 3x2x2 (check dataset.test_labels: is it an image file?)`,
    ],
    ['an empty file', { 'tr-x': Buffer.alloc(0) }, (file) => `${file('tr-x')}: the file is empty (${REDOWNLOAD})`],
    [
      'a wrong magic number',
      { 'tr-x': Buffer.from('hello world') },
      (file) =>
        `${file('tr-x')}: not an IDX file: it starts with 68 65 6c 6c, an IDX file with 00 00 <type> <rank> (${REDOWNLOAD})`,
    ],
    [
      'a truncated file',
      { 'tr-x': idxImages(6).subarray(0, 20) },
      (file) =>
        `${file('tr-x')}: truncated: the header declares 6x2x2 ubyte (40 bytes), the file has 20 (${REDOWNLOAD})`,
    ],
    [
      'a file with extra bytes',
      { 'tr-y': Buffer.concat([idxLabels([0, 1, 2, 3, 0, 1]), Buffer.from([7])]) },
      (file) => `${file('tr-y')}: the header declares 6 ubyte (14 bytes), the file has 15 (${REDOWNLOAD})`,
    ],
    [
      'a single class',
      { 'tr-y': idxLabels([3, 3, 3, 3, 3, 3]) },
      (file) =>
        `${file('tr-y')}: found only class 3 in 6 labels; a classifier needs at least 2 classes (check dataset.train_labels)`,
    ],
    [
      'a test class never seen in training',
      { 'te-y': idxLabels([0, 7, 2]) },
      (file) =>
        `${file('te-y')}: class 7 (item 1) never occurs in the training labels ${file('tr-y')}; a classifier cannot learn it (check dataset.test_labels and dataset.train_labels)`,
    ],
    [
      'a negative label',
      { 'tr-y': negativeLabels },
      (file) =>
        `${file('tr-y')}: item 3 has label -1, expected a class index 0, 1, 2, ... (check dataset.train_labels)`,
    ],
    [
      'no examples',
      { 'tr-x': encodeIdxUbyte([0, 2, 2], new Uint8Array(0)), 'tr-y': encodeIdxUbyte([0], new Uint8Array(0)) },
      (file) => `${file('tr-x')}: the file holds no examples (${REDOWNLOAD})`,
    ],
  ];
  for (const [what, replace, message] of errors) {
    it(`reports ${what}, naming the file (exit 2)`, async () => {
      const dir = idxDir({ ...goodIdx(), ...replace });
      assert.equal(
        await failure(load('idx', IDX_PARAMS, dir)),
        `dataset "idx": ${message((name) => path.join(dir, name))}`,
      );
    });
  }

  it('reports corrupt gzip data, naming the file', async () => {
    const dir = idxDir(goodIdx());
    writeFileSync(path.join(dir, 'tr-x.gz'), gzipSync(idxImages(6)).subarray(0, 30));
    const message = await failure(load('idx', { ...IDX_PARAMS, train_images: 'tr-x.gz' }, dir));
    assert.equal(
      message,
      `dataset "idx": ${path.join(dir, 'tr-x.gz')}: corrupt gzip data (unexpected end of file) (${REDOWNLOAD})`,
    );
  });

  it('reports a missing file and a directory, naming the key to fix', async () => {
    const dir = idxDir(goodIdx());
    mkdirSync(path.join(dir, 'sub'));
    assert.equal(
      await failure(load('idx', { ...IDX_PARAMS, test_labels: 'nope' }, dir)),
      `dataset "idx": ${path.join(dir, 'nope')}: no such file (check dataset.test_labels; a relative path starts at dataset.dir, else the spec file's directory)`,
    );
    assert.equal(
      await failure(load('idx', { ...IDX_PARAMS, train_images: 'sub' }, dir)),
      `dataset "idx": ${path.join(dir, 'sub')}: is a directory, expected a file (set dataset.train_images to a file inside it)`,
    );
  });
});

/** The four files idx needs, as a spec names them (to column 88). */
const FILES = 'train_images: a, train_labels: b, test_images: c, test_labels: d';
const NAMED = { train_images: 'a', train_labels: 'b', test_images: 'c', test_labels: 'd' };

describeParams('dataset', 'idx', {
  slot: 'dataset',
  valid: [
    [`{ name: idx, ${FILES} }`, { ...NAMED, scale: true }],
    [
      `{ name: idx, dir: data, ${FILES}, validation_images: e, validation_labels: f, scale: false, train_limit: 1, test_limit: 1 }`,
      {
        dir: 'data',
        ...NAMED,
        validation_images: 'e',
        validation_labels: 'f',
        scale: false,
        train_limit: 1,
        test_limit: 1,
      },
    ],
  ],
  invalid: [
    [
      '{ name: idx }',
      'spec.yaml:2:1 dataset: missing required key "train_images"',
      'spec.yaml:2:1 dataset: missing required key "train_labels"',
      'spec.yaml:2:1 dataset: missing required key "test_images"',
      'spec.yaml:2:1 dataset: missing required key "test_labels"',
    ],
    [
      '{ name: idx, train_images: a, train_labels: b, test_images: c }',
      'spec.yaml:2:1 dataset: missing required key "test_labels"',
    ],
    [
      `{ name: idx, ${FILES}, validation_images: e }`,
      'spec.yaml:2:89 dataset.validation_images: needs "validation_labels" as well (give both validation_images and validation_labels, or neither)',
    ],
    [
      `{ name: idx, ${FILES}, validation_labels: f }`,
      'spec.yaml:2:89 dataset.validation_labels: needs "validation_images" as well (give both validation_labels and validation_images, or neither)',
    ],
    [
      `{ name: idx, ${FILES}, validation: 0.1, validation_images: e, validation_labels: f }`,
      "spec.yaml:2:101 dataset.validation: holds out a share of the training split, and dataset.validation_images and dataset.validation_labels give the dataset's own validation split (pick one: remove validation, or remove validation_images and validation_labels)",
    ],
    [
      '{ name: idx, train_images: 1, train_labels: b, test_images: c, test_labels: d }',
      'spec.yaml:2:37 dataset.train_images: must be string, got 1',
    ],
    [`{ name: idx, dir: [x], ${FILES} }`, 'spec.yaml:2:28 dataset.dir: must be string, got a list'],
    [
      '{ name: idx, train_images: "", train_labels: b, test_images: c, test_labels: d }',
      'spec.yaml:2:37 dataset.train_images: must not be empty',
    ],
    [
      '{ name: idx, train_images: a, train_labels: b, test_images: c, test_labels: "" }',
      'spec.yaml:2:86 dataset.test_labels: must not be empty',
    ],
    [`{ name: idx, dir: "", ${FILES} }`, 'spec.yaml:2:28 dataset.dir: must not be empty'],
    [
      `{ name: idx, ${FILES}, validation_images: "", validation_labels: f }`,
      'spec.yaml:2:108 dataset.validation_images: must not be empty',
    ],
    [`{ name: idx, ${FILES}, scale: 255 }`, 'spec.yaml:2:96 dataset.scale: must be boolean, got 255'],
    [`{ name: idx, ${FILES}, train_limit: 0 }`, 'spec.yaml:2:102 dataset.train_limit: must be >= 1, got 0'],
    [
      `{ name: idx, ${FILES}, test_limit: 0.5 }`,
      'spec.yaml:2:101 dataset.test_limit: must be integer, got 0.5',
      'spec.yaml:2:101 dataset.test_limit: must be >= 1, got 0.5',
    ],
    [
      `{ name: idx, ${FILES}, train_image: a }`,
      'spec.yaml:2:89 dataset.train_image: unknown key "train_image" (Did you mean "train_images"?)',
    ],
    [
      `{ name: idx, ${FILES}, md5: x }`,
      'spec.yaml:2:89 dataset.md5: unknown key "md5" (allowed keys: dir, train_images, train_labels, test_images, test_labels, validation_images, validation_labels, scale, train_limit, test_limit)',
    ],
  ],
});
