// Test doubles for backend selection: Node 23's node:util, and a 'tensorflow' backend whose kernels throw.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { LEGACY_UTIL_NAMES } from '../../src/backend/node-util.js';

type UtilObject = Record<string, unknown>;

/** node:util as CommonJS code sees it: tfjs-node reads `util_1.isNullOrUndefined` off this object at call time. */
export const nodeUtil = createRequire(import.meta.url)('node:util') as UtilObject;

/** Runs `fn` with the legacy functions removed from node:util, as on Node 23+; restores them after. */
export async function withoutLegacyUtil<T>(fn: () => T | Promise<T>): Promise<T> {
  const saved = new Map(LEGACY_UTIL_NAMES.map((name) => [name, Object.getOwnPropertyDescriptor(nodeUtil, name)]));
  for (const name of LEGACY_UTIL_NAMES) delete nodeUtil[name];
  try {
    return await fn();
  } finally {
    for (const [name, descriptor] of saved) {
      delete nodeUtil[name];
      if (descriptor) Object.defineProperty(nodeUtil, name, descriptor);
    }
  }
}

const FAKE = 'tensorflow';

/**
 * Registers a backend named 'tensorflow' made of the cpu backend's kernels, each first running
 * `beforeKernel` (to throw as tfjs-node 4.22 does on Node 23: it calls util.isNullOrUndefined per op).
 */
export function registerFakeTensorflow(beforeKernel: (kernelName: string) => void): void {
  const cpu = tf.findBackend('cpu') as unknown as { constructor: new () => tf.KernelBackend } | null;
  if (!cpu) throw new Error('the cpu backend is not initialised');
  tf.registerBackend(FAKE, () => new cpu.constructor(), 0);
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    tf.registerKernel({
      ...kernel,
      backendName: FAKE,
      kernelFunc: (args) => {
        beforeKernel(kernel.kernelName);
        return kernel.kernelFunc(args);
      },
    });
  }
}

/** Removes the fake backend and its kernels. */
export function removeFakeTensorflow(): void {
  for (const kernel of tf.getKernelsForBackend(FAKE)) tf.unregisterKernel(kernel.kernelName, FAKE);
  if (tf.engine().registryFactory[FAKE]) tf.removeBackend(FAKE);
}

/** What tfjs-node 4.22's kernels do first (nodejs_kernel_backend.js: `(0, util_1.isNullOrUndefined)(...)`). */
export function callLikeTfjsNode(): void {
  (nodeUtil.isNullOrUndefined as (x: unknown) => boolean)(undefined);
}
