// Chooses the tfjs backend at run time: the first of tensorflow (tfjs-node) → wasm → cpu that loads and
// passes a probe training step; installs the wasm fast paths when the tfjs versions are the ones they were written for.
import * as tf from '@tensorflow/tfjs';
import {
  DistilError,
  errorBackendUnavailable,
  errorEarlierBackendUnavailable,
  errorInvalidArgument,
} from '../errors/index.js';
import { loadBlas } from './blas.js';
import type { Blas, BlasRequest } from './blas.js';
import { installBlasKernels, uninstallBlasKernels } from './blas-kernels.js';
import { installConvBlasKernels, uninstallConvBlasKernels } from './conv-blas-kernels.js';
import { installConvKernels, uninstallConvKernels } from './conv-kernels.js';
import { installFastKernels, uninstallFastKernels } from './fast-kernels.js';
import { provideLegacyNodeUtil } from './node-util.js';
import { probeTrainingStep } from './probe.js';
import { checkWasmInternals, guardWasmAllocations, replaceWasmBackend, setFastPaths } from './tfjs-internals.js';
import { fastPathVersionProblem } from './versions.js';
import { compiledStepUnavailable, setCompiledStep } from './compiled-step.js';
import { installWasmMatMulFix, uninstallWasmMatMulFix } from './wasm-matmul.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendRequest = 'auto' | BackendName;
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** Which backend runs, and why the ones before it did not. */
export interface BackendInfo {
  readonly name: BackendName;
  readonly requested: BackendRequest;
  /** Why a preferred backend was skipped, e.g. "tensorflow: @tensorflow/tfjs-node is not installed". */
  readonly skipped: readonly string[];
  /** Kernel replacements in force, e.g. "wasm matMul: transpose-first", or why there are none ("fast paths off: ..."). */
  readonly kernels: readonly string[];
  /** The BLAS doing the wasm backend's matrix products, if any. */
  readonly blas?: { readonly library: string; readonly description: string; readonly sgemmGflops: number };
  /** Why no BLAS is used (absent when one is). */
  readonly blasSkipped?: string;
  /**
   * The compiled training step: `on` (roles it covers train through it; each role's line says which did),
   * or `off (<why>)` when no role can.
   */
  readonly compiledStep: string;
  /** When `auto` could run both tensorflow and wasm: what it timed on each, and so chose (see chooseFasterBackend). */
  readonly timing?: BackendTiming;
}

/** A training step timed on each backend `auto` could take. */
export interface BackendTiming {
  /** What was timed, e.g. `the teacher's training step (batch 128)`. */
  readonly what: string;
  /** Training samples per second on each backend timed. */
  readonly samplesPerSec: Readonly<Partial<Record<BackendName, number>>>;
  /** The step each took there: `compiled step` or `tfjs step`. */
  readonly steps: Readonly<Partial<Record<BackendName, string>>>;
  /** Why a backend has no rate (it failed to load, its probe or its timed step failed). */
  readonly failed?: Readonly<Partial<Record<BackendName, string>>>;
  /** An earlier attempt of the run timed it; this one took its choice again. */
  readonly reused?: boolean;
}

/** A timed training step on the current backend (see chooseFasterBackend). */
export type TimedStep = () => { readonly samplesPerSec: number; readonly step: string };

export interface SelectBackendOptions {
  /** `auto` (default): the first fast system BLAS; `off`; or a library path (an error when it cannot be used). Used by the wasm backend. */
  readonly blas?: BlasRequest;
  /** Whether covered roles train through the compiled step (where the backend has one). @default true */
  readonly compiledStep?: boolean;
}

// A variable specifier keeps TypeScript from requiring the optional package at build time.
const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';

/** Imports a backend's package (which registers the backend); resolves to the package's exports. */
export type BackendLoader = () => Promise<unknown>;
const DEFAULT_LOADERS: Record<'tensorflow' | 'wasm', BackendLoader> = {
  tensorflow: () => import(TFJS_NODE),
  wasm: () => import(TFJS_WASM),
};
const loaders = { ...DEFAULT_LOADERS };

/** Replaces how a backend's package is imported (tests: a fake tfjs-node); undefined restores the real import. */
export function setBackendLoader(name: 'tensorflow' | 'wasm', loader: BackendLoader | undefined): void {
  loaders[name] = loader ?? DEFAULT_LOADERS[name];
}

/** A backend that initialised: undefined `fastPathsOff` when its fast paths may run. */
type Initialised = { failure?: undefined; fastPathsOff?: string } | { failure: string };

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

async function initialiseTensorflow(): Promise<Initialised> {
  // tfjs-node 4.22 calls util.isNullOrUndefined, which Node 23 removed (tensorflow/tfjs#8609).
  provideLegacyNodeUtil();
  try {
    await loaders.tensorflow();
  } catch (error) {
    const code = (error as { code?: string }).code;
    return { failure: code === 'ERR_MODULE_NOT_FOUND' ? `${TFJS_NODE} is not installed` : firstLine(error) };
  }
  return (await tf.setBackend('tensorflow')) ? {} : { failure: 'the tensorflow backend failed to initialise' };
}

/** Sets up the current wasm instance: the allocation guard, and whether the fast paths may run on it. */
function setUpWasmInstance(wasmVersion: unknown): Initialised {
  const changed = checkWasmInternals();
  if (changed.length === 0) guardWasmAllocations();
  const versionProblem = fastPathVersionProblem('wasm', {
    ...tf.version,
    'tfjs-core': tf.version_core,
    'tfjs-backend-wasm': typeof wasmVersion === 'string' ? wasmVersion : undefined,
  });
  return {
    fastPathsOff:
      versionProblem ??
      (changed.length > 0 ? `fast paths off: tfjs-backend-wasm internals changed (${changed.join('; ')})` : undefined),
  };
}

let wasmVersion: unknown;

async function initialiseWasm(): Promise<Initialised> {
  try {
    wasmVersion = ((await loaders.wasm()) as { version_wasm?: unknown }).version_wasm;
  } catch (error) {
    return { failure: firstLine(error) };
  }
  if (!(await tf.setBackend('wasm'))) return { failure: 'the wasm backend failed to initialise' };
  return setUpWasmInstance(wasmVersion);
}

async function initialiseCpu(): Promise<Initialised> {
  if (!(await tf.setBackend('cpu'))) return { failure: 'the cpu backend failed to initialise' };
  return { fastPathsOff: fastPathVersionProblem('cpu', { ...tf.version, 'tfjs-core': tf.version_core }) };
}

const INITIALISE: Record<BackendName, () => Promise<Initialised>> = {
  tensorflow: initialiseTensorflow,
  wasm: initialiseWasm,
  cpu: initialiseCpu,
};

interface Selected {
  readonly name: BackendName;
  readonly requested: BackendRequest;
  readonly skipped: readonly string[];
  readonly fastPathsOff?: string;
}

let selected: Selected | undefined;
let lastOptions: SelectBackendOptions = {};
const blasCache = new Map<BlasRequest, { blas?: Blas; reason?: string }>();

const WASM_KERNELS = [
  'wasm matMul: transposed operands materialised first',
  'wasm GatherV2/Identity/Sum/Slice: row copies, shared clones, one-pass column sums, row-block slices',
  'wasm Conv2DBackpropFilter/Conv2DBackpropInput: im2col / col2im around matMul; MaxPoolGrad/AvgPoolGrad (SIMD), per-channel Sum/Mean, Tile as block copies',
];

function uninstallWasmKernels(): void {
  uninstallConvBlasKernels();
  uninstallBlasKernels();
  uninstallConvKernels();
  uninstallFastKernels();
  uninstallWasmMatMulFix();
}

const isBlasPath = (request: BlasRequest) => request !== 'auto' && request !== 'off';

/** The BLAS of a request, loaded and measured once per request. */
function cachedBlas(request: BlasRequest): { blas?: Blas; reason?: string } {
  if (!blasCache.has(request)) blasCache.set(request, loadBlas(request));
  return blasCache.get(request) ?? {};
}

/**
 * Checks a `--blas` value without selecting a backend (for --dry-run and early flag checks): a library
 * path must load and have cblas_sgemm; `auto` and `off` always pass.
 * @throws DistilError INVALID_ARGUMENT (exit 2), e.g. "--blas /x/libblas.so: cannot load cblas_sgemm (...)".
 */
export function assertBlasRequest(request: BlasRequest): void {
  if (!isBlasPath(request)) return;
  const { blas, reason } = cachedBlas(request);
  if (!blas) throw errorInvalidArgument(`--blas ${request}`, reason ?? 'cannot load cblas_sgemm');
}

/**
 * Routes wasm matrix products to a BLAS (loaded and measured once per request) or back to wasm.
 * @throws DistilError INVALID_ARGUMENT when a BLAS path was asked for and cannot be used.
 */
function configureBlas(
  request: BlasRequest,
  fastPathsOff: string | undefined,
): Pick<BackendInfo, 'blas' | 'blasSkipped' | 'kernels'> {
  if (fastPathsOff) {
    if (isBlasPath(request)) throw errorInvalidArgument(`--blas ${request}`, `cannot be used: ${fastPathsOff}`);
    return { kernels: [fastPathsOff], blasSkipped: fastPathsOff };
  }
  assertBlasRequest(request);
  const { blas, reason } = cachedBlas(request);
  if (!blas) {
    uninstallBlasKernels();
    uninstallConvBlasKernels();
    return { kernels: WASM_KERNELS, blasSkipped: reason };
  }
  installBlasKernels(blas);
  installConvBlasKernels(blas);
  return {
    kernels: [
      ...WASM_KERNELS,
      `BatchMatMul/_FusedMatMul/column Sum: cblas_sgemm from ${blas.library}`,
      `Conv2D/FusedConv2D/Conv2DBackpropInput/Conv2DBackpropFilter: im2col + cblas_sgemm from ${blas.library}`,
    ],
    blas: { library: blas.library, description: blas.description, sgemmGflops: Number(blas.gflops.toFixed(1)) },
  };
}

/** The compiled step's state once the backend and BLAS are configured, for the backend line. */
function compiledStepState(): string {
  const off = compiledStepUnavailable();
  return off ? `off (${off})` : 'on';
}

/** Puts the selected backend's fast paths (and BLAS and compiled-step options) in force and describes the result. */
function configure(choice: Selected, options: SelectBackendOptions): BackendInfo {
  const info = configureKernels(choice, options);
  setCompiledStep(options.compiledStep ?? true);
  return { ...info, compiledStep: compiledStepState() };
}

function configureKernels(choice: Selected, options: SelectBackendOptions): Omit<BackendInfo, 'compiledStep'> {
  const { name, requested, skipped, fastPathsOff } = choice;
  setFastPaths(fastPathsOff === undefined, fastPathsOff);
  if (name !== 'wasm') {
    return {
      name,
      requested,
      skipped,
      kernels: fastPathsOff ? [fastPathsOff] : [],
      blasSkipped: `not used by the ${name} backend`,
    };
  }
  if (fastPathsOff) uninstallWasmKernels();
  else {
    installWasmMatMulFix();
    installFastKernels();
    installConvKernels();
  }
  return { name, requested, skipped, ...configureBlas(options.blas ?? 'auto', fastPathsOff) };
}

/** Runs the probe training step; the reason it failed, or undefined. */
function probe(): string | undefined {
  try {
    probeTrainingStep();
    return undefined;
  } catch (error) {
    return `the probe training step failed: ${firstLine(error)}`;
  }
}

/**
 * Selects and initialises a backend: `auto` takes the first of tensorflow, wasm, cpu that loads and
 * trains the probe step correctly; a named backend must. Selecting again keeps the first choice (tfjs
 * holds one global backend per process) but re-applies the BLAS option and probes again.
 * @throws DistilError BACKEND_UNAVAILABLE when no candidate passes (exit 2, with each one's reason);
 *   INVALID_ARGUMENT when `options.blas` is a library path that cannot be used.
 */
export async function selectBackend(
  requested: BackendRequest = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendInfo> {
  lastOptions = options;
  if (selected && (requested === 'auto' || requested === selected.name)) {
    const info = configure(selected, options);
    const failure = probe();
    if (failure) throw errorBackendUnavailable(selected.name, `${selected.name}: ${failure}`);
    return info;
  }
  const order: BackendName[] = requested === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [requested];
  const skipped: string[] = [];
  for (const name of order) {
    const initialised = await INITIALISE[name]();
    let failure = initialised.failure;
    if (initialised.failure === undefined) {
      await tf.ready();
      const choice: Selected = { name, requested, skipped, fastPathsOff: initialised.fastPathsOff };
      const info = configure(choice, options);
      failure = probe();
      if (!failure) {
        selected = choice;
        return info;
      }
    }
    skipped.push(`${name}: ${failure}`);
  }
  throw errorBackendUnavailable(requested, skipped.join('; '));
}

const rate = (value: number) => Math.round(value).toLocaleString('en-US');

/** wasm replaces tensorflow (auto's first choice) only when it is this much faster: a near tie keeps the order. */
export const WASM_MARGIN = 1.1;

/** What {@link chooseFasterBackend} times, and what else decides. */
export interface TimingRequest {
  /** What `measure` times, for the backend line: `the teacher's training step (batch 128)`. */
  readonly what: string;
  readonly measure: TimedStep;
  /** Why the run could not train on wasm (its cells do not fit the heap), or undefined; asked before wasm is timed. */
  readonly wasmFits?: (wasm: BackendInfo) => Promise<string | undefined>;
  /** The choice an earlier attempt of the same run made: taken again, untimed, so a run stays on one backend. */
  readonly earlier?: { readonly name: BackendName; readonly timing: BackendTiming };
}

/**
 * After `auto` chose tensorflow (tfjs-node): nobody can say beforehand whether it or wasm (with its BLAS
 * and the compiled step) trains a given model faster, so `measure` (one role's training step, timed) runs
 * on each, and wasm is kept when it is at least {@link WASM_MARGIN} times as fast, with both rates in
 * `timing`. wasm is not timed when it fails to load, its probe fails or `wasmFits` says no; any failure
 * there keeps tensorflow, with the reason in `timing.failed`. Any other selection (a forced backend, or
 * wasm or cpu by fallback) is returned as it is. Tensors made before on tensorflow stay there: make the
 * data again when the name changes.
 */
export async function chooseFasterBackend(current: BackendInfo, request: TimingRequest): Promise<BackendInfo> {
  const tensorflow = selected;
  if (current.requested !== 'auto' || current.name !== 'tensorflow' || tensorflow?.name !== 'tensorflow') {
    return current;
  }
  const { what, earlier } = request;
  if (earlier?.name === 'tensorflow') return { ...current, timing: { ...earlier.timing, reused: true } };
  const samplesPerSec: Partial<Record<BackendName, number>> = {};
  const steps: Partial<Record<BackendName, string>> = {};
  const failed: Partial<Record<BackendName, string>> = {};
  const timing = (): BackendTiming =>
    earlier
      ? { ...earlier.timing, reused: true }
      : { what, samplesPerSec, steps, ...(Object.keys(failed).length > 0 ? { failed } : {}) };
  const useTensorflow = async () => {
    await tf.setBackend('tensorflow');
    selected = tensorflow;
    return configure(tensorflow, lastOptions);
  };
  /** wasm cannot train this run: tensorflow, with the reason (a run that chose wasm before stops instead). */
  const withoutWasm = async (reason: string): Promise<BackendInfo> => {
    failed.wasm = reason;
    const info = await useTensorflow();
    if (earlier) throw errorEarlierBackendUnavailable(reason);
    return { ...info, timing: timing() };
  };
  const time = (name: BackendName) => {
    try {
      const result = request.measure();
      samplesPerSec[name] = Math.round(result.samplesPerSec);
      steps[name] = result.step;
    } catch (error) {
      failed[name] = `the timed step failed: ${firstLine(error)}`;
    }
  };
  // wasm first loads, is set up (kernels, BLAS, flags) and probed as selectBackend would, and must fit.
  let wasmChoice: Selected;
  try {
    const wasm = await INITIALISE.wasm();
    if (wasm.failure !== undefined) return await withoutWasm(wasm.failure);
    await tf.ready();
    wasmChoice = { name: 'wasm', requested: 'auto', skipped: [], fastPathsOff: wasm.fastPathsOff };
    const wasmInfo = configure(wasmChoice, lastOptions);
    const problem = probe() ?? (await request.wasmFits?.(wasmInfo));
    if (problem) return await withoutWasm(problem);
  } catch (error) {
    if (!earlier) return withoutWasm(firstLine(error));
    await useTensorflow();
    throw error instanceof DistilError ? error : errorEarlierBackendUnavailable(firstLine(error));
  }
  if (!earlier) {
    // tensorflow first: a wasm step over the budget is then timed once (see the measure).
    await useTensorflow();
    time('tensorflow');
    await tf.setBackend('wasm');
    configure(wasmChoice, lastOptions);
    time('wasm');
  }
  const [tensorflowRate, wasmRate] = [samplesPerSec.tensorflow, samplesPerSec.wasm];
  const wasmWins =
    earlier?.name === 'wasm' ||
    (wasmRate !== undefined && (tensorflowRate === undefined || wasmRate / tensorflowRate >= WASM_MARGIN));
  if (!wasmWins) return { ...(await useTensorflow()), timing: timing() };
  const slower = earlier
    ? 'tensorflow: an earlier attempt of this run chose wasm by timing'
    : tensorflowRate === undefined
      ? `tensorflow: ${failed.tensorflow}`
      : `tensorflow: slower here (${rate(tensorflowRate)} samples/s against wasm's ${rate(wasmRate ?? 0)} on ${what})`;
  await tf.setBackend('wasm');
  selected = { ...wasmChoice, skipped: [...tensorflow.skipped, slower] };
  return { ...configure(selected, lastOptions), skipped: selected.skipped, timing: timing() };
}

/** Forgets the selection: the next {@link selectBackend} chooses again (tests). */
export function resetBackendSelection(): void {
  selected = undefined;
}

/**
 * After a fatal wasm failure (see isBackendFatal): replaces the wasm instance with a fresh one, sets it
 * up again (allocation guard, fast paths, BLAS) and probes it. Every tensor made before is lost (reading
 * one throws; disposing one does nothing): the caller must reload its data and models.
 * @throws DistilError BACKEND_UNAVAILABLE when the backend is not wasm or the fresh instance fails its probe.
 */
export async function recoverWasmBackend(): Promise<BackendInfo> {
  if (selected?.name !== 'wasm') {
    throw errorBackendUnavailable(selected?.name ?? 'none', 'only the wasm backend can be replaced after a failure');
  }
  await replaceWasmBackend();
  selected = { ...selected, ...setUpWasmInstance(wasmVersion) };
  const info = configure(selected, lastOptions);
  const failure = probe();
  if (failure) throw errorBackendUnavailable('wasm', `wasm: ${failure}`);
  return info;
}
