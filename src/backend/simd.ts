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

/** Each module's instance on the wasm memory it was made for (a replaced backend has a new memory). */
const instances = new Map<string, { memory: WebAssembly.Memory; exports: WebAssembly.Exports | undefined }>();

/**
 * The exports of one of WASM_MODULES instantiated on the current wasm backend's memory, or undefined off
 * wasm (or on a runtime without wasm SIMD: the caller's JavaScript loop does the work).
 * @throws when the wasm module no longer exposes its memory (a tfjs change: loud, not a silent fallback).
 */
function moduleOnHeap(name: string): WebAssembly.Exports | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const memory = wasmMemory();
  let entry = instances.get(name);
  if (entry?.memory !== memory) {
    let exports: WebAssembly.Exports | undefined;
    try {
      const module = new WebAssembly.Module(Buffer.from(WASM_MODULES[name], 'base64'));
      exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    } catch {
      exports = undefined;
    }
    entry = { memory, exports };
    instances.set(name, entry);
  }
  return entry.exports;
}

/** The SIMD Adam kernel bound to the current wasm backend's memory, or undefined (see {@link moduleOnHeap}). */
export function simdAdam(): AdamKernel | undefined {
  return moduleOnHeap('adam')?.adam as AdamKernel | undefined;
}

/** The compiled step's SIMD loops (src/backend/wasm/dense.wat), byte offsets into the wasm heap. */
export interface DenseKernels {
  /** x[r][j] += b[j] for `rows` rows of `cols` floats. */
  addRows(x: number, b: number, rows: number, cols: number): void;
  /** x = max(x, 0) over `n` floats. */
  relu(x: number, n: number): void;
  /** x = x > 0 ? x : 0 over `n` floats (NaN and -0 give +0). */
  positive(x: number, n: number): void;
  /** g = y > 0 ? g : 0 (NaN where y is NaN) over `n` floats. */
  reluGrad(g: number, y: number, n: number): void;
}

/** The dense SIMD kernels bound to the current wasm backend's memory, or undefined (see {@link moduleOnHeap}). */
export function simdDense(): DenseKernels | undefined {
  return moduleOnHeap('dense') as DenseKernels | undefined;
}
