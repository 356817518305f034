// Independent references for the built-in augmentations: each image's move found by search, and the
// moved image made with tfjs's own padding and slicing (not the components' pixel loops).
import * as tf from '@tensorflow/tfjs';

/** A batch of `n` images `[n, h, w, c]` whose every value is distinct and non-zero (so any move shows). */
export function numberedImages(n: number, h: number, w: number, c = 1): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: n * h * w * c }, (_, i) => i + 1),
    [n, h, w, c],
  );
}

/** Image `image` (`[h, w, c]`) padded by `pad` on every side (tfjs's pad, or mirrorPad for reflect) and cut at (top, left). */
export function croppedReference(
  image: tf.Tensor3D,
  pad: number,
  top: number,
  left: number,
  mode: 'constant' | 'reflect' | 'edge',
): number[] {
  return tf.tidy(() => {
    const [h, w] = image.shape;
    const padding: Array<[number, number]> = [
      [pad, pad],
      [pad, pad],
      [0, 0],
    ];
    let padded: tf.Tensor3D;
    if (mode === 'constant') padded = tf.pad(image, padding);
    else if (mode === 'reflect') padded = tf.mirrorPad(image, padding, 'reflect');
    else {
      // Edge: the border rows and columns repeated, by concatenation.
      const rows = tf.concat(
        [
          ...Array(pad).fill(image.slice([0, 0, 0], [1, -1, -1])),
          image,
          ...Array(pad).fill(image.slice([h - 1, 0, 0], [1, -1, -1])),
        ],
        0,
      );
      padded = tf.concat(
        [
          ...Array(pad).fill(rows.slice([0, 0, 0], [-1, 1, -1])),
          rows,
          ...Array(pad).fill(rows.slice([0, w - 1, 0], [-1, 1, -1])),
        ],
        1,
      ) as tf.Tensor3D;
    }
    return Array.from(padded.slice([top, left, 0], [h, w, -1]).dataSync());
  });
}

/** The window (top, left) of the padded image that gives `output`, searched over every window; undefined when none does. */
export function findWindow(
  image: tf.Tensor3D,
  output: readonly number[],
  pad: number,
  mode: 'constant' | 'reflect' | 'edge',
): [number, number] | undefined {
  for (let top = 0; top <= 2 * pad; top++) {
    for (let left = 0; left <= 2 * pad; left++) {
      const expected = croppedReference(image, pad, top, left, mode);
      if (expected.every((v, i) => v === output[i])) return [top, left];
    }
  }
  return undefined;
}
