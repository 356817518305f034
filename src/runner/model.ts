// Builds a role's model from its resolved layer list, with seeded weights and an output layer.
import * as tf from '@tensorflow/tfjs';
import { errorComponentResult } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import { metricFacts } from '../registry/types.js';
import type { ComponentContext, Dataset, Metric, MetricFacts, MetricFunction } from '../registry/types.js';
import type { ComponentRef } from '../config/resolve.js';
import { deriveSeed } from '../shared/random.js';

/** Creates a registered component of a kind from its resolved reference. */
export function createComponent<T>(registry: Registry, kind: 'layer' | 'loss' | 'optimizer' | 'metric', ref: ComponentRef, context: ComponentContext): T {
  const definition = registry.get(kind, ref.name).definition;
  return (definition.create as (params: unknown, context: ComponentContext) => T)(structuredClone(ref.params), context);
}

/** A metric's facts (from its definition, without creating it). */
export function metricFactsOf(registry: Registry, name: string): MetricFacts {
  const { definition } = registry.get('metric', name);
  if (definition.kind !== 'metric') throw new Error(`"${name}" is not a metric`);
  return metricFacts(definition);
}

// Duck-typed: a plugin that bundles its own copy of tfjs makes tensors of another class.
const isTensor = (value: unknown): value is tf.Tensor =>
  typeof value === 'object' && value !== null && typeof (value as tf.Tensor).dataSync === 'function' && Array.isArray((value as tf.Tensor).shape);

/** What a component gave back, for messages: `number`, `undefined`, `an object`, `a tensor of shape [3]`... */
export function describeValue(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value === 'object' ? 'null' : typeof value;
  if (isTensor(value)) return `a tensor of shape [${value.shape.join(', ')}]`;
  if (Array.isArray(value)) return 'an array';
  if (typeof (value as { then?: unknown }).then === 'function') return 'a Promise (it must not be async)';
  return 'an object';
}

/**
 * Creates a metric: its definition's column and direction with the created computation, which must
 * give one number as a tensor (plugins are plain JavaScript: a wrong result is named, not a TypeError later).
 */
export function createMetric(registry: Registry, ref: ComponentRef, context: ComponentContext): Metric {
  const { plugin } = registry.get('metric', ref.name);
  const created = createComponent<MetricFunction>(registry, 'metric', ref, context);
  const fail = (problem: string) => errorComponentResult('metric', ref.name, plugin, problem);
  if (typeof created?.compute !== 'function') throw fail(`create() must return { compute(prediction, target, context) }, got ${describeValue(created)}`);
  const compute: MetricFunction['compute'] = (prediction, target, metricContext) => {
    const value: unknown = created.compute(prediction, target, metricContext);
    if (isTensor(value) && value.size === 1) return value as tf.Scalar;
    throw fail(`compute() must return a tf.Scalar, got ${describeValue(value)}`);
  };
  return { ...metricFactsOf(registry, ref.name), compute };
}

/** A plugin's layer, checked: anything without apply() would fail inside tf.sequential with a TypeError. */
function createLayer(registry: Registry, ref: ComponentRef, context: ComponentContext): tf.layers.Layer {
  const layer: unknown = createComponent<unknown>(registry, 'layer', ref, context);
  if (layer instanceof tf.layers.Layer || (typeof layer === 'object' && layer !== null && typeof (layer as { apply?: unknown }).apply === 'function')) return layer as tf.layers.Layer;
  const { plugin } = registry.get('layer', ref.name);
  throw errorComponentResult('layer', ref.name, plugin, `create() must return a tf.layers.Layer (e.g. tf.layers.dense({ units })), got ${describeValue(layer)}`);
}

/**
 * A sequential model: the hidden layers, then a linear output of `dataset.outputSize` units (logits for
 * classification, the prediction for regression). `seedKey` makes the weights of two roles equal when
 * they share it (the student and the person start from the same weights, so the comparison is paired).
 */
export function buildModel(registry: Registry, layers: readonly ComponentRef[], dataset: Dataset, seed: number, seedKey: string, baseDir: string): tf.Sequential {
  const model = tf.sequential();
  const refs: ComponentRef[] = [...layers, { name: 'dense', params: { units: dataset.outputSize, activation: 'linear', use_bias: true } }];
  refs.forEach((ref, i) => {
    const context: ComponentContext = {
      seed: deriveSeed(seed, seedKey, i),
      baseDir,
      task: dataset.task,
      inputShape: i === 0 ? dataset.featureShape : undefined,
    };
    model.add(createLayer(registry, ref, context));
  });
  return model;
}

/** Predicts in batches (no gradients kept), returning one `[n, outputs]` tensor. */
export function predictInBatches(model: tf.LayersModel, x: tf.Tensor2D, batchSize: number): tf.Tensor2D {
  const n = x.shape[0];
  const parts: tf.Tensor2D[] = [];
  try {
    // One tidy per batch: only each batch's output outlives it, not its activations.
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      parts.push(tf.tidy(() => model.apply(x.slice([start, 0], [size, x.shape[1]]), { training: false }) as tf.Tensor2D));
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  } finally {
    if (parts.length > 1) tf.dispose(parts);
  }
}
