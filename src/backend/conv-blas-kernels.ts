// wasm convolution kernels on the system BLAS: Conv2D, FusedConv2D, Conv2DBackpropInput and
// Conv2DBackpropFilter as im2col / col2im around cblas_sgemm on the wasm heap, chunked by batch.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { Blas } from './blas.js';
import { BLAS_CHUNK_ROWS, convGeometry, imagesPerChunk } from './conv-geometry.js';
import type { ConvAttrs, ConvGeometry } from './conv-geometry.js';
import { col2im, im2col } from './conv-im2col.js';
import { channelSum, channelSumShape, forEachChunk } from './conv-kernels.js';
import { kernelLayer } from './kernel-layers.js';
import { disposeWasmData, heapOffset, makeWasmOutput, wasmHeapF32 } from './tfjs-internals.js';

/** Float32 offsets of a tensor in the wasm heap. */
const at = (t: TensorInfo) => heapOffset(t) / 4;

/**
 * The floats of the column buffer a convolution of `g` takes (its first chunk is the largest): 0 for a
 * pointwise convolution, whose columns are the input itself.
 */
export function columnFloats(g: ConvGeometry): number {
  return g.pointwise ? 0 : imagesPerChunk(g, BLAS_CHUNK_ROWS) * g.pixels * g.patch;
}

/** Runs `body` with a column buffer for `g` on the wasm heap (none for a pointwise convolution), freed at the end. */
function withColumns(backend: unknown, g: ConvGeometry, body: (buffers: ConvBuffers) => void): void {
  const floats = columnFloats(g);
  const columns = floats > 0 ? makeWasmOutput(backend, [floats], 'float32') : undefined;
  try {
    body({ columns: columns ? at(columns) : -1, floats });
  } finally {
    if (columns) disposeWasmData(backend, columns);
  }
}

/**
 * A convolution's column buffer on the wasm heap: its float offset (-1 when pointwise) and its size in
 * floats. The functions below take the heap view per chunk.
 */
export interface ConvBuffers {
  readonly columns: number;
  readonly floats: number;
}

/**
 * The chunks of `g`'s batch, checked against the column buffer (the chunk size follows the column limit in
 * force now, which a caller may have sized the buffer under before it changed).
 * @throws Error when a chunk's columns would not fit.
 */
function chunks(g: ConvGeometry, { columns, floats }: ConvBuffers, body: (first: number, count: number) => void): void {
  if (columns >= 0 && columnFloats(g) > floats) {
    throw new Error(`convolution: a column buffer of ${floats} floats for chunks of ${columnFloats(g)}`);
  }
  forEachChunk(g, body, BLAS_CHUNK_ROWS);
}

/**
 * `out = columns(x) filter (+ out, with beta 1: a bias already written there)`, chunk by chunk: the
 * arithmetic of the Conv2D and FusedConv2D kernels below, on float offsets.
 */
export function convolveAt(
  blas: Blas,
  g: ConvGeometry,
  x: number,
  filter: number,
  out: number,
  beta: number,
  buffers: ConvBuffers,
): void {
  const F = g.outChannels;
  columnChunks(g, x, buffers, (heap, a, rows, first) => {
    const c = out + first * g.pixels * F;
    blas.sgemm(
      false,
      false,
      rows,
      F,
      g.patch,
      1,
      heap.subarray(a, a + rows * g.patch),
      g.patch,
      heap.subarray(filter, filter + g.patch * F),
      F,
      beta,
      heap.subarray(c, c + rows * F),
      F,
    );
  });
}

/**
 * Runs `body(heap, a, rows, first)` per chunk of images of `g` with `a` the float offset of the chunk's
 * column matrix (`rows` x patch): im2col of `x` into the column buffer, or the input rows themselves when
 * pointwise.
 */
function columnChunks(
  g: ConvGeometry,
  x: number,
  buffers: ConvBuffers,
  body: (heap: Float32Array, a: number, rows: number, first: number) => void,
): void {
  const { columns } = buffers;
  chunks(g, buffers, (first, count) => {
    const heap = wasmHeapF32();
    if (columns >= 0) im2col(heap, x, columns, g, first, count);
    body(heap, columns >= 0 ? columns : x + first * g.pixels * g.patch, count * g.pixels, first);
  });
}

/** `dfilter = columns(x)^T dy`, accumulated over the chunks (beta = 1 after the first): Conv2DBackpropFilter's arithmetic. */
export function filterGradientAt(
  blas: Blas,
  g: ConvGeometry,
  x: number,
  dy: number,
  dw: number,
  buffers: ConvBuffers,
): void {
  const F = g.outChannels;
  columnChunks(g, x, buffers, (heap, a, rows, first) => {
    const b = dy + first * g.pixels * F;
    blas.sgemm(
      true,
      false,
      g.patch,
      F,
      rows,
      1,
      heap.subarray(a, a + rows * g.patch),
      g.patch,
      heap.subarray(b, b + rows * F),
      F,
      first === 0 ? 0 : 1,
      heap.subarray(dw, dw + g.patch * F),
      F,
    );
  });
}

/** `dcolumns = dy filter^T`, then col2im into dx (zeroed first; a pointwise convolution writes dx directly): Conv2DBackpropInput's arithmetic. */
export function inputGradientAt(
  blas: Blas,
  g: ConvGeometry,
  dy: number,
  filter: number,
  dx: number,
  buffers: ConvBuffers,
): void {
  const F = g.outChannels;
  const { columns } = buffers;
  if (columns >= 0) wasmHeapF32().fill(0, dx, dx + g.batch * g.inHeight * g.inWidth * g.inChannels);
  chunks(g, buffers, (first, count) => {
    const heap = wasmHeapF32();
    const rows = count * g.pixels;
    const target = columns >= 0 ? columns : dx + first * g.pixels * g.patch; // pointwise: dx's rows themselves
    const a = dy + first * g.pixels * F;
    blas.sgemm(
      false,
      true,
      rows,
      g.patch,
      F,
      1,
      heap.subarray(a, a + rows * F),
      F,
      heap.subarray(filter, filter + g.patch * F),
      F,
      0,
      heap.subarray(target, target + rows * g.patch),
      g.patch,
    );
    if (columns >= 0) col2im(heap, columns, dx, g, first, count);
  });
}

/** `out = columns(x) filter (+ out, with beta 1)` for the kernels: a column buffer of their own. */
function forward(
  blas: Blas,
  backend: unknown,
  x: TensorInfo,
  filter: TensorInfo,
  out: TensorInfo,
  g: ConvGeometry,
  beta: number,
): void {
  withColumns(backend, g, (buffers) => convolveAt(blas, g, at(x), at(filter), at(out), beta, buffers));
}

function conv2D(blas: Blas, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs;
    const g =
      x.dtype === 'float32' && filter.dtype === 'float32' ? convGeometry(x.shape, filter.shape, attrs) : undefined;
    if (!g) return fallback(args);
    const out = makeWasmOutput(args.backend, [g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
    forward(blas, args.backend, x, filter, out, g, 0);
    return out;
  };
}

/** Activations applied in one pass over the output; the others (and PReLU) use the kernel below. */
const ACTIVATIONS: Record<string, ((v: number, alpha: number) => number) | undefined> = {
  linear: undefined,
  relu: (v) => (v > 0 ? v : 0),
  relu6: (v) => (v > 0 ? (v < 6 ? v : 6) : 0),
  leakyrelu: (v, alpha) => (v > 0 ? v : alpha * v),
};

/** Conv2D with a per-channel bias and an activation (prediction, and training with a linear activation). */
function fusedConv2D(blas: Blas, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs & { activation?: string; leakyreluAlpha?: number };
    const activation = attrs.activation ?? 'linear';
    const g =
      x && filter && x.dtype === 'float32' && filter.dtype === 'float32'
        ? convGeometry(x.shape, filter.shape, attrs)
        : undefined;
    const biasSize = bias ? bias.shape.reduce((a, b) => a * b, 1) : 0;
    const biasOk =
      !bias || (bias.dtype === 'float32' && bias.shape.length <= 1 && (biasSize === 1 || biasSize === g?.outChannels));
    if (!g || !x || !filter || preluActivationWeights || !biasOk || !(activation in ACTIVATIONS)) return fallback(args);
    const out = makeWasmOutput(args.backend, [g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
    if (bias) {
      // Every output row starts as the bias; sgemm adds the product to it (beta = 1).
      const heap = wasmHeapF32(args.backend);
      const [o, b, size] = [at(out), at(bias), g.batch * g.pixels * g.outChannels];
      if (biasSize === 1) heap.fill(heap[b], o, o + size);
      else for (let row = o; row < o + size; row += biasSize) heap.copyWithin(row, b, b + biasSize);
    }
    forward(blas, args.backend, x, filter, out, g, bias ? 1 : 0);
    const apply = ACTIVATIONS[activation];
    if (apply) {
      const heap = wasmHeapF32(args.backend);
      const alpha = attrs.leakyreluAlpha ?? 0.2;
      const [start, end] = [at(out), at(out) + g.batch * g.pixels * g.outChannels];
      for (let i = start; i < end; i++) heap[i] = apply(heap[i], alpha);
    }
    return out;
  };
}

type FilterGradAttrs = ConvAttrs & { filterShape: [number, number, number, number] };
type InputGradAttrs = ConvAttrs & { inputShape: [number, number, number, number] };

/** `dfilter = columns(x)^T dy`, accumulated over the chunks (beta = 1 after the first). */
function filterGradient(blas: Blas, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as FilterGradAttrs;
    const g =
      x.dtype === 'float32' && dy.dtype === 'float32' ? convGeometry(x.shape, attrs.filterShape, attrs) : undefined;
    if (!g) return fallback(args);
    const dw = makeWasmOutput(args.backend, [...attrs.filterShape], 'float32');
    withColumns(args.backend, g, (buffers) => filterGradientAt(blas, g, at(x), at(dy), at(dw), buffers));
    return dw;
  };
}

/** `dcolumns = dy filter^T`, then col2im into dx (a pointwise convolution writes dx directly). */
function inputGradient(blas: Blas, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as InputGradAttrs;
    const g =
      dy.dtype === 'float32' && filter.dtype === 'float32'
        ? convGeometry(attrs.inputShape, filter.shape, attrs)
        : undefined;
    if (!g) return fallback(args);
    const dx = makeWasmOutput(args.backend, [...attrs.inputShape], 'float32');
    withColumns(args.backend, g, (buffers) => inputGradientAt(blas, g, at(dy), at(filter), at(dx), buffers));
    return dx;
  };
}

/** A sum (or mean) over all axes but the channels (bias gradients, batch-norm) as ones(1 x rows) x. */
function perChannelBlas(blas: Blas, mean: boolean, fallback: KernelFunc): KernelFunc {
  let ones = new Float32Array(0);
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const dims = channelSum(x, attrs);
    if (!dims) return fallback(args);
    const [rows, cols] = dims;
    if (ones.length < rows) ones = new Float32Array(rows).fill(1);
    const out = makeWasmOutput(args.backend, channelSumShape(x, attrs.keepDims), 'float32');
    const heap = wasmHeapF32(args.backend);
    blas.sgemm(
      false,
      false,
      1,
      cols,
      rows,
      mean ? 1 / rows : 1,
      ones,
      rows,
      heap.subarray(at(x), at(x) + rows * cols),
      cols,
      0,
      heap.subarray(at(out), at(out) + cols),
      cols,
    );
    return out;
  };
}

// Above the BLAS-free convolution kernels (wasm-conv), which take what this layer does not cover.
const layer = kernelLayer('wasm-conv-blas', 4);

/** Routes the wasm backend's convolutions (forward and both gradients) to `blas`. Idempotent. */
export function installConvBlasKernels(blas: Blas): void {
  layer.enable({
    Conv2D: (below) => conv2D(blas, below),
    FusedConv2D: (below) => fusedConv2D(blas, below),
    Conv2DBackpropFilter: (below) => filterGradient(blas, below),
    Conv2DBackpropInput: (below) => inputGradient(blas, below),
    Sum: (below) => perChannelBlas(blas, false, below),
    Mean: (below) => perChannelBlas(blas, true, below),
  });
}

/** Restores the kernels below the convolution BLAS layer. */
export function uninstallConvBlasKernels(): void {
  layer.disable();
}
