// Every use of tfjs internals in one place: the wasm backend's heap, allocator, data ids and output
// tensors, the cpu backend's arrays, and engine hooks. Written against tfjs 4.22.0; checkWasmInternals()
// (run at selection, and by test/backend/tfjs-internals.test.ts) fails loudly when one of them changed.
// It is longer than the other files on purpose: keeping every access to internals in one module is what
// makes a tfjs upgrade a one-file review.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { backend_util } from '@tensorflow/tfjs';
import type { DataId, TensorInfo } from '@tensorflow/tfjs';

/** The emscripten module of tfjs-backend-wasm (the parts used here). */
interface WasmModule {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  HEAPF32: Float32Array;
  /** The instance's exports: `Module.asm` up to emscripten 3.1.4x, `wasmExports` after. */
  asm?: { memory?: unknown };
  wasmExports?: { memory?: unknown };
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  /** emscripten's wrapper of an exported C function ('array' arguments are copied to the stack). */
  cwrap(name: string, returns: null, args: string[]): (...args: unknown[]) => void;
  /** The backend's tensor table on the C++ side (the kernels look their operands up by id). */
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}

/** The wasm backend (BackendWasm) as distil-run uses it. */
interface WasmBackendInternals {
  wasm: WasmModule;
  /** tfjs's DataStorage: get() of an unknown id throws (it tries to move the data from another backend). */
  dataIdMap: { get(dataId: DataId): { memoryOffset: number } | undefined; has(dataId: DataId): boolean };
  /** Allocates an output tensor on the wasm heap. */
  makeOutput(shape: number[], dtype: string): TensorInfo;
  incRef(dataId: DataId): void;
  disposeData(dataId: DataId, force?: boolean): boolean;
  /** The next tensor id; the backend takes ids from it in order. */
  dataIdNextNumber: number;
}

/** The cpu backend as distil-run uses it: each tensor's values array. */
interface CpuBackendInternals {
  data: { get(dataId: DataId): { values?: Float32Array } | undefined };
}

/** `backend` (a kernel's `args.backend`, or the current backend) as the wasm backend. */
function wasmBackend(backend: unknown = tf.backend()): WasmBackendInternals {
  return backend as WasmBackendInternals;
}

// ---- fast paths on or off --------------------------------------------------------------------------

let fastPaths: { enabled: boolean; reason?: string } = { enabled: true };

/** Turns the fast paths that read tensor memory directly (row losses, fused optimizers) on or off. */
export function setFastPaths(enabled: boolean, reason?: string): void {
  fastPaths = { enabled, reason };
}

/** Why the fast paths are off, or undefined when they are on. */
export function fastPathsOff(): string | undefined {
  return fastPaths.enabled ? undefined : (fastPaths.reason ?? 'fast paths off');
}

/** True when tensors of the current backend can be read and written in place (wasm, cpu) and the fast paths are on. */
export function hasDirectMemory(): boolean {
  const name = tf.getBackend();
  return fastPaths.enabled && (name === 'wasm' || name === 'cpu');
}

// ---- tensor memory ---------------------------------------------------------------------------------

/** Byte offset of a tensor in the wasm heap. */
export function heapOffset(tensor: TensorInfo): number {
  const entry = wasmBackend().dataIdMap.get(tensor.dataId);
  if (!entry) throw new Error('tensor memory not found on the wasm backend');
  return entry.memoryOffset;
}

/** The whole wasm heap as float32 words (same buffer as int32). Take it right before use: the heap may move. */
export function wasmHeapF32(backend?: unknown): Float32Array {
  return wasmBackend(backend).wasm.HEAPF32;
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

/** An uninitialised output tensor on the wasm heap (kernels fill it). */
export function makeWasmOutput(backend: unknown, shape: number[], dtype: string): TensorInfo {
  return wasmBackend(backend).makeOutput(shape, dtype);
}

/** A tensor sharing `x`'s memory (its reference count raised), as the cpu backend's Identity does. */
export function shareWasmData(backend: unknown, x: TensorInfo): TensorInfo {
  wasmBackend(backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Frees a temporary a kernel made with another kernel. */
export function disposeWasmData(backend: unknown, x: TensorInfo): void {
  wasmBackend(backend).disposeData(x.dataId);
}

/** An uninitialised float32 tensor of `shape` on the wasm backend (the caller fills its memory). */
export function emptyWasmTensor(shape: number[]): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(makeWasmOutput(tf.backend(), shape, 'float32'));
}

/** An uninitialised float32 tensor shaped like `like` on wasm (zeros on other backends). */
export function emptyTensorLike(like: tf.Tensor): tf.Tensor {
  if (tf.getBackend() !== 'wasm') return tf.zerosLike(like);
  const info = makeWasmOutput(tf.backend(), [...like.shape], 'float32');
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** The variable tfjs registered under `name` (optimizers receive gradients by variable name). */
export function registeredVariable(name: string): tf.Variable {
  const variable = tf.engine().registeredVariables[name];
  if (!variable) throw new Error(`variable ${name} is not registered`);
  return variable;
}

/**
 * `bytes` of the wasm heap, outside any tensor (the compiled step's buffers): the byte offset of the block,
 * which stays valid until {@link wasmRelease} (the heap may move: take views right before use).
 * @throws WasmOutOfMemoryError when the heap cannot grow that far (with the allocation guard installed).
 */
export function wasmAllocate(bytes: number): number {
  return wasmBackend().wasm._malloc(bytes);
}

/** Frees a block of {@link wasmAllocate}. */
export function wasmRelease(offset: number): void {
  wasmBackend().wasm._free(offset);
}

/** The wasm backend's WebAssembly.Memory (for kernels instantiated on it). @throws when the module no longer exposes it. */
export function wasmMemory(): WebAssembly.Memory {
  const module = wasmBackend().wasm;
  const memory = module.asm?.memory ?? module.wasmExports?.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error('tfjs-backend-wasm internals changed: Module.asm.memory (or wasmExports.memory) is missing');
  }
  return memory;
}

// ---- the backend's own kernels on raw heap blocks ------------------------------------------------------

/** The wasm backend's own C++ kernels on blocks of its heap outside any tensor (byte offsets, float32). */
export interface RawWasmKernels {
  /**
   * `out[m x n] = a[m x k] b[k x n]` (`+ bias[n]` on every row) with the backend's _FusedMatMul kernel
   * (XNNPACK's fully connected operator, packed from `b` on each call), untransposed operands: the
   * arithmetic tfjs's BatchMatMul and _FusedMatMul (linear, or `relu` fused) do on those operands, to the bit.
   */
  matMul(a: number, b: number, out: number, m: number, n: number, k: number, bias?: number, relu?: boolean): void;
  /** `out[cols x rows] = x[rows x cols]` transposed, with the backend's Transpose kernel. */
  transpose(x: number, rows: number, cols: number, out: number): void;
  /**
   * `out[i] = tanh(x[i])` or `sigmoid(x[i])` over `n` floats with the backend's Tanh or Sigmoid kernel (the
   * bits tfjs's tanh and sigmoid give there); `out` may be `x`.
   */
  unary(kernel: 'Tanh' | 'Sigmoid', x: number, out: number, n: number): void;
  /**
   * `out` = the max-pool of the NHWC images `x` with the backend's MaxPool kernel (XNNPACK's), the
   * geometry as tfjs computes it for tf.maxPool (dilations 1): the bits tf.maxPool gives there.
   */
  maxPool(x: number, out: number, info: backend_util.Conv2DInfo): void;
  /** The same with the backend's AvgPool kernel (XNNPACK's average pooling): the bits tf.avgPool gives there. */
  avgPool(x: number, out: number, info: backend_util.Conv2DInfo): void;
  /**
   * Runs `fn` with the blocks `[byte offset, floats]` registered once: the products in it whose `b` (and
   * bias) is one of them reuse the XNNPACK operator packed on the first, as tfjs reuses it for a tensor
   * multiplied again. The blocks must not change inside `fn`.
   */
  holding<T>(blocks: ReadonlyArray<readonly [number, number]>, fn: () => T): T;
}

const rawKernels = new WeakMap<object, RawWasmKernels>();
const FLOAT32 = 0; // CppDType.float32
const [LINEAR, RELU] = [0, 1]; // FusableActivation.linear, .relu

/**
 * The current wasm backend's matMul and transpose on raw heap blocks. Each call registers its operands
 * under fresh tensor ids from the backend's own counter (so none collides with a tensor's), runs the
 * kernel, and disposes the ids again (which also frees the XNNPACK operator cached under them).
 */
export function rawWasmKernels(): RawWasmKernels {
  const backend = wasmBackend();
  let kernels = rawKernels.get(backend);
  if (!kernels) {
    kernels = makeRawKernels(backend);
    rawKernels.set(backend, kernels);
  }
  return kernels;
}

function makeRawKernels(backend: WasmBackendInternals): RawWasmKernels {
  const module = backend.wasm;
  const fused = module.cwrap('_FusedMatMul', null, [
    ...['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number'],
    ...['number', 'number', 'number', 'number', 'number'],
  ]);
  const transpose = module.cwrap('Transpose', null, [
    'number',
    'array',
    'number',
    'number',
    'number',
    'array',
    'number',
  ]);
  const tanh = module.cwrap('Tanh', null, ['number', 'number', 'number']);
  const sigmoid = module.cwrap('Sigmoid', null, ['number', 'number']);
  const maxPool = module.cwrap(
    'MaxPool',
    null,
    Array.from({ length: 17 }, () => 'number'),
  );
  const avgPool = module.cwrap(
    'AvgPool',
    null,
    Array.from({ length: 14 }, () => 'number'),
  );
  const shapeBytes = (dims: number[]) => new Uint8Array(new Int32Array(dims).buffer);
  const swap = shapeBytes([1, 0]);
  /** Blocks registered by holding(), by byte offset: [id, floats]. */
  const held = new Map<number, readonly [number, number]>();
  const register = ([offset, floats]: readonly [number, number]) => {
    const id = backend.dataIdNextNumber++;
    module.tfjs.registerTensor(id, floats, offset);
    return id;
  };
  /** Runs `kernel` with the blocks registered as tensors, [byte offset, floats] each (held ones as they are). */
  const withIds = (blocks: ReadonlyArray<readonly [number, number] | undefined>, kernel: (ids: number[]) => void) => {
    const fresh: number[] = [];
    try {
      const ids = blocks.map((block) => {
        if (!block) return 0;
        const kept = held.get(block[0]);
        if (kept && kept[1] === block[1]) return kept[0];
        const id = register(block);
        fresh.push(id);
        return id;
      });
      kernel(ids);
    } finally {
      for (const id of fresh) module.tfjs.disposeData(id);
    }
  };
  /** Runs a pooling kernel on the images at `x` (byte offset) into `out`, registered under fresh tensor ids. */
  const pooling = (
    x: number,
    out: number,
    info: backend_util.Conv2DInfo,
    run: (xId: number, outId: number) => void,
  ) => {
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
    withIds(
      [
        [x, batchSize * inHeight * inWidth * inChannels],
        [out, batchSize * outHeight * outWidth * inChannels],
      ],
      ([xId, outId]) => run(xId, outId),
    );
  };
  return {
    holding(blocks, fn) {
      const mine: number[] = [];
      try {
        for (const block of blocks) {
          if (held.has(block[0])) continue;
          held.set(block[0], [register(block), block[1]]);
          mine.push(block[0]);
        }
        return fn();
      } finally {
        for (const offset of mine) {
          module.tfjs.disposeData(held.get(offset)![0]);
          held.delete(offset);
        }
      }
    },
    matMul(a, b, out, m, n, k, bias, relu) {
      const biasBlock: readonly [number, number] | undefined = bias === undefined ? undefined : [bias, n];
      withIds([[a, m * k], [b, k * n], [out, m * n], biasBlock], ([aId, bId, outId, biasId]) =>
        fused(
          ...[aId, shapeBytes([1, m, k]), 3, bId, shapeBytes([1, k, n]), 3, false, false],
          ...[relu ? RELU : LINEAR, biasId, 0, 0, outId],
        ),
      );
    },
    transpose(x, rows, cols, out) {
      withIds(
        [
          [x, rows * cols],
          [out, rows * cols],
        ],
        ([xId, outId]) => transpose(xId, shapeBytes([rows, cols]), 2, FLOAT32, outId, swap, 2),
      );
    },
    unary(kernel, x, out, n) {
      withIds(
        [
          [x, n],
          [out, n],
        ],
        ([xId, outId]) => (kernel === 'Tanh' ? tanh(xId, FLOAT32, outId) : sigmoid(xId, outId)),
      );
    },
    maxPool(x, out, info) {
      const { padInfo: pad } = info;
      pooling(x, out, info, (xId, outId) =>
        maxPool(
          ...[xId, info.batchSize, info.inHeight, info.inWidth, info.filterHeight, info.filterWidth],
          ...[pad.top, pad.right, pad.bottom, pad.left, info.dilationHeight, info.dilationWidth],
          ...[info.strideHeight, info.strideWidth, info.inChannels, info.outChannels, outId],
        ),
      );
    },
    avgPool(x, out, info) {
      const { padInfo: pad } = info;
      pooling(x, out, info, (xId, outId) =>
        avgPool(
          ...[xId, info.batchSize, info.inHeight, info.inWidth, info.filterHeight, info.filterWidth],
          ...[pad.top, pad.right, pad.bottom, pad.left, info.strideHeight, info.strideWidth, info.inChannels, outId],
        ),
      );
    },
  };
}

// ---- checks ------------------------------------------------------------------------------------------

type Check = [what: string, ok: () => boolean];

/** Each internal distil-run uses, checked on a live tensor of the current wasm backend. */
function wasmChecks(backend: WasmBackendInternals, probe: tf.Tensor): Check[] {
  const module = backend.wasm;
  return [
    [
      'Module.HEAPF32 / HEAP32 / HEAPU8 over one buffer',
      () =>
        module.HEAPF32 instanceof Float32Array &&
        module.HEAP32 instanceof Int32Array &&
        module.HEAPU8 instanceof Uint8Array &&
        module.HEAPF32.buffer === module.HEAPU8.buffer &&
        module.HEAP32.buffer === module.HEAPU8.buffer,
    ],
    ['Module.asm.memory (or wasmExports.memory) is the heap', () => wasmMemory().buffer === module.HEAPU8.buffer],
    ['Module._malloc / _free', () => typeof module._malloc === 'function' && typeof module._free === 'function'],
    [
      'backend.dataIdMap.get(dataId).memoryOffset',
      () => typeof backend.dataIdMap?.get(probe.dataId)?.memoryOffset === 'number',
    ],
    ['a tensor reads back from its heap offset', () => float32View(probe)[1] === 2],
    [
      'backend.makeOutput, incRef, disposeData (reference counted)',
      () => {
        const out = backend.makeOutput([2], 'float32');
        const allocated = typeof backend.dataIdMap.get(out.dataId)?.memoryOffset === 'number';
        backend.incRef(out.dataId);
        const kept = backend.disposeData(out.dataId) === false && backend.dataIdMap.has(out.dataId);
        const freed = backend.disposeData(out.dataId) === true && !backend.dataIdMap.has(out.dataId);
        return allocated && kept && freed;
      },
    ],
    ['tf.engine().makeTensorFromTensorInfo', () => typeof tf.engine().makeTensorFromTensorInfo === 'function'],
    ['tf.engine().registeredVariables', () => typeof tf.engine().registeredVariables === 'object'],
    [
      'Module.cwrap (_FusedMatMul, Transpose, Tanh, Sigmoid), Module.tfjs.registerTensor / disposeData, backend.dataIdNextNumber',
      () => rawKernelsWork(backend),
    ],
  ];
}

/**
 * A 2 x 2 product with a bias, a transpose, tanh and sigmoid in place, a max-pool and an average pool through {@link rawWasmKernels},
 * against the values by hand.
 */
function rawKernelsWork(backend: WasmBackendInternals): boolean {
  if (typeof backend.dataIdNextNumber !== 'number') return false;
  // Floats 0-3: a, 4-7: b, 8-9: the bias, 12-15: the output.
  const block = wasmAllocate(16 * 4);
  try {
    const read = () => Array.from(backend.wasm.HEAPF32.subarray(block / 4 + 12, block / 4 + 16)).join();
    backend.wasm.HEAPF32.set([1, 2, 3, 4, 5, 6, 7, 8, 1, -1], block / 4);
    const kernels = makeRawKernels(backend);
    kernels.matMul(block, block + 16, block + 48, 2, 2, 2, block + 32);
    const product = read();
    kernels.transpose(block, 2, 2, block + 48);
    const transposed = read();
    backend.wasm.HEAPF32.set([20, -20, 0, 0], block / 4 + 12);
    kernels.unary('Tanh', block + 48, block + 48, 2);
    kernels.unary('Sigmoid', block + 56, block + 56, 2);
    const unary = read();
    // One 2 x 2 image of 2 channels pooled by a 2 x 2 window: each channel's largest value, then its mean.
    backend.wasm.HEAPF32.set([1, -4, 7, -3, -2, -5, 0, -1], block / 4);
    const pool = backend_util.computePool2DInfo([1, 2, 2, 2], 2, 2, 1, 'valid');
    kernels.maxPool(block, block + 48, pool);
    kernels.avgPool(block, block + 56, pool);
    const pooled = Array.from(backend.wasm.HEAPF32.subarray(block / 4 + 12, block / 4 + 16)).join();
    return (
      product === '20,21,44,49' && transposed === '1,3,2,4' && unary === '1,-1,0.5,0.5' && pooled === '7,-1,1.5,-3.25'
    );
  } finally {
    wasmRelease(block);
  }
}

/**
 * Checks every wasm-backend internal distil-run relies on (on the current backend, which must be wasm).
 * @returns what is missing or changed; empty when all is as in tfjs 4.22.
 */
export function checkWasmInternals(): string[] {
  if (tf.getBackend() !== 'wasm') return ['the current backend is not wasm'];
  const probe = tf.tensor1d([1, 2, 3], 'float32');
  try {
    return wasmChecks(wasmBackend(), probe)
      .filter(([, ok]) => {
        try {
          return !ok();
        } catch {
          return true;
        }
      })
      .map(([what]) => what);
  } finally {
    probe.dispose();
  }
}

// ---- the wasm heap: its limit, failed allocations, a fresh instance ------------------------------------

/** emscripten's getHeapMax(): a wasm32 heap stops 64 KiB short of 4 GiB. */
const EMSCRIPTEN_HEAP_MAX = 4294901760;
/** The heap tfjs-backend-wasm starts with (emscripten's INITIAL_MEMORY): static data, stack, first tensors. */
const INITIAL_MEMORY = 16 * 2 ** 20;
let heapLimit: number | undefined;

/** The wasm memory's declared maximum in bytes, read from a module binary (undefined when it declares none). */
export function declaredMemoryMaximum(binary: Uint8Array): number | undefined {
  let p = 8;
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = binary[p++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  const limits = (): number | undefined => {
    const flags = binary[p++];
    leb(); // initial pages
    return flags & 1 ? leb() * 65536 : undefined;
  };
  const name = () => {
    const length = leb();
    p += length;
  };
  while (p < binary.length) {
    const [id, size] = [binary[p++], leb()];
    const end = p + size;
    if (id === 5 && leb() > 0) return limits(); // the memory section
    if (id === 2) {
      for (let count = leb(); count > 0; count--) {
        name();
        name();
        const kind = binary[p++];
        if (kind === 2) return limits(); // an imported memory (the threaded build)
        if (kind === 0) leb();
        else if (kind === 1) {
          p++;
          limits();
        } else if (kind === 3) p += 2;
      }
    }
    p = end;
  }
  return undefined;
}

/**
 * The most memory the tfjs wasm backend can hold, in bytes: the smaller of the module's declared maximum
 * (65,536 pages = 4 GiB in tfjs-backend-wasm 4.22) and emscripten's heap maximum (4 GiB - 64 KiB).
 */
export function wasmHeapLimit(): number {
  if (heapLimit === undefined) {
    const dir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    const maxima = WASM_BINARIES.map((file) => declaredMemoryMaximum(readFileSync(path.join(dir, file))) ?? 2 ** 32);
    heapLimit = Math.min(EMSCRIPTEN_HEAP_MAX, ...maxima);
  }
  return heapLimit;
}

/** The binaries tfjs-backend-wasm may load in Node (the threaded one is not used there). */
export const WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];

const GiB = 2 ** 30;
const gib = (bytes: number) => `${(bytes / GiB).toFixed(bytes < 10 * GiB ? 2 : 1)} GiB`;

/** A wasm allocation that does not fit: refused before it could corrupt the heap. The backend stays usable. */
export class WasmOutOfMemoryError extends Error {
  constructor(
    readonly bytes: number,
    readonly heapBytes: number,
    readonly limit: number,
  ) {
    super(
      `wasm memory exhausted: cannot allocate ${gib(bytes)} more (the wasm heap is at ${gib(heapBytes)} of its ${gib(limit)} limit); use fewer units, a smaller batch or a smaller dataset`,
    );
    this.name = 'WasmOutOfMemoryError';
  }
}

const GUARDED = Symbol('distil-run: guarded malloc');

/**
 * Makes a failed wasm allocation throw {@link WasmOutOfMemoryError}. tfjs-backend-wasm ignores malloc's
 * null: the tensor then lives at address 0 and writing it overwrites the heap's own data, after which
 * every operation fails with "memory access out of bounds" (every later grid cell too). Idempotent.
 */
export function guardWasmAllocations(): void {
  const module = wasmBackend().wasm;
  if ((module._malloc as { [GUARDED]?: boolean })[GUARDED]) return;
  // emscripten's Module._malloc is a stub that replaces itself with the raw export on its first call:
  // call it once, so the wrapper below is not overwritten.
  module._free(module._malloc(16));
  const raw = module._malloc;
  const limit = wasmHeapLimit();
  // The module's static data and stack sit below the heap (its first 16 MiB hold them): a request above
  // this can never be met, and near 4 GiB the allocator's size arithmetic wraps around and returns a
  // small block (malloc(4,294,800,000) returns a valid pointer in tfjs 4.22): refuse those before malloc.
  const largest = limit - INITIAL_MEMORY;
  const guarded = (bytes: number): number => {
    const pointer = bytes > largest ? 0 : raw(bytes);
    if (pointer === 0 && bytes > 0) throw new WasmOutOfMemoryError(bytes, module.HEAPU8.length, limit);
    return pointer;
  };
  Object.defineProperty(guarded, GUARDED, { value: true });
  module._malloc = guarded;
}

interface EngineInternals {
  registry: Record<string, unknown>;
  registryFactory: Record<
    string,
    { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number } | undefined
  >;
}

const LOST = 'this tensor was on the wasm backend instance that failed and was replaced; it is gone';

/**
 * Replaces the wasm backend instance with a fresh one (a new wasm module and heap): tf.removeBackend,
 * then the package's own factory registered again. The kernels registered for 'wasm' (distil-run's
 * layers included) stay; the caller re-runs the per-instance setup (allocation guard, probe).
 * Every tensor made before is lost: reading one throws, disposing one does nothing.
 */
export async function replaceWasmBackend(): Promise<void> {
  const engine = tf.engine() as unknown as EngineInternals;
  const entry = engine.registryFactory.wasm;
  if (!entry) throw new Error('the wasm backend is not registered');
  const old = engine.registry.wasm as (WasmBackendInternals & Record<string, unknown>) | undefined;
  try {
    tf.removeBackend('wasm');
  } catch {
    // The poisoned instance may fail to dispose itself; forget it anyway.
    delete engine.registry.wasm;
    delete engine.registryFactory.wasm;
  }
  if (old) {
    old.disposeData = () => true;
    old.incRef = () => undefined;
    for (const method of ['read', 'readSync', 'readToGPU']) {
      old[method] = () => {
        throw new Error(LOST);
      };
    }
  }
  tf.registerBackend('wasm', entry.factory, entry.priority);
  if (!(await tf.setBackend('wasm'))) throw new Error('the new wasm backend failed to initialise');
}
