// Chooses the tfjs backend at run time: tensorflow (tfjs-node) → wasm → cpu.
import * as tf from '@tensorflow/tfjs';
import { errorBackendUnavailable } from '../errors.js';
import { installWasmMatMulFix } from './wasm-matmul.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendRequest = 'auto' | BackendName;
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** Which backend runs, and why the ones before it did not. */
export interface BackendInfo {
  readonly name: BackendName;
  readonly requested: BackendRequest;
  /** Why a preferred backend was skipped, e.g. "tensorflow: @tensorflow/tfjs-node is not installed". */
  readonly skipped: readonly string[];
  /** Kernel replacements in force, e.g. "wasm matMul: transpose-first". */
  readonly kernels: readonly string[];
}

// A variable specifier keeps TypeScript from requiring the optional package at build time.
const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';

async function tryTensorflow(): Promise<string | undefined> {
  try {
    await import(TFJS_NODE);
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'ERR_MODULE_NOT_FOUND' ? `${TFJS_NODE} is not installed` : (error as Error).message.split('\n')[0];
  }
  return (await tf.setBackend('tensorflow')) ? undefined : 'the tensorflow backend failed to initialise';
}

async function tryWasm(): Promise<string | undefined> {
  try {
    await import(TFJS_WASM);
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
  if (!(await tf.setBackend('wasm'))) return 'the wasm backend failed to initialise';
  installWasmMatMulFix();
  return undefined;
}

async function tryCpu(): Promise<string | undefined> {
  return (await tf.setBackend('cpu')) ? undefined : 'the cpu backend failed to initialise';
}

const ATTEMPTS: Record<BackendName, () => Promise<string | undefined>> = { tensorflow: tryTensorflow, wasm: tryWasm, cpu: tryCpu };

let selected: BackendInfo | undefined;

/**
 * Selects and initialises a backend. `auto` takes the first that loads of tensorflow, wasm, cpu.
 * Selecting again returns the first choice (tfjs holds one global backend per process).
 * @throws DistilError BACKEND_UNAVAILABLE when a forced backend cannot load.
 */
export async function selectBackend(requested: BackendRequest = 'auto'): Promise<BackendInfo> {
  if (selected && (requested === 'auto' || requested === selected.name)) return selected;
  const order: BackendName[] = requested === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [requested];
  const skipped: string[] = [];
  for (const name of order) {
    const failure = await ATTEMPTS[name]();
    if (failure === undefined) {
      await tf.ready();
      const kernels = name === 'wasm' ? ['wasm matMul: transposed operands materialised first'] : [];
      selected = { name, requested, skipped, kernels };
      return selected;
    }
    skipped.push(`${name}: ${failure}`);
  }
  throw errorBackendUnavailable(requested, skipped.join('; '));
}
