// Direct views of tensor memory on the wasm and cpu backends, for kernels that work in place.
import * as tf from '@tensorflow/tfjs';
import type { DataId, TensorInfo } from '@tensorflow/tfjs';

/** The parts of the wasm backend's internals distil-run's kernels use; the one place they are spelt out. */
export interface WasmBackend {
  wasm: { HEAPF32: Float32Array; HEAP32: Int32Array; asm?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(dataId: DataId): { memoryOffset: number } | undefined };
  /** Allocates an output tensor on the wasm heap. */
  makeOutput(shape: number[], dtype: string): TensorInfo;
  incRef(dataId: DataId): void;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/** The current backend as the wasm backend (callers check `tf.getBackend() === 'wasm'` or are wasm kernels). */
export function wasmBackend(): WasmBackend {
  return tf.backend() as unknown as WasmBackend;
}

/** Byte offset of a tensor in the wasm heap. */
export function heapOffset(tensor: TensorInfo): number {
  const entry = wasmBackend().dataIdMap.get(tensor.dataId);
  if (!entry) throw new Error('tensor memory not found on the wasm backend');
  return entry.memoryOffset;
}

/** The part of the cpu backend distil-run reads: each tensor's values array. */
interface CpuBackendInternals {
  data: { get(dataId: DataId): { values?: Float32Array } | undefined };
}

/** True when tensors of the current backend can be read and written in place. */
export function hasDirectMemory(): boolean {
  const name = tf.getBackend();
  return name === 'wasm' || name === 'cpu';
}

/**
 * A Float32Array over a float32 tensor's own memory (no copy). Valid until the next allocation on the
 * wasm backend (the heap may grow and move), so take it right before use and do not keep it.
 */
export function float32View(tensor: TensorInfo): Float32Array {
  const size = tensor.shape.reduce((a, b) => a * b, 1);
  if (tf.getBackend() === 'wasm') {
    const start = heapOffset(tensor) / 4;
    return wasmBackend().wasm.HEAPF32.subarray(start, start + size);
  }
  const entry = (tf.backend() as unknown as CpuBackendInternals).data.get(tensor.dataId);
  if (!entry?.values) throw new Error('tensor memory not found on the cpu backend');
  return entry.values.subarray(0, size);
}

/** An Int32Array over an int32 tensor's own memory (same validity rules as {@link float32View}). */
export function int32View(tensor: TensorInfo): Int32Array {
  const view = float32View(tensor);
  return new Int32Array(view.buffer, view.byteOffset, view.length);
}
