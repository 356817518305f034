// Cross-entropy, KD and squared errors computed row by row in JavaScript on the tensors' own memory:
// value and gradient in one pass over the [batch, classes] logits. A few microseconds, where the same
// math as tensor ops costs ~25 kernel calls, which on a small student is a third of a training step.
// The same functions are the losses' `rows`, which the compiled training step calls on its own buffers.
import * as tf from '@tensorflow/tfjs';
import { float32View, int32View } from '../../../backend/index.js';
import type { RowLossBatch } from '../../../registry/index.js';

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

/** Mean softmax cross-entropy of logits `x` against class indices; gradient (softmax - onehot) / n. */
export function crossEntropyRows(x: Float32Array, n: number, c: number, label: Int32Array, grad: Float32Array): number {
  let total = 0;
  for (let r = 0; r < n; r++) {
    const o = r * c;
    const lse = logSumExp(x, o, c, 1);
    total += lse - x[o + label[r]];
    for (let j = 0; j < c; j++) grad[o + j] = (Math.exp(x[o + j] - lse) - (j === label[r] ? 1 : 0)) / n;
  }
  return total / n;
}

/** Hinton et al.'s KD from the teacher's softened log-probabilities; see loss-math.ts for the formulas. */
export function distillationRows(
  x: Float32Array,
  n: number,
  c: number,
  label: Int32Array,
  teacher: Float32Array,
  T: number,
  alpha: number,
  grad: Float32Array,
): number {
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
}

/** tfjs's Mean of float32 values: a float32 running sum, divided by the count. */
function float32Mean(values: Float32Array, n: number): number {
  let sum = 0;
  for (let r = 0; r < n; r++) sum = Math.fround(sum + values[r]);
  return Math.fround(sum / n);
}

/**
 * `mean((p - y)^2)` over predictions `p` of `n` rows of one value, or with `soft` (the teacher's predictions
 * `t` and the weight `alpha`) `alpha * mean((p - y)^2) + (1 - alpha) * mean((p - t)^2)`, in float32 as
 * tfjs's tensor ops and their gradients compute it (mean's gradient `w / n`, square's `2e`, a sum of the
 * two terms' gradients), so the weights it trains are those of the tensor path.
 */
export function squaredErrorRows(
  p: Float32Array,
  n: number,
  target: Float32Array,
  grad: Float32Array,
  soft?: { readonly teacher: Float32Array; readonly alpha: number },
): number {
  const squares = new Float32Array(n);
  if (!soft) {
    const d = Math.fround(1 / n);
    for (let r = 0; r < n; r++) {
      const e = Math.fround(p[r] - target[r]);
      squares[r] = e * e;
      grad[r] = d * (2 * e);
    }
    return float32Mean(squares, n);
  }
  const [a, b] = [Math.fround(soft.alpha), Math.fround(1 - soft.alpha)];
  const [da, db] = [Math.fround(a / n), Math.fround(b / n)];
  const softSquares = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const e = Math.fround(p[r] - target[r]);
    const f = Math.fround(p[r] - soft.teacher[r]);
    squares[r] = e * e;
    softSquares[r] = f * f;
    grad[r] = Math.fround(da * (2 * e)) + Math.fround(db * (2 * f));
  }
  return Math.fround(Math.fround(a * float32Mean(squares, n)) + Math.fround(b * float32Mean(softSquares, n)));
}

/** The labels of a batch as class indices (the compiled step gives int32 rows; a float target is refused). */
function labelsOf(batch: RowLossBatch): Int32Array {
  if (!(batch.target instanceof Int32Array)) throw new Error('a classification loss needs int32 class indices');
  return batch.target;
}

/** Cross-entropy as a loss's `rows` (see Loss.rows). */
export const crossEntropyBatch = (batch: RowLossBatch): number =>
  crossEntropyRows(batch.prediction, batch.n, batch.columns, labelsOf(batch), batch.grad);

/** KD as a loss's `rows`: the teacher's rows are its softened log-probabilities (after prepareTeacher). */
export function distillationBatch(temperature: number, alpha: number): (batch: RowLossBatch) => number {
  return (batch) => {
    if (!batch.teacher) throw new Error('kd loss needs the teacher outputs');
    return distillationRows(
      batch.prediction,
      batch.n,
      batch.columns,
      labelsOf(batch),
      batch.teacher,
      temperature,
      alpha,
      batch.grad,
    );
  };
}

/** Squared errors as a loss's `rows`: the mean squared error, or soft-mse (`alpha`) with the teacher's predictions. */
export function squaredErrorBatch(alpha?: number): (batch: RowLossBatch) => number {
  return (batch) => {
    if (batch.columns !== 1 || !(batch.target instanceof Float32Array)) {
      throw new Error('a squared-error loss needs one prediction and one float target per row');
    }
    if (alpha === undefined) return squaredErrorRows(batch.prediction, batch.n, batch.target, batch.grad);
    if (!batch.teacher) throw new Error('soft-mse loss needs the teacher outputs');
    return squaredErrorRows(batch.prediction, batch.n, batch.target, batch.grad, { teacher: batch.teacher, alpha });
  };
}

/** Mean softmax cross-entropy; gradient (softmax - onehot) / n. */
export function rowCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor): tf.Scalar {
  const label = int32View(labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32'));
  return customLoss(logits, (x, n, c, grad) => crossEntropyRows(x, n, c, label, grad));
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
  return customLoss(logits, (x, n, c, grad) => distillationRows(x, n, c, label, teacher, temperature, alpha, grad));
}
