// Whether a model's predictions go through the compiled forward pass (backend/compiled-step.ts,
// predictForward): its layers read through tfjs's public layer API.
import * as tf from '@tensorflow/tfjs';
import { compiledStepUnavailable, denseActivation } from '../backend/index.js';
import type { ForwardStage } from '../backend/index.js';

/**
 * A model's layers as the compiled forward pass runs them (see predictForward), or undefined when it
 * cannot: dense layers with ReLU, linear, tanh or sigmoid activations (their weights trained or not: regularizers and
 * constraints do nothing at inference) and dropout, ending with a dense layer, on float32 rows: a
 * sequential model (one chain of layers) whose input takes rows as wide as `x`'s and whose every
 * kernel takes what the layer before gives. Anything else (a functional model with branches, a
 * mismatched input) is left to tfjs, which computes it or says what is wrong.
 */
export function forwardStages(model: tf.LayersModel, x: tf.Tensor): ForwardStage[] | undefined {
  if (compiledStepUnavailable() || x.rank !== 2 || x.dtype !== 'float32') return undefined;
  if (!(model instanceof tf.Sequential) || model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
  const declared = model.inputs[0].shape;
  if (declared.length !== 2 || declared[1] !== x.shape[1]) return undefined;
  let width = x.shape[1];
  const stages: ForwardStage[] = [];
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (kind === 'InputLayer') continue;
    if (kind === 'Dropout') {
      stages.push({ kind: 'dropout' });
      continue;
    }
    const config = layer.getConfig() as Record<string, unknown>;
    const activation = denseActivation(config.activation);
    if (kind !== 'Dense' || !activation) return undefined;
    const weights = layer.weights.map((weight) => weight.read());
    if (weights.length !== (config.useBias ? 2 : 1) || weights.some((w) => w.dtype !== 'float32')) return undefined;
    const [kernel, bias] = weights;
    const [inputs, units] = kernel.shape as [number, number];
    if (kernel.rank !== 2 || inputs !== width) return undefined;
    width = units;
    if (config.useBias && (bias.rank !== 1 || bias.shape[0] !== width)) return undefined;
    stages.push({
      kind: 'dense',
      kernel: kernel as tf.Tensor2D,
      bias: config.useBias ? (bias as tf.Tensor1D) : undefined,
      activation,
    });
  }
  return stages[stages.length - 1]?.kind === 'dense' ? stages : undefined;
}
