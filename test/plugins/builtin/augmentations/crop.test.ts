// Augmentation "crop": a random window of the padded image, for each padding mode as tfjs pads (pad, mirrorPad).
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Augmentation } from '../../../../src/registry/types.js';
import { create, useWasm } from '../../../helpers.js';
import { describeParams } from '../params-table.js';
import { findWindow, numberedImages } from './reference.js';

const crop = (padding: number, mode: string) =>
  create<Augmentation>('augmentation', 'crop', { padding, padding_mode: mode });

describe('crop augmentation', () => {
  before(useWasm);

  for (const mode of ['constant', 'reflect', 'edge'] as const) {
    it(`cuts a window of the image padded with ${mode}`, () => {
      const images = numberedImages(40, 6, 5, 3);
      const out = crop(2, mode).apply(images, 3);
      const windows = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const image = images.slice([i], [1]).squeeze([0]) as tf.Tensor3D;
        const window = findWindow(image, Array.from(out.slice([i], [1]).dataSync()), 2, mode);
        assert.isDefined(window, `image ${i} is a window of the ${mode}-padded image`);
        windows.add(window!.join(','));
        image.dispose();
      }
      assert.isAtLeast(windows.size, 10, 'the windows vary');
      tf.dispose([images, out]);
    });
  }

  it('reflects paddings wider than the image, folding back and forth as numpy does', () => {
    // A 1 x 3 strip [1 2 3] padded by 5 with reflect: 2 1 2 3 2 1 [1 2 3] 2 1 2 3 2 1 → 3 2 1 2 3 2 1 2 3 2 1 2 3.
    const strip = tf.tensor4d([1, 2, 3], [1, 1, 3, 1]);
    const padded = [2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2]; // numpy.pad([1, 2, 3], 5, 'reflect')
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const out = crop(5, 'reflect').apply(strip, seed);
      const values = Array.from(out.dataSync());
      out.dispose();
      const at = [...Array(11).keys()].filter((left) => padded.slice(left, left + 3).join() === values.join());
      assert.isAbove(at.length, 0, `${values.join(' ')} is a window of the reflected strip`);
      seen.add(values.join(' '));
    }
    assert.equal(seen.size, 4, 'the 11 windows give the 4 distinct triples');
    strip.dispose();
  });
});

describeParams('augmentation', 'crop', {
  slot: 'augmentation',
  valid: [
    ['crop', { padding: 4, padding_mode: 'constant' }],
    ['{ name: crop, padding: 2, padding_mode: reflect }', { padding: 2, padding_mode: 'reflect' }],
  ],
  invalid: [
    [
      '{ name: crop, padding_mode: wrap }',
      'spec.yaml:8:41 training.augment[0].padding_mode: must be one of "constant", "reflect", "edge", got "wrap"',
    ],
  ],
});
