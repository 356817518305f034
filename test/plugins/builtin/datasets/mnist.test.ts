// Dataset mnist: its own copy checked against the canonical MD5 sums; its params.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { assert } from 'chai';
import { describeParams } from '../params-table.js';
import { failure, idxDir, idxImages, idxLabels, load } from './load-dataset.js';

describe('dataset mnist', () => {
  it('names a file whose MD5 is wrong, and how to repair it', async () => {
    const dir = idxDir({
      'train-images-idx3-ubyte': idxImages(6),
      'train-labels-idx1-ubyte': idxLabels([0, 1, 2, 3, 0, 1]),
      't10k-images-idx3-ubyte': idxImages(3),
      't10k-labels-idx1-ubyte': idxLabels([0, 1, 2]),
    });
    const file = path.join(dir, 'train-images-idx3-ubyte');
    const message = await failure(load('mnist', { dir }, dir));
    assert.equal(
      message,
      `dataset "mnist": ${file}: MD5 is ${createHash('md5').update(idxImages(6)).digest('hex')}, expected 6bbc9ace898e44ae57da46a324031adb (the file is damaged or not MNIST's: replace it with the canonical file, or set verify: false for your own copy)`,
    );
    assert.equal((await load('mnist', { dir, verify: false }, dir)).train.n, 6);
  });
});

describeParams('dataset', 'mnist', {
  slot: 'dataset',
  valid: [
    ['mnist', { verify: true }],
    [
      '{ name: mnist, dir: data/mnist, verify: false, train_limit: 10, test_limit: 5 }',
      { dir: 'data/mnist', verify: false, train_limit: 10, test_limit: 5 },
    ],
  ],
  invalid: [
    ['{ name: mnist, train_limit: 0 }', 'spec.yaml:2:38 dataset.train_limit: must be >= 1, got 0'],
    ['{ name: mnist, train_limit: 1.5 }', 'spec.yaml:2:38 dataset.train_limit: must be integer, got 1.5'],
    ['{ name: mnist, test_limit: -1 }', 'spec.yaml:2:37 dataset.test_limit: must be >= 1, got -1'],
    ['{ name: mnist, test_limit: "5" }', 'spec.yaml:2:37 dataset.test_limit: must be integer, got "5"'],
    ['{ name: mnist, verify: no }', 'spec.yaml:2:33 dataset.verify: must be boolean, got "no"'],
    ['{ name: mnist, dir: 3 }', 'spec.yaml:2:30 dataset.dir: must be string, got 3'],
    ['{ name: mnist, dir: "" }', 'spec.yaml:2:30 dataset.dir: must not be empty'],
    [
      '{ name: mnist, trainlimit: 10 }',
      'spec.yaml:2:25 dataset.trainlimit: unknown key "trainlimit" (Did you mean "train_limit"?)',
    ],
    [
      '{ name: mnist, url: x }',
      'spec.yaml:2:25 dataset.url: unknown key "url" (allowed keys: dir, verify, train_limit, test_limit)',
    ],
    ['{ name: minst }', 'spec.yaml:2:18 dataset.name: unknown dataset "minst" (Did you mean "mnist"?)'],
  ],
});
