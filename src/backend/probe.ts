// One real training step on a tiny model, checked against the same math in plain JavaScript: a backend
// (and its kernel replacements) that throws or computes wrong values is caught at selection.
import * as tf from '@tensorflow/tfjs';
import { fusedAdam, preferFused } from './fused-optimizers.js';

// A 3-5-2 network on 4 rows: every ReLU input is at least 0.27 away from 0 and every gradient element
// is far from 0, so float32 and float64 agree on every branch and on Adam's first step.
const XS = [
  -0.03, 0.02, -0.62, 0.29, 0.58, -0.13, 0.74, -0.85, 0.61, -0.23, 0.34, -0.5, 0.14, -0.84, -0.51, 0.15, -0.66, 0.92,
  -0.29, 0.5, -0.87, 0.36, -0.89, 0.03,
];
const ROWS = [4, 0, 2, 5]; // of XS's rows 1..7: the batch is gathered from a slice, as training and prediction do
const LABELS = [0, 1, 1, 0];
const W1 = [-0.18, 0.59, -0.08, 0.74, -0.26, -0.47, 0.84, -0.09, 0.23, -0.71, 0.84, -0.64, 0.78, -0.93, 0.93];
const B1 = [-0.41, 0.305, -0.095, 0.315, -0.185];
const W2 = [0, 0.4, -0.8, 0.13, -0.98, 0.53, -0.12, 0.53, 0.12, -0.17];
const B2 = [-0.09, 0.425];
const [IN, HIDDEN, OUT] = [3, 5, 2];
const LR = 0.01;
const EPSILON = 1e-7;

/** Loss and gradients of the probe network in float64: the reference the backend must match. */
export function probeReference(): { loss: number; grads: { w1: number[]; b1: number[]; w2: number[]; b2: number[] } } {
  const x = ROWS.map((r) => XS.slice((r + 1) * IN, (r + 2) * IN));
  const n = x.length;
  const z1 = x.map((row) => B1.map((b, j) => b + row.reduce((s, v, k) => s + v * W1[k * HIDDEN + j], 0)));
  const h = z1.map((row) => row.map((v) => Math.max(0, v)));
  const z2 = h.map((row) => B2.map((b, j) => b + row.reduce((s, v, k) => s + v * W2[k * OUT + j], 0)));
  let loss = 0;
  const dz2 = z2.map((row, i) => {
    const max = Math.max(...row);
    const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
    loss += Math.log(sum) + max - row[LABELS[i]];
    return row.map((v, j) => (Math.exp(v - max) / sum - (j === LABELS[i] ? 1 : 0)) / n);
  });
  const dz1 = dz2.map((row, i) =>
    Array.from({ length: HIDDEN }, (_, k) => (z1[i][k] > 0 ? row.reduce((s, d, j) => s + d * W2[k * OUT + j], 0) : 0)),
  );
  const outer = (a: number[][], d: number[][], rows: number, cols: number) =>
    Array.from({ length: rows * cols }, (_, e) =>
      a.reduce((s, row, i) => s + row[Math.floor(e / cols)] * d[i][e % cols], 0),
    );
  const columnSums = (d: number[][]) => d[0].map((_, j) => d.reduce((s, row) => s + row[j], 0));
  return {
    loss: loss / n,
    grads: { w1: outer(x, dz1, IN, HIDDEN), b1: columnSums(dz1), w2: outer(h, dz2, HIDDEN, OUT), b2: columnSums(dz2) },
  };
}

/** Adam's first step: m = (1 - b1) g, v = (1 - b2) g^2, bias-corrected, so w - lr g / (|g| + eps). */
function adamFirstStep(w: number[], g: number[]): number[] {
  return w.map((wi, i) => wi - (LR * g[i]) / (Math.abs(g[i]) + EPSILON));
}

function assertClose(what: string, actual: ArrayLike<number>, expected: number[], tolerance: number): void {
  for (let i = 0; i < expected.length; i++) {
    if (!Number.isFinite(actual[i])) throw new Error(`${what}[${i}] is ${actual[i]}`);
    if (Math.abs(actual[i] - expected[i]) > tolerance * (1 + Math.abs(expected[i]))) {
      throw new Error(
        `${what}[${i}] is ${Number(actual[i].toPrecision(6))}, expected ${Number(expected[i].toPrecision(6))}`,
      );
    }
  }
}

/**
 * Trains the probe network one step on the current backend (slice, gather, fused matMul with bias and
 * ReLU, softmax cross-entropy, gradients, one Adam step: the fused one where the fast paths are on) and
 * reads the loss and weights back.
 * @throws Error saying what failed: an exception of the backend, a non-finite or wrong value.
 */
export function probeTrainingStep(): void {
  const reference = probeReference();
  const variables = [
    tf.tensor2d(W1, [IN, HIDDEN]),
    tf.tensor1d(B1),
    tf.tensor2d(W2, [HIDDEN, OUT]),
    tf.tensor1d(B2),
  ].map((t) => {
    const v = tf.variable(t);
    t.dispose();
    return v;
  });
  const [w1, b1, w2, b2] = variables;
  const optimizer = preferFused(
    () => fusedAdam(LR, 0.9, 0.999, EPSILON),
    () => tf.train.adam(LR, 0.9, 0.999, EPSILON),
  );
  try {
    const loss = tf.tidy(() => {
      const x = tf.gather(tf.slice(tf.tensor2d(XS, [8, IN]), [1, 0], [7, -1]), tf.tensor1d(ROWS, 'int32'));
      const oneHot = tf.oneHot(tf.tensor1d(LABELS, 'int32'), OUT);
      return optimizer.minimize(
        () => {
          const hidden = tf.fused.matMul({ a: x, b: w1, bias: b1, activation: 'relu' });
          const logits = tf.fused.matMul({ a: hidden, b: w2, bias: b2 });
          return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
        },
        true,
        variables,
      ) as tf.Scalar;
    });
    const value = loss.dataSync()[0];
    loss.dispose();
    if (!Number.isFinite(value) || Math.abs(value - reference.loss) > 1e-4 * (1 + reference.loss)) {
      throw new Error(`the loss is ${Number(value.toPrecision(6))}, expected ${Number(reference.loss.toPrecision(6))}`);
    }
    const { grads } = reference;
    // Adam moves every weight by ~lr: a wrong gradient sign or a missed update shows as an error of ~lr.
    const tolerance = LR * 1e-2;
    assertClose('layer 1 weights after one step', w1.dataSync(), adamFirstStep(W1, grads.w1), tolerance);
    assertClose('layer 1 bias after one step', b1.dataSync(), adamFirstStep(B1, grads.b1), tolerance);
    assertClose('layer 2 weights after one step', w2.dataSync(), adamFirstStep(W2, grads.w2), tolerance);
    assertClose('layer 2 bias after one step', b2.dataSync(), adamFirstStep(B2, grads.b2), tolerance);
  } finally {
    optimizer.dispose();
    tf.dispose(variables);
  }
}
