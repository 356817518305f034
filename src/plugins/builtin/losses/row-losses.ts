// Cross-entropy and KD computed row by row in JavaScript on the tensors' own memory: value and
// gradient in one pass over the [batch, classes] logits. A few microseconds, where the same math as
// tensor ops costs ~25 kernel calls, which on a small student is a third of a training step.
import * as tf from '@tensorflow/tfjs';
import { float32View, int32View } from '../../../backend/index.js';

/** Fills `grad` with d(loss)/d(logits) and returns the loss, for logits `x` of `n` rows of `c` classes. */
type RowLoss = (x: Float32Array, n: number, c: number, grad: Float32Array) => number;

/** A loss as one custom op: the value is computed with its gradient, which the backward pass reuses. */
function customLoss(logits: tf.Tensor2D, rowLoss: RowLoss): tf.Scalar {
  const loss = tf.customGrad((...args) => {
    const [s, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const [n, c] = s.shape;
    const grad = new Float32Array(n * c);
    const value = rowLoss(float32View(s), n, c, grad);
    const gradient = tf.tensor2d(grad, [n, c]);
    save([gradient]);
    return { value: tf.scalar(value), gradFunc: (dy, [saved]) => tf.mul(dy, saved) };
  });
  return loss(logits) as tf.Scalar;
}

/** log-sum-exp of row `r` of `x` scaled by 1/t, stable. */
function logSumExp(x: Float32Array, offset: number, c: number, t: number): number {
  let max = -Infinity;
  for (let j = 0; j < c; j++) max = Math.max(max, x[offset + j] / t);
  let sum = 0;
  for (let j = 0; j < c; j++) sum += Math.exp(x[offset + j] / t - max);
  return max + Math.log(sum);
}

/** Mean softmax cross-entropy; gradient (softmax - onehot) / n. */
export function rowCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor): tf.Scalar {
  const label = int32View(labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32'));
  return customLoss(logits, (x, n, c, grad) => {
    let total = 0;
    for (let r = 0; r < n; r++) {
      const o = r * c;
      const lse = logSumExp(x, o, c, 1);
      total += lse - x[o + label[r]];
      for (let j = 0; j < c; j++) grad[o + j] = (Math.exp(x[o + j] - lse) - (j === label[r] ? 1 : 0)) / n;
    }
    return total / n;
  });
}

/** Hinton et al.'s KD from the teacher's softened log-probabilities; see loss-math.ts for the formulas. */
export function rowDistillation(
  logits: tf.Tensor2D,
  labels: tf.Tensor,
  teacherLogProbabilities: tf.Tensor2D,
  temperature: number,
  alpha: number,
): tf.Scalar {
  const label = int32View(labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32'));
  const teacher = float32View(teacherLogProbabilities);
  const T = temperature;
  return customLoss(logits, (x, n, c, grad) => {
    let hard = 0;
    let kl = 0;
    for (let r = 0; r < n; r++) {
      const o = r * c;
      const lse = logSumExp(x, o, c, 1);
      const lseT = logSumExp(x, o, c, T);
      hard += lse - x[o + label[r]];
      for (let j = 0; j < c; j++) {
        const softLog = x[o + j] / T - lseT;
        const pt = Math.exp(teacher[o + j]);
        kl += pt * (teacher[o + j] - softLog);
        const hardGrad = Math.exp(x[o + j] - lse) - (j === label[r] ? 1 : 0);
        grad[o + j] = (alpha * hardGrad + (1 - alpha) * T * (Math.exp(softLog) - pt)) / n;
      }
    }
    return (alpha * hard + (1 - alpha) * T * T * kl) / n;
  });
}
