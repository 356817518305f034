// The tensor math shared by the built-in losses and metrics.
// Cross-entropy and KD carry analytic gradients (tf.customGrad): a few ops instead of autograd's walk
// back through logSoftmax, which on small models is most of a step's kernel calls.
// Every tensor a gradient needs goes through save(): tfjs frees the rest when the forward pass ends.
import * as tf from '@tensorflow/tfjs';
import { hasDirectMemory } from '../../../backend/index.js';
import { rowCrossEntropy, rowDistillation } from './row-losses.js';

/** Mean softmax cross-entropy of logits `[n, c]` against int32 class indices `[n]`; gradient (softmax - onehot) / n. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor): tf.Scalar {
  return hasDirectMemory() ? rowCrossEntropy(logits, labels) : tensorCrossEntropy(logits, labels);
}

/** {@link softmaxCrossEntropy} as tensor ops, for backends without direct memory access (tfjs-node). */
export function tensorCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor): tf.Scalar {
  const [n, classes] = logits.shape;
  const oneHot = tf.oneHot(tf.cast(tf.reshape(labels, [-1]), 'int32'), classes);
  const loss = tf.customGrad((...args) => {
    const [s, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const logProbabilities = tf.logSoftmax(s);
    save([logProbabilities, oneHot]);
    return {
      value: tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logProbabilities), 1))),
      gradFunc: (dy, [saved, savedOneHot]) => tf.mul(dy, tf.div(tf.sub(tf.exp(saved), savedOneHot), n)),
    };
  });
  return loss(logits) as tf.Scalar;
}

/**
 * Hinton et al.'s distillation loss, alpha * CE(labels) + (1 - alpha) * T^2 * KL(teacher/T || student/T),
 * from the teacher's softened log-probabilities `log softmax(teacher / T)` (computed once per split).
 * Gradient: (alpha * (softmax(s) - onehot) + (1 - alpha) * T * (softmax(s/T) - p_teacher)) / n.
 */
export function distillationLoss(
  logits: tf.Tensor2D,
  labels: tf.Tensor,
  teacherLogProbabilities: tf.Tensor2D,
  temperature: number,
  alpha: number,
): tf.Scalar {
  return hasDirectMemory()
    ? rowDistillation(logits, labels, teacherLogProbabilities, temperature, alpha)
    : tensorDistillation(logits, labels, teacherLogProbabilities, temperature, alpha);
}

/** {@link distillationLoss} as tensor ops, for backends without direct memory access (tfjs-node). */
export function tensorDistillation(
  logits: tf.Tensor2D,
  labels: tf.Tensor,
  teacherLogProbabilities: tf.Tensor2D,
  temperature: number,
  alpha: number,
): tf.Scalar {
  const [n, classes] = logits.shape;
  const oneHot = tf.oneHot(tf.cast(tf.reshape(labels, [-1]), 'int32'), classes);
  const teacherProbabilities = tf.exp(teacherLogProbabilities);
  const loss = tf.customGrad((...args) => {
    const [s, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const logProbabilities = tf.logSoftmax(s);
    const softLogProbabilities = tf.logSoftmax(tf.div(s, temperature) as tf.Tensor2D);
    save([logProbabilities, softLogProbabilities, oneHot, teacherProbabilities]);
    const hard = tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logProbabilities), 1)));
    const kl = tf.mean(tf.sum(tf.mul(teacherProbabilities, tf.sub(teacherLogProbabilities, softLogProbabilities)), 1));
    return {
      value: tf.add(tf.mul(alpha, hard), tf.mul((1 - alpha) * temperature * temperature, kl)),
      gradFunc: (dy, [hardSaved, softSaved, savedOneHot, savedTeacher]) => {
        const hardGrad = tf.mul(alpha / n, tf.sub(tf.exp(hardSaved), savedOneHot));
        const softGrad = tf.mul(((1 - alpha) * temperature) / n, tf.sub(tf.exp(softSaved), savedTeacher));
        return tf.mul(dy, tf.add(hardGrad, softGrad));
      },
    };
  });
  return loss(logits) as tf.Scalar;
}

/** `log softmax(teacher / T)`: the teacher's softened log-probabilities. */
export function softenedLogProbabilities(teacher: tf.Tensor2D, temperature: number): tf.Tensor2D {
  return tf.tidy(() => tf.logSoftmax(tf.div(teacher, temperature) as tf.Tensor2D));
}

/** Mean squared error between predictions `[n, 1]` and targets `[n]` or `[n, 1]`. */
export function meanSquaredError(prediction: tf.Tensor2D, target: tf.Tensor): tf.Scalar {
  return tf.mean(tf.square(tf.sub(prediction, tf.reshape(target, prediction.shape))));
}
