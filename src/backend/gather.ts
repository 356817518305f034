// A wasm GatherV2 kernel for the common case (rows of a matrix): row copies inside the heap.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

type WasmBackend = {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  wasm: { HEAPF32: Float32Array; HEAP32: Int32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
};

/**
 * Gathering a batch of rows is a per-element loop in the stock wasm kernel (~4 ms for 128 MNIST
 * rows); copying each row with one `copyWithin` inside the wasm heap takes microseconds.
 */
function gatherRows(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
    if (axis !== 0 || batchDims !== 0 || indices.dtype !== 'int32' || (x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length === 0) return fallback(args);
    const backend = args.backend as unknown as WasmBackend;
    const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const rows = x.shape[0];
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const heap = backend.wasm.HEAPF32; // same buffer for int32 and float32: 4-byte words
    const source = backend.dataIdMap.get(x.dataId)!.memoryOffset / 4;
    const target = backend.dataIdMap.get(out.dataId)!.memoryOffset / 4;
    const index = backend.wasm.HEAP32.subarray(backend.dataIdMap.get(indices.dataId)!.memoryOffset / 4);
    const count = indices.shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < count; i++) {
      const row = index[i];
      if (row < 0 || row >= rows) throw new Error(`gather: index ${row} is out of bounds [0, ${rows})`);
      heap.copyWithin(target + i * rowSize, source + row * rowSize, source + (row + 1) * rowSize);
    }
    return out;
  };
}

let original: KernelConfig | undefined;

/** Replaces the wasm GatherV2 kernel with the row-copy one (other gathers use the original). Idempotent. */
export function installFastGather(): void {
  const current = tf.getKernel('GatherV2', 'wasm');
  if (!current || original) return;
  original = current;
  tf.unregisterKernel('GatherV2', 'wasm');
  tf.registerKernel({ ...current, kernelFunc: gatherRows(current.kernelFunc) });
}

/** Restores the stock kernel. */
export function uninstallFastGather(): void {
  if (!original) return;
  tf.unregisterKernel('GatherV2', 'wasm');
  tf.registerKernel(original);
  original = undefined;
}

