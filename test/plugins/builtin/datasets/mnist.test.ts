// Dataset mnist: its own copy checked against the canonical MD5 sums.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { assert } from 'chai';
import { failure, idxDir, idxImages, idxLabels, load } from './load-dataset.js';

describe('dataset mnist', () => {
  it('names a file whose MD5 is wrong, and how to repair it', async () => {
    const dir = idxDir({
      'train-images-idx3-ubyte': idxImages(6), 'train-labels-idx1-ubyte': idxLabels([0, 1, 2, 3, 0, 1]),
      't10k-images-idx3-ubyte': idxImages(3), 't10k-labels-idx1-ubyte': idxLabels([0, 1, 2]),
    });
    const file = path.join(dir, 'train-images-idx3-ubyte');
    const message = await failure(load('mnist', { dir }, dir));
    assert.equal(message, `dataset "mnist": ${file}: MD5 is ${createHash('md5').update(idxImages(6)).digest('hex')}, expected 6bbc9ace898e44ae57da46a324031adb (the file is damaged or not MNIST's: replace it with the canonical file, or set verify: false for your own copy)`);
    assert.equal((await load('mnist', { dir, verify: false }, dir)).train.n, 6);
  });
});
