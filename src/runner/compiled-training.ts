// Whether a role trains through the compiled step (backend/compiled-step.ts), and its plan when it does:
// the model's layers read through tfjs's public layer API, the loss's row form, the fused optimizer.
import type * as tf from '@tensorflow/tfjs';
import {
  FusedOptimizer,
  compileStep,
  compiledStepUnavailable,
  denseActivation,
  installedBlas,
} from '../backend/index.js';
import type { CompiledStep, StepStage } from '../backend/index.js';
import { DROPOUT_SEEDS } from '../registry/index.js';
import type { Loss } from '../registry/index.js';
import type { SplitTensors } from './train.js';

/** What decides the training step of a role (the optimizer by name: it is created after the role's first line). */
export interface StepInputs {
  readonly model: tf.LayersModel;
  readonly loss: Loss;
  /** The optimizer's name (only the built-in sgd, adam and rmsprop are fused; a plugin cannot take their names). */
  readonly optimizer: string;
  readonly train: SplitTensors;
  /** Why the batches are not the training rows as they are (augmented, the teacher per batch, representations). */
  readonly perBatchInputs?: string;
}

/** The stages of a covered model, or why the role trains on tfjs's path (a phrase: "the loss has no row form"). */
export type StepCoverage = { readonly stages: readonly StepStage[] } | { readonly reason: string };

const FUSED_OPTIMIZERS = new Set(['sgd', 'adam', 'rmsprop']);

interface SerializedConstraint {
  className?: string;
  config?: { maxValue?: number; axis?: number | number[] };
}

/** The shape of a layer's (first) input or output, the batch axis included. */
const shapeOf = (tensor: tf.SymbolicTensor | tf.SymbolicTensor[]) => (Array.isArray(tensor) ? tensor[0] : tensor).shape;

/** The floats per row of a layer's output or input, e.g. 784 for `[null, 28, 28, 1]`. */
const rowWidth = (tensor: tf.SymbolicTensor | tf.SymbolicTensor[]): number =>
  shapeOf(tensor)
    .slice(1)
    .reduce<number>((a, b) => a * (b ?? NaN), 1);

/** The rank of a layer's input or output, the batch axis included. */
const rank = (tensor: tf.SymbolicTensor | tf.SymbolicTensor[]): number => shapeOf(tensor).length;

/** The `[height, width, channels]` of a layer's input images, or undefined when not one known NHWC shape. */
function imageShape(layer: tf.layers.Layer): [number, number, number] | undefined {
  const input = layer.input;
  const shape = (Array.isArray(input) ? input : [input]).map((t) => t.shape);
  if (shape.length !== 1 || shape[0].length !== 4) return undefined;
  const [, h, w, c] = shape[0];
  return [h, w, c].every((d) => typeof d === 'number' && d > 0) ? [h!, w!, c!] : undefined;
}

const pair = (value: unknown): [number, number] | undefined => {
  const values = Array.isArray(value) ? value : [value, value];
  return values.length === 2 && values.every((v) => Number.isInteger(v) && v > 0) ? [values[0], values[1]] : undefined;
};

const isChannelsLast = (config: Record<string, unknown>) =>
  config.dataFormat === undefined || config.dataFormat === 'channelsLast';

/** A pooling layer as the plan runs it, or why it cannot. */
function poolStage(
  kind: 'max-pool' | 'avg-pool',
  layer: tf.layers.Layer,
  config: Record<string, unknown>,
): StepStage | string {
  const [poolSize, strides, inputShape] = [
    pair(config.poolSize),
    pair(config.strides ?? config.poolSize),
    imageShape(layer),
  ];
  const padding = config.padding;
  if (!poolSize || !strides || !inputShape || !isChannelsLast(config) || (padding !== 'same' && padding !== 'valid')) {
    return `a ${kind} layer the plan does not take (not NHWC images)`;
  }
  return { kind, poolSize, strides, padding, inputShape };
}

/** A convolution layer as the plan runs it (with a BLAS: the plan's products are sgemm calls), or why it cannot. */
function convStage(layer: tf.layers.Layer, config: Record<string, unknown>): StepStage | string {
  if (!installedBlas()) return "a conv2d layer without a BLAS (the wasm backend's own convolution is not in the plan)";
  const activation = config.activation;
  if (activation !== 'relu' && activation !== 'linear') return `a conv2d layer with activation ${String(activation)}`;
  if (config.kernelRegularizer || config.biasRegularizer || config.activityRegularizer) {
    return 'a conv2d layer with a regularizer';
  }
  if (config.kernelConstraint || config.biasConstraint) return 'a conv2d layer with a constraint';
  const [strides, dilations, inputShape] = [pair(config.strides), pair(config.dilationRate), imageShape(layer)];
  const padding = config.padding;
  if (!strides || dilations?.join() !== '1,1' || !inputShape || !isChannelsLast(config)) {
    return 'a conv2d layer the plan does not take (dilated, or not NHWC images)';
  }
  if (padding !== 'same' && padding !== 'valid') return `a conv2d layer with padding ${String(padding)}`;
  const weights = layer.trainableWeights;
  if (!layer.trainable || weights.length !== (config.useBias ? 2 : 1)) return 'a conv2d layer whose weights are frozen';
  const [kernel, bias] = weights.map((weight) => weight.read() as tf.Variable);
  return { kind: 'conv', kernel, bias: config.useBias ? bias : undefined, activation, strides, padding, inputShape };
}

/** A layer as the compiled step runs it, or why it cannot. */
function stageOf(layer: tf.layers.Layer): StepStage | string {
  const kind = layer.getClassName();
  const config = layer.getConfig() as Record<string, unknown>;
  if (kind === 'Dropout') {
    const nextSeed = (layer as unknown as { [DROPOUT_SEEDS]?: () => number })[DROPOUT_SEEDS];
    if (typeof nextSeed !== 'function' || config.noiseShape != null) return 'a dropout layer not built by distil-run';
    return { kind: 'dropout', rate: Number(config.rate), nextSeed };
  }
  if (kind === 'Flatten' || kind === 'Reshape') {
    // A channels-first flatten transposes its input first: not the same floats.
    if (kind === 'Flatten' && !isChannelsLast(config) && rank(layer.input) > 2) return 'a channels-first flatten';
    return { kind: 'reshape', width: rowWidth(layer.output) };
  }
  if (kind === 'MaxPooling2D') return poolStage('max-pool', layer, config);
  if (kind === 'AveragePooling2D') return poolStage('avg-pool', layer, config);
  if (kind === 'Conv2D') return convStage(layer, config);
  if (kind !== 'Dense') return `a ${kind} layer`;
  // A dense layer on images (rank 4) multiplies their last axis only: the plan's dense layers take rows.
  if (rank(layer.input) !== 2) return `a dense layer on a tensor of rank ${rank(layer.input)}`;
  const activation = denseActivation(config.activation);
  if (!activation) return `a dense layer with activation ${String(config.activation)}`;
  if (config.kernelRegularizer || config.biasRegularizer || config.activityRegularizer) {
    return 'a dense layer with a regularizer';
  }
  if (config.biasConstraint) return 'a dense layer with a bias constraint';
  const constraint = config.kernelConstraint as SerializedConstraint | null | undefined;
  const maxNorm = constraint?.className === 'MaxNorm' ? constraint.config : undefined;
  if (constraint && !(maxNorm && (maxNorm.axis === 0 || String(maxNorm.axis) === '0'))) {
    return `a dense layer with a ${constraint.className ?? 'custom'} constraint`;
  }
  const weights = layer.trainableWeights;
  if (!layer.trainable || weights.length !== (config.useBias ? 2 : 1)) return 'a dense layer whose weights are frozen';
  const [kernel, bias] = weights.map((weight) => weight.read() as tf.Variable);
  return {
    kind: 'dense',
    kernel,
    bias: config.useBias ? bias : undefined,
    activation,
    maxNorm: maxNorm ? Number(maxNorm.maxValue) : undefined,
  };
}

/**
 * Whether a role trains through the compiled step: dense layers with ReLU, linear, tanh or sigmoid activations (max_norm
 * included), dropout, with a BLAS conv2d layers (ReLU or linear, no constraint), max-pool and avg-pool layers (the reshapes
 * and flattens around them are the same floats), a loss with a row form (cross-entropy, mse, kd, dkd, dist, soft-mse), one of the fused
 * optimizers (sgd, adam, rmsprop; lr_decay and weight decay included), the training rows as they are.
 */
export function stepCoverage(inputs: StepInputs): StepCoverage {
  const unavailable = compiledStepUnavailable();
  if (unavailable) return { reason: unavailable };
  if (inputs.perBatchInputs) return { reason: inputs.perBatchInputs };
  const { loss, optimizer } = inputs;
  if (typeof loss.rows !== 'function') return { reason: 'the loss has no row form (only tensor operations)' };
  if ((loss.variables ?? []).length > 0) return { reason: 'the loss trains weights of its own' };
  if (!FUSED_OPTIMIZERS.has(optimizer)) {
    return { reason: `optimizer "${optimizer}" is not one of the fused ones (sgd, adam, rmsprop)` };
  }
  if (inputs.train.x.rank !== 2) return { reason: 'the inputs are not flat rows' };
  const stages: StepStage[] = [];
  for (const layer of inputs.model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const stage = stageOf(layer);
    if (typeof stage === 'string') return { reason: `the model has ${stage}` };
    stages.push(stage);
  }
  const last = stages[stages.length - 1];
  if (!last || last.kind !== 'dense') return { reason: 'the model does not end with a dense layer' };
  return { stages };
}

/** What the compiled step of a covered role trains with, once the optimizer and the teacher's outputs exist. */
export interface CompileInputs {
  readonly loss: Loss;
  readonly optimizer: tf.Optimizer;
  readonly train: SplitTensors;
  readonly teacherTrain?: tf.Tensor2D;
  readonly batchSize: number;
}

/**
 * The compiled step of a covered role.
 * @throws Error when the optimizer is not a fused one after all (a covered role's always is).
 * @throws WasmOutOfMemoryError when its buffers do not fit in the wasm heap.
 */
export function compileRoleStep(
  coverage: { readonly stages: readonly StepStage[] },
  inputs: CompileInputs,
): CompiledStep {
  const { loss, optimizer } = inputs;
  if (!(optimizer instanceof FusedOptimizer) || typeof loss.rows !== 'function') {
    throw new Error('compiled step: the optimizer or the loss is not the one its coverage was decided for');
  }
  return compileStep({
    stages: coverage.stages,
    loss: loss.rows.bind(loss),
    optimizer,
    x: inputs.train.x,
    y: inputs.train.y,
    teacher: inputs.teacherTrain,
    batchSize: inputs.batchSize,
  });
}

/** For the role's progress line: `compiled step`, or `tfjs step (<reason>)`. */
export function describeStep(coverage: StepCoverage): string {
  return 'stages' in coverage ? 'compiled step' : `tfjs step (${coverage.reason})`;
}
