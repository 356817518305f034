// What the built-in augmentations share: each example of a batch of images transformed in plain loops,
// from a generator seeded by the batch's seed (exact integer pixel moves, no resampling).
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '../../../shared/index.js';

/** One image's geometry: `[height, width, channels]`, channels last. */
export interface ImageGeometry {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * Maps each image of `images` (`[n, height, width, channels]`) through `source`: for output pixel (y, x) of
 * image `i`, the input pixel (sy, sx) it takes its channels from, or undefined for zero. `draw` is called
 * once per image, in order, with the batch's generator, and returns that image's pixel map.
 */
export function remapImages(
  images: tf.Tensor4D,
  seed: number,
  draw: (random: () => number, geometry: ImageGeometry) => (y: number, x: number) => [number, number] | undefined,
): tf.Tensor4D {
  const [n, height, width, channels] = images.shape;
  const geometry = { height, width, channels };
  const input = images.dataSync() as Float32Array;
  const output = new Float32Array(input.length);
  const random = createRandom(seed);
  const size = height * width * channels;
  for (let i = 0; i < n; i++) {
    const source = draw(random, geometry);
    const base = i * size;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const from = source(y, x);
        if (!from) continue; // zero fill: the output starts as zeros
        const src = base + (from[0] * width + from[1]) * channels;
        const dst = base + (y * width + x) * channels;
        for (let c = 0; c < channels; c++) output[dst + c] = input[src + c];
      }
    }
  }
  return tf.tensor4d(output, [n, height, width, channels]);
}

/** A uniform integer in [low, high], from the generator. */
export function uniformInt(random: () => number, low: number, high: number): number {
  return low + Math.min(high - low, Math.floor(random() * (high - low + 1)));
}
