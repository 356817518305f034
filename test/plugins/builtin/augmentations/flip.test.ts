// Augmentation "flip": each image mirrored left to right (as tf.reverse does) or left as it is, with the probability.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Augmentation } from '../../../../src/registry/types.js';
import { create, useWasm } from '../../../helpers.js';
import { describeParams } from '../params-table.js';
import { numberedImages } from './reference.js';

const flip = (probability: number) => create<Augmentation>('augmentation', 'flip', { probability });

describe('flip augmentation', () => {
  before(useWasm);

  it('mirrors about half the images left to right, as tf.reverse on the width axis, and keeps the others', () => {
    const n = 400;
    const images = numberedImages(n, 4, 5, 2);
    const mirrored = tf.reverse(images, 2);
    const out = flip(0.5).apply(images, 9);
    let flipped = 0;
    for (let i = 0; i < n; i++) {
      const got = Array.from(out.slice([i], [1]).dataSync());
      const same = Array.from(images.slice([i], [1]).dataSync());
      const mirror = Array.from(mirrored.slice([i], [1]).dataSync());
      const isMirror = got.join() === mirror.join();
      assert.isTrue(isMirror || got.join() === same.join(), `image ${i} is itself or its mirror`);
      if (isMirror) flipped += 1;
    }
    assert.closeTo(flipped / n, 0.5, 0.08);
    tf.dispose([images, mirrored, out]);
  });

  it('never flips at probability 0 and always at 1', () => {
    const images = numberedImages(20, 3, 3);
    const [never, always] = [0, 1].map((p) => flip(p).apply(images, 4));
    assert.deepEqual(Array.from(never.dataSync()), Array.from(images.dataSync()));
    const mirrored = tf.reverse(images, 2);
    assert.deepEqual(Array.from(always.dataSync()), Array.from(mirrored.dataSync()));
    tf.dispose([images, never, always, mirrored]);
  });
});

describeParams('augmentation', 'flip', {
  slot: 'augmentation',
  valid: [
    ['flip', { probability: 0.5 }],
    ['{ name: flip, probability: 1 }', { probability: 1 }],
  ],
  invalid: [['{ name: flip, probability: 2 }', 'spec.yaml:8:40 training.augment[0].probability: must be <= 1, got 2']],
});
