// The backend a run used, in one line for the log and the summary.
import { WASM_MARGIN } from './select.js';
import type { BackendInfo } from './select.js';

/** `wasm + BLAS libopenblas.so.0 (sgemm 140 GFLOP/s) (skipped tensorflow: ...)`. */
export function describeBackend(backend: BackendInfo): string {
  // Only on wasm, where it can run; elsewhere the role lines say why each took tfjs's step.
  const step = backend.name === 'wasm' && backend.compiledStep ? `, compiled step ${backend.compiledStep}` : '';
  return `${describeKernels(backend)}${step}`;
}

function describeKernels(backend: BackendInfo): string {
  const blas = backend.blas ? ` + BLAS ${backend.blas.library} (sgemm ${backend.blas.sgemmGflops} GFLOP/s)` : '';
  const noBlas = backend.name === 'wasm' && backend.blasSkipped ? ` (no BLAS: ${backend.blasSkipped})` : '';
  const skipped = backend.skipped.length > 0 ? ` (skipped ${backend.skipped.join('; ')})` : '';
  return `${backend.name}${blas}${noBlas}${skipped}${describeTiming(backend)}`;
}

const rate = (value: number) => Math.round(value).toLocaleString('en-US');

/** Why auto kept tensorflow after timing it against wasm (when wasm won, its skipped list says why). */
function describeTiming(backend: BackendInfo): string {
  const { timing } = backend;
  if (!timing || backend.name !== 'tensorflow') return '';
  const earlier = timing.reused ? ' in an earlier attempt of this run' : '';
  const [mine, wasm] = [timing.samplesPerSec.tensorflow, timing.samplesPerSec.wasm];
  if (mine !== undefined && wasm !== undefined) {
    const rates = `${rate(mine)} samples/s against wasm's ${rate(wasm)} on ${timing.what}${earlier}`;
    return mine >= wasm
      ? ` (faster here than wasm: ${rates})`
      : ` (kept: wasm was not ${WASM_MARGIN}x as fast: ${rates})`;
  }
  return ` (wasm not timed${earlier}: ${timing.failed?.wasm ?? timing.failed?.tensorflow ?? 'no rate'})`;
}
