// Hand-written WebAssembly SIMD kernels that run on the tfjs wasm backend's own memory.
import * as tf from '@tensorflow/tfjs';
import { wasmMemory } from './tfjs-internals.js';
import { WASM_MODULES } from './wasm/modules.js';

/**
 * adam(out, w, g, m, v, n, beta1, beta2, lr / (1 - beta1^t), 1 / (1 - beta2^t), epsilon, keep), offsets in bytes;
 * keep multiplies the old weights: 1 - lr * weight_decay (AdamW), 1 without weight decay.
 */
export type AdamKernel = (
  out: number,
  w: number,
  g: number,
  m: number,
  v: number,
  n: number,
  b1: number,
  b2: number,
  lrc1: number,
  c2: number,
  eps: number,
  keep: number,
) => void;

let cached: { memory: WebAssembly.Memory; adam: AdamKernel } | undefined;

/**
 * The SIMD Adam kernel bound to the current wasm backend's memory, or undefined off wasm (or without SIMD).
 * @throws when the wasm module no longer exposes its memory (a tfjs change: loud, not a silent fallback).
 */
export function simdAdam(): AdamKernel | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const memory = wasmMemory();
  if (cached?.memory !== memory) {
    try {
      const module = new WebAssembly.Module(Buffer.from(WASM_MODULES.adam, 'base64'));
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      cached = { memory, adam: instance.exports.adam as AdamKernel };
    } catch {
      return undefined; // a runtime without wasm SIMD: the caller's JS loop does the work
    }
  }
  return cached.adam;
}

/** The compiled step's SIMD loops (src/backend/wasm/dense.wat), byte offsets into the wasm heap. */
export interface DenseKernels {
  /** x[r][j] += b[j] for `rows` rows of `cols` floats. */
  addRows(x: number, b: number, rows: number, cols: number): void;
  /** x = max(x, 0) over `n` floats. */
  relu(x: number, n: number): void;
  /** g = y > 0 ? g : 0 (NaN where y is NaN) over `n` floats. */
  reluGrad(g: number, y: number, n: number): void;
}

let denseCached: { memory: WebAssembly.Memory; kernels: DenseKernels } | undefined;

/** The dense SIMD kernels bound to the current wasm backend's memory, or undefined off wasm (or without SIMD). */
export function simdDense(): DenseKernels | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const memory = wasmMemory();
  if (denseCached?.memory !== memory) {
    try {
      const module = new WebAssembly.Module(Buffer.from(WASM_MODULES.dense, 'base64'));
      const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
      denseCached = { memory, kernels: exports as unknown as DenseKernels };
    } catch {
      return undefined; // a runtime without wasm SIMD: the caller's JS loops do the work
    }
  }
  return denseCached.kernels;
}
