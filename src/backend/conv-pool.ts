// Max-pool's and average-pool's gradients for wasm in one pass over the windows (the stock kernels take
// ~40-100 ms per step of a LeNet at batch 128): wasm/conv.wat's SIMD kernels, or the same loops in JavaScript.
import { backend_util } from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { convWasm } from './conv-im2col.js';
import type { ConvWasm } from './conv-im2col.js';
import { heapOffset, makeWasmOutput, wasmHeapF32 } from './tfjs-internals.js';

export interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Calls `body` for every window with its image's offset, its output offset, and the rows and columns of the image under it. */
function forEachWindow(
  info: backend_util.Conv2DInfo,
  body: (image: number, o: number, ihLo: number, ihHi: number, iwLo: number, iwHi: number) => void,
): void {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: C,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    filterHeight,
    filterWidth,
  } = info;
  let o = 0;
  for (let n = 0; n < batchSize; n++) {
    const image = n * inHeight * inWidth * C;
    for (let oh = 0; oh < outHeight; oh++) {
      const ih0 = oh * strideHeight - info.padInfo.top;
      for (let ow = 0; ow < outWidth; ow++, o += C) {
        const iw0 = ow * strideWidth - info.padInfo.left;
        body(
          image,
          o,
          Math.max(0, ih0),
          Math.min(inHeight, ih0 + filterHeight),
          Math.max(0, iw0),
          Math.min(inWidth, iw0 + filterWidth),
        );
      }
    }
  }
}

/**
 * Each window's gradient goes to the window's largest input (the first one in row-major order on a
 * tie; none when the window holds only NaN or -Infinity), as tfjs's cpu kernel does.
 */
function scatterToMaxima(x: Float32Array, dy: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { inWidth, inChannels: C } = info;
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  forEachWindow(info, (image, o, ihLo, ihHi, iwLo, iwHi) => {
    best.fill(-Infinity);
    where.fill(-1);
    for (let ih = ihLo; ih < ihHi; ih++) {
      for (let iw = iwLo; iw < iwHi; iw++) {
        const p = image + (ih * inWidth + iw) * C;
        for (let c = 0; c < C; c++) {
          if (x[p + c] > best[c]) {
            best[c] = x[p + c];
            where[c] = p + c;
          }
        }
      }
    }
    for (let c = 0; c < C; c++) if (where[c] >= 0) dx[where[c]] += dy[o + c];
  });
}

/** Each window's gradient spread over its inputs inside the image, times 1 / the window's full size (tfjs's cpu kernel). */
function spreadOverWindows(dy: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { inWidth, inChannels: C } = info;
  forEachWindow(info, (image, o, ihLo, ihHi, iwLo, iwHi) => {
    for (let ih = ihLo; ih < ihHi; ih++) {
      for (let iw = iwLo; iw < iwHi; iw++) {
        const p = image + (ih * inWidth + iw) * C;
        for (let c = 0; c < C; c++) dx[p + c] += dy[o + c];
      }
    }
  });
  const scale = 1 / (info.filterHeight * info.filterWidth);
  for (let i = 0; i < dx.length; i++) dx[i] *= scale;
}

/** The pooling geometry, or undefined for what these kernels do not take (other dtypes, not rank 4). */
function poolInfo(dy: TensorInfo, input: TensorInfo, attrs: PoolAttrs): backend_util.Conv2DInfo | undefined {
  if (dy.dtype !== 'float32' || input.dtype !== 'float32' || input.shape.length !== 4) return undefined;
  return poolGeometry(input.shape, attrs);
}

const geometry = (info: backend_util.Conv2DInfo) => [
  info.batchSize,
  info.inHeight,
  info.inWidth,
  info.inChannels,
  info.outHeight,
  info.outWidth,
  info.filterHeight,
  info.filterWidth,
  info.strideHeight,
  info.strideWidth,
  info.padInfo.top,
  info.padInfo.left,
];

/** Sends dy back through each window into dx (the input's shape; zeroed by the spread). */
type Spread = (
  backend: unknown,
  dy: TensorInfo,
  input: TensorInfo,
  dx: TensorInfo,
  info: backend_util.Conv2DInfo,
) => void;

/** A pooling gradient for float32 NHWC: what poolInfo cannot take goes to `fallback`. */
function poolGrad(fallback: KernelFunc, spread: Spread): KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const info = poolInfo(dy, input, args.attrs as unknown as PoolAttrs);
    if (!info) return fallback(args);
    const dx = makeWasmOutput(args.backend, [...input.shape], 'float32');
    spread(args.backend, dy, input, dx, info);
    return dx;
  };
}

/**
 * A pooling gradient's arithmetic on float offsets of the wasm heap: `dx` (the input's size) zeroed, then
 * `wasm` (the SIMD kernels, on byte offsets) or `loops` (the same in JavaScript, on views of the input, dy
 * and dx) sends dy back into it.
 */
function poolGradAt(
  x: number,
  dy: number,
  dx: number,
  info: backend_util.Conv2DInfo,
  wasm: (kernels: ConvWasm) => void,
  loops: (x: Float32Array, dy: Float32Array, dx: Float32Array) => void,
): void {
  const heap = wasmHeapF32();
  const size = info.batchSize * info.inHeight * info.inWidth * info.inChannels;
  heap.fill(0, dx, dx + size);
  const kernels = convWasm(heap);
  if (kernels) return wasm(kernels);
  const out = info.batchSize * info.outHeight * info.outWidth * info.inChannels;
  loops(heap.subarray(x, x + size), heap.subarray(dy, dy + out), heap.subarray(dx, dx + size));
}

/**
 * MaxPoolGrad's arithmetic on float offsets of the wasm heap: `dx` (the input's size; zero where no window's
 * maximum is) from `dy` through each window's maximum of the input `x`.
 */
export function maxPoolGradAt(x: number, dy: number, dx: number, info: backend_util.Conv2DInfo): void {
  poolGradAt(
    x,
    dy,
    dx,
    info,
    (kernels) => kernels.maxPoolGrad(x * 4, dy * 4, dx * 4, ...geometry(info)),
    (xs, dys, dxs) => scatterToMaxima(xs, dys, dxs, info),
  );
}

/** MaxPoolGrad for float32 NHWC (tfjs always gives it dilations 1). */
export function maxPoolGrad(fallback: KernelFunc): KernelFunc {
  return poolGrad(fallback, (_backend, dy, input, dx, info) =>
    maxPoolGradAt(heapOffset(input) / 4, heapOffset(dy) / 4, heapOffset(dx) / 4, info),
  );
}

/** The geometry tf.maxPool and its gradient use for an NHWC input `shape` (dilations 1), as tfjs computes it. */
export function poolGeometry(shape: readonly number[], attrs: PoolAttrs): backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

/**
 * AvgPoolGrad's arithmetic on float offsets of the wasm heap: `dx` (the input's size, zeroed here) from `dy`
 * spread over each window's inputs, times 1 / the window's full size.
 */
export function avgPoolGradAt(dy: number, dx: number, info: backend_util.Conv2DInfo): void {
  const scale = 1 / (info.filterHeight * info.filterWidth);
  // An average pool reads no input: dx stands in for it.
  poolGradAt(
    dx,
    dy,
    dx,
    info,
    (kernels) => kernels.avgPoolGrad(dy * 4, dx * 4, ...geometry(info), scale),
    (_xs, dys, dxs) => spreadOverWindows(dys, dxs, info),
  );
}

/** AvgPoolGrad for float32 NHWC. */
export function avgPoolGrad(fallback: KernelFunc): KernelFunc {
  return poolGrad(fallback, (_backend, dy, _input, dx, info) =>
    avgPoolGradAt(heapOffset(dy) / 4, heapOffset(dx) / 4, info),
  );
}
