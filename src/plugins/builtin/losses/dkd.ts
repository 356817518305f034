// Loss "dkd": decoupled knowledge distillation (Zhao et al., "Decoupled Knowledge Distillation", CVPR 2022):
// label_weight * CE + w(epoch) * (alpha * TCKD + beta * NCKD), as the authors' mdistiller code computes them.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { hasDirectMemory } from '../../../backend/index.js';
import { softmaxCrossEntropy } from './loss-math.js';
import { decoupledBatch, rowDecoupled, warmupRamp } from './row-losses.js';
import { LABEL_WEIGHT_PARAM, STANDARDIZE_PARAM, logitsFor } from './method-math.js';

export interface DkdParams {
  alpha: number;
  beta: number;
  temperature: number;
  warmup: number;
  label_weight: number;
  standardize?: boolean;
}

/**
 * sum over rows and classes of p * (log p - log q) / n: torch's kl_div(log q, p, reduction="sum") / n, whose
 * term is 0 where p is 0 (a teacher certain of a class: 0 * log 0 would be NaN).
 */
function klSum(teacherProbabilities: tf.Tensor2D, teacherLog: tf.Tensor2D, studentLog: tf.Tensor2D): tf.Scalar {
  const n = teacherProbabilities.shape[0];
  const terms = tf.mul(teacherProbabilities, tf.sub(teacherLog, studentLog));
  return tf.div(tf.sum(tf.where(tf.greater(teacherProbabilities, 0), terms, tf.zerosLike(terms))), n);
}

/**
 * TCKD: the KL of the binary (target, all others) distributions; NCKD: the KL among the non-target classes,
 * each times T^2. The non-target distributions mask the target with -1000 before the softmax, as published.
 */
export function decoupledTerms(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  labels: tf.Tensor,
  temperature: number,
): { tckd: tf.Scalar; nckd: tf.Scalar } {
  const [, classes] = student.shape;
  const gt = tf.oneHot(tf.cast(tf.reshape(labels, [-1]), 'int32'), classes).toFloat() as tf.Tensor2D;
  const other = tf.sub(1, gt);
  const s = tf.div(student, temperature) as tf.Tensor2D;
  const t = tf.div(teacher, temperature) as tf.Tensor2D;
  // The binary distributions' logs from log-sum-exps (the target's logit, the others'), not the logs of
  // summed probabilities: a probability that underflows float32 keeps a finite log, as in the row form.
  const binaryLog = (x: tf.Tensor2D) => {
    const all = tf.logSumExp(x, 1);
    const target = tf.sum(tf.mul(x, gt), 1);
    const others = tf.logSumExp(tf.where(tf.greater(other, 0), x, tf.fill(x.shape, -Infinity)), 1);
    return tf.stack([tf.sub(target, all), tf.sub(others, all)], 1) as tf.Tensor2D;
  };
  const teacherBinaryLog = binaryLog(t);
  const squared = temperature * temperature;
  const tckd = tf.mul(klSum(tf.exp(teacherBinaryLog), teacherBinaryLog, binaryLog(s)), squared) as tf.Scalar;
  const masked = (x: tf.Tensor2D) => tf.sub(x, tf.mul(1000, gt)) as tf.Tensor2D;
  const teacherLog = tf.logSoftmax(masked(t));
  const nckd = tf.mul(klSum(tf.exp(teacherLog), teacherLog, tf.logSoftmax(masked(s))), squared) as tf.Scalar;
  return { tckd, nckd };
}

export default defineComponent<DkdParams>({
  kind: 'loss',
  name: 'dkd',
  description:
    'Decoupled KD (Zhao et al., "Decoupled Knowledge Distillation", CVPR 2022): label_weight * CE + min(epoch / warmup, 1) * (alpha * TCKD + beta * NCKD), the target-class and non-target-class parts of the KL at temperature T',
  tasks: ['classification'],
  params: {
    properties: {
      alpha: {
        type: 'number',
        minimum: 0,
        default: 1,
        description: "Weight of TCKD, the target-class part (the paper's alpha; not the label weight).",
      },
      beta: { type: 'number', minimum: 0, default: 8, description: 'Weight of NCKD, the non-target-class part.' },
      temperature: { type: 'number', exclusiveMinimum: 0, default: 4, description: 'Softening temperature T.' },
      warmup: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description:
          'Epochs over which the DKD term ramps up linearly from 1/warmup (0: full weight from the first epoch).',
      },
      label_weight: LABEL_WEIGHT_PARAM,
      standardize: STANDARDIZE_PARAM,
    },
  },
  needsTeacher: true,
  create({ alpha, beta, temperature, warmup, label_weight, standardize: standardized }) {
    const weights = { alpha, beta, temperature, labelWeight: label_weight };
    return {
      compute(prediction, target, teacher, inputs) {
        if (!teacher) throw new Error('dkd loss needs the teacher outputs');
        const epoch = inputs?.epoch ?? 1;
        const ramp = warmupRamp(epoch, warmup);
        // On raw logits with the tensors' memory at hand: the row form, value and gradient in one pass.
        if (!standardized && hasDirectMemory()) return rowDecoupled(prediction, target, teacher, { ...weights, ramp });
        const student = logitsFor(prediction, standardized);
        const { tckd, nckd } = decoupledTerms(student, logitsFor(teacher, standardized), target, temperature);
        const dkd = tf.add(tf.mul(alpha, tckd), tf.mul(beta, nckd));
        return tf.add(tf.mul(label_weight, softmaxCrossEntropy(prediction, target)), tf.mul(ramp, dkd)) as tf.Scalar;
      },
      // Standardized logits are z-scored per batch, a step the row form does not take.
      ...(standardized ? {} : { rows: decoupledBatch(weights, warmup) }),
    };
  },
});
