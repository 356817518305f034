// Shared by the convolution kernel tests: the kernel-layer modes they run in, a guard layer that fails
// a case a layer should have taken itself, and the cpu backend as the reference.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { loadBlas } from '../../src/backend/blas.js';
import { setColumnLimit } from '../../src/backend/conv-geometry.js';
import { setConvWasm } from '../../src/backend/conv-im2col.js';
import { isolateKernelLayers, kernelLayer } from '../../src/backend/kernel-layers.js';

export const { blas } = loadBlas('auto');

/** A way to run the kernels: which layers take part, which kernels they must take themselves, and how. */
export interface Mode {
  readonly name: string;
  readonly layers: readonly string[];
  /** Kernels the guard fails when a case reaches the kernel below (the layer under test fell back). */
  readonly own: readonly string[];
  readonly needsBlas?: boolean;
  /** One image per chunk: every chunk boundary and the copies between them are exercised. */
  readonly chunked?: boolean;
  /** The JavaScript loops instead of wasm/conv.wat. */
  readonly loops?: boolean;
}

const CONV = ['wasm-conv'];
const CONV_BLAS = ['wasm-conv-blas'];
const STACK = ['wasm-transpose-first', 'wasm-fast-kernels', 'wasm-conv'];
const OWN_CONV = ['Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Sum', 'Mean', 'MaxPoolGrad', 'AvgPoolGrad', 'Tile'];
const OWN_BLAS = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Sum', 'Mean'];

export const MODES: Mode[] = [
  { name: 'wasm-conv alone (no BLAS) on the stock matMul', layers: CONV, own: OWN_CONV },
  { name: 'wasm-conv alone, one image per chunk', layers: CONV, own: OWN_CONV, chunked: true },
  { name: 'wasm-conv alone, JavaScript loops', layers: CONV, own: OWN_CONV, loops: true },
  { name: 'the whole stack without BLAS (--blas off)', layers: STACK, own: [] },
  { name: 'wasm-conv-blas alone', layers: CONV_BLAS, own: OWN_BLAS, needsBlas: true },
  {
    name: 'wasm-conv-blas alone, one image per chunk',
    layers: CONV_BLAS,
    own: OWN_BLAS,
    needsBlas: true,
    chunked: true,
  },
  { name: 'wasm-conv-blas alone, JavaScript loops', layers: CONV_BLAS, own: OWN_BLAS, needsBlas: true, loops: true },
  { name: 'the whole stack with BLAS', layers: [...STACK, 'wasm-blas', 'wasm-conv-blas'], own: [], needsBlas: true },
];

/** A reduction over every axis but the last of a rank-3+ tensor: the one Sum and Mean the layers take. */
function isChannelSum(x: TensorInfo, axis: number | number[]): boolean {
  const rank = x.shape.length;
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort();
  return rank >= 3 && axes.length === rank - 1 && axes.every((a, i) => a === i);
}

/** Whether the layer under test should take this call itself (the cases are all float32 NHWC). */
function owned(kernel: string, args: Parameters<KernelFunc>[0]): boolean {
  const attrs = args.attrs as Record<string, unknown>;
  if (kernel === 'Sum' || kernel === 'Mean') {
    return isChannelSum((args.inputs as { x: TensorInfo }).x, attrs.axis as number[]);
  }
  if (kernel === 'FusedConv2D') {
    return (
      ['linear', 'relu', 'relu6', 'leakyrelu'].includes((attrs.activation as string | undefined) ?? 'linear') &&
      !(args.inputs as Record<string, unknown>).preluActivationWeights
    );
  }
  return true;
}

// Below every other layer: reaching it means the layer under test passed the call down.
const guard = kernelLayer('test-guard', -1);

/** Runs `fn` in `mode`, restoring the layers, chunk size and loops after. */
export function inMode<T>(mode: Mode, fn: () => T): T {
  guard.enable(
    Object.fromEntries(
      mode.own.map((kernel) => [
        kernel,
        (below: KernelFunc): KernelFunc =>
          (args) => {
            if (owned(kernel, args)) {
              throw new Error(`${kernel} fell through to the kernel below ${mode.layers.join(', ')}`);
            }
            return below(args);
          },
      ]),
    ),
  );
  const restore = isolateKernelLayers([...mode.layers, 'test-guard']);
  if (mode.chunked) setColumnLimit(1);
  if (mode.loops) setConvWasm(false);
  try {
    return fn();
  } finally {
    setConvWasm(true);
    setColumnLimit(undefined);
    restore();
    guard.disable();
  }
}

/** `fn`'s values on the cpu backend (the reference), then back to wasm. */
export async function onCpu<T>(fn: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return fn();
  } finally {
    await tf.setBackend('wasm');
  }
}

/** The values of the tensors `fn` returns, flattened into one array (all tensors disposed). */
export function values(fn: () => tf.Tensor | tf.Tensor[]): number[] {
  const out = tf.tidy(() => {
    const result = fn();
    return Array.isArray(result) ? result : [result];
  });
  const data = out.flatMap((t) => [...t.dataSync()]);
  tf.dispose(out);
  return data;
}

export function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: size`);
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i])) assert.isNaN(actual[i], `${what}[${i}]`);
    else assert.closeTo(actual[i], expected[i], tolerance * (1 + Math.abs(expected[i])), `${what}[${i}]`);
  }
}
