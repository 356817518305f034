// Fast path for the wasm backend: matMul with a transposed operand materialises the transpose first.
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { kernelLayer } from './kernel-layers.js';
import { disposeWasmData } from './tfjs-internals.js';

const layer = kernelLayer('wasm-transpose-first', 0);

interface MatMulAttrs extends NamedAttrMap {
  transposeA: boolean;
  transposeB: boolean;
}

/** Swaps the last two axes of `x` with the backend's own Transpose kernel. */
function transposeLastTwo(x: TensorInfo, backend: unknown, transpose: KernelFunc): TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return transpose({ inputs: { x }, backend: backend as never, attrs: { perm } }) as TensorInfo;
}

/**
 * The wasm kernels run ~10-40x slower when an operand is transposed (XNNPACK packs it element by
 * element), and every backward pass has one. Transposing explicitly costs one memory pass and lets the
 * kernel below take its fast untransposed path.
 */
function transposeFirst(transpose: KernelFunc): (below: KernelFunc) => KernelFunc {
  return (below) => (args) => {
    const attrs = args.attrs as MatMulAttrs;
    if (!attrs.transposeA && !attrs.transposeB) return below(args);
    const inputs = args.inputs as Record<string, TensorInfo>;
    const temporaries: TensorInfo[] = [];
    const plain = (x: TensorInfo, transposed: boolean): TensorInfo => {
      if (!transposed) return x;
      const out = transposeLastTwo(x, args.backend, transpose);
      temporaries.push(out);
      return out;
    };
    try {
      return below({
        ...args,
        inputs: { ...inputs, a: plain(inputs.a, attrs.transposeA), b: plain(inputs.b, attrs.transposeB) },
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temporaries) disposeWasmData(args.backend, t);
    }
  };
}

/** Replaces the wasm BatchMatMul and _FusedMatMul kernels with the transpose-first versions. Idempotent. */
export function installWasmMatMulFix(): void {
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) return;
  const wrap = transposeFirst(transpose.kernelFunc);
  layer.enable({ BatchMatMul: wrap, _FusedMatMul: wrap });
}

/** Puts the stock wasm kernels back (tests and benchmarks compare the two). */
export function uninstallWasmMatMulFix(): void {
  layer.disable();
}
