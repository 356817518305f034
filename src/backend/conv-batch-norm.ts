// Tile for wasm as block copies: batch-norm's gradient tiles 1/sqrt(variance) over the whole
// activation ([1, 1, 1, c] to [n, h, w, c]), which the stock per-element kernel takes ~250 ms to do
// for one LeNet layer at batch 128.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, makeWasmOutput, wasmHeapF32 } from './tfjs-internals.js';

/** Copies `heap[start, start + length)` to follow itself `times - 1` more times, doubling each copy. */
function repeatBlock(heap: Float32Array, start: number, length: number, times: number): void {
  const total = length * times;
  for (let done = length; done < total; done *= 2) {
    heap.copyWithin(start + done, start, start + Math.min(done, total - done));
  }
}

/**
 * Writes `x` tiled by `reps` at `out` (float32 offsets). Each row of `x` goes to its place in the output,
 * then from the innermost axis out, every block written so far is repeated along its axis.
 */
function tileInto(heap: Float32Array, x: number, shape: readonly number[], reps: readonly number[], out: number): void {
  const rank = shape.length;
  const outShape = shape.map((s, i) => s * reps[i]);
  const outStrides = outShape.map((_, i) => outShape.slice(i + 1).reduce((a, b) => a * b, 1));
  const row = shape[rank - 1];
  const outer = (axis: number) => shape.slice(0, axis).reduce((a, b) => a * b, 1);
  // The offset in the output of the block whose leading indices are `index` (in x's range) over `axis` axes.
  const offsetOf = (index: number, axis: number) => {
    let offset = 0;
    for (let a = axis - 1; a >= 0; a--) {
      offset += (index % shape[a]) * outStrides[a];
      index = Math.floor(index / shape[a]);
    }
    return out + offset;
  };
  for (let r = 0; r < outer(rank - 1); r++) heap.copyWithin(offsetOf(r, rank - 1), x + r * row, x + (r + 1) * row);
  for (let axis = rank - 1; axis >= 0; axis--) {
    if (reps[axis] === 1) continue;
    const block = shape[axis] * outStrides[axis];
    for (let b = 0; b < outer(axis); b++) repeatBlock(heap, offsetOf(b, axis), block, reps[axis]);
  }
}

/** Tile of 4-byte values (float32, int32); other dtypes and empty tensors use the kernel below. */
export function tile(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { reps } = args.attrs as unknown as { reps: number[] };
    const size = x.shape.reduce((a, b) => a * b, 1);
    if (
      (x.dtype !== 'float32' && x.dtype !== 'int32') ||
      x.shape.length === 0 ||
      reps.length !== x.shape.length ||
      size === 0 ||
      reps.some((r) => r < 1)
    ) {
      return fallback(args);
    }
    const out = makeWasmOutput(
      args.backend,
      x.shape.map((s, i) => s * reps[i]),
      x.dtype,
    );
    tileInto(wasmHeapF32(args.backend), heapOffset(x) / 4, x.shape, reps, heapOffset(out) / 4);
    return out;
  };
}
