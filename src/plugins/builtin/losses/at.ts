// Loss "at": attention transfer (Zagoruyko & Komodakis, "Paying More Attention to Attention", ICLR 2017):
// match the normalised spatial attention maps (channel mean of f^p) of two convolutional representations.
import * as tf from '@tensorflow/tfjs';
import { normalizeRows, representationMethod, representationParams } from './method-math.js';
import type { RepresentationParams } from './method-math.js';

export interface AtParams extends RepresentationParams {
  p: number;
}

/** The attention map of `[n, h, w, c]` maps: the mean over channels of f^p, flattened, unit L2 norm per example. */
function attention(maps: tf.Tensor, p: number): tf.Tensor2D {
  const [n] = maps.shape;
  return normalizeRows(tf.reshape(tf.mean(tf.pow(maps, p), 3), [n, -1])) as tf.Tensor2D;
}

/** The larger of two maps average-pooled to the smaller one's size (their sizes must divide), as the published code. */
function sameSize(a: tf.Tensor4D, b: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  const [ha, hb] = [a.shape[1], b.shape[1]];
  if (ha > hb) return [tf.avgPool(a, ha / hb, ha / hb, 'valid'), b];
  if (hb > ha) return [a, tf.avgPool(b, hb / ha, hb / ha, 'valid')];
  return [a, b];
}

/** mean((at(student) - at(teacher))^2). */
export function atTerm(student: tf.Tensor, teacher: tf.Tensor, p: number): tf.Scalar {
  const [s, t] = sameSize(student as tf.Tensor4D, teacher as tf.Tensor4D);
  return tf.mean(tf.square(tf.sub(attention(s, p), attention(t, p))));
}

/** Why two representation shapes have no attention maps to compare, if they do not. */
function mapsProblem(student: readonly number[], teacher: readonly number[]): string | undefined {
  for (const [role, shape] of [
    ['student', student],
    ['teacher', teacher],
  ] as const) {
    if (shape.length !== 3) {
      return `attention transfer compares feature maps [height, width, channels], and the ${role}'s representation is [${shape.join(', ')}] (a dense layer's): set features.${role} to a convolution or pooling layer, or use another method (fitnet, pkt, rkd, sp work on any layer)`;
    }
  }
  const [hs, ws] = student;
  const [ht, wt] = teacher;
  if (hs !== ws || ht !== wt) {
    return `attention transfer needs square maps; the student's are ${hs}x${ws}, the teacher's ${ht}x${wt}`;
  }
  const [large, small] = hs > ht ? [hs, ht] : [ht, hs];
  if (large % small !== 0) {
    return `the student's maps are ${hs}x${ws} and the teacher's ${ht}x${wt}: one size must divide the other (the larger is average-pooled to the smaller)`;
  }
  return undefined;
}

export default representationMethod<AtParams>({
  name: 'at',
  description:
    'Attention transfer (Zagoruyko & Komodakis, "Paying More Attention to Attention", ICLR 2017): label_weight * label loss + weight * mean((a_s - a_t)^2), a = normalised channel mean of f^p of a convolutional representation [+ kd_weight * kd]',
  params: representationParams(1000, {
    p: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 2,
      description: 'Power of the activations in the attention map.',
    },
  }),
  term: (student, teacher, params) => atTerm(student, teacher, params.p),
  checkShapes: (shapes) => mapsProblem(shapes.student, shapes.teacher),
});
