// Loads a system BLAS (OpenBLAS, MKL, Accelerate, BLIS) through koffi and measures its sgemm rate.
import { createRequire } from 'node:module';

/** `C = alpha * op(A) op(B) + beta * C`, row-major, on Float32Array views. */
export type Sgemm = (
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
) => void;

export interface Blas {
  /** The library file that loaded, e.g. libopenblas.so.0. */
  readonly library: string;
  /** Its own description where it has one (OpenBLAS's build config). */
  readonly description: string;
  /** sgemm GFLOP/s measured at load time on 512x512x512 (the best of a few runs). */
  readonly gflops: number;
  readonly sgemm: Sgemm;
}

export type BlasRequest = 'auto' | 'off' | string;

/** Tried in order by `auto`: optimised libraries first; the reference libblas last, and only if fast. */
const CANDIDATES = [
  'libopenblas.so.0',
  'libopenblas.so',
  'libopenblas.dylib',
  '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
  'libmkl_rt.so.2',
  'libmkl_rt.so',
  'libmkl_rt.dylib',
  '/System/Library/Frameworks/Accelerate.framework/Accelerate',
  'libblis.so.4',
  'libblis.so',
  'libblas.so.3',
  'libcblas.so.3',
];

/** Below this rate a BLAS is a reference (unoptimised) build and the wasm kernels are faster. */
export const MIN_USEFUL_GFLOPS = 8;

const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

type KoffiLib = { func(signature: string): (...args: unknown[]) => unknown };
type Koffi = { load(path: string): KoffiLib };

function loadKoffi(): Koffi | undefined {
  try {
    return createRequire(import.meta.url)('koffi') as Koffi;
  } catch {
    return undefined;
  }
}

/** The library's sgemm, or why it has none (koffi's message, e.g. "Failed to load shared library: ..."). */
function openLibrary(koffi: Koffi, library: string): { sgemm: Sgemm; description: string } | { error: string } {
  let lib: KoffiLib;
  let raw: (...args: unknown[]) => unknown;
  try {
    lib = koffi.load(library);
    raw = lib.func(
      'void cblas_sgemm(int, int, int, int, int, int, float, float *, int, float *, int, float, float *, int)',
    );
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] };
  }
  let description = library;
  try {
    description = String(lib.func('const char *openblas_get_config()')());
  } catch {
    // Not OpenBLAS: the library name is the description.
  }
  const sgemm: Sgemm = (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => {
    raw(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  };
  return { sgemm, description };
}

/** sgemm GFLOP/s on square matrices of side `size`: the best of `runs` after a warm-up. */
export function measureSgemm(sgemm: Sgemm, size = 512, runs = 3): number {
  const a = new Float32Array(size * size).map((_, i) => ((i * 7) % 13) / 13 - 0.5);
  const b = a.slice().reverse();
  const c = new Float32Array(size * size);
  sgemm(false, false, size, size, size, 1, a, size, b, size, 0, c, size);
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    sgemm(false, false, size, size, size, 1, a, size, b, size, 0, c, size);
    best = Math.min(best, performance.now() - started);
  }
  return (2 * size ** 3) / (best * 1e6);
}

/**
 * Loads a BLAS. `auto` tries the known libraries and keeps the first whose measured sgemm rate beats
 * {@link MIN_USEFUL_GFLOPS}; a path loads that library whatever its speed; `off` loads nothing.
 * @returns the BLAS, or the reason none is used (for a path: "cannot load cblas_sgemm (koffi's reason)").
 */
export function loadBlas(request: BlasRequest = 'auto'): { blas?: Blas; reason?: string } {
  if (request === 'off') return { reason: 'BLAS disabled (--blas off)' };
  const koffi = loadKoffi();
  if (!koffi) return { reason: 'the koffi package is not installed' };
  const candidates = request === 'auto' ? CANDIDATES : [request];
  const slow: string[] = [];
  let failure = '';
  for (const library of candidates) {
    const opened = openLibrary(koffi, library);
    if ('error' in opened) {
      failure = opened.error;
      continue;
    }
    const gflops = measureSgemm(opened.sgemm);
    if (request === 'auto' && gflops < MIN_USEFUL_GFLOPS) {
      slow.push(`${library} (${gflops.toFixed(1)} GFLOP/s, a reference build)`);
      continue;
    }
    return { blas: { library, description: opened.description, gflops, sgemm: opened.sgemm } };
  }
  if (request !== 'auto') return { reason: `cannot load cblas_sgemm (${failure})` };
  const skipped = slow.length > 0 ? `; too slow: ${slow.join(', ')}` : '';
  return { reason: `no optimised BLAS found (install OpenBLAS: apt-get install libopenblas0-pthread${skipped})` };
}
