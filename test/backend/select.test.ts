// Backend selection: a probe training step decides, fallbacks say why, explicit requests that cannot be met are errors.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { DistilError } from '../../src/errors/index.js';
import { assertBlasRequest, resetBackendSelection, selectBackend, setBackendLoader } from '../../src/backend/select.js';
import { hasDirectMemory } from '../../src/backend/tfjs-internals.js';
import { stockKernel } from '../../src/backend/kernel-layers.js';
import { assertThrowsMessage, useWasm } from '../helpers.js';
import { callLikeTfjsNode, registerFakeTensorflow, removeFakeTensorflow, withoutLegacyUtil } from './fake-backends.js';

const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';

/** Expects `promise` to reject with a DistilError; returns it. */
async function rejection(promise: Promise<unknown>): Promise<DistilError> {
  try {
    await promise;
  } catch (error) {
    assert.instanceOf(error, DistilError, String(error));
    return error as DistilError;
  }
  return assert.fail('expected a DistilError') as never;
}

/** One training step's loss on the current backend (forward, gradient, update): it must run. */
function trainOnce(): number {
  const w = tf.variable(
    tf.tensor2d([
      [0.5, -0.25],
      [0.1, 0.3],
    ]),
  );
  const optimizer = tf.train.sgd(0.1);
  const loss = optimizer.minimize(() => tf.sum(tf.square(tf.matMul(tf.ones([3, 2]), w))), true) as tf.Scalar;
  const value = loss.dataSync()[0];
  tf.dispose([w, loss]);
  optimizer.dispose();
  return value;
}

describe('backend selection', () => {
  before(useWasm);
  beforeEach(resetBackendSelection);
  afterEach(async () => {
    removeFakeTensorflow();
    setBackendLoader('tensorflow', undefined);
    setBackendLoader('wasm', undefined);
    resetBackendSelection();
    await useWasm();
  });

  describe('the tensorflow backend (tfjs-node) on Node 23+', () => {
    it('trains: the util functions Node 23 removed are provided before tfjs-node loads', async () => {
      await withoutLegacyUtil(async () => {
        setBackendLoader('tensorflow', async () => registerFakeTensorflow(callLikeTfjsNode));
        const info = await selectBackend('tensorflow');
        assert.equal(info.name, 'tensorflow');
        assert.deepEqual(info.skipped, []);
        assert.closeTo(trainOnce(), 3 * (0.6 ** 2 + 0.05 ** 2), 1e-5);
      });
    });
  });

  describe('the probe training step', () => {
    const nodeError = '(0 , util_1.isNullOrUndefined) is not a function';
    const throwLikeNode23 = () => {
      throw new TypeError(nodeError);
    };

    it('auto falls back to wasm when the tensorflow backend throws in its first kernel, and says why', async () => {
      setBackendLoader('tensorflow', async () => registerFakeTensorflow(throwLikeNode23));
      const info = await selectBackend('auto');
      assert.equal(info.name, 'wasm');
      assert.equal(tf.getBackend(), 'wasm');
      assert.deepEqual(info.skipped, [`tensorflow: the probe training step failed: ${nodeError}`]);
      assert.isAbove(trainOnce(), 0);
    });

    it('a forced tensorflow backend whose probe fails is BACKEND_UNAVAILABLE (exit 2) with the reason', async () => {
      setBackendLoader('tensorflow', async () => registerFakeTensorflow(throwLikeNode23));
      const error = await rejection(selectBackend('tensorflow'));
      assert.equal(error.code, 'BACKEND_UNAVAILABLE');
      assert.equal(error.exitCode, 2);
      assert.equal(
        error.message,
        `backend "tensorflow" is not available: tensorflow: the probe training step failed: ${nodeError} (use --backend auto to fall back to what loads)`,
      );
    });

    it('refuses a backend that runs but computes wrong values', async () => {
      // A _FusedMatMul that forgets the bias: no exception, only wrong numbers.
      const forgetBias = registerFakeTensorflowOverride('_FusedMatMul', (inputs) => ({ ...inputs, bias: undefined }));
      setBackendLoader('tensorflow', async () => forgetBias());
      const info = await selectBackend('auto');
      assert.equal(info.name, 'wasm');
      assert.match(
        info.skipped[0],
        /^tensorflow: the probe training step failed: the loss is [-\d.e]+, expected [-\d.e]+$/,
      );
    });

    it('auto reports a tensorflow backend that is not installed as before', async () => {
      setBackendLoader('tensorflow', async () => {
        throw Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node'"), { code: 'ERR_MODULE_NOT_FOUND' });
      });
      const info = await selectBackend('auto');
      assert.equal(info.name, 'wasm');
      assert.deepEqual(info.skipped, ['tensorflow: @tensorflow/tfjs-node is not installed']);
    });
  });

  describe('an explicit --blas', () => {
    it('that does not exist is an error naming the path and the reason (exit 2)', async () => {
      const error = await rejection(selectBackend('wasm', { blas: '/nonexistent/libblas.so' }));
      assert.equal(error.exitCode, 2);
      assert.equal(
        error.message,
        '--blas /nonexistent/libblas.so: cannot load cblas_sgemm (Failed to load shared library: cannot open shared object file: No such file or directory)',
      );
    });

    it('that is a library without cblas_sgemm is an error (exit 2)', async function () {
      if (process.platform !== 'linux') this.skip();
      const error = await rejection(selectBackend('wasm', { blas: 'libc.so.6' }));
      assert.equal(error.exitCode, 2);
      assert.equal(
        error.message,
        "--blas libc.so.6: cannot load cblas_sgemm (Cannot find function 'cblas_sgemm' in shared library)",
      );
    });

    it('is checked without selecting a backend (for --dry-run)', () => {
      assertThrowsMessage(
        () => assertBlasRequest('/nonexistent/libblas.so'),
        '--blas /nonexistent/libblas.so: cannot load cblas_sgemm (Failed to load shared library: cannot open shared object file: No such file or directory)',
        { exitCode: 2 },
      );
      assert.doesNotThrow(() => assertBlasRequest('auto'));
      assert.doesNotThrow(() => assertBlasRequest('off'));
    });

    it('off and auto still fall back with a note', async () => {
      const off = await selectBackend('wasm', { blas: 'off' });
      assert.equal(off.blasSkipped, 'BLAS disabled (--blas off)');
      const auto = await selectBackend('wasm', { blas: 'auto' });
      assert.isTrue(auto.blas !== undefined || auto.blasSkipped !== undefined);
    });
  });

  describe('tfjs versions', () => {
    const stockKernels = new Map<string, unknown>();
    before(() => {
      for (const kernel of ['BatchMatMul', '_FusedMatMul', 'GatherV2', 'Identity', 'Sum', 'Slice']) {
        stockKernels.set(kernel, stockKernel(kernel)?.kernelFunc);
      }
    });

    it('keeps the fast paths on the versions they were written for', async () => {
      const info = await selectBackend('wasm', { blas: 'off' });
      assert.include(info.kernels, 'wasm matMul: transposed operands materialised first');
      assert.isTrue(hasDirectMemory());
    });

    it('skips every fast path on another tfjs-backend-wasm version, and says so', async () => {
      setBackendLoader('wasm', async () => ({ ...(await import(TFJS_WASM)), version_wasm: '4.23.0' }));
      resetBackendSelection();
      const info = await selectBackend('wasm');
      const reason = 'fast paths off: @tensorflow/tfjs-backend-wasm is 4.23.0, they were written for 4.22.0';
      assert.deepEqual(info.kernels, [reason]);
      assert.equal(info.blasSkipped, reason);
      assert.isUndefined(info.blas);
      assert.isFalse(hasDirectMemory(), 'losses and optimizers take the stock tensor paths');
      for (const kernel of ['BatchMatMul', '_FusedMatMul', 'GatherV2', 'Identity', 'Sum', 'Slice']) {
        // Both sides undefined (a kernel name that matches nothing) would compare equal.
        assert.isFunction(stockKernels.get(kernel), `${kernel} has a stock kernel`);
        assert.strictEqual(
          tf.getKernel(kernel, 'wasm')?.kernelFunc,
          stockKernels.get(kernel),
          `${kernel} is the stock kernel`,
        );
      }
      assert.isAbove(trainOnce(), 0);
    });
  });
});

/** A fake tensorflow backend whose `kernelName` runs on rewritten inputs. */
function registerFakeTensorflowOverride(
  kernelName: string,
  rewrite: (inputs: tf.NamedTensorInfoMap) => tf.NamedTensorInfoMap,
): () => void {
  return () => {
    registerFakeTensorflow(() => undefined);
    const original = tf.getKernel(kernelName, 'tensorflow');
    if (!original) throw new Error(`no ${kernelName} kernel`);
    tf.unregisterKernel(kernelName, 'tensorflow');
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => original.kernelFunc({ ...args, inputs: rewrite(args.inputs) }),
    });
  };
}
