// The max_norm param of the weight layers (dense, conv2d): its schema and the tfjs constraint it becomes.
import * as tf from '@tensorflow/tfjs';

type Constraint = ReturnType<typeof tf.constraints.maxNorm>;

/** The params schema of `max_norm`: no default, so a spec without it keeps its cell ids. */
export const MAX_NORM_PARAM = {
  type: 'number',
  exclusiveMinimum: 0,
  description:
    "Max-norm constraint (Srivastava et al. 2014, Keras MaxNorm): after every optimizer step each unit's incoming weights are scaled back to an L2 norm of at most this, w <- w * min(norm, c) / (norm + 1e-7). The bias is not constrained. Absent: none.",
} as const;

/**
 * tfjs's MaxNorm over `axis` of the kernel (the axes of one unit's incoming weights), or none. Being
 * tfjs's own, it is saved in the layer's config and a saved model loads with plain tf.loadLayersModel;
 * distil-run's training loop applies it after each step (tfjs's optimizers do not).
 */
export function maxNormConstraint(maxNorm: number | undefined, axis: number | number[]): Constraint | undefined {
  if (maxNorm === undefined) return undefined;
  // MaxNormArgs types axis as a number, though its own documentation gives [0, 1, 2] for Conv2D, and the
  // sum it runs takes a list of axes (tested against the formula on a conv kernel).
  return tf.constraints.maxNorm({ maxValue: maxNorm, axis: axis as number });
}
