// Layer "dropout": zeroes a fraction of activations while training, a new seeded mask at every step.
import * as tf from '@tensorflow/tfjs';
import { DROPOUT_SEEDS, defineComponent } from '../../../registry/index.js';

export interface DropoutParams {
  rate: number;
}

/** The part of tfjs's Dropout layer a fresh mask per step needs: its seed, read by every call. */
interface SeededLayer {
  seed?: number;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[];
}

/**
 * tfjs's Dropout with a seed draws the same mask at every call, so each batch position would keep one
 * mask for the whole training. This one moves the seed on at every training call (seed, seed + 1, ...):
 * a new mask per step, the same sequence in every run with the experiment seed. The layer stays tfjs's
 * own Dropout class, so saved models load with plain tf.loadLayersModel.
 */
function freshMaskEachStep(layer: tf.layers.Layer, seed: number): tf.layers.Layer {
  const seeded = layer as unknown as SeededLayer;
  const call = seeded.call.bind(layer);
  let step = 0;
  const next = () => (seed + step++) >>> 0;
  seeded.call = (inputs, kwargs) => {
    if (kwargs?.training) seeded.seed = next();
    return call(inputs, kwargs);
  };
  // The compiled training step draws its masks from the same sequence (tfjs's own generator, same seeds).
  Object.defineProperty(layer, DROPOUT_SEEDS, { value: next });
  return layer;
}

export default defineComponent<DropoutParams>({
  kind: 'layer',
  name: 'dropout',
  description: 'Drops a fraction `rate` of activations during training (a new seeded mask at every step)',
  params: {
    required: ['rate'],
    properties: { rate: { type: 'number', minimum: 0, exclusiveMaximum: 1 } },
  },
  create(params, context) {
    const layer = tf.layers.dropout({
      rate: params.rate,
      seed: context.seed,
      inputShape: context.inputShape ? [...context.inputShape] : undefined,
    });
    return freshMaskEachStep(layer, context.seed);
  },
});
