// Builds a role's model from its resolved layer list, with seeded weights and an output layer.
import * as tf from '@tensorflow/tfjs';
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

/** Creates a metric: its definition's column and direction with the created computation. */
export function createMetric(registry: Registry, ref: ComponentRef, context: ComponentContext): Metric {
  const created = createComponent<MetricFunction>(registry, 'metric', ref, context);
  return { ...metricFactsOf(registry, ref.name), compute: (prediction, target, metricContext) => created.compute(prediction, target, metricContext) };
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
    model.add(createComponent<tf.layers.Layer>(registry, 'layer', ref, context));
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
