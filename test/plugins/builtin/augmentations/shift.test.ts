// Augmentation "shift": every image moved by whole pixels within the bound, zero fill, the moves uniform and seeded.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Augmentation } from '../../../../src/registry/types.js';
import { create, useWasm } from '../../../helpers.js';
import { describeParams } from '../params-table.js';
import { findWindow, numberedImages } from './reference.js';

const shift = (pixels: number) => create<Augmentation>('augmentation', 'shift', { pixels });

describe('shift augmentation', () => {
  before(useWasm);

  it('moves each image by a whole number of pixels up to the bound, filling with zeros, as a padded window does', () => {
    const images = numberedImages(64, 7, 6, 2);
    const out = shift(2).apply(images, 11);
    assert.deepEqual(out.shape, images.shape);
    const moves = new Map<string, number>();
    for (let i = 0; i < 64; i++) {
      const image = images.slice([i], [1]).squeeze([0]) as tf.Tensor3D;
      const output = Array.from(out.slice([i], [1]).dataSync());
      // A move of (dy, dx) is the window at (2 - dy, 2 - dx) of the image padded with 2 zeros.
      const window = findWindow(image, output, 2, 'constant');
      assert.isDefined(window, `image ${i} is a zero-filled move of at most 2 pixels`);
      const key = window!.join(',');
      moves.set(key, (moves.get(key) ?? 0) + 1);
      image.dispose();
    }
    assert.isAtLeast(moves.size, 15, `64 images take most of the 25 moves: ${[...moves.keys()].join(' ')}`);
    tf.dispose([images, out]);
  });

  it('draws the moves uniformly over -pixels..pixels on each axis', () => {
    // One bright pixel at the centre of a 7 x 7 image: where it lands is the move.
    const n = 4000;
    const dot = tf.tidy(() => tf.oneHot(tf.fill([n], 24, 'int32'), 49).reshape([n, 7, 7, 1]) as tf.Tensor4D);
    const out = shift(3).apply(dot, 5);
    const landed = tf.tidy(() => out.reshape([n, 49]).argMax(1).dataSync());
    const rows = new Array(7).fill(0);
    const columns = new Array(7).fill(0);
    for (const at of landed) {
      rows[Math.floor(at / 7)] += 1;
      columns[at % 7] += 1;
    }
    for (const c of [...rows, ...columns]) {
      assert.closeTo(
        c / n,
        1 / 7,
        0.025,
        `moves -3..3 equally likely: rows ${rows.join(' ')}, columns ${columns.join(' ')}`,
      );
    }
    // Every image kept its pixel (a move of at most 3 from the centre stays inside).
    assert.equal(
      tf.tidy(() => out.sum().dataSync()[0]),
      n,
    );
    tf.dispose([dot, out]);
  });

  it('repeats for a seed and changes with it', () => {
    const images = numberedImages(8, 5, 5);
    const [a, b, c] = [11, 11, 12].map((seed) => shift(1).apply(images, seed));
    assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    assert.notDeepEqual(Array.from(a.dataSync()), Array.from(c.dataSync()));
    tf.dispose([images, a, b, c]);
  });
});

describeParams('augmentation', 'shift', {
  slot: 'augmentation',
  valid: [
    ['shift', { pixels: 2 }],
    ['{ name: shift, pixels: 1 }', { pixels: 1 }],
  ],
  invalid: [
    ['{ name: shift, pixels: 0 }', 'spec.yaml:8:36 training.augment[0].pixels: must be >= 1, got 0'],
    ['{ name: shift, pixels: 1.5 }', 'spec.yaml:8:36 training.augment[0].pixels: must be integer, got 1.5'],
  ],
});
