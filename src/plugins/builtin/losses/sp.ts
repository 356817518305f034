// Loss "sp": similarity-preserving distillation (Tung & Mori, "Similarity-Preserving Knowledge Distillation",
// ICCV 2019): match the row-normalised Gram matrices of the batch's representations.
import * as tf from '@tensorflow/tfjs';
import { flat, normalizeRows, representationMethod, representationParams } from './method-math.js';
import type { RepresentationParams } from './method-math.js';

/** ||normalize(G_t) - normalize(G_s)||^2 / n^2, G = f f^T over the batch. */
export function spTerm(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  const n = student.shape[0];
  const gram = (f: tf.Tensor) => {
    const x = flat(f);
    return normalizeRows(tf.matMul(x, x, false, true));
  };
  return tf.div(tf.sum(tf.square(tf.sub(gram(teacher), gram(student)))), n * n);
}

export default representationMethod<RepresentationParams>({
  name: 'sp',
  description:
    'Similarity-preserving KD (Tung & Mori, "Similarity-Preserving Knowledge Distillation", ICCV 2019): label_weight * label loss + weight * ||normalize(G_t) - normalize(G_s)||^2 / n^2 over the batch\'s Gram matrices [+ kd_weight * kd]',
  params: representationParams(3000),
  term: (student, teacher) => spTerm(student, teacher),
});
