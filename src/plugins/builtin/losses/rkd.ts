// Loss "rkd": relational knowledge distillation (Park et al., "Relational Knowledge Distillation", CVPR 2019):
// match the batch's pairwise distances (normalised by their mean) and triplet angles, as the authors' code.
import * as tf from '@tensorflow/tfjs';
import { flat, representationMethod, representationParams, safeNorm } from './method-math.js';
import type { RepresentationParams } from './method-math.js';

export interface RkdParams extends RepresentationParams {
  distance_weight: number;
  angle_weight: number;
}

/** Huber loss with delta 1 (torch's smooth_l1_loss), mean over elements. */
function smoothL1(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  // 0.5 d^2 where |d| < 1, else |d| - 0.5, written without a comparison (which has no gradient in tfjs).
  const abs = tf.abs(tf.sub(a, b));
  const inner = tf.minimum(abs, 1);
  return tf.mean(tf.add(tf.mul(0.5, tf.square(inner)), tf.sub(abs, inner)));
}

/** Pairwise Euclidean distances of the rows (squares clamped at 1e-12 before the root), the diagonal 0, divided by their mean over positive entries. */
function distances(x: tf.Tensor2D): tf.Tensor2D {
  const n = x.shape[0];
  const squares = tf.sum(tf.square(x), 1);
  const gram = tf.matMul(x, x, false, true);
  const squared = tf.sub(tf.add(tf.expandDims(squares, 1), tf.expandDims(squares, 0)), tf.mul(2, gram));
  const offDiagonal = tf.sub(1, tf.eye(n));
  const d = tf.mul(tf.sqrt(tf.maximum(squared, 1e-12)), offDiagonal);
  // The clamp keeps every off-diagonal distance positive: the published mean over d > 0 is over those.
  const meanPositive = tf.div(tf.sum(d), Math.max(n * (n - 1), 1));
  return tf.div(d, meanPositive) as tf.Tensor2D;
}

/** cos of the angle at example i between examples j and k: [n, n, n], from the unit differences e_j - e_i. */
function angles(x: tf.Tensor2D): tf.Tensor {
  const differences = tf.sub(tf.expandDims(x, 0), tf.expandDims(x, 1)) as tf.Tensor3D;
  const unit = tf.div(differences, safeNorm(differences, 2, 1e-12)) as tf.Tensor3D;
  return tf.matMul(unit, unit, false, true);
}

/** distance_weight * smoothL1(distances) + angle_weight * smoothL1(angles); the teacher's side is a constant. */
export function rkdTerm(
  student: tf.Tensor,
  teacher: tf.Tensor,
  distanceWeight: number,
  angleWeight: number,
): tf.Scalar {
  const s = flat(student);
  const t = flat(teacher);
  let term = tf.scalar(0);
  if (distanceWeight > 0) term = tf.add(term, tf.mul(distanceWeight, smoothL1(distances(s), distances(t))));
  if (angleWeight > 0) term = tf.add(term, tf.mul(angleWeight, smoothL1(angles(s), angles(t))));
  return term;
}

export default representationMethod<RkdParams>({
  name: 'rkd',
  description:
    'Relational KD (Park et al., "Relational Knowledge Distillation", CVPR 2019): label_weight * label loss + weight * (distance_weight * distance loss + angle_weight * angle loss) over the batch\'s pairs and triplets [+ kd_weight * kd]; the angle term costs batch^3 * width',
  params: representationParams(1, {
    distance_weight: { type: 'number', minimum: 0, default: 25, description: 'Weight of the distance term.' },
    angle_weight: { type: 'number', minimum: 0, default: 50, description: 'Weight of the angle term.' },
  }),
  term: (student, teacher, params) => rkdTerm(student, teacher, params.distance_weight, params.angle_weight),
});
