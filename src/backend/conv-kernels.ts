// wasm kernels CNN training needs, without a BLAS: the filter gradient (which tfjs-backend-wasm lacks)
// and the input gradient as im2col / col2im around the backend's own matMul kernel, sums and means over
// all axes but the channels (bias gradients, batch-norm), the pooling gradients and Tile.
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { convGeometry, imagesPerChunk } from './conv-geometry.js';
import type { ConvAttrs, ConvGeometry } from './conv-geometry.js';
import { col2im, im2col } from './conv-im2col.js';
import { tile } from './conv-batch-norm.js';
import { avgPoolGrad, maxPoolGrad } from './conv-pool.js';
import { kernelLayer } from './kernel-layers.js';
import { disposeWasmData, float32View, heapOffset, makeWasmOutput, wasmHeapF32 } from './tfjs-internals.js';

/** The same memory seen with another shape (as tfjs's Reshape does, without a reference of its own). */
export const withShape = (t: TensorInfo, shape: number[]): TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });

/** Calls `body` for each chunk of images `[first, first + count)` whose column matrix fits the column limit (and about `rows` rows). */
export function forEachChunk(g: ConvGeometry, body: (first: number, count: number) => void, rows?: number): void {
  const chunk = imagesPerChunk(g, rows);
  for (let first = 0; first < g.batch; first += chunk) body(first, Math.min(chunk, g.batch - first));
}

/** `op(a) op(b)` with the backend's BatchMatMul kernel as registered now (every layer of it), batch 1. */
function matMul(backend: unknown, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  const kernel = tf.getKernel('BatchMatMul', 'wasm');
  if (!kernel) throw new Error("Kernel 'BatchMatMul' not registered for backend 'wasm'");
  return kernel.kernelFunc({
    inputs: { a, b },
    backend: backend as tf.KernelBackend,
    attrs: { transposeA, transposeB },
  }) as TensorInfo;
}

/**
 * The rows of images `[first, first + count)` of an NHWC tensor as a `[1, rows, channels]` tensor: `x`
 * itself when that is the whole batch, else a copy the caller disposes.
 */
function imageRows(
  backend: unknown,
  x: TensorInfo,
  first: number,
  count: number,
): { rows: TensorInfo; copied: boolean } {
  const [batch, height, width, channels] = x.shape;
  const shape = [1, count * height * width, channels];
  if (first === 0 && count === batch) return { rows: withShape(x, shape), copied: false };
  const rows = makeWasmOutput(backend, shape, 'float32');
  const start = heapOffset(x) / 4 + first * height * width * channels;
  wasmHeapF32(backend).copyWithin(heapOffset(rows) / 4, start, start + count * height * width * channels);
  return { rows, copied: true };
}

type FilterGradAttrs = ConvAttrs & { filterShape: [number, number, number, number] };
type InputGradAttrs = ConvAttrs & { inputShape: [number, number, number, number] };

/** The filter gradient `columns^T dy`, summed over the chunks of the batch. */
function filterGradient(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as FilterGradAttrs;
    const g =
      x.dtype === 'float32' && dy.dtype === 'float32' ? convGeometry(x.shape, attrs.filterShape, attrs) : undefined;
    if (!g) return fallback(args);
    const { backend } = args;
    if (g.pointwise) {
      const product = matMul(
        backend,
        withShape(x, [1, g.batch * g.pixels, g.inChannels]),
        withShape(dy, [1, g.batch * g.pixels, g.outChannels]),
        true,
        false,
      );
      return withShape(product, [...attrs.filterShape]);
    }
    const parts: TensorInfo[] = [];
    try {
      forEachChunk(g, (first, count) => {
        const columns = makeWasmOutput(backend, [1, count * g.pixels, g.patch], 'float32');
        const { rows, copied } = imageRows(backend, dy, first, count);
        try {
          im2col(wasmHeapF32(backend), heapOffset(x) / 4, heapOffset(columns) / 4, g, first, count);
          parts.push(matMul(backend, columns, rows, true, false));
        } finally {
          disposeWasmData(backend, columns);
          if (copied) disposeWasmData(backend, rows);
        }
        if (parts.length === 2) {
          // Added into the first chunk's product as they come: at most two products live at once.
          const [total, part] = [float32View(parts[0]), float32View(parts[1])];
          for (let i = 0; i < total.length; i++) total[i] += part[i];
          disposeWasmData(backend, parts.pop() as TensorInfo);
        }
      });
    } catch (error) {
      parts.forEach((part) => disposeWasmData(backend, part));
      throw error;
    }
    return withShape(parts[0], [...attrs.filterShape]);
  };
}

/** The input gradient: the columns' gradient `dy filter^T`, then col2im, chunk by chunk. */
function inputGradient(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as InputGradAttrs;
    const g =
      dy.dtype === 'float32' && filter.dtype === 'float32'
        ? convGeometry(attrs.inputShape, filter.shape, attrs)
        : undefined;
    if (!g) return fallback(args);
    const { backend } = args;
    const weights = withShape(filter, [1, g.patch, g.outChannels]);
    if (g.pointwise) {
      const product = matMul(backend, withShape(dy, [1, g.batch * g.pixels, g.outChannels]), weights, false, true);
      return withShape(product, [...attrs.inputShape]);
    }
    const dx = makeWasmOutput(backend, [...attrs.inputShape], 'float32');
    float32View(dx).fill(0);
    forEachChunk(g, (first, count) => {
      const { rows, copied } = imageRows(backend, dy, first, count);
      let columns: TensorInfo | undefined;
      try {
        columns = matMul(backend, rows, weights, false, true);
        col2im(wasmHeapF32(backend), heapOffset(columns) / 4, heapOffset(dx) / 4, g, first, count);
      } finally {
        if (columns) disposeWasmData(backend, columns);
        if (copied) disposeWasmData(backend, rows);
      }
    });
    return dx;
  };
}

/**
 * `[rows, channels]` when `Sum` or `Mean` reduces every axis but the last of a non-empty float32 tensor
 * of rank 3 or more (a convolution's bias gradient, batch-norm's statistics), else undefined.
 */
export function channelSum(x: TensorInfo, attrs: { axis: number | number[] }): [number, number] | undefined {
  const rank = x.shape.length;
  if (x.dtype !== 'float32' || rank < 3) return undefined;
  const axes = [
    ...new Set((Array.isArray(attrs.axis) ? attrs.axis : [attrs.axis]).map((a) => (a < 0 ? a + rank : a))),
  ].sort((a, b) => a - b);
  if (axes.length !== rank - 1 || axes.some((a, i) => a !== i)) return undefined;
  const [size, cols] = [x.shape.reduce((a, b) => a * b, 1), x.shape[rank - 1]];
  return size > 0 ? [size / cols, cols] : undefined;
}

/** The shape `Sum` gives for a {@link channelSum}. */
export const channelSumShape = (x: TensorInfo, keepDims: boolean): number[] =>
  keepDims ? [...x.shape.slice(0, -1).map(() => 1), x.shape[x.shape.length - 1]] : [x.shape[x.shape.length - 1]];

/**
 * Sums (or means) over every axis but the channels in one pass: the bias gradients of a convolution and
 * batch-norm's statistics; the stock kernels transpose the whole tensor first.
 */
function perChannel(mean: boolean): (fallback: KernelFunc) => KernelFunc {
  return (fallback) => (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const dims = channelSum(x, attrs);
    if (!dims) return fallback(args);
    const [rows, cols] = dims;
    const out = makeWasmOutput(args.backend, channelSumShape(x, attrs.keepDims), 'float32');
    const sums = new Float64Array(cols);
    const values = float32View(x);
    for (let r = 0; r < rows; r++) {
      const row = r * cols;
      for (let c = 0; c < cols; c++) sums[c] += values[row + c];
    }
    if (mean) for (let c = 0; c < cols; c++) sums[c] /= rows;
    float32View(out).set(sums);
    return out;
  };
}

const layer = kernelLayer('wasm-conv', 3);

/** Installs the CNN training kernels that need no BLAS (each falls back outside its case). Idempotent. */
export function installConvKernels(): void {
  layer.enable({
    Conv2DBackpropFilter: filterGradient,
    Conv2DBackpropInput: inputGradient,
    Sum: perChannel(false),
    Mean: perChannel(true),
    MaxPoolGrad: maxPoolGrad,
    AvgPoolGrad: avgPoolGrad,
    Tile: tile,
  });
}

/** Removes them: Conv2DBackpropFilter is then not registered for wasm again, as in tfjs-backend-wasm. */
export function uninstallConvKernels(): void {
  layer.disable();
}
