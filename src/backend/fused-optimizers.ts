// Optimizers that update each variable in one pass over its memory, with tfjs's own formulas.
import * as tf from '@tensorflow/tfjs';
import type { NamedTensorMap } from '@tensorflow/tfjs';
import {
  emptyTensorLike,
  float32View,
  hasDirectMemory,
  heapOffset,
  registeredVariable,
  wasmHeapF32,
} from './tfjs-internals.js';
import { simdAdam } from './simd.js';

type NamedTensor = { name: string; tensor: tf.Tensor };

/**
 * Writes the updated weights of one variable to `out` from its weights `w` and gradient `g`, updating
 * the optimizer's `slots` in place; `t` is the 1-based step.
 */
type UpdateRule = (
  out: Float32Array,
  w: Float32Array,
  g: Float32Array,
  slots: Float32Array[],
  t: number,
  lr: number,
) => void;

/**
 * A rule on byte offsets into the wasm heap (to run a wasm kernel there); returns false when it cannot
 * run (no SIMD), and the view rule does the work instead.
 */
type HeapRule = (
  out: number,
  w: number,
  g: number,
  slots: readonly number[],
  n: number,
  t: number,
  lr: number,
) => boolean;

/** `n` floats of the wasm heap from byte offset `offset` (take it right before use: the heap may move). */
const heapView = (offset: number, n: number): Float32Array => wasmHeapF32().subarray(offset / 4, offset / 4 + n);

/**
 * tfjs's optimizers run ~5-10 element-wise ops per variable per step, each a kernel call and a new
 * tensor; on the teacher that is ~11 ms of a ~30 ms step. This does the same math in one pass.
 */
export class FusedOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'DistilRunFusedOptimizer';
  }

  private readonly slots = new Map<string, tf.Variable[]>();
  /** The rate of the next steps: `config.lr` until a schedule changes it (as tfjs's optimizers expose theirs). */
  learningRate: number;

  constructor(
    /** The per-element state the rule keeps for each variable (Adam's m and v: 2). */
    readonly slotCount: number,
    private readonly rule: UpdateRule,
    private readonly config: Record<string, number | boolean> & { lr: number },
    private readonly heapRule?: HeapRule,
  ) {
    super();
    this.learningRate = config.lr;
  }

  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }

  applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const entries: Array<[string, tf.Tensor]> = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor])
      : Object.entries(variableGradients);
    this.incrementIterations();
    for (const [name, gradient] of entries) {
      if (!gradient) continue;
      const variable = registeredVariable(name);
      const slots = this.slotsFor(name, variable);
      // New weights go to a new tensor, as tfjs's own optimizers do: the stock wasm matMul caches
      // packed weights by tensor id (XNNPACK), so weights changed in place would be read stale.
      const out = emptyTensorLike(variable);
      const onHeap =
        this.heapRule !== undefined &&
        tf.getBackend() === 'wasm' &&
        this.heapRule(
          heapOffset(out),
          heapOffset(variable),
          heapOffset(gradient),
          slots.map(heapOffset),
          variable.size,
          this.iterations,
          this.learningRate,
        );
      if (!onHeap) {
        // Views last: any allocation above may move the wasm heap.
        this.rule(
          float32View(out),
          float32View(variable),
          float32View(gradient),
          slots.map(float32View),
          this.iterations,
          this.learningRate,
        );
      }
      variable.assign(out);
      out.dispose();
    }
  }

  /** Counts one step (as applyGradients does) for the compiled step: its 1-based number and its rate. */
  beginStep(): { t: number; lr: number } {
    this.incrementIterations();
    return { t: this.iterations, lr: this.learningRate };
  }

  /**
   * The compiled step's update: the `n` weights at byte offset `w` of the wasm heap, in place, from the
   * gradient at `g` and the rule's state at `slots` (zeros before the first step); `t` and `lr` from
   * {@link beginStep}. The same arithmetic as applyGradients, to the bit (each rule reads an element's
   * weight before it writes it).
   */
  updateInPlace(w: number, g: number, slots: readonly number[], n: number, t: number, lr: number): void {
    if (this.heapRule?.(w, w, g, slots, n, t, lr)) return;
    const view = heapView(w, n);
    this.rule(
      view,
      view,
      heapView(g, n),
      slots.map((slot) => heapView(slot, n)),
      t,
      lr,
    );
  }

  private slotsFor(name: string, variable: tf.Variable): tf.Variable[] {
    let slots = this.slots.get(name);
    if (!slots) {
      // Unnamed: tfjs gives each a unique name, so two optimizers may update the same variables.
      slots = Array.from({ length: this.slotCount }, () => tf.tidy(() => tf.zerosLike(variable).variable(false)));
      this.slots.set(name, slots);
    }
    return slots;
  }

  override dispose(): void {
    super.dispose();
    for (const slots of this.slots.values()) tf.dispose(slots);
    this.slots.clear();
  }

  getConfig(): Record<string, number | boolean> {
    return { ...this.config, lr: this.learningRate };
  }
}

/**
 * Adam's update over elements [from, w.length) in float32-friendly form (the SIMD kernel's tail, and off wasm);
 * `keep` multiplies the old weights (AdamW's decay, 1 - lr * weight_decay; exactly 1 without it).
 */
function adamLoop(
  out: Float32Array,
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  from: number,
  beta1: number,
  beta2: number,
  lrc1: number,
  c2: number,
  epsilon: number,
  keep: number,
): void {
  const [k1, k2] = [1 - beta1, 1 - beta2];
  for (let i = from; i < w.length; i++) {
    const gi = g[i];
    const mi = beta1 * m[i] + k1 * gi;
    const vi = beta2 * v[i] + k2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    out[i] = keep * w[i] - (lrc1 * mi) / (Math.sqrt(vi * c2) + epsilon);
  }
}

/**
 * Adam with bias correction, as tf.train.adam computes it; on wasm, four floats at a time with SIMD. With
 * `weightDecay` > 0 it is torch.optim.AdamW: the weights are first multiplied by 1 - lr * weightDecay, at
 * the step's (scheduled) rate, then take Adam's step.
 */
export function fusedAdam(lr: number, beta1: number, beta2: number, epsilon: number, weightDecay = 0): tf.Optimizer {
  const corrections = (t: number, rate: number) => [
    rate / (1 - beta1 ** t),
    1 / (1 - beta2 ** t),
    1 - rate * weightDecay,
  ];
  const simd: HeapRule = (out, w, g, [m, v], n, t, rate) => {
    const kernel = simdAdam();
    if (!kernel) return false;
    const [lrc1, c2, keep] = corrections(t, rate);
    kernel(out, w, g, m, v, n, beta1, beta2, lrc1, c2, epsilon, keep);
    const tail = n - (n % 4);
    if (tail < n) {
      const view = (offset: number) => heapView(offset, n);
      adamLoop(view(out), view(w), view(g), view(m), view(v), tail, beta1, beta2, lrc1, c2, epsilon, keep);
    }
    return true;
  };
  return new FusedOptimizer(
    2,
    (out, w, g, [m, v], t, rate) => {
      const [lrc1, c2, keep] = corrections(t, rate);
      adamLoop(out, w, g, m, v, 0, beta1, beta2, lrc1, c2, epsilon, keep);
    },
    { lr, beta1, beta2, epsilon, ...decayConfig(weightDecay) },
    simd,
  );
}

/** The config key of a weight decay: none without one, so such an optimizer's config is as before. */
const decayConfig = (weightDecay: number): Record<string, number> => (weightDecay > 0 ? { weightDecay } : {});

/**
 * SGD, with momentum (and Nesterov) as tf.train.momentum computes it. With `weightDecay` > 0 it is
 * torch.optim.SGD's weight_decay: weightDecay * w is added to the gradient before momentum and Nesterov.
 */
export function fusedSgd(lr: number, momentum: number, nesterov: boolean, weightDecay = 0): tf.Optimizer {
  const wd = weightDecay;
  // Without weight decay the gradient is read as it is (not g + 0 * w, which differs for an infinite w).
  if (momentum === 0) {
    return new FusedOptimizer(
      0,
      (out, w, g, _slots, _t, rate) => {
        for (let i = 0; i < w.length; i++) out[i] = w[i] - rate * (wd === 0 ? g[i] : g[i] + wd * w[i]);
      },
      { lr, ...decayConfig(wd) },
    );
  }
  return new FusedOptimizer(
    1,
    (out, w, g, [a], _t, rate) => {
      for (let i = 0; i < w.length; i++) {
        const gi = wd === 0 ? g[i] : g[i] + wd * w[i];
        const ai = momentum * a[i] + gi;
        a[i] = ai;
        out[i] = w[i] - rate * (nesterov ? gi + ai * momentum : ai);
      }
    },
    { lr, momentum, nesterov, ...decayConfig(wd) },
  );
}

/** RMSProp as tf.train.rmsprop computes it (including its centred variant's epsilon placement). */
export function fusedRmsprop(
  lr: number,
  decay: number,
  momentum: number,
  epsilon: number,
  centered: boolean,
): tf.Optimizer {
  return new FusedOptimizer(
    centered ? 3 : 2,
    (out, w, g, [ms, mom, mg], _t, rate) => {
      for (let i = 0; i < w.length; i++) {
        const gi = g[i];
        const msi = decay * ms[i] + (1 - decay) * gi * gi;
        ms[i] = msi;
        let denominator = msi + epsilon;
        if (mg) {
          const mgi = decay * mg[i] + (1 - decay) * gi;
          mg[i] = mgi;
          denominator = msi - (mgi * mgi + epsilon);
        }
        const momi = momentum * mom[i] + (rate * gi) / Math.sqrt(denominator);
        mom[i] = momi;
        out[i] = w[i] - momi;
      }
    },
    { lr, decay, momentum, epsilon, centered },
  );
}

/** The fused optimizer where tensor memory is directly reachable (wasm, cpu), else tfjs's own. */
export function preferFused(fused: () => tf.Optimizer, stock: () => tf.Optimizer): tf.Optimizer {
  return hasDirectMemory() ? fused() : stock();
}
