// Chooses the tfjs backend at run time: tensorflow (tfjs-node) → wasm → cpu.
import * as tf from '@tensorflow/tfjs';
import { errorBackendUnavailable } from '../errors.js';
import { loadBlas } from './blas.js';
import type { Blas, BlasRequest } from './blas.js';
import { installBlasKernels, uninstallBlasKernels } from './blas-kernels.js';
import { installFastKernels } from './fast-kernels.js';
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
  /** The BLAS doing the wasm backend's matrix products, if any. */
  readonly blas?: { readonly library: string; readonly description: string; readonly sgemmGflops: number };
  /** Why no BLAS is used (absent when one is). */
  readonly blasSkipped?: string;
}

export interface SelectBackendOptions {
  /** `auto` (default): the first fast system BLAS; `off`; or a library path. Used by the wasm backend. */
  readonly blas?: BlasRequest;
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
  installFastKernels();
  return undefined;
}

async function tryCpu(): Promise<string | undefined> {
  return (await tf.setBackend('cpu')) ? undefined : 'the cpu backend failed to initialise';
}

const ATTEMPTS: Record<BackendName, () => Promise<string | undefined>> = { tensorflow: tryTensorflow, wasm: tryWasm, cpu: tryCpu };

let selected: { name: BackendName; requested: BackendRequest; skipped: string[] } | undefined;
const blasCache = new Map<BlasRequest, { blas?: Blas; reason?: string }>();

/** Routes wasm matrix products to a BLAS (loaded and measured once per request) or back to wasm. */
function configureBlas(request: BlasRequest): Pick<BackendInfo, 'blas' | 'blasSkipped' | 'kernels'> {
  const kernels = ['wasm matMul: transposed operands materialised first', 'wasm GatherV2/Identity/Sum/Slice: row copies, shared clones, one-pass column sums, row-block slices'];
  if (!blasCache.has(request)) blasCache.set(request, loadBlas(request));
  const { blas, reason } = blasCache.get(request) ?? {};
  if (!blas) {
    uninstallBlasKernels();
    return { kernels, blasSkipped: reason };
  }
  installBlasKernels(blas);
  return {
    kernels: [...kernels, `BatchMatMul/_FusedMatMul/column Sum: cblas_sgemm from ${blas.library}`],
    blas: { library: blas.library, description: blas.description, sgemmGflops: Number(blas.gflops.toFixed(1)) },
  };
}

function describe(options: SelectBackendOptions): BackendInfo {
  if (!selected) throw new Error('no backend selected');
  const { name, requested, skipped } = selected;
  if (name !== 'wasm') return { name, requested, skipped, kernels: [], blasSkipped: `not used by the ${name} backend` };
  return { name, requested, skipped, ...configureBlas(options.blas ?? 'auto') };
}

/**
 * Selects and initialises a backend. `auto` takes the first that loads of tensorflow, wasm, cpu.
 * Selecting again keeps the first choice (tfjs holds one global backend per process) but re-applies
 * the BLAS option.
 * @throws DistilError BACKEND_UNAVAILABLE when a forced backend cannot load.
 */
export async function selectBackend(requested: BackendRequest = 'auto', options: SelectBackendOptions = {}): Promise<BackendInfo> {
  if (selected && (requested === 'auto' || requested === selected.name)) return describe(options);
  const order: BackendName[] = requested === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [requested];
  const skipped: string[] = [];
  for (const name of order) {
    const failure = await ATTEMPTS[name]();
    if (failure === undefined) {
      await tf.ready();
      selected = { name, requested, skipped };
      return describe(options);
    }
    skipped.push(`${name}: ${failure}`);
  }
  throw errorBackendUnavailable(requested, skipped.join('; '));
}
