// Reads an MNIST-format dataset (four IDX files, and a validation pair) into typed arrays; shared by "idx", "mnist" and "fashion-mnist".
import type { DataSplit } from '../../../shared/index.js';
import { createHash } from 'node:crypto';
import { errorDataFile } from '../../../errors/index.js';
import { gunzipIfGzip } from '../../../data/index.js';
import { parseIdx } from '../../../data/index.js';
import type { IdxArray } from '../../../data/index.js';
import { readDataFile } from '../../../data/index.js';
import type { Dataset } from '../../../registry/index.js';

export interface IdxFiles {
  readonly trainImages: string;
  readonly trainLabels: string;
  readonly testImages: string;
  readonly testLabels: string;
}

type Role = keyof IdxFiles;

export interface IdxLoadOptions {
  /** Dataset name for messages. */
  readonly name: string;
  readonly scale: boolean;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** The spec key that names each file, for hints: `dataset.train_images`, or `dataset.dir` for all four. */
  readonly keys: Readonly<Record<Role, string>>;
  /** How a relative path is resolved, for the hint of a missing file. */
  readonly relative: string;
  /** Expected MD5 of each file's uncompressed bytes, when known, and what to do when one differs. */
  readonly md5?: { readonly sums: Partial<Record<Role, string>>; readonly hint: string };
  /** The dataset's own validation split, from a pair of files read and checked like the test files. */
  readonly validation?: IdxPair;
}

/** An images file and its labels file, with the spec keys that name them (for hints). */
export interface IdxPair {
  readonly images: string;
  readonly labels: string;
  readonly keys: { readonly images: string; readonly labels: string };
}

const DAMAGED = 'download it again, or check that the path names an IDX file';

/** A file whose content is not the canonical one: its own hint (replace the file), not the damage hint. */
class ChecksumMismatch extends Error {}

/** One IDX file read and parsed, with the path and spec key that named it. */
interface IdxFile extends IdxArray {
  readonly file: string;
  readonly key: string;
  /** Size and SHA-256 of the file as read, for the manifest's provenance. */
  readonly bytes: number;
  readonly sha256: string;
}

/** Reads and parses one file named by the spec key `key`; `expected` is the MD5 of its content, when known. */
function readIdxFile(file: string, key: string, options: IdxLoadOptions, expected?: string): IdxFile {
  const bytes = readDataFile(file, { dataset: options.name, key, relative: options.relative });
  let content: Buffer;
  let parsed: IdxArray;
  try {
    // Checksums are of the IDX bytes: a .gz copy is the same data whatever its compression.
    content = gunzipIfGzip(bytes);
    const actual = expected ? createHash('md5').update(content).digest('hex') : undefined;
    // Said of a .gz copy, so that nobody compares it with what md5sum prints for the compressed file.
    const what = content === bytes ? 'MD5 is' : 'the MD5 of its decompressed content is';
    if (actual !== expected) throw new ChecksumMismatch(`${what} ${actual}, expected ${expected}`);
    parsed = parseIdx(content);
  } catch (error) {
    throw errorDataFile(
      options.name,
      { file },
      (error as Error).message,
      error instanceof ChecksumMismatch ? (options.md5?.hint ?? DAMAGED) : DAMAGED,
    );
  }
  return { ...parsed, file, key, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Checks that images and labels have the shapes and counts of one split of a classification dataset. */
function assertPair(images: IdxFile, labels: IdxFile, name: string): void {
  if (images.dims.length < 2) {
    throw errorDataFile(
      name,
      { file: images.file },
      `images must have at least 2 dimensions (examples x features), got ${images.dims.join('x')}`,
      `check ${images.key}: is it a label file?`,
    );
  }
  if (labels.dims.length !== 1) {
    throw errorDataFile(
      name,
      { file: labels.file },
      `labels must have 1 dimension, got ${labels.dims.join('x')}`,
      `check ${labels.key}: is it an image file?`,
    );
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw errorDataFile(
      name,
      { file: labels.file },
      `${labels.dims[0]} labels, but ${images.file} holds ${images.dims[0]} images`,
      'an images file and its labels file must hold the same examples, in the same order',
    );
  }
  if (images.dims[0] === 0) throw errorDataFile(name, { file: images.file }, 'the file holds no examples', DAMAGED);
  // Unsigned bytes are always class indices, and always finite pixels: only other types need a scan.
  const bad =
    labels.data instanceof Uint8Array
      ? -1
      : labels.data.findIndex((label: number) => !Number.isInteger(label) || label < 0);
  if (bad >= 0) {
    throw errorDataFile(
      name,
      { file: labels.file },
      `item ${bad} has label ${labels.data[bad]}, expected a class index 0, 1, 2, ...`,
      `check ${labels.key}`,
    );
  }
  const perItem = images.data.length / images.dims[0];
  const floats = images.data instanceof Float32Array || images.data instanceof Float64Array;
  const nonFinite = floats ? images.data.findIndex((v: number) => !Number.isFinite(v)) : -1;
  if (nonFinite >= 0) {
    throw errorDataFile(
      name,
      { file: images.file },
      `item ${Math.floor(nonFinite / perItem)} holds a NaN or infinite value`,
      DAMAGED,
    );
  }
}

function toSplit(images: IdxFile, labels: IdxFile, scale: boolean, limit?: number): DataSplit {
  const n = Math.min(images.dims[0], limit ?? Infinity);
  const features = images.data.length / images.dims[0];
  const x = new Float32Array(n * features);
  const factor = scale ? 1 / 255 : 1;
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] * factor;
  return { x, y: Int32Array.from(labels.data.subarray(0, n)), n };
}

/** Checks that the training labels hold two classes at least, and every class of the other labels (test, validation). */
function assertClasses(train: IdxFile, others: readonly IdxFile[], name: string): void {
  const classes = new Set<number>(train.data);
  if (classes.size < 2) {
    throw errorDataFile(
      name,
      { file: train.file },
      `found only class ${train.data[0]} in ${train.data.length} labels; a classifier needs at least 2 classes`,
      `check ${train.key}`,
    );
  }
  // Classes are the labels 0 to the largest: one label far above the rest (a damaged byte) would make a
  // classifier with outputs no example ever trains.
  let largest = 0;
  for (const label of classes) largest = Math.max(largest, label);
  const absent = Array.from({ length: largest + 1 }, (_, c) => c).filter((c) => !classes.has(c));
  if (absent.length > 0) {
    const item = Array.prototype.indexOf.call(train.data, largest);
    const listed =
      absent.length > 3 ? `${absent.slice(0, 3).join(', ')}, ... (${absent.length} in all)` : absent.join(', ');
    throw errorDataFile(
      name,
      { file: train.file },
      `the labels run from 0 to ${largest} (item ${item} is ${largest}), but ${absent.length === 1 ? 'class' : 'classes'} ${listed} never occur${absent.length === 1 ? 's' : ''}; a classifier would have ${largest + 1} outputs`,
      `check ${train.key}: a label far above the others is often a damaged file (download it again)`,
    );
  }
  for (const other of others) {
    const unseen = other.data.findIndex((label: number) => !classes.has(label));
    if (unseen < 0) continue;
    const keys = [...new Set([other.key, train.key])].join(' and ');
    throw errorDataFile(
      name,
      { file: other.file },
      `class ${other.data[unseen]} (item ${unseen}) never occurs in the training labels ${train.file}; a classifier cannot learn it`,
      `check ${keys}`,
    );
  }
}

const shapeOf = (images: IdxFile) => images.dims.slice(1).join('x');

/** Checks that other images (test, validation) have the training images' example shape. */
function assertSameShape(train: IdxFile, other: IdxFile, split: string, name: string): void {
  if (shapeOf(train) === shapeOf(other)) return;
  throw errorDataFile(
    name,
    { file: other.file },
    `examples are ${shapeOf(other)}, but ${train.file} has ${shapeOf(train)}`,
    `train and ${split} images must have the same shape`,
  );
}

/**
 * Loads a four-file IDX dataset as a classification dataset with flattened features, and the
 * validation pair when there is one (checked like the test files, used whole). Every check runs on the
 * whole files, before `trainLimit` / `testLimit` take their prefixes.
 * @throws DistilError DATA_FILE_NOT_FOUND or DATA_FILE_ERROR (exit code 2) naming the file.
 */
export function loadIdxDataset(files: IdxFiles, options: IdxLoadOptions): Dataset {
  const [trainImages, trainLabels, testImages, testLabels] = (
    ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const
  ).map((role) => readIdxFile(files[role], options.keys[role], options, options.md5?.sums[role]));
  const pair = options.validation;
  const validationFiles = pair
    ? [readIdxFile(pair.images, pair.keys.images, options), readIdxFile(pair.labels, pair.keys.labels, options)]
    : [];
  const [validationImages, validationLabels] = validationFiles;
  assertPair(trainImages, trainLabels, options.name);
  assertPair(testImages, testLabels, options.name);
  if (pair) assertPair(validationImages, validationLabels, options.name);
  assertSameShape(trainImages, testImages, 'test', options.name);
  if (pair) assertSameShape(trainImages, validationImages, 'validation', options.name);
  assertClasses(trainLabels, pair ? [testLabels, validationLabels] : [testLabels], options.name);
  const train = toSplit(trainImages, trainLabels, options.scale, options.trainLimit);
  const test = toSplit(testImages, testLabels, options.scale, options.testLimit);
  const validation = pair ? toSplit(validationImages, validationLabels, options.scale) : undefined;
  let maxLabel = 0;
  for (const label of trainLabels.data) maxLabel = Math.max(maxLabel, label);
  const features = trainImages.data.length / trainImages.dims[0];
  return {
    task: 'classification',
    // Raw pixel values (0-255) become the examples as the training split's did.
    input: options.scale
      ? { shift: new Array<number>(features).fill(0), scale: new Array<number>(features).fill(1 / 255) }
      : undefined,
    featureShape: [features],
    // [n, height, width] images are one channel; [n, height, width, channels] keep theirs.
    imageShape:
      trainImages.dims.length === 3
        ? [trainImages.dims[1], trainImages.dims[2], 1]
        : trainImages.dims.length === 4
          ? trainImages.dims.slice(1)
          : undefined,
    outputSize: maxLabel + 1,
    train,
    ...(validation ? { validation } : {}),
    test,
    info: {
      train_n: train.n,
      test_n: test.n,
      ...(validation ? { validation_n: validation.n } : {}),
      ...Object.fromEntries(
        [trainImages, trainLabels, testImages, testLabels, ...validationFiles].flatMap((f, i) => {
          const role = [
            'train_images',
            'train_labels',
            'test_images',
            'test_labels',
            'validation_images',
            'validation_labels',
          ][i];
          return [
            [role, f.file],
            [`${role}_bytes`, f.bytes],
            [`${role}_sha256`, f.sha256],
          ];
        }),
      ),
    },
  };
}
