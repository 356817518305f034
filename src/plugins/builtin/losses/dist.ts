// Loss "dist": DIST (Huang et al., "Knowledge Distillation from A Stronger Teacher", NeurIPS 2022): the
// inter-class and intra-class relations of the softened predictions, matched by Pearson correlation.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { hasDirectMemory } from '../../../backend/index.js';
import { softmaxCrossEntropy } from './loss-math.js';
import { relationBatch, rowRelations } from './row-losses.js';
import { LABEL_WEIGHT_PARAM, STANDARDIZE_PARAM, logitsFor, safeNorm } from './method-math.js';

export interface DistParams {
  beta: number;
  gamma: number;
  temperature: number;
  label_weight: number;
  standardize?: boolean;
}

/** 1 - the mean over rows of the Pearson correlation of `a`'s and `b`'s rows (cosine of the centred rows, eps 1e-8). */
export function relationLoss(a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar {
  const ca = tf.sub(a, tf.mean(a, 1, true));
  const cb = tf.sub(b, tf.mean(b, 1, true));
  // ||x|| as the published code's, with a zero gradient (not NaN) for a constant row (a batch of one).
  const norms = tf.mul(safeNorm(ca, 1, 1e-12), safeNorm(cb, 1, 1e-12));
  const cosine = tf.div(tf.sum(tf.mul(ca, cb), 1, true), tf.add(norms, 1e-8));
  return tf.sub(1, tf.mean(cosine)) as tf.Scalar;
}

export default defineComponent<DistParams>({
  kind: 'loss',
  name: 'dist',
  description:
    'DIST (Huang et al., "Knowledge Distillation from A Stronger Teacher", NeurIPS 2022): label_weight * CE + T^2 * (beta * inter-class + gamma * intra-class relation loss), each 1 - Pearson correlation of softmax(logits / T)',
  tasks: ['classification'],
  params: {
    properties: {
      beta: {
        type: 'number',
        minimum: 0,
        default: 1,
        description: 'Weight of the inter-class relation (per example, across classes).',
      },
      gamma: {
        type: 'number',
        minimum: 0,
        default: 1,
        description: 'Weight of the intra-class relation (per class, across the batch).',
      },
      temperature: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 1,
        description: "Softening temperature (the paper's tau).",
      },
      label_weight: LABEL_WEIGHT_PARAM,
      standardize: STANDARDIZE_PARAM,
    },
  },
  needsTeacher: true,
  create({ beta, gamma, temperature, label_weight, standardize: standardized }) {
    const weights = { beta, gamma, temperature, labelWeight: label_weight };
    return {
      compute(prediction, target, teacher) {
        if (!teacher) throw new Error('dist loss needs the teacher outputs');
        // On raw logits with the tensors' memory at hand: the batch form, value and gradient in one pass.
        if (!standardized && hasDirectMemory()) return rowRelations(prediction, target, teacher, weights);
        const soft = (x: tf.Tensor2D) =>
          tf.softmax(tf.div(logitsFor(x, standardized), temperature) as tf.Tensor2D) as tf.Tensor2D;
        const ys = soft(prediction);
        const yt = soft(teacher);
        const inter = relationLoss(ys, yt);
        const intra = relationLoss(tf.transpose(ys), tf.transpose(yt));
        const squared = temperature * temperature;
        const relations = tf.add(tf.mul(beta * squared, inter), tf.mul(gamma * squared, intra));
        return tf.add(tf.mul(label_weight, softmaxCrossEntropy(prediction, target)), relations) as tf.Scalar;
      },
      // Standardized logits are z-scored per batch, a step the batch form does not take.
      ...(standardized ? {} : { rows: relationBatch(weights) }),
    };
  },
});
