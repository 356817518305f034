// The compiled training step: a dense model's forward pass, loss, backward pass and optimizer update as a
// fixed list of matrix products (the system BLAS's sgemm, or the wasm backend's own matMul without one)
// and one-pass loops over buffers planned once per role on the wasm heap. No
// tensor is made per step. The variables stay tfjs's: the step starts from their values and writes its
// weights back into them (as new tensors) whenever the rest of the program reads the model.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import type { backend_util } from '@tensorflow/tfjs';
import type { RowLossBatch } from '../shared/index.js';
import { installedBlas } from './blas-kernels.js';
import type { Blas } from './blas.js';
import { copyRows, sumColumns } from './fast-kernels.js';
import { columnFloats, convolveAt, filterGradientAt, inputGradientAt } from './conv-blas-kernels.js';
import { convGeometry } from './conv-geometry.js';
import type { ConvGeometry } from './conv-geometry.js';
import { avgPoolGradAt, maxPoolGradAt, poolGeometry } from './conv-pool.js';
import { simdDense } from './simd.js';
import type { FusedOptimizer } from './fused-optimizers.js';
import {
  emptyWasmTensor,
  fastPathsOff,
  float32View,
  heapOffset,
  rawWasmKernels,
  wasmAllocate,
  wasmHeapF32,
  wasmRelease,
} from './tfjs-internals.js';

/** The activations of a dense layer the plan runs. */
const DENSE_ACTIVATIONS = ['relu', 'linear', 'tanh', 'sigmoid'] as const;
export type DenseActivation = (typeof DENSE_ACTIVATIONS)[number];

/** A layer config's activation as the plan runs it, or undefined when it does not run it. */
export function denseActivation(activation: unknown): DenseActivation | undefined {
  return DENSE_ACTIVATIONS.find((name) => name === activation);
}

/** A dense layer: `act(x W + b)`, the kernel `[inputs, units]`; `maxNorm` is Keras's MaxNorm on its columns. */
export interface DenseStage {
  readonly kind: 'dense';
  readonly kernel: tf.Variable;
  readonly bias?: tf.Variable;
  readonly activation: DenseActivation;
  readonly maxNorm?: number;
}

/** A dropout layer: each training step draws its mask from the seed `nextSeed()` gives, as tf.dropout does. */
export interface DropoutStage {
  readonly kind: 'dropout';
  readonly rate: number;
  readonly nextSeed: () => number;
}

/**
 * A 2-D convolution (NHWC, the kernel `[height, width, inChannels, filters]`, dilations 1) with ReLU or no
 * activation; its input images are `inputShape` `[height, width, channels]`. Only with a BLAS.
 */
export interface ConvStage {
  readonly kind: 'conv';
  readonly kernel: tf.Variable;
  readonly bias?: tf.Variable;
  readonly activation: 'relu' | 'linear';
  readonly strides: readonly [number, number];
  readonly padding: 'same' | 'valid';
  readonly inputShape: readonly [number, number, number];
}

/** A max-pool or average pool of the NHWC images `inputShape` (dilations 1). */
export type PoolStage = PoolOf<'max-pool'> | PoolOf<'avg-pool'>;

interface PoolOf<Kind extends 'max-pool' | 'avg-pool'> {
  readonly kind: Kind;
  readonly poolSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: 'same' | 'valid';
  readonly inputShape: readonly [number, number, number];
}

/** A reshape or flatten: the same floats of each row, seen in another shape (`width` per row). */
export interface ReshapeStage {
  readonly kind: 'reshape';
  readonly width: number;
}

export type StepStage = DenseStage | DropoutStage | ConvStage | PoolStage | ReshapeStage;

export interface CompiledStepInput {
  /** The model's layers in order; the last is the output layer (dense, linear). */
  readonly stages: readonly StepStage[];
  /** The loss's value over a batch, with its gradient (see Loss.rows). */
  readonly loss: (batch: RowLossBatch) => number;
  readonly optimizer: FusedOptimizer;
  /** The training split: features `[n, inputs]`, targets `[n]` (int32 classes or float32 values). */
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor1D;
  /** The teacher's outputs on the training split (after prepareTeacher), row-aligned with `x`. */
  readonly teacher?: tf.Tensor2D;
  readonly batchSize: number;
}

export interface CompiledStep {
  /** How its matrix products run, e.g. `cblas_sgemm from libopenblas.so.0`. */
  readonly matmul: string;
  /**
   * One optimizer step on the rows `indices` of the training split, in training epoch `epoch` (from 1; the
   * loss's warm-up reads it); the batch's loss (a float32 value).
   */
  step(indices: Int32Array, epoch: number): number;
  /** Writes the step's weights into the model's variables (new tensors, as tfjs's optimizers make). */
  writeBack(): void;
  /** Frees the step's buffers (the variables keep the weights last written back). */
  dispose(): void;
}

/**
 * The matrix arithmetic of a step as tfjs's kernels do it in one configuration (float indexes into the
 * wasm heap; every operand contiguous). Calls may grow the heap: take views after them.
 */
interface Products {
  /** How the products run, e.g. `cblas_sgemm from libopenblas.so.0`. */
  readonly matmul: string;
  /**
   * `c[m x n] = op(a) op(b)`, plus the bias row `bias[n]` as tfjs's fused product of a linear layer adds
   * it; with `relu`, the ReLU fused in too, as tfjs's _FusedMatMul applies it outside a gradient.
   */
  product(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    bias?: number,
    relu?: boolean,
  ): void;
  /** `out[cols]` = the column sums of `x[rows x cols]`, as the Sum kernel sums a bias gradient there. */
  columnSums(x: number, rows: number, cols: number, out: number): void;
  /** Runs `fn` with the blocks `[float index, floats]` constant (the weights of a prediction): packed once where that helps. */
  holding<T>(blocks: ReadonlyArray<readonly [number, number]>, fn: () => T): T;
}

let enabled = true;

/** Turns the compiled step on or off for the roles trained from now on (`--compiled-step off`, tests). */
export function setCompiledStep(on: boolean): void {
  enabled = on;
}

/** Why no role can take the compiled step on this backend, or undefined when a covered model can. */
export function compiledStepUnavailable(): string | undefined {
  if (!enabled) return 'turned off (--compiled-step off)';
  const backend = tf.getBackend();
  if (backend !== 'wasm') return `it runs on the wasm backend, not ${backend}`;
  const off = fastPathsOff();
  if (off) return off;
  return undefined;
}

type Alea = (seed: string) => () => number;
let alea: Alea | undefined;

/** tfjs's own generator for random tensors (seedrandom's alea), so a mask here is the mask tf.dropout draws. */
function aleaGenerator(): Alea {
  if (!alea) {
    // Resolved from tfjs-core, whose randomUniform uses it: the same copy, whatever else is installed.
    const core = createRequire(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core'));
    alea = (core('seedrandom') as { alea: Alea }).alea;
  }
  return alea;
}

/** Float offsets of one planned buffer layout (16-byte aligned blocks of one allocation). */
class Layout {
  private floats = 0;
  /** Reserves `count` floats; their offset from the start of the allocation. */
  take(count: number): number {
    const at = this.floats;
    this.floats += Math.ceil(count / 4) * 4;
    return at;
  }
  get bytes(): number {
    return this.floats * 4;
  }
}

/** A trained variable's place in the heap: its weights and gradient (float offsets) and optimizer state. */
interface Param {
  readonly variable: tf.Variable;
  readonly size: number;
  w: number;
  g: number;
  /** The optimizer's state, as byte offsets (as the optimizer takes them). */
  slots: number[];
}

interface PlannedDense {
  readonly kind: 'dense';
  readonly inputs: number;
  readonly units: number;
  readonly activation: DenseActivation;
  readonly maxNorm?: number;
  readonly kernel: Param;
  readonly bias?: Param;
  /** Whether the gradient of its input is needed (a trained layer comes before it). */
  readonly inputGradient: boolean;
}

interface PlannedDropout {
  readonly kind: 'dropout';
  readonly width: number;
  readonly rate: number;
  readonly nextSeed: () => number;
  mask: number;
}

interface PlannedConv {
  readonly kind: 'conv';
  readonly activation: 'relu' | 'linear';
  readonly kernel: Param;
  readonly bias?: Param;
  readonly inputGradient: boolean;
  /** Its geometry for a batch of `n` images (the chunks depend on n, as in the kernels). */
  readonly geometry: (n: number) => ConvGeometry;
}

type PlannedPool = PlannedPoolOf<'max-pool'> | PlannedPoolOf<'avg-pool'>;

interface PlannedPoolOf<Kind extends 'max-pool' | 'avg-pool'> {
  readonly kind: Kind;
  readonly geometry: (n: number) => backend_util.Conv2DInfo;
}

interface PlannedReshape {
  readonly kind: 'reshape';
}

type Planned = PlannedDense | PlannedDropout | PlannedConv | PlannedPool | PlannedReshape;

/** The per-batch-size geometry `make(n)`, computed once per size. */
function perBatch<T>(make: (n: number) => T): (n: number) => T {
  const cache = new Map<number, T>();
  return (n) => {
    let value = cache.get(n);
    if (value === undefined) {
      value = make(n);
      cache.set(n, value);
    }
    return value;
  };
}

/**
 * The system BLAS as the BLAS kernels use it: transposed operands as they are; a fused bias as C
 * pre-filled with the bias rows and beta = 1; column sums as ones(1 x rows) X.
 */
function blasProducts(blas: Blas, scratch: { ones: number }): Products {
  const gemm = (
    ta: boolean,
    tb: boolean,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    beta: number,
    c: number,
  ) => {
    const heap = wasmHeapF32();
    const [lda, ldb] = [ta ? m : k, tb ? k : n];
    blas.sgemm(ta, tb, m, n, k, 1, heap.subarray(a), lda, heap.subarray(b), ldb, beta, heap.subarray(c), n);
  };
  return {
    matmul: `cblas_sgemm from ${blas.library}`,
    product(ta, tb, m, n, k, a, b, c, bias, relu) {
      if (bias !== undefined) {
        const heap = wasmHeapF32();
        for (let r = 0; r < m * n; r += n) heap.copyWithin(c + r, bias, bias + n);
      }
      gemm(ta, tb, m, n, k, a, b, bias === undefined ? 0 : 1, c);
      if (relu) positive(c, m * n);
    },
    columnSums(x, rows, cols, out) {
      gemm(false, false, 1, cols, rows, scratch.ones, x, 0, out);
    },
    holding: (_blocks, fn) => fn(),
  };
}

/**
 * The wasm backend's own matMul (XNNPACK), as tfjs runs it there: a transposed operand is transposed
 * first (the transpose-first kernels); column sums in float64, rounded once (the fast Sum kernel).
 */
function wasmProducts(scratch: { transposed: number }): Products {
  const kernels = rawWasmKernels();
  return {
    matmul: "the wasm backend's matMul (XNNPACK)",
    product(ta, tb, m, n, k, a, b, c, bias, relu) {
      if (ta && tb) throw new Error('compiled step: a product with both operands transposed');
      let [left, right] = [a, b];
      if (ta) {
        kernels.transpose(a * 4, k, m, scratch.transposed * 4);
        left = scratch.transposed;
      } else if (tb) {
        kernels.transpose(b * 4, n, k, scratch.transposed * 4);
        right = scratch.transposed;
      }
      kernels.matMul(left * 4, right * 4, c * 4, m, n, k, bias === undefined ? undefined : bias * 4, relu);
    },
    columnSums(x, rows, cols, out) {
      const heap = wasmHeapF32();
      heap.set(sumColumns(heap.subarray(x, x + rows * cols), rows, cols), out);
    },
    holding: (blocks, fn) =>
      kernels.holding(
        blocks.map(([at, floats]) => [at * 4, floats] as const),
        fn,
      ),
  };
}

/**
 * Plans the compiled step of a model given as its stages (see {@link compiledStepUnavailable} for
 * where it runs; the caller has checked the model is covered). The buffers live until `dispose()`.
 * @throws WasmOutOfMemoryError when the buffers do not fit in the wasm heap.
 */
export function compileStep(input: CompiledStepInput): CompiledStep {
  const blas = installedBlas();
  const batch = input.batchSize;
  const [rows, features] = input.x.shape;
  const layout = new Layout();
  const params: Param[] = [];
  const param = (variable: tf.Variable): Param => {
    const size = variable.size;
    const entry: Param = {
      variable,
      size,
      w: layout.take(size),
      g: layout.take(size),
      slots: Array.from({ length: input.optimizer.slotCount }, () => layout.take(size)),
    };
    params.push(entry);
    return entry;
  };
  // Activations: act[0] the input batch, act[i + 1] stage i's output.
  const widths = [features];
  const planned: Planned[] = [];
  let trainedBefore = false;
  // Each convolution's geometry at the planned batch: the buffers are sized for it.
  const convs: ConvGeometry[] = [];
  for (const stage of input.stages) {
    const inputs = widths[widths.length - 1];
    if (stage.kind === 'conv' || stage.kind === 'max-pool' || stage.kind === 'avg-pool') {
      const [h, w, c] = stage.inputShape;
      if (h * w * c !== inputs) {
        throw new Error(`compiled step: a ${stage.kind} layer of [${stage.inputShape}] after ${inputs} values`);
      }
    }
    if (stage.kind === 'conv') {
      if (!blas) throw new Error('compiled step: a convolution without a BLAS');
      const { kernel, strides, padding } = stage;
      const geometry = perBatch((n) => {
        const g = convGeometry([n, ...stage.inputShape], kernel.shape, { strides: [...strides], pad: padding });
        if (!g) throw new Error(`compiled step: a convolution of [${stage.inputShape}] by [${kernel.shape}]`);
        return g;
      });
      const largest = geometry(batch);
      planned.push({
        kind: 'conv',
        activation: stage.activation,
        kernel: param(kernel),
        bias: stage.bias ? param(stage.bias) : undefined,
        inputGradient: trainedBefore,
        geometry,
      });
      convs.push(largest);
      trainedBefore = true;
      widths.push(largest.pixels * largest.outChannels);
      continue;
    }
    if (stage.kind === 'max-pool' || stage.kind === 'avg-pool') {
      const attrs = {
        filterSize: [...stage.poolSize] as [number, number],
        strides: [...stage.strides] as [number, number],
        pad: stage.padding,
      };
      const geometry = perBatch((n) => poolGeometry([n, ...stage.inputShape], attrs));
      const largest = geometry(batch);
      planned.push(stage.kind === 'max-pool' ? { kind: 'max-pool', geometry } : { kind: 'avg-pool', geometry });
      widths.push(largest.outHeight * largest.outWidth * largest.outChannels);
      continue;
    }
    if (stage.kind === 'reshape') {
      if (stage.width !== inputs) throw new Error(`compiled step: a reshape to ${stage.width} values of ${inputs}`);
      planned.push({ kind: 'reshape' });
      widths.push(inputs);
      continue;
    }
    if (stage.kind === 'dense') {
      const [kernelIn, units] = stage.kernel.shape;
      if (kernelIn !== inputs) {
        throw new Error(`compiled step: a dense kernel [${stage.kernel.shape}] after ${inputs} values`);
      }
      planned.push({
        kind: 'dense',
        inputs,
        units,
        activation: stage.activation,
        maxNorm: stage.maxNorm,
        kernel: param(stage.kernel),
        bias: stage.bias ? param(stage.bias) : undefined,
        inputGradient: trainedBefore,
      });
      trainedBefore = true;
      widths.push(units);
    } else {
      planned.push({ kind: 'dropout', width: inputs, rate: stage.rate, nextSeed: stage.nextSeed, mask: 0 });
      widths.push(inputs);
    }
  }
  // A reshape's output is its input's buffer.
  const act: number[] = [];
  widths.forEach((width, i) => act.push(planned[i - 1]?.kind === 'reshape' ? act[i - 1] : layout.take(batch * width)));
  for (const p of planned) if (p.kind === 'dropout') p.mask = layout.take(batch * p.width);
  const widest = Math.max(...widths);
  const grads = [layout.take(batch * widest), layout.take(batch * widest)];
  const classes = widths[widths.length - 1];
  const target = layout.take(batch);
  const teacherRows = input.teacher ? layout.take(batch * classes) : 0;
  const constrained = planned.filter((p): p is PlannedDense => p.kind === 'dense' && p.maxNorm !== undefined);
  const kernels = planned.filter((p): p is PlannedDense => p.kind === 'dense');
  const longest = Math.max(batch, ...constrained.map((p) => p.inputs), ...convs.map((g) => g.batch * g.pixels));
  const columnSize = Math.max(0, ...convs.map(columnFloats));
  const columns = layout.take(columnSize);
  const ones = blas ? layout.take(longest) : 0;
  const transposed = blas ? 0 : layout.take(Math.max(batch * widest, ...kernels.map((p) => p.inputs * p.units)));
  const squares = layout.take(Math.max(0, ...constrained.map((p) => p.inputs * p.units)));
  const norms = layout.take(Math.max(0, ...constrained.map((p) => p.units)));

  const base = wasmAllocate(layout.bytes + 16);
  const origin = Math.ceil(base / 16) * 4; // float index of the first 16-byte boundary
  const at = (offset: number) => origin + offset;
  for (const p of params) {
    p.w = at(p.w);
    p.g = at(p.g);
    p.slots = p.slots.map((slot) => at(slot) * 4);
  }
  for (const p of planned) if (p.kind === 'dropout') p.mask = at(p.mask);
  const [actAt, gradAt, targetAt, teacherAt] = [act.map(at), grads.map(at), at(target), at(teacherRows)];
  const products = blas ? blasProducts(blas, { ones: at(ones) }) : wasmProducts({ transposed: at(transposed) });
  const columnsAt = at(columns);
  /** The column buffer of a convolution (-1 when pointwise: its columns are its input). */
  const buffers = (g: ConvGeometry) => ({ columns: g.pointwise ? -1 : columnsAt, floats: columnSize });
  const scratch = { squares: at(squares), norms: at(norms) };
  {
    const heap = wasmHeapF32();
    heap.fill(0, origin, origin + layout.bytes / 4);
    if (blas) heap.fill(1, at(ones), at(ones) + longest);
    for (const p of params) heap.set(float32View(p.variable), p.w);
  }
  const integerTarget = input.y.dtype === 'int32';
  let disposed = false;

  // As tfjs runs a convolution layer under a gradient: a linear one as FusedConv2D (the bias written first,
  // the product added to it), a ReLU one as Conv2D, then + b in float32, then the Relu kernel.
  const convForward = (p: PlannedConv, from: number, to: number, n: number) => {
    const g = p.geometry(n);
    const [rows, F] = [n * g.pixels, g.outChannels];
    const fusedBias = p.bias && p.activation === 'linear' ? p.bias.w : undefined;
    if (fusedBias !== undefined) {
      const heap = wasmHeapF32();
      for (let r = to; r < to + rows * F; r += F) heap.copyWithin(r, fusedBias, fusedBias + F);
    }
    convolveAt(blas!, g, from, p.kernel.w, to, fusedBias === undefined ? 0 : 1, buffers(g));
    if (p.activation === 'relu') {
      if (p.bias) addRows(to, p.bias.w, rows, F);
      activate('relu', to, rows * F);
    }
  };

  const forward = (n: number) => {
    planned.forEach((p, i) => {
      const [from, to] = [actAt[i], actAt[i + 1]];
      if (p.kind === 'dropout') return dropoutForward(p, from, to, n * p.width);
      if (p.kind === 'reshape') return;
      if (p.kind === 'max-pool') return rawWasmKernels().maxPool(from * 4, to * 4, p.geometry(n));
      if (p.kind === 'avg-pool') return rawWasmKernels().avgPool(from * 4, to * 4, p.geometry(n));
      if (p.kind === 'conv') return convForward(p, from, to, n);
      // As tfjs runs them: a linear layer's product is fused with its bias; under a gradient another
      // layer's is not (x W, then + b in float32, then the activation's kernel).
      const fusedBias = p.bias && p.activation === 'linear' ? p.bias.w : undefined;
      products.product(false, false, n, p.units, p.inputs, from, p.kernel.w, to, fusedBias);
      if (p.activation !== 'linear') {
        if (p.bias) addRows(to, p.bias.w, n, p.units);
        activate(p.activation, to, n * p.units);
      }
    });
  };

  // Each layer's weights take their step as soon as its gradients are in (and its kernel has given the
  // gradient of its input): the gradient is still in cache. Each weight's update depends on nothing else,
  // so the order is not tfjs's and the result is.
  const backward = (n: number, update: (p: PlannedDense | PlannedConv) => void) => {
    let [current, other] = gradAt;
    for (let i = planned.length - 1; i >= 0; i--) {
      const p = planned[i];
      if (p.kind === 'dropout') {
        const heap = wasmHeapF32();
        const size = n * p.width;
        for (let j = 0; j < size; j++) heap[current + j] = heap[current + j] * heap[p.mask + j];
        continue;
      }
      if (p.kind === 'reshape') continue;
      if (p.kind === 'max-pool' || p.kind === 'avg-pool') {
        if (p.kind === 'max-pool') maxPoolGradAt(actAt[i], current, other, p.geometry(n));
        else avgPoolGradAt(current, other, p.geometry(n));
        [current, other] = [other, current];
        continue;
      }
      if (p.kind === 'conv') {
        const g = p.geometry(n);
        const [rows, F] = [n * g.pixels, g.outChannels];
        if (p.activation === 'relu') activationGrad('relu', current, actAt[i + 1], rows * F);
        filterGradientAt(blas!, g, actAt[i], current, p.kernel.g, buffers(g));
        if (p.bias) products.columnSums(current, rows, F, p.bias.g);
        if (p.inputGradient) inputGradientAt(blas!, g, current, p.kernel.w, other, buffers(g));
        update(p);
        if (!p.inputGradient) break;
        [current, other] = [other, current];
        continue;
      }
      if (p.activation !== 'linear') activationGrad(p.activation, current, actAt[i + 1], n * p.units);
      products.product(true, false, p.inputs, p.units, n, actAt[i], current, p.kernel.g);
      if (p.bias) products.columnSums(current, n, p.units, p.bias.g);
      if (p.inputGradient) products.product(false, true, n, p.inputs, p.units, current, p.kernel.w, other);
      update(p);
      if (!p.inputGradient) break;
      [current, other] = [other, current];
    }
  };

  return {
    matmul: products.matmul,
    step(indices, epoch) {
      if (disposed) throw new Error('compiled step: used after dispose()');
      const n = indices.length;
      if (n === 0 || n > batch) throw new Error(`compiled step: a batch of ${n} rows (planned for 1 to ${batch})`);
      let heap = wasmHeapF32();
      copyRows(heap, heapOffset(input.x) / 4, features, rows, indices, actAt[0]);
      copyRows(heap, heapOffset(input.y) / 4, 1, rows, indices, targetAt);
      if (input.teacher) copyRows(heap, heapOffset(input.teacher) / 4, classes, rows, indices, teacherAt);
      forward(n);
      const logits = actAt[actAt.length - 1];
      heap = wasmHeapF32();
      const value = input.loss({
        n,
        columns: classes,
        epoch,
        prediction: heap.subarray(logits, logits + n * classes),
        target: integerTarget
          ? new Int32Array(heap.buffer, heap.byteOffset + targetAt * 4, n)
          : heap.subarray(targetAt, targetAt + n),
        teacher: input.teacher ? heap.subarray(teacherAt, teacherAt + n * classes) : undefined,
        grad: heap.subarray(gradAt[0], gradAt[0] + n * classes),
      });
      const { t, lr } = input.optimizer.beginStep();
      const take = (q: Param) => input.optimizer.updateInPlace(q.w * 4, q.g * 4, q.slots, q.size, t, lr);
      backward(n, (p) => {
        take(p.kernel);
        if (p.bias) take(p.bias);
        if (p.kind === 'dense' && p.maxNorm !== undefined) maxNorm(products, p, scratch);
      });
      return Math.fround(value);
    },
    writeBack() {
      if (disposed) return;
      for (const p of params) {
        const values = wasmHeapF32().slice(p.w, p.w + p.size);
        const fresh = tf.tensor(values, p.variable.shape, 'float32');
        p.variable.assign(fresh);
        fresh.dispose();
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      wasmRelease(base);
    },
  };
}

/** A layer of a model at inference: a dense layer's product, or a dropout layer (its input passes through). */
export type ForwardStage =
  | {
      readonly kind: 'dense';
      readonly kernel: tf.Tensor2D;
      readonly bias?: tf.Tensor1D;
      readonly activation: DenseActivation;
    }
  | { readonly kind: 'dropout' };

/** The products of the configuration in use (the BLAS's, or the wasm backend's own). */
function currentProducts(scratch: { ones: number; transposed: number }): Products {
  const blas = installedBlas();
  return blas ? blasProducts(blas, scratch) : wasmProducts(scratch);
}

/**
 * A dense model's outputs on the float32 rows of `x`, `[n, outputs]`, cut into batches of `batchSize`
 * rows as predictInBatches cuts them, each layer one product with its bias and ReLU fused (tanh and
 * sigmoid: the product, then the bias, then the kernel), as tfjs runs a dense layer outside a gradient: the same bits as `model.apply(batch, { training: false })`, with no
 * tensor per batch or layer (the batches are read in place; the last layer writes the output). Runs
 * where {@link compiledStepUnavailable} is undefined; the last stage is dense.
 * @throws WasmOutOfMemoryError when the output or two batches of activations do not fit in the wasm heap.
 */
export function predictForward(stages: readonly ForwardStage[], x: tf.Tensor2D, batchSize: number): tf.Tensor2D {
  const dense = stages.filter((stage): stage is Extract<ForwardStage, { kind: 'dense' }> => stage.kind === 'dense');
  const [n, features] = x.shape;
  const outputs = dense[dense.length - 1].kernel.shape[1];
  const widths = dense.map((stage) => stage.kernel.shape[1]);
  const rows = Math.max(1, Math.min(batchSize, n));
  const widest = Math.max(1, ...widths.slice(0, -1));
  const out = emptyWasmTensor([n, outputs]) as tf.Tensor2D;
  if (n === 0) return out;
  let block: number | undefined;
  try {
    block = wasmAllocate(2 * rows * widest * 4 + 16);
    const buffers = [Math.ceil(block / 16) * 4, Math.ceil(block / 16) * 4 + rows * widest];
    const products = currentProducts({ ones: 0, transposed: 0 });
    const weights = dense.flatMap((stage) => [stage.kernel, ...(stage.bias ? [stage.bias] : [])]);
    products.holding(
      weights.map((w) => [heapOffset(w) / 4, w.size] as const),
      () => {
        for (let start = 0; start < n; start += batchSize) {
          const m = Math.min(batchSize, n - start);
          let from = heapOffset(x) / 4 + start * features;
          dense.forEach((stage, i) => {
            const [inputs, units] = stage.kernel.shape;
            const last = i === dense.length - 1;
            const to = last ? heapOffset(out) / 4 + start * outputs : buffers[i % 2];
            const bias = stage.bias ? heapOffset(stage.bias) / 4 : undefined;
            const kernel = heapOffset(stage.kernel) / 4;
            // tfjs fuses a bias and a ReLU into the product; tanh and sigmoid follow it (+ b, then the kernel).
            const fused = stage.activation === 'linear' || stage.activation === 'relu';
            const { activation } = stage;
            products.product(
              false,
              false,
              m,
              units,
              inputs,
              from,
              kernel,
              to,
              fused ? bias : undefined,
              activation === 'relu',
            );
            if (activation === 'tanh' || activation === 'sigmoid') {
              if (bias !== undefined) addRows(to, bias, m, units);
              activate(activation, to, m * units);
            }
            from = to;
          });
        }
      },
    );
    return out;
  } catch (error) {
    out.dispose();
    throw error;
  } finally {
    if (block !== undefined) wasmRelease(block);
  }
}

/** x[r][j] += b[j] over `rows` rows of `cols` (float indexes), with SIMD where it runs. */
function addRows(x: number, b: number, rows: number, cols: number): void {
  const kernels = simdDense();
  if (kernels) return kernels.addRows(x * 4, b * 4, rows, cols);
  const heap = wasmHeapF32();
  for (let r = x; r < x + rows * cols; r += cols) for (let j = 0; j < cols; j++) heap[r + j] += heap[b + j];
}

/** A layer's activation in place, as its tfjs kernel on wasm computes it. */
function activate(activation: Exclude<DenseActivation, 'linear'>, x: number, n: number): void {
  if (activation === 'relu') return relu(x, n);
  rawWasmKernels().unary(activation === 'tanh' ? 'Tanh' : 'Sigmoid', x * 4, x * 4, n);
}

/**
 * The gradient `g` of a layer's output `y` taken back through its activation, in place: ReLU's step; tanh's
 * `(1 - y^2) g` and sigmoid's `g (y (1 - y))`, in float32 as tfjs's gradients of tanh and sigmoid compute them.
 */
function activationGrad(activation: Exclude<DenseActivation, 'linear'>, g: number, y: number, n: number): void {
  if (activation === 'relu') return reluGrad(g, y, n);
  const heap = wasmHeapF32();
  const f = Math.fround;
  if (activation === 'tanh') {
    for (let j = 0; j < n; j++) heap[g + j] = f(1 - f(heap[y + j] * heap[y + j])) * heap[g + j];
  } else {
    for (let j = 0; j < n; j++) heap[g + j] = heap[g + j] * f(heap[y + j] * f(1 - heap[y + j]));
  }
}

/** max(x, 0) as the wasm Relu kernel computes it: -0 gives 0, NaN stays NaN. */
function relu(x: number, n: number): void {
  const kernels = simdDense();
  if (kernels) return kernels.relu(x * 4, n);
  const heap = wasmHeapF32();
  for (let j = x; j < x + n; j++) if (heap[j] <= 0) heap[j] = 0;
}

/** x > 0 ? x : 0 as the BLAS kernels' fused ReLU computes it: NaN and -0 give +0. */
function positive(x: number, n: number): void {
  const kernels = simdDense();
  if (kernels) return kernels.positive(x * 4, n);
  const heap = wasmHeapF32();
  for (let j = x; j < x + n; j++) heap[j] = heap[j] > 0 ? heap[j] : 0;
}

/** ReLU's gradient dy * step(y) in place: 0 where y <= 0, NaN where y is NaN. */
function reluGrad(g: number, y: number, n: number): void {
  const kernels = simdDense();
  if (kernels) return kernels.reluGrad(g * 4, y * 4, n);
  const heap = wasmHeapF32();
  for (let j = 0; j < n; j++) {
    const v = heap[y + j];
    if (v <= 0) heap[g + j] = 0;
    else if (v !== v) heap[g + j] = NaN;
  }
}

/** Dropout as tf.dropout computes it: `x * floor(u + keep) / keep` in float32, `u` from alea(seed). */
function dropoutForward(p: PlannedDropout, from: number, to: number, size: number): void {
  const heap = wasmHeapF32();
  const seed = p.nextSeed();
  if (!(p.rate > 0 && p.rate < 1)) {
    // tfjs's Dropout layer passes its input through outside (0, 1); the seed has moved on all the same.
    heap.copyWithin(to, from, from + size);
    heap.fill(1, p.mask, p.mask + size);
    return;
  }
  const random = aleaGenerator()(String(seed));
  const keep = Math.fround(1 - p.rate);
  const scale = Math.fround(1 / keep);
  for (let j = 0; j < size; j++) {
    const u = Math.fround(random());
    const multiplier = Math.fround(u + keep) >= 1 ? scale : 0;
    heap[p.mask + j] = multiplier;
    heap[to + j] = heap[from + j] * multiplier;
  }
}

/** tfjs-layers' epsilon() in float32. */
const EPSILON = Math.fround(1e-7);

/**
 * Keras's MaxNorm on each column (a unit's incoming weights) as tfjs computes it, in float32 and in its
 * order: squares, column sums (as the Sum kernel), sqrt, min(norm, c) / (1e-7 + norm), scale.
 */
function maxNorm(products: Products, p: PlannedDense, scratch: { squares: number; norms: number }): void {
  const { inputs, units } = p;
  const [w, size] = [p.kernel.w, inputs * units];
  let heap = wasmHeapF32();
  for (let j = 0; j < size; j++) heap[scratch.squares + j] = heap[w + j] * heap[w + j];
  products.columnSums(scratch.squares, inputs, units, scratch.norms);
  heap = wasmHeapF32();
  const limit = Math.fround(p.maxNorm ?? Infinity);
  for (let col = 0; col < units; col++) {
    const norm = Math.fround(Math.sqrt(heap[scratch.norms + col]));
    heap[scratch.norms + col] = Math.min(norm, limit) / Math.fround(EPSILON + norm);
  }
  for (let r = 0; r < size; r += units) {
    for (let col = 0; col < units; col++) heap[w + r + col] = heap[w + r + col] * heap[scratch.norms + col];
  }
}
