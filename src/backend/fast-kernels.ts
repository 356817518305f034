// wasm kernels for what training and prediction do most besides matMul: gather rows, clone, column sums, row slices.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { isColumnSum, kernelLayer } from './kernel-layers.js';
import { float32View, heapOffset, int32View, makeWasmOutput, shareWasmData, wasmHeapF32 } from './tfjs-internals.js';

/**
 * Gathering a batch of rows is a per-element loop in the stock wasm kernel (~4 ms for 128 MNIST
 * rows); copying each row with one `copyWithin` inside the wasm heap takes microseconds.
 */
function gatherRows(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
    if (
      axis !== 0 ||
      batchDims !== 0 ||
      indices.dtype !== 'int32' ||
      (x.dtype !== 'float32' && x.dtype !== 'int32') ||
      x.shape.length === 0
    ) {
      return fallback(args);
    }
    const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const rows = x.shape[0];
    const out = makeWasmOutput(args.backend, [...indices.shape, ...x.shape.slice(1)], x.dtype);
    // Same buffer for int32 and float32: 4-byte words.
    copyRows(wasmHeapF32(args.backend), heapOffset(x) / 4, rowSize, rows, int32View(indices), heapOffset(out) / 4);
    return out;
  };
}

/**
 * Copies the rows `indices` of a `rows` x `width` block of 4-byte words at float index `source` of the wasm
 * heap to consecutive rows at `target`, one `copyWithin` each (int32 or float32: the bits are copied).
 * @throws Error naming an index outside [0, rows).
 */
export function copyRows(
  heap: Float32Array,
  source: number,
  width: number,
  rows: number,
  indices: Int32Array,
  target: number,
): void {
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i];
    if (row < 0 || row >= rows) throw new Error(`gather: index ${row} is out of bounds [0, ${rows})`);
    heap.copyWithin(target + i * width, source + row * width, source + (row + 1) * width);
  }
}

/**
 * tfjs clones every tensor it saves for the backward pass, and the stock wasm Identity copies the data
 * (~1 ms per teacher step). tfjs never writes a tensor's memory in place (the fused optimizers check
 * the reference count before they do), so sharing the memory, as the cpu backend does, is safe.
 */
function shareIdentity(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return fallback(args);
    return shareWasmData(args.backend, x);
  };
}

/**
 * Sums over the rows of a float32 matrix (every bias gradient) in one pass; the stock kernel transposes
 * first. Other reductions use the stock kernel.
 */
function columnSum(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs as { axis: number | number[]; keepDims: boolean };
    if (!isColumnSum(x, attrs)) return fallback(args);
    const [rows, cols] = x.shape;
    const out = makeWasmOutput(args.backend, attrs.keepDims ? [1, cols] : [cols], 'float32');
    float32View(out).set(sumColumns(float32View(x), rows, cols));
    return out;
  };
}

/**
 * The column sums of the `rows` x `cols` float32 `values`, row by row in float64 (rounded once, where
 * the caller stores them): the column Sum kernel's arithmetic, which the compiled step repeats.
 */
export function sumColumns(values: Float32Array, rows: number, cols: number): Float64Array {
  const sums = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) sums[c] += values[row + c];
  }
  return sums;
}

/**
 * A slice of whole rows (every batch of a prediction) is one contiguous block: one copy instead of the
 * stock per-element kernel (~120 ms per 10,000 MNIST rows).
 */
function sliceRows(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { begin, size } = args.attrs as { begin: number[]; size: number[] };
    const rank = x.shape.length;
    const wholeRows =
      rank > 0 &&
      begin.length === rank &&
      begin.slice(1).every((b) => b === 0) &&
      size.slice(1).every((s, i) => s === -1 || s === x.shape[i + 1]);
    if (!wholeRows || (x.dtype !== 'float32' && x.dtype !== 'int32')) return fallback(args);
    const rows = size[0] === -1 ? x.shape[0] - begin[0] : size[0];
    if (begin[0] < 0 || rows < 0 || begin[0] + rows > x.shape[0]) return fallback(args);
    const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const out = makeWasmOutput(args.backend, [rows, ...x.shape.slice(1)], x.dtype);
    const source = heapOffset(x) / 4 + begin[0] * rowSize;
    const target = heapOffset(out) / 4;
    wasmHeapF32(args.backend).copyWithin(target, source, source + rows * rowSize);
    return out;
  };
}

const layer = kernelLayer('wasm-fast-kernels', 1);

/** Installs the wasm fast kernels (each falls back to the stock one outside its case). Idempotent. */
export function installFastKernels(): void {
  layer.enable({ GatherV2: gatherRows, Identity: shareIdentity, Sum: columnSum, Slice: sliceRows });
}

/** Restores the stock kernels (tests compare the two). */
export function uninstallFastKernels(): void {
  layer.disable();
}
