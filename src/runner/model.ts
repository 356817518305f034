// Builds a role's model from its resolved layer list, with seeded weights and an output layer.
import * as tf from '@tensorflow/tfjs';
import { predictForward } from '../backend/index.js';
import { DistilError, errorComponentResult } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import { metricFacts } from '../registry/index.js';
import type { ComponentContext, Dataset, Metric, MetricFacts, MetricFunction } from '../registry/index.js';
import type { ComponentRef } from '../config/index.js';
import { deriveSeed } from '../shared/index.js';
import { forwardStages } from './forward.js';

/** What the runner gives a component's `create()`: the context without the tfjs instance, which is added here. */
export type CreateContext = Omit<ComponentContext, 'tf'>;

/** Creates a registered component of a kind from its resolved reference. */
export function createComponent<T>(
  registry: Registry,
  kind: 'layer' | 'augmentation' | 'loss' | 'optimizer' | 'metric',
  ref: ComponentRef,
  context: CreateContext,
): T {
  const { definition, plugin } = registry.get(kind, ref.name);
  const create = definition.create as (params: unknown, context: ComponentContext) => T;
  try {
    const created = create(structuredClone(ref.params), { ...context, tf });
    return kind === 'loss' && plugin !== 'builtin' ? (checkedLoss(created, ref.name, plugin) as T) : created;
  } catch (error) {
    // A plugin's own error names the component it came from (a built-in's says what is wrong already).
    if (plugin === 'builtin' || error instanceof DistilError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw errorComponentResult(kind, ref.name, plugin, `create() threw: ${message}`);
  }
}

/**
 * The `compute` of a created metric or loss, checked to give one number (a tensor of size 1); `fail` makes the
 * contract's error naming the component, `signature` is how its compute is called and `result` what it
 * must give, for those messages.
 * @throws DistilError COMPONENT_RESULT when `created` has no compute(), and from the returned function when
 *   a call gives anything else.
 */
function scalarCompute(
  created: unknown,
  fail: (problem: string) => DistilError,
  signature: string,
  result: string,
): (...args: unknown[]) => tf.Scalar {
  const compute = (created as { compute?: unknown } | undefined)?.compute;
  if (typeof compute !== 'function') throw fail(`create() must return { ${signature} }, got ${describeValue(created)}`);
  return (...args) => {
    const value: unknown = compute.apply(created, args);
    if (isTensor(value) && value.size === 1) return value as tf.Scalar;
    throw fail(`compute() must return ${result}, got ${describeValue(value)}`);
  };
}

/**
 * A plugin's loss whose compute() is checked to give one number: a per-row vector would otherwise fail later
 * inside tfjs with a broadcast error that names neither the loss nor its plugin. Everything else of the loss
 * is its own (read through the prototype).
 */
function checkedLoss(created: unknown, name: string, plugin: string): unknown {
  const fail = (problem: string) => errorComponentResult('loss', name, plugin, problem);
  const compute = scalarCompute(created, fail, 'compute(prediction, target, teacher)', 'a tf.Scalar (one number)');
  return Object.assign(Object.create(created as object) as object, { compute });
}

/** A metric's facts (from its definition and its resolved params, without creating it). */
export function metricFactsOf(registry: Registry, ref: ComponentRef): MetricFacts {
  const { definition } = registry.get('metric', ref.name);
  if (definition.kind !== 'metric') throw new Error(`"${ref.name}" is not a metric`);
  return metricFacts(definition, ref.params);
}

// Duck-typed: a plugin that bundles its own copy of tfjs makes tensors of another class.
const isTensor = (value: unknown): value is tf.Tensor =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as tf.Tensor).dataSync === 'function' &&
  Array.isArray((value as tf.Tensor).shape);

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
export function createMetric(registry: Registry, ref: ComponentRef, context: CreateContext): Metric {
  const { plugin } = registry.get('metric', ref.name);
  const created = createComponent<MetricFunction>(registry, 'metric', ref, context);
  const fail = (problem: string) => errorComponentResult('metric', ref.name, plugin, problem);
  const compute: MetricFunction['compute'] = scalarCompute(
    created,
    fail,
    'compute(prediction, target, context)',
    'a tf.Scalar',
  );
  return { ...metricFactsOf(registry, ref), compute };
}

/** A plugin's layer, checked: anything without apply() would fail inside tf.sequential with a TypeError. */
function createLayer(registry: Registry, ref: ComponentRef, context: CreateContext): tf.layers.Layer {
  const layer: unknown = createComponent<unknown>(registry, 'layer', ref, context);
  if (
    layer instanceof tf.layers.Layer ||
    (typeof layer === 'object' && layer !== null && typeof (layer as { apply?: unknown }).apply === 'function')
  ) {
    return layer as tf.layers.Layer;
  }
  const { plugin } = registry.get('layer', ref.name);
  throw errorComponentResult(
    'layer',
    ref.name,
    plugin,
    `create() must return a tf.layers.Layer (e.g. tf.layers.dense({ units })), got ${describeValue(layer)}`,
  );
}

/** The output layer every model ends with: logits (classification) or the prediction (regression). */
const outputLayer = (dataset: Dataset): ComponentRef => ({
  name: 'dense',
  params: { units: dataset.outputSize, activation: 'linear', use_bias: true },
});

/** The input kind a layer takes (see the layer definition's `input`). */
function inputKind(registry: Registry, name: string): 'image' | 'flat' | 'any' {
  const { definition } = registry.get('layer', name);
  return definition.kind === 'layer' ? (definition.input ?? 'any') : 'any';
}

/** A reshape to the dataset's image shape or a flatten, when a layer takes the other kind of input than `shape`; the message when neither can help. */
function adapter(
  kind: 'image' | 'flat' | 'any',
  shape: readonly number[],
  dataset: Dataset,
  layer: string,
): { kind: 'reshape' | 'flatten'; output: number[] } | string | undefined {
  if (kind === 'image' && shape.length === 1) {
    if (!dataset.imageShape) {
      return `${layer} takes images [height, width, channels], and the dataset gives [${shape.join(', ')}] (add { name: reshape, shape: [height, width, channels] } before it)`;
    }
    return { kind: 'reshape', output: [...dataset.imageShape] };
  }
  if (kind === 'flat' && shape.length > 1) return { kind: 'flatten', output: [shape.reduce((a, b) => a * b, 1)] };
  return undefined;
}

/** One layer of a model as planned: its name (`reshape`/`flatten` when inserted), output shape and parameters. */
export interface PlannedLayer {
  readonly name: string;
  readonly inserted: boolean;
  readonly output: readonly number[];
  readonly params: number;
}

/**
 * The layers a model will have, with their output shapes and parameter counts, from the definitions'
 * static facts (no weights allocated): the inserted reshape and flatten layers included, the output
 * layer last. A plugin layer without `shape()` is taken to keep its input's shape.
 * @throws Error saying which layer cannot take its input (e.g. a convolution on tabular data).
 */
export function planLayers(registry: Registry, layers: readonly ComponentRef[], dataset: Dataset): PlannedLayer[] {
  const planned: PlannedLayer[] = [];
  let shape: readonly number[] = dataset.featureShape;
  [...layers, outputLayer(dataset)].forEach((ref, i) => {
    const label = i < layers.length ? `layers[${i}] (${ref.name})` : 'the output layer';
    const insert = adapter(inputKind(registry, ref.name), shape, dataset, label);
    if (typeof insert === 'string') throw new Error(insert);
    if (insert) {
      planned.push({ name: insert.kind, inserted: true, output: insert.output, params: 0 });
      shape = insert.output;
    }
    const { definition } = registry.get('layer', ref.name);
    let facts: { output: number[]; params: number } = { output: [...shape], params: 0 };
    if (definition.kind === 'layer' && definition.shape) {
      try {
        facts = (
          definition.shape as (params: unknown, input: readonly number[]) => { output: number[]; params: number }
        )(ref.params, shape);
      } catch (error) {
        throw new Error(`${label}: ${(error as Error).message}`, { cause: error });
      }
    }
    if (facts.output.some((d) => d < 1)) {
      throw new Error(
        `${label} leaves nothing of its input [${shape.join(', ')}] (a window larger than the image: use padding: same, or fewer pooling layers)`,
      );
    }
    planned.push({ name: ref.name, inserted: false, output: facts.output, params: facts.params });
    shape = facts.output;
  });
  return planned;
}

/**
 * A sequential model: the hidden layers, then a linear output of `dataset.outputSize` units (logits for
 * classification, the prediction for regression). A layer that takes images after flat features gets a
 * reshape to the dataset's image shape before it (so image datasets keep flat splits, and dense-only
 * specs are unchanged); a dense layer after image layers gets a flatten. `seedKey` makes the weights of
 * two roles equal when they share it (the student and the person start from the same weights, so the
 * comparison is paired).
 */
export function buildModel(
  registry: Registry,
  layers: readonly ComponentRef[],
  dataset: Dataset,
  seed: number,
  seedKey: string,
  baseDir: string,
): tf.Sequential {
  const model = tf.sequential();
  let shape: readonly number[] = dataset.featureShape;
  const add = (layer: tf.layers.Layer) => {
    model.add(layer);
    shape = model.outputs[0].shape.slice(1) as number[];
  };
  [...layers, outputLayer(dataset)].forEach((ref, i) => {
    const inputShape = () => (model.layers.length === 0 ? [...shape] : undefined);
    const insert = adapter(inputKind(registry, ref.name), shape, dataset, `layers[${i}] (${ref.name})`);
    if (typeof insert === 'string') throw new Error(insert);
    if (insert?.kind === 'reshape') add(tf.layers.reshape({ targetShape: insert.output, inputShape: inputShape() }));
    if (insert?.kind === 'flatten') add(tf.layers.flatten({ inputShape: inputShape() }));
    const context: CreateContext = {
      seed: deriveSeed(seed, seedKey, i),
      baseDir,
      task: dataset.task,
      inputShape: inputShape(),
    };
    add(createLayer(registry, ref, context));
  });
  return model;
}

/** `apply` on the rows of `x` in batches, as one tensor of every batch's output in order. */
export function applyInBatches<T extends tf.Tensor>(
  x: tf.Tensor2D,
  batchSize: number,
  apply: (batch: tf.Tensor2D) => T,
): T {
  const n = x.shape[0];
  const parts: T[] = [];
  try {
    // One tidy per batch: only each batch's output outlives it, not its activations.
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      parts.push(tf.tidy(() => apply(x.slice([start, 0], [size, x.shape[1]]))));
    }
    return parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as T);
  } finally {
    if (parts.length > 1) tf.dispose(parts);
  }
}

/**
 * Predicts in batches (no gradients kept), returning one `[n, outputs]` tensor: through the compiled
 * forward pass where it covers the model (the same bits, no tensor per batch), else through tfjs.
 */
export function predictInBatches(model: tf.LayersModel, x: tf.Tensor2D, batchSize: number): tf.Tensor2D {
  const stages = forwardStages(model, x);
  if (stages) return predictForward(stages, x, batchSize);
  return applyInBatches(x, batchSize, (batch) => model.apply(batch, { training: false }) as tf.Tensor2D);
}
