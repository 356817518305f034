// Every tfjs internal distil-run uses is in src/backend/tfjs-internals.ts, and is checked there: a change fails loudly.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { resetBackendSelection, selectBackend } from '../../src/backend/select.js';
import { simdAdam } from '../../src/backend/simd.js';
import {
  checkWasmInternals,
  declaredMemoryMaximum,
  wasmHeapLimit,
  WASM_BINARIES,
} from '../../src/backend/tfjs-internals.js';
import { assertThrowsMessage, useWasm } from '../helpers.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** Runs `fn` with property `key` of the wasm module replaced by `value`, as if a tfjs release had changed it. */
async function withModuleProperty(
  key: string,
  value: (original: unknown) => unknown,
  fn: () => void | Promise<void>,
): Promise<void> {
  const module = (tf.backend() as unknown as { wasm: Record<string, unknown> }).wasm;
  const descriptor = Object.getOwnPropertyDescriptor(module, key);
  module[key] = value(module[key]);
  try {
    await fn();
  } finally {
    if (descriptor) Object.defineProperty(module, key, descriptor);
  }
}

/** Module.asm without its memory export (newer emscripten keeps the exports in a closure as wasmExports). */
const asmWithoutMemory = (asm: unknown) =>
  Object.fromEntries(Object.entries(asm as object).filter(([key]) => key !== 'memory'));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

describe('tfjs internals', () => {
  before(useWasm);

  it('are all where tfjs 4.22 has them', () => {
    assert.deepEqual(checkWasmInternals(), []);
  });

  it('are used nowhere else in src/', () => {
    // Heap views, the module's exports, data ids and allocation, the cpu backend's arrays, engine hooks.
    const internal =
      /\bHEAP(?:U8|F32|32)\b|\bdataIdMap\b|\bmakeOutput\b|\.asm\b|\bwasmExports\b|\bincRef\(|\.disposeData\(|\btf\.engine\(\)|\bregisteredVariables\b|\bregistryFactory\b|\bmakeTensorFromTensorInfo\b|\.data\.get\(|\b_malloc\b|\bcwrap\b|\bregisterTensor\b|\bdataIdNextNumber\b/;
    const offenders = sourceFiles(path.join(root, 'src'))
      .filter((file) => !file.endsWith(path.join('backend', 'tfjs-internals.ts')))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => [file, i + 1, line] as const),
      )
      .filter(([, , line]) => internal.test(line.replace(/\/\/.*$|^\s*\*.*$/, '')))
      .map(([file, line, text]) => `${path.relative(root, file)}:${line}: ${text.trim()}`);
    assert.deepEqual(offenders, []);
  });

  it("name the compiled step's raw kernels when the module's exports or tensor table change", async () => {
    const raw =
      'Module.cwrap (_FusedMatMul, Transpose, Tanh, Sigmoid), Module.tfjs.registerTensor / disposeData, backend.dataIdNextNumber';
    await withModuleProperty(
      'cwrap',
      () => undefined,
      () => {
        assert.deepEqual(checkWasmInternals(), [raw]);
      },
    );
    await withModuleProperty(
      'tfjs',
      (tfjs) => ({ ...(tfjs as object), registerTensor: () => undefined }),
      () => {
        assert.deepEqual(checkWasmInternals(), [raw]);
      },
    );
    assert.deepEqual(checkWasmInternals(), []);
  });

  it('fail loudly when Module.asm disappears: SIMD Adam throws instead of falling back silently', async () => {
    await withModuleProperty('asm', asmWithoutMemory, () => {
      assert.include(checkWasmInternals(), 'Module.asm.memory (or wasmExports.memory) is the heap');
      assertThrowsMessage(
        () => simdAdam(),
        'tfjs-backend-wasm internals changed: Module.asm.memory (or wasmExports.memory) is missing',
        { type: Error },
      );
    });
  });

  it('turn the fast paths off at selection, saying which one changed', async () => {
    await withModuleProperty(
      'HEAPF32',
      () => undefined,
      async () => {
        resetBackendSelection();
        const info = await selectBackend('wasm');
        assert.deepEqual(info.kernels, [
          'fast paths off: tfjs-backend-wasm internals changed (Module.HEAPF32 / HEAP32 / HEAPU8 over one buffer; a tensor reads back from its heap offset; Module.cwrap (_FusedMatMul, Transpose, Tanh, Sigmoid), Module.tfjs.registerTensor / disposeData, backend.dataIdNextNumber)',
        ]);
      },
    );
    resetBackendSelection();
    const info = await selectBackend('wasm');
    assert.include(info.kernels, 'wasm matMul: transposed operands materialised first');
  });

  it("the wasm heap limit is the 4 GiB the module declares, less emscripten's last 64 KiB", () => {
    const dir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    assert.deepEqual(WASM_BINARIES, ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']);
    for (const file of WASM_BINARIES) {
      assert.equal(declaredMemoryMaximum(readFileSync(path.join(dir, file))), 65536 * 65536, file);
    }
    assert.equal(wasmHeapLimit(), 4 * 2 ** 30 - 65536);
  });
});
