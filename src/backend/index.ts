// The backend folder's surface: choosing the tfjs backend (and a BLAS), the optimizers, the wasm memory check.
export type { BlasRequest } from './blas.js';
export { installedBlas } from './blas-kernels.js';
export { describeBackend } from './describe.js';
export { fusedAdam, fusedRmsprop, fusedSgd, preferFused } from './fused-optimizers.js';
export { stockAdam, stockSgd } from './stock-optimizers.js';
export { BACKEND_REQUESTS, assertBlasRequest, chooseFasterBackend, selectBackend } from './select.js';
export type { BackendInfo, BackendName, BackendRequest, BackendTiming, TimedStep, TimingRequest } from './select.js';
export { float32View, hasDirectMemory, int32View } from './tfjs-internals.js';
export { installedTfjsVersions } from './versions.js';
export { checkWasmMemory, isBackendFatal } from './wasm-memory.js';
export type { LayerShape, RoleMemoryInput } from './wasm-memory.js';
export { FusedOptimizer } from './fused-optimizers.js';
export {
  compileStep,
  compiledStepUnavailable,
  denseActivation,
  predictForward,
  setCompiledStep,
} from './compiled-step.js';
export type { CompiledStep, CompiledStepInput, ForwardStage, StepStage } from './compiled-step.js';
