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

/** log-sum-exp of the `c` values of `x` at `offset` scaled by 1/t, stable; without column `skip` if given (-Infinity when none is left). */
function logSumExp(x: Float32Array | Float64Array, offset: number, c: number, t: number, skip = -1): number {
  let max = -Infinity;
  for (let j = 0; j < c; j++) if (j !== skip) max = Math.max(max, x[offset + j] / t);
  let sum = 0;
  for (let j = 0; j < c; j++) if (j !== skip) sum += Math.exp(x[offset + j] / t - max);
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

/** DKD's weights: `label_weight * CE + ramp * (alpha * TCKD + beta * NCKD)`, the KL terms at temperature T. */
export interface DecoupledWeights {
  readonly alpha: number;
  readonly beta: number;
  readonly temperature: number;
  readonly labelWeight: number;
  /** The warm-up's weight of the DKD term this epoch, `min(epoch / warmup, 1)`. */
  readonly ramp: number;
}

/** `p * (log p - logQ)`, 0 where `p` is 0: torch's kl_div pointwise term (which mdistiller sums). */
const klTerm = (p: number, logP: number, logQ: number): number => (p > 0 ? p * (logP - logQ) : 0);

/**
 * Decoupled KD (Zhao et al. 2022) as mdistiller computes it, from the teacher's logits `v`: TCKD is the KL of
 * the binary (target, the other classes) distributions of softmax(z / T), NCKD the KL of the log-softmax of
 * z / T with the target masked by -1000, each summed over the batch, divided by `n` and times T^2; the
 * gradient with respect to the logits `x` is the chain rule through those same steps, in float64.
 */
export function decoupledRows(
  x: Float32Array,
  n: number,
  c: number,
  label: Int32Array,
  v: Float32Array,
  weights: DecoupledWeights,
  grad: Float32Array,
): number {
  const { alpha, beta, temperature: T, labelWeight, ramp } = weights;
  const s = new Float64Array(c);
  const masked = new Float64Array(c);
  const maskedTeacher = new Float64Array(c);
  // The non-target distributions' probabilities (the target masked), the student's and the teacher's.
  const rs = new Float64Array(c);
  const rts = new Float64Array(c);
  let ce = 0;
  let tckd = 0;
  let nckd = 0;
  // d(TCKD term) and d(NCKD term) per row, then times alpha * T^2 * ramp / n and beta * T^2 * ramp / n.
  const [tWeight, nWeight] = [(alpha * T * T * ramp) / n, (beta * T * T * ramp) / n];
  for (let r = 0; r < n; r++) {
    const o = r * c;
    const y = label[r];
    const lse = logSumExp(x, o, c, 1);
    ce += lse - x[o + y];
    const lseS = logSumExp(x, o, c, T);
    const lseT = logSumExp(v, o, c, T);
    for (let j = 0; j < c; j++) s[j] = Math.exp(x[o + j] / T - lseS);
    // The binary distributions' logs in log space: a probability that underflows keeps a finite log.
    const othersS = logSumExp(x, o, c, T, y);
    const [logSTarget, logSOther] = [x[o + y] / T - lseS, othersS - lseS];
    const [logQTarget, logQOther] = [v[o + y] / T - lseT, logSumExp(v, o, c, T, y) - lseT];
    const [sTarget, sOther, qTarget, qOther] = [logSTarget, logSOther, logQTarget, logQOther].map(Math.exp);
    tckd += klTerm(qTarget, logQTarget, logSTarget) + klTerm(qOther, logQOther, logSOther);
    for (let j = 0; j < c; j++) {
      const m = x[o + j] / T - (j === y ? 1000 : 0);
      const mt = v[o + j] / T - (j === y ? 1000 : 0);
      masked[j] = m;
      maskedTeacher[j] = mt;
    }
    const lseM = logSumExp(masked, 0, c, 1);
    const lseMt = logSumExp(maskedTeacher, 0, c, 1);
    let teacherMass = 0;
    for (let j = 0; j < c; j++) {
      const logR = masked[j] - lseM;
      const logRt = maskedTeacher[j] - lseMt;
      [rs[j], rts[j]] = [Math.exp(logR), Math.exp(logRt)];
      nckd += klTerm(rts[j], logRt, logR);
      teacherMass += rts[j];
    }
    for (let j = 0; j < c; j++) {
      const ceGrad = Math.exp(x[o + j] - lse) - (j === y ? 1 : 0);
      // d TCKD / d z_j, times T: -qTarget / sTarget d sTarget - qOther / sOther d sOther, with
      // d sTarget = s_y (δ_yj - s_j) and d sOther = (s_j [j != y] - sOther s_j): -qTarget sOther + qOther sTarget
      // for the target, qTarget s_j - qOther sTarget r_j for another class, r_j = s_j / sOther (no 0 / 0).
      const dS =
        j === y
          ? -qTarget * sOther + qOther * sTarget
          : qTarget * s[j] - qOther * sTarget * Math.exp(x[o + j] / T - othersS);
      // d NCKD / d z_j = (r_j * sum(r') - r'_j) / T.
      const dN = rs[j] * teacherMass - rts[j];
      grad[o + j] = (labelWeight * ceGrad) / n + (tWeight * dS + nWeight * dN) / T;
    }
  }
  return (labelWeight * ce) / n + ramp * ((alpha * T * T * tckd) / n + (beta * T * T * nckd) / n);
}

/** DIST's weights: `label_weight * CE + T^2 * (beta * inter + gamma * intra)`. */
export interface RelationWeights {
  readonly beta: number;
  readonly gamma: number;
  readonly temperature: number;
  readonly labelWeight: number;
}

/**
 * Adds `scale` times d(1 - mean cos)/d(a) to `grad` for `count` pairs of vectors of `length` values, where
 * vector `k`'s value `i` is at `k * step + i * stride` of `a` (the student) and `b` (the teacher), and returns
 * `1 - mean cos`: DIST's relation loss, the cosine of the centred vectors with ||x|| = sqrt(max(|x|^2, 1e-24))
 * and 1e-8 added to the product of the norms, as `relationLoss` in dist.ts and the published code.
 */
function relationRows(
  a: Float64Array,
  b: Float64Array,
  shape: { count: number; length: number; step: number; stride: number },
  scale: number,
  grad: Float64Array,
): number {
  const { count, length, step, stride } = shape;
  const ca = new Float64Array(length);
  const cb = new Float64Array(length);
  let cosines = 0;
  for (let k = 0; k < count; k++) {
    let [ma, mb] = [0, 0];
    for (let i = 0; i < length; i++) [ma, mb] = [ma + a[k * step + i * stride], mb + b[k * step + i * stride]];
    [ma, mb] = [ma / length, mb / length];
    let [aa, bb, ab] = [0, 0, 0];
    for (let i = 0; i < length; i++) {
      ca[i] = a[k * step + i * stride] - ma;
      cb[i] = b[k * step + i * stride] - mb;
      [aa, bb, ab] = [aa + ca[i] * ca[i], bb + cb[i] * cb[i], ab + ca[i] * cb[i]];
    }
    const tiny = 1e-24;
    const na = aa >= tiny ? Math.sqrt(aa) : 1e-12;
    const nb = bb >= tiny ? Math.sqrt(bb) : 1e-12;
    const d = na * nb + 1e-8;
    const cosine = ab / d;
    cosines += cosine;
    // d cos / d ca_i = cb_i / d - cos * nb * (d na / d ca_i) / d, with d na / d ca_i = ca_i / na. The
    // centring passes it on unchanged: a combination of two centred vectors, it sums to 0 already.
    const dNa = aa >= tiny ? 1 / na : 0;
    for (let i = 0; i < length; i++) {
      grad[k * step + i * stride] -= (scale / count) * (cb[i] / d - (cosine * nb * dNa * ca[i]) / d);
    }
  }
  return 1 - cosines / count;
}

/**
 * DIST (Huang et al. 2022) from the teacher's logits `v`: the inter-class relation (each row of
 * softmax(z / T) against the teacher's, Pearson correlation) and the intra-class one (each class's column
 * over the batch), then through the softmax to the logits `x`, in float64. The batch's rows are coupled
 * (the intra-class term), so this is the loss of the whole batch, not a sum over rows.
 */
export function relationBatchRows(
  x: Float32Array,
  n: number,
  c: number,
  label: Int32Array,
  v: Float32Array,
  weights: RelationWeights,
  grad: Float32Array,
): number {
  const { beta, gamma, temperature: T, labelWeight } = weights;
  const ys = new Float64Array(n * c);
  const yt = new Float64Array(n * c);
  const dys = new Float64Array(n * c);
  const lses = new Float64Array(n);
  let ce = 0;
  for (let r = 0; r < n; r++) {
    const o = r * c;
    const [lseS, lseT] = [logSumExp(x, o, c, T), logSumExp(v, o, c, T)];
    for (let j = 0; j < c; j++) {
      ys[o + j] = Math.exp(x[o + j] / T - lseS);
      yt[o + j] = Math.exp(v[o + j] / T - lseT);
    }
    lses[r] = logSumExp(x, o, c, 1);
    ce += lses[r] - x[o + label[r]];
  }
  const squared = T * T;
  const inter = relationRows(ys, yt, { count: n, length: c, step: c, stride: 1 }, beta * squared, dys);
  const intra = relationRows(ys, yt, { count: c, length: n, step: 1, stride: c }, gamma * squared, dys);
  for (let r = 0; r < n; r++) {
    const o = r * c;
    const lse = lses[r];
    let dot = 0;
    for (let j = 0; j < c; j++) dot += dys[o + j] * ys[o + j];
    for (let j = 0; j < c; j++) {
      const ceGrad = Math.exp(x[o + j] - lse) - (j === label[r] ? 1 : 0);
      grad[o + j] = (labelWeight * ceGrad) / n + (ys[o + j] * (dys[o + j] - dot)) / T;
    }
  }
  return (labelWeight * ce) / n + squared * (beta * inter + gamma * intra);
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

/**
 * A distillation loss on plain arrays: the logits `x` of `n` rows of `c` classes, their labels and the
 * teacher's rows; fills `grad` with its gradient and returns its value.
 */
type TeacherRowLoss = (
  x: Float32Array,
  n: number,
  c: number,
  label: Int32Array,
  teacher: Float32Array,
  grad: Float32Array,
) => number;

/** A distillation loss's `rows`: `lossAt(epoch)` is its row form in the batch's epoch. */
function teacherBatch(method: string, lossAt: (epoch: number) => TeacherRowLoss): (batch: RowLossBatch) => number {
  return (batch) => {
    if (!batch.teacher) throw new Error(`${method} loss needs the teacher outputs`);
    const rows = lossAt(batch.epoch);
    return rows(batch.prediction, batch.n, batch.columns, labelsOf(batch), batch.teacher, batch.grad);
  };
}

/** DKD's warm-up: the weight of its distillation term in `epoch` (from 1), `min(epoch / warmup, 1)`. */
export const warmupRamp = (epoch: number, warmup: number): number => (warmup > 0 ? Math.min(epoch / warmup, 1) : 1);

/** KD as a loss's `rows`: the teacher's rows are its softened log-probabilities (after prepareTeacher). */
export const distillationBatch = (temperature: number, alpha: number): ((batch: RowLossBatch) => number) =>
  teacherBatch(
    'kd',
    () => (x, n, c, label, teacher, grad) => distillationRows(x, n, c, label, teacher, temperature, alpha, grad),
  );

/** DKD as a loss's `rows`: the teacher's rows are its logits; the warm-up's ramp is read from the batch's epoch. */
export const decoupledBatch = (
  weights: Omit<DecoupledWeights, 'ramp'>,
  warmup: number,
): ((batch: RowLossBatch) => number) =>
  teacherBatch(
    'dkd',
    (epoch) => (x, n, c, label, teacher, grad) =>
      decoupledRows(x, n, c, label, teacher, { ...weights, ramp: warmupRamp(epoch, warmup) }, grad),
  );

/** DIST as a loss's `rows`: the teacher's rows are its logits. */
export const relationBatch = (weights: RelationWeights): ((batch: RowLossBatch) => number) =>
  teacherBatch(
    'dist',
    () => (x, n, c, label, teacher, grad) => relationBatchRows(x, n, c, label, teacher, weights, grad),
  );

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
  return withClassIndices(labels, (label) =>
    customLoss(logits, (x, n, c, grad) => crossEntropyRows(x, n, c, label, grad)),
  );
}

/**
 * Runs `fn` on the labels as int32 class indices: their own memory, or (float labels) a cast freed after
 * `fn`, which reads them before it returns (the row forms run in the forward pass), in a tidy scope or not.
 */
function withClassIndices<T>(labels: tf.Tensor, fn: (label: Int32Array) => T): T {
  if (labels.dtype === 'int32') return fn(int32View(labels));
  const cast = tf.cast(labels, 'int32');
  try {
    return fn(int32View(cast));
  } finally {
    cast.dispose();
  }
}

/** A distillation loss's row form as one custom op over the logits, the teacher's rows a constant. */
function teacherLoss(
  logits: tf.Tensor2D,
  labels: tf.Tensor,
  teacherRows: tf.Tensor2D,
  rows: TeacherRowLoss,
): tf.Scalar {
  return withClassIndices(labels, (label) => {
    const teacher = float32View(teacherRows);
    return customLoss(logits, (x, n, c, grad) => rows(x, n, c, label, teacher, grad));
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
  return teacherLoss(logits, labels, teacherLogProbabilities, (x, n, c, label, teacher, grad) =>
    distillationRows(x, n, c, label, teacher, temperature, alpha, grad),
  );
}

/** DKD (see {@link decoupledRows}) as one custom op over the logits, the teacher's logits a constant. */
export function rowDecoupled(
  logits: tf.Tensor2D,
  labels: tf.Tensor,
  teacherLogits: tf.Tensor2D,
  weights: DecoupledWeights,
): tf.Scalar {
  return teacherLoss(logits, labels, teacherLogits, (x, n, c, label, teacher, grad) =>
    decoupledRows(x, n, c, label, teacher, weights, grad),
  );
}

/** DIST (see {@link relationBatchRows}) as one custom op over the logits, the teacher's logits a constant. */
export function rowRelations(
  logits: tf.Tensor2D,
  labels: tf.Tensor,
  teacherLogits: tf.Tensor2D,
  weights: RelationWeights,
): tf.Scalar {
  return teacherLoss(logits, labels, teacherLogits, (x, n, c, label, teacher, grad) =>
    relationBatchRows(x, n, c, label, teacher, weights, grad),
  );
}
