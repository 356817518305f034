// wasm BatchMatMul, _FusedMatMul and column-Sum kernels that call the system BLAS on the backend's own memory.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { isColumnSum, kernelLayer } from './kernel-layers.js';
import type { Blas } from './blas.js';
import { float32View, makeWasmOutput } from './tfjs-internals.js';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

interface Plan {
  m: number;
  n: number;
  k: number;
  batch: number;
  strideA: number;
  strideB: number;
  outShape: number[];
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** Shapes of one (possibly batched, possibly broadcast) product; undefined when BLAS should not take it. */
function planMatMul(a: TensorInfo, b: TensorInfo, { transposeA, transposeB }: MatMulAttrs): Plan | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const [ra, rb] = [a.shape.length, b.shape.length];
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb || m === 0 || n === 0 || k === 0) return undefined;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const [sizeA, sizeB] = [product(batchA), product(batchB)];
  if (sizeA > 1 && sizeB > 1 && batchA.join() !== batchB.join()) return undefined;
  const outBatch =
    sizeA === sizeB ? (batchA.length >= batchB.length ? batchA : batchB) : sizeA > sizeB ? batchA : batchB;
  return {
    m,
    n,
    k,
    batch: Math.max(sizeA, sizeB),
    strideA: sizeA === 1 ? 0 : m * k,
    strideB: sizeB === 1 ? 0 : k * n,
    outShape: [...outBatch, m, n],
  };
}

function runSgemm(
  blas: Blas,
  plan: Plan,
  a: TensorInfo,
  b: TensorInfo,
  out: TensorInfo,
  attrs: MatMulAttrs,
  beta: number,
): void {
  // Views are taken after the output was allocated: allocation may grow (and move) the wasm heap.
  const [A, B, C] = [float32View(a), float32View(b), float32View(out)];
  const { m, n, k } = plan;
  for (let i = 0; i < plan.batch; i++) {
    blas.sgemm(
      attrs.transposeA,
      attrs.transposeB,
      m,
      n,
      k,
      1,
      A.subarray(i * plan.strideA),
      attrs.transposeA ? m : k,
      B.subarray(i * plan.strideB),
      attrs.transposeB ? k : n,
      beta,
      C.subarray(i * m * n),
      n,
    );
  }
}

/** Activations applied in one pass over the output; others fall back to the wasm kernel. */
const ACTIVATIONS: Record<string, (x: number, alpha: number) => number> = {
  linear: (x) => x,
  relu: (x) => (x > 0 ? x : 0),
  relu6: (x) => (x > 0 ? (x < 6 ? x : 6) : 0),
  elu: (x) => (x > 0 ? x : Math.exp(x) - 1),
  leakyrelu: (x, alpha) => (x > 0 ? x : alpha * x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};

function blasBatchMatMul(blas: Blas, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs as unknown as MatMulAttrs;
    const plan = planMatMul(a, b, attrs);
    if (!plan) return fallback(args);
    const out = makeWasmOutput(args.backend, plan.outShape, 'float32');
    runSgemm(blas, plan, a, b, out, attrs, 0);
    return out;
  };
}

function blasFusedMatMul(blas: Blas, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as MatMulAttrs;
    const plan = a && b ? planMatMul(a, b, attrs) : undefined;
    const activation = ACTIVATIONS[attrs.activation ?? 'linear'];
    const biasSize = bias ? product(bias.shape) : 0;
    if (
      !plan ||
      !a ||
      !b ||
      !activation ||
      preluActivationWeights ||
      (bias && (bias.dtype !== 'float32' || (biasSize !== plan.n && biasSize !== 1)))
    ) {
      return fallback(args);
    }
    const out = makeWasmOutput(args.backend, plan.outShape, 'float32');
    if (bias) {
      // Pre-fill C with the bias rows, then let sgemm accumulate into it (beta = 1): one pass saved.
      const [C, B] = [float32View(out), float32View(bias)];
      if (biasSize === 1) C.fill(B[0]);
      else for (let row = 0; row < C.length; row += plan.n) C.set(B, row);
    }
    runSgemm(blas, plan, a, b, out, attrs, bias ? 1 : 0);
    if (attrs.activation && attrs.activation !== 'linear') {
      const C = float32View(out);
      const alpha = attrs.leakyreluAlpha ?? 0.2;
      for (let i = 0; i < C.length; i++) C[i] = activation(C[i], alpha);
    }
    return out;
  };
}

/** Column sums (every bias gradient) as ones(1 x rows) * X: a few microseconds in BLAS. */
function blasColumnSum(blas: Blas, fallback: KernelFunc): KernelFunc {
  let ones = new Float32Array(0);
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    if (!isColumnSum(x, attrs)) return fallback(args);
    const [rows, cols] = x.shape;
    if (ones.length < rows) ones = new Float32Array(rows).fill(1);
    const out = makeWasmOutput(args.backend, attrs.keepDims ? [1, cols] : [cols], 'float32');
    blas.sgemm(false, false, 1, cols, rows, 1, ones, rows, float32View(x), cols, 0, float32View(out), cols);
    return out;
  };
}

// On top: BLAS takes transposed operands as they are; what it does not cover falls to the layers below.
const layer = kernelLayer('wasm-blas', 2);

let installed: Blas | undefined;

/** The BLAS doing the wasm backend's matrix products, if one is installed (the compiled step uses the same). */
export function installedBlas(): Blas | undefined {
  return installed;
}

/** Routes the wasm backend's matrix products to `blas`; shapes it does not cover use the kernels below. */
export function installBlasKernels(blas: Blas): void {
  installed = blas;
  layer.enable({
    BatchMatMul: (below) => blasBatchMatMul(blas, below),
    _FusedMatMul: (below) => blasFusedMatMul(blas, below),
    Sum: (below) => blasColumnSum(blas, below),
  });
}

/** Restores the kernels below the BLAS layer. */
export function uninstallBlasKernels(): void {
  installed = undefined;
  layer.disable();
}
