// wasm memory: a cell that cannot fit is refused up front; an allocation that fails is a clean error, not a
// poisoned heap; a poisoned backend is recognised and can be replaced.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { recoverWasmBackend, resetBackendSelection, selectBackend } from '../../src/backend/select.js';
import { makeWasmOutput } from '../../src/backend/tfjs-internals.js';
import {
  checkWasmMemory,
  estimateWasmMemory,
  isBackendFatal,
  parameterCount,
  WasmOutOfMemoryError,
} from '../../src/backend/wasm-memory.js';
import type { CellMemoryInput, RoleMemoryInput } from '../../src/backend/wasm-memory.js';
import { DistilError } from '../../src/errors/index.js';
import { applyInBatches } from '../../src/runner/model.js';
import { trainStep } from '../../src/runner/train.js';
import type { Loss } from '../../src/registry/types.js';
import { assertThrowsMessage, create, messagePattern, useWasm } from '../helpers.js';

const GiB = 2 ** 30;
const adam = { name: 'adam', params: { lr: 0.001 } };
const role = (
  name: string,
  layers: RoleMemoryInput['layers'],
  batchSize = 128,
  inputs = 784,
  outputs = 10,
): RoleMemoryInput => ({ role: name, inputs, layers, outputs, batchSize, optimizer: adam });
const mnist = (teacher: RoleMemoryInput, extra: Partial<CellMemoryInput> = {}): CellMemoryInput => ({
  teacher,
  student: role('student', [128, 64]),
  person: role('person', [128, 64]),
  trainExamples: 60000,
  testExamples: 10000,
  evalBatchSize: 2048,
  ...extra,
});

/** One training step's loss on the current backend. */
function trainOnce(): number {
  const w = tf.variable(
    tf.tensor2d([
      [0.5, -0.25],
      [0.1, 0.3],
    ]),
  );
  const optimizer = tf.train.adam(0.1);
  const loss = optimizer.minimize(() => tf.sum(tf.square(tf.matMul(tf.ones([3, 2]), w))), true) as tf.Scalar;
  const value = loss.dataSync()[0];
  tf.dispose([w, loss]);
  optimizer.dispose();
  return value;
}

/** The refusal of an allocation of `gib` GiB; only the heap's size varies, with what ran before. */
const outOfMemory = (gib: string) =>
  messagePattern`wasm memory exhausted: cannot allocate ${gib} GiB more (the wasm heap is at ${/\d+\.\d\d/} GiB of its 4.00 GiB limit); use fewer units, a smaller batch or a smaller dataset`;

describe('wasm memory', () => {
  before(async () => {
    resetBackendSelection();
    await useWasm();
  });

  describe('the estimate before a cell runs', () => {
    it('refuses a teacher that cannot fit, naming it, its layers, its batch and what to shrink', () => {
      const cell = mnist(role('teacher', [40000, 40000], 512));
      assert.equal(
        checkWasmMemory(cell),
        'teacher needs ~42 GiB for layers 784-40000-40000-10 at batch 512; wasm memory is limited to 4 GiB: use fewer units',
      );
    });

    it('says which role when the student is the one too large, and suggests a smaller batch when activations dominate', () => {
      const cell = { ...mnist(role('teacher', [1024, 512])), student: role('student', [16384, 16384], 16384) };
      assert.equal(
        checkWasmMemory(cell),
        'student needs ~27 GiB for layers 784-16384-16384-10 at batch 16384; wasm memory is limited to 4 GiB: use fewer units or a smaller batch',
      );
    });

    it('accepts the shipped MNIST experiment, well under the limit (README: ~0.8 GB peak RSS)', () => {
      const cell = mnist(role('teacher', [1024, 512, 256, 128, 64]));
      assert.isUndefined(checkWasmMemory(cell));
      const [teacher] = estimateWasmMemory(cell);
      assert.isBelow(teacher.bytes, 1.5 * GiB);
      assert.equal(parameterCount(cell.teacher), 1_501_770);
      assert.equal(parameterCount(role('student', [128, 'same', 64])), 109_386, 'dropout adds no parameters');
    });

    it('counts memory held by earlier cells', () => {
      const cell = mnist(role('teacher', [1024, 512, 256, 128, 64]), { residentBytes: 4 * GiB });
      assert.equal(
        checkWasmMemory(cell),
        'teacher needs ~4.7 GiB for layers 784-1024-512-256-128-64-10 at batch 128; wasm memory is limited to 4 GiB: use fewer examples (dataset.train_limit)',
      );
    });

    it('is an upper bound of what a training step and a prediction allocate, within 3x', async () => {
      // The runner's own step and prediction, measured by tfjs's kernel-by-kernel byte counts.
      const cases: Array<[number[], number, number]> = [
        [[256, 128], 64, 2000],
        [[512], 256, 1500],
        [[64, 'same' as never, 32], 32, 3000],
      ];
      for (const [layers, batchSize, n] of cases) {
        const spec = role('teacher', layers, batchSize, 100, 10);
        const model = tf.sequential();
        let first = true;
        for (const layer of spec.layers) {
          model.add(
            layer === 'same'
              ? tf.layers.dropout({ rate: 0.1 })
              : tf.layers.dense({
                  units: layer as number,
                  activation: 'relu',
                  ...(first ? { inputShape: [100] } : {}),
                }),
          );
          first = false;
        }
        model.add(tf.layers.dense({ units: 10 }));
        const x = tf.randomNormal([n, 100]) as tf.Tensor2D;
        const y = tf.randomUniform([n], 0, 10, 'int32') as tf.Tensor1D;
        const optimizer = create<tf.Optimizer>('optimizer', 'adam');
        const options = { model, optimizer, loss: create<Loss>('loss', 'cross-entropy'), train: { x, y, n } };
        const rows = Int32Array.from({ length: batchSize }, (_, i) => i);
        trainStep(options, rows).dispose(); // the optimizer's slots
        const resident = tf.memory().numBytes;
        const peak = async (fn: () => void) =>
          Math.max(...(await tf.profile(fn)).kernels.map((k) => k.totalBytesSnapshot)) - resident;
        const measured = Math.max(
          await peak(() => trainStep(options, rows).dispose()),
          // tfjs's predict: the compiled forward pass (predictInBatches on such a model) allocates less,
          // its two activation buffers outside tfjs's byte counts.
          await peak(() =>
            applyInBatches(x, 512, (batch) => model.apply(batch, { training: false }) as tf.Tensor2D).dispose(),
          ),
        );
        const [estimate] = estimateWasmMemory({
          teacher: spec,
          student: spec,
          person: spec,
          trainExamples: n,
          testExamples: 0,
          evalBatchSize: 512,
          blas: true,
        });
        const { step, prediction } = estimate.parts;
        assert.isAtLeast(
          Math.max(step, prediction),
          measured,
          `${spec.layers}: estimate ${Math.max(step, prediction)}, measured ${measured}`,
        );
        assert.isBelow(Math.max(step, prediction), 3 * measured, `${spec.layers}: not wildly above`);
        optimizer.dispose();
        model.dispose();
        tf.dispose([x, y]);
      }
    });
  });

  describe('an allocation that does not fit', () => {
    it('is refused with a clear error, and the backend goes on working', () => {
      const before = tf.memory().numTensors;
      // 4,294,800,000 bytes: more than the heap can grow to. tfjs-backend-wasm would put it at address 0.
      assertThrowsMessage(() => makeWasmOutput(tf.backend(), [1_073_700_000], 'float32'), outOfMemory('4.00'), {
        type: WasmOutOfMemoryError,
      });
      assertThrowsMessage(() => tf.fill([1_073_700_000], 1), outOfMemory('4.00'), { type: WasmOutOfMemoryError });
      assert.equal(tf.memory().numTensors, before);
      assert.closeTo(trainOnce(), 3 * (0.6 ** 2 + 0.05 ** 2), 1e-5);
    });

    it('of 4 GiB or more is refused instead of wrapping around to a small allocation', () => {
      // 1.2e9 floats = 4.8 GB: as an i32 byte count it is 505 MB, which malloc would happily return.
      assertThrowsMessage(
        () => tf.tidy(() => tf.matMul(tf.ones([40000, 1]), tf.ones([1, 30000]))),
        outOfMemory('4.47'),
        { type: WasmOutOfMemoryError },
      );
      assert.isAbove(trainOnce(), 0);
    });

    it('is not a fatal backend error', () => {
      assert.isFalse(isBackendFatal(new WasmOutOfMemoryError(2 * GiB, 3 * GiB, 4 * GiB)));
    });
  });

  describe('a poisoned backend', () => {
    const cases: Array<[unknown, boolean]> = [
      [new WebAssembly.RuntimeError('memory access out of bounds'), true],
      [new Error('RuntimeError: memory access out of bounds'), true],
      ['memory access out of bounds', true],
      [new Error('Aborted(). Build with -sASSERTIONS for more info.'), true],
      [new Error('Aborted(OOM)'), true],
      [new WebAssembly.RuntimeError('unreachable'), true],
      [new Error("Cannot read properties of null (reading 'HEAPU8')"), true],
      [new Error('the training loss became NaN or infinite in epoch 3'), false],
      [new DistilError('INTERRUPTED', 'interrupted'), false],
      [new Error('dataset "mnist": data not found'), false],
    ];
    for (const [error, fatal] of cases) {
      it(`${fatal ? 'is' : 'is not'} recognised in ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : JSON.stringify(error)}`, () => {
        assert.equal(isBackendFatal(error), fatal);
      });
    }

    it('fails every later operation; replacing the instance makes training work again', async () => {
      resetBackendSelection();
      await selectBackend('wasm');
      const old = tf.tensor1d([1, 2, 3]);
      // What a corrupted heap looks like: the module's own data (low memory) overwritten.
      (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.fill(0xff, 0, 1 << 20);
      let failure: unknown;
      try {
        trainOnce();
      } catch (error) {
        failure = error;
      }
      assert.isTrue(isBackendFatal(failure), String(failure));
      assert.throws(() => trainOnce(), /memory access out of bounds/, 'and the next one');

      const info = await recoverWasmBackend();
      assert.equal(info.name, 'wasm');
      assert.include(info.kernels, 'wasm matMul: transposed operands materialised first');
      assert.closeTo(trainOnce(), 3 * (0.6 ** 2 + 0.05 ** 2), 1e-5);
      assertThrowsMessage(
        () => old.dataSync(),
        'this tensor was on the wasm backend instance that failed and was replaced; it is gone',
        { type: Error },
      );
      assert.doesNotThrow(() => old.dispose(), 'tensors of the old instance can still be disposed');
      // The new instance is guarded too.
      assertThrowsMessage(() => makeWasmOutput(tf.backend(), [1_073_700_000], 'float32'), outOfMemory('4.00'), {
        type: WasmOutOfMemoryError,
      });
    });
  });
});
