// im2col and col2im for NHWC convolutions, in place on the wasm heap (every offset in float32 words):
// the hand-written wasm kernels of wasm/conv.wat, or the same loops in JavaScript where those cannot run.
import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-geometry.js';
import { wasmMemory } from './tfjs-internals.js';
import { WASM_MODULES } from './wasm/modules.js';

/** im2col / col2im of wasm/conv.wat: byte offsets, images [first, first + count), then the geometry. */
type ConvWasmKernel = (source: number, target: number, first: number, count: number, ...geometry: number[]) => void;

/** The kernels of wasm/conv.wat, instantiated on the backend's memory. */
export interface ConvWasm {
  im2col: ConvWasmKernel;
  /** im2col for few channels: one tap at a time over an image's pixels. */
  im2colNarrow: ConvWasmKernel;
  col2im: ConvWasmKernel;
  /** (x, dy, dx, batch, ...geometry), byte offsets; dx zeroed by the caller. */
  maxPoolGrad: (...args: number[]) => void;
  /** (dy, dx, batch, ...geometry, 1 / window size), byte offsets; dx zeroed by the caller. */
  avgPoolGrad: (...args: number[]) => void;
}

let cached: (ConvWasm & { memory: WebAssembly.Memory }) | undefined;
let wasmEnabled = true;
/** Set when the module cannot be instantiated here (no wasm SIMD or bulk memory): not tried again. */
let unsupported = false;

/** Turns the wasm kernels of wasm/conv.wat off (the JavaScript loops run) or back on: tests compare the two. */
export function setConvWasm(enabled: boolean): void {
  wasmEnabled = enabled;
}

/** The wasm kernels bound to the wasm backend's memory when `heap` is that memory; else undefined. */
export function convWasm(heap: Float32Array): ConvWasm | undefined {
  if (!wasmEnabled || unsupported || tf.getBackend() !== 'wasm') return undefined;
  const memory = wasmMemory();
  if (heap.buffer !== memory.buffer) return undefined;
  if (cached?.memory !== memory) {
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(WASM_MODULES.conv, 'base64')), {
        env: { memory },
      });
      const { im2col, im2colNarrow, col2im, maxPoolGrad, avgPoolGrad } = instance.exports as unknown as ConvWasm;
      cached = { memory, im2col, im2colNarrow, col2im, maxPoolGrad, avgPoolGrad };
    } catch {
      unsupported = true; // a runtime without wasm SIMD or bulk memory: the loops below do the work
      return undefined;
    }
  }
  return cached;
}

const dims = (g: ConvGeometry) => [
  g.inHeight,
  g.inWidth,
  g.inChannels,
  g.outHeight,
  g.outWidth,
  g.filterHeight,
  g.filterWidth,
  g.strideHeight,
  g.strideWidth,
  g.padTop,
  g.padLeft,
];

/** Inputs with at most this many channels use the wasm kernel that writes the columns one filter tap at a time. */
export const NARROW_CHANNELS = 4;

/** Runs at least this long are moved with copyWithin (a memmove); shorter ones by a loop, cheaper than the call. */
const COPY_MIN = 24;

/** The filter taps `[kwLo, kwHi)` of one output column that fall inside the image (the rest is padding). */
function insideTaps(g: ConvGeometry, iw0: number): [number, number] {
  return [Math.max(0, -iw0), Math.min(g.filterWidth, g.inWidth - iw0)];
}

/**
 * Writes the column matrix of images `[first, first + count)` of `x` at `colStart`: one row per output
 * pixel (image, row, column), one column per (filter row, filter column, input channel), zeros where the
 * window lies over the padding. `x` starts at `xStart` with the batch's first image.
 */
export function im2col(
  heap: Float32Array,
  xStart: number,
  colStart: number,
  g: ConvGeometry,
  first: number,
  count: number,
): void {
  const kernels = convWasm(heap);
  // Up to 4 channels a tap copies 16 bytes or fewer: the narrow kernel's one load per value wins.
  if (kernels) {
    (g.inChannels <= NARROW_CHANNELS ? kernels.im2colNarrow : kernels.im2col)(
      xStart * 4,
      colStart * 4,
      first,
      count,
      ...dims(g),
    );
  } else im2colLoops(heap, xStart, colStart, g, first, count);
}

function im2colLoops(
  heap: Float32Array,
  xStart: number,
  colStart: number,
  g: ConvGeometry,
  first: number,
  count: number,
): void {
  const { inHeight, inWidth, inChannels: C, filterHeight, filterWidth, patch } = g;
  const tapRow = filterWidth * C;
  let row = colStart;
  for (let n = first; n < first + count; n++) {
    const image = xStart + n * inHeight * inWidth * C;
    for (let oh = 0; oh < g.outHeight; oh++) {
      const ih0 = oh * g.strideHeight - g.padTop;
      for (let ow = 0; ow < g.outWidth; ow++) {
        const iw0 = ow * g.strideWidth - g.padLeft;
        const [kwLo, kwHi] = insideTaps(g, iw0);
        const length = (kwHi - kwLo) * C;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = ih0 + kh;
          const target = row + kh * tapRow;
          if (ih < 0 || ih >= inHeight || length <= 0) {
            heap.fill(0, target, target + tapRow);
            continue;
          }
          // The taps inside the image are one contiguous run of the input row (NHWC).
          const source = image + (ih * inWidth + iw0 + kwLo) * C;
          const start = target + kwLo * C;
          if (kwLo > 0) heap.fill(0, target, start);
          if (length >= COPY_MIN) heap.copyWithin(start, source, source + length);
          else for (let j = 0; j < length; j++) heap[start + j] = heap[source + j];
          if (kwHi < filterWidth) heap.fill(0, start + length, target + tapRow);
        }
        row += patch;
      }
    }
  }
}

/**
 * The reverse of {@link im2col}: adds each value of the column matrix at `colStart` (images `[first,
 * first + count)`) to the input position it was taken from, in `dx` at `dxStart` (which the caller
 * zeroed); padding positions are dropped. This is the input gradient from the columns' gradient.
 */
export function col2im(
  heap: Float32Array,
  colStart: number,
  dxStart: number,
  g: ConvGeometry,
  first: number,
  count: number,
): void {
  const kernels = convWasm(heap);
  if (kernels) kernels.col2im(colStart * 4, dxStart * 4, first, count, ...dims(g));
  else col2imLoops(heap, colStart, dxStart, g, first, count);
}

function col2imLoops(
  heap: Float32Array,
  colStart: number,
  dxStart: number,
  g: ConvGeometry,
  first: number,
  count: number,
): void {
  const { inHeight, inWidth, inChannels: C, filterHeight, filterWidth, patch } = g;
  const tapRow = filterWidth * C;
  let row = colStart;
  for (let n = first; n < first + count; n++) {
    const image = dxStart + n * inHeight * inWidth * C;
    for (let oh = 0; oh < g.outHeight; oh++) {
      const ih0 = oh * g.strideHeight - g.padTop;
      const khLo = Math.max(0, -ih0);
      const khHi = Math.min(filterHeight, inHeight - ih0);
      for (let ow = 0; ow < g.outWidth; ow++) {
        const iw0 = ow * g.strideWidth - g.padLeft;
        const [kwLo, kwHi] = insideTaps(g, iw0);
        const length = (kwHi - kwLo) * C;
        for (let kh = khLo; kh < khHi; kh++) {
          const target = image + ((ih0 + kh) * inWidth + iw0 + kwLo) * C;
          const source = row + kh * tapRow + kwLo * C;
          for (let j = 0; j < length; j++) heap[target + j] += heap[source + j];
        }
        row += patch;
      }
    }
  }
}
