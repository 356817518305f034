// Ordered layers of wasm kernel replacements, recomposed from the stock kernels whenever one is toggled.
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';

/** Wraps the kernel below it (the stock one, or a lower layer's) and may fall back to it. */
export type KernelWrapper = (below: KernelFunc) => KernelFunc;

interface Layer {
  readonly name: string;
  readonly rank: number;
  wrappers: Record<string, KernelWrapper> | undefined;
}

const BACKEND = 'wasm';
const stock = new Map<string, KernelConfig>();
const layers: Layer[] = [];
/** When set, only these layers take part (tests check one layer at a time); the others keep their wrappers. */
let only: ReadonlySet<string> | undefined;

/** Kernels tfjs-backend-wasm lacks (Conv2DBackpropFilter) that a layer provides: registered only while one does. */
const absent = new Set<string>();

/** The stock kernel, or for one the backend lacks, a kernel failing as tfjs does when none is registered. */
function baseKernel(kernelName: string): KernelConfig {
  if (!stock.has(kernelName) && !absent.has(kernelName)) {
    const original = tf.getKernel(kernelName, BACKEND);
    if (original) stock.set(kernelName, original);
    else absent.add(kernelName);
  }
  return (
    stock.get(kernelName) ?? {
      kernelName,
      backendName: BACKEND,
      kernelFunc: () => {
        throw new Error(`Kernel '${kernelName}' not registered for backend '${BACKEND}'`);
      },
    }
  );
}

/** Re-registers `kernelName` as the stock kernel wrapped by every enabled layer, in layer order. */
function recompose(kernelName: string): void {
  const base = baseKernel(kernelName);
  let kernelFunc = base.kernelFunc;
  let wrapped = false;
  for (const layer of layers) {
    if (only && !only.has(layer.name)) continue;
    const wrap = layer.wrappers?.[kernelName];
    if (wrap) {
      kernelFunc = wrap(kernelFunc);
      wrapped = true;
    }
  }
  if (tf.getKernel(kernelName, BACKEND)) tf.unregisterKernel(kernelName, BACKEND);
  if (wrapped || !absent.has(kernelName)) tf.registerKernel({ ...base, kernelFunc });
}

/**
 * Declares a layer. Layers wrap in rank order: a higher rank sits on top and falls back to the ones
 * below it. Enabling or disabling one never disturbs the others.
 */
export function kernelLayer(
  name: string,
  rank: number,
): { enable(wrappers: Record<string, KernelWrapper>): void; disable(): void } {
  let layer = layers.find((l) => l.name === name);
  if (!layer) {
    layer = { name, rank, wrappers: undefined };
    layers.push(layer);
    layers.sort((a, b) => a.rank - b.rank);
  }
  const self = layer;
  return {
    enable(wrappers) {
      const kernels = new Set([...Object.keys(self.wrappers ?? {}), ...Object.keys(wrappers)]);
      self.wrappers = wrappers;
      for (const kernel of kernels) recompose(kernel);
    },
    disable() {
      const kernels = Object.keys(self.wrappers ?? {});
      self.wrappers = undefined;
      for (const kernel of kernels) recompose(kernel);
    },
  };
}

/** Every kernel some layer replaces. */
function wrappedKernels(): Set<string> {
  return new Set(layers.flatMap((layer) => Object.keys(layer.wrappers ?? {})));
}

/**
 * Lets only the named layers take part (an empty list: the stock kernels) until the returned function
 * is called; enabling or disabling a layer meanwhile is remembered. For tests of one layer alone.
 */
export function isolateKernelLayers(names: readonly string[]): () => void {
  const unknown = names.filter((name) => !layers.some((layer) => layer.name === name));
  if (unknown.length > 0) throw new Error(`unknown kernel layer(s): ${unknown.join(', ')}`);
  const previous = only;
  only = new Set(names);
  for (const kernel of wrappedKernels()) recompose(kernel);
  return () => {
    only = previous;
    for (const kernel of wrappedKernels()) recompose(kernel);
  };
}

/** The enabled layers, bottom first, with the kernels each replaces. */
export function enabledKernelLayers(): Array<{ name: string; kernels: string[] }> {
  return layers
    .filter((layer) => layer.wrappers)
    .map((layer) => ({ name: layer.name, kernels: Object.keys(layer.wrappers ?? {}) }));
}

/** The stock wasm kernel (as registered by tfjs-backend-wasm, before any layer wrapped it). */
export function stockKernel(kernelName: string): KernelConfig | undefined {
  if (absent.has(kernelName)) return undefined;
  return stock.get(kernelName) ?? tf.getKernel(kernelName, BACKEND);
}

/** The reduction the bias gradients need: a sum over the rows of a float32 matrix. */
export function isColumnSum(x: { dtype: string; shape: number[] }, attrs: { axis: number | number[] }): boolean {
  const axes = Array.isArray(attrs.axis) ? attrs.axis : [attrs.axis];
  return x.dtype === 'float32' && x.shape.length === 2 && axes.length === 1 && (axes[0] === 0 || axes[0] === -2);
}
