// Loss "pkt": probabilistic knowledge transfer (Passalis & Tefas, "Learning Deep Representations with
// Probabilistic Knowledge Transfer", ECCV 2018): match the batch's cosine-similarity distributions.
import * as tf from '@tensorflow/tfjs';
import { flat, representationMethod, representationParams, safeNorm } from './method-math.js';
import type { RepresentationParams } from './method-math.js';

const EPS = 1e-7;

/** Each example's similarities to the batch, (cos + 1) / 2 normalised to sum to 1 per row. */
function similarityDistribution(features: tf.Tensor): tf.Tensor2D {
  const x = flat(features);
  const unit = tf.div(x, tf.add(safeNorm(x, 1, 1e-18), EPS));
  const similarity = tf.div(tf.add(tf.matMul(unit, unit, false, true), 1), 2);
  return tf.div(similarity, tf.sum(similarity, 1, true)) as tf.Tensor2D;
}

/** The published loss: mean over all pairs of p_t * log((p_t + eps) / (p_s + eps)). */
export function pktTerm(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  const ps = similarityDistribution(student);
  const pt = similarityDistribution(teacher);
  return tf.mean(tf.mul(pt, tf.log(tf.div(tf.add(pt, EPS), tf.add(ps, EPS)))));
}

export default representationMethod<RepresentationParams>({
  name: 'pkt',
  description:
    'Probabilistic knowledge transfer (Passalis & Tefas, "Learning Deep Representations with Probabilistic Knowledge Transfer", ECCV 2018): label_weight * label loss + weight * KL between the batch\'s cosine-similarity distributions of the two representations [+ kd_weight * kd]',
  params: representationParams(30000),
  term: (student, teacher) => pktTerm(student, teacher),
});
