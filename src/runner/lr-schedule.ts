// The learning-rate schedule of `training.lr_decay`: the rate times decay^epoch, set between epochs.
import type * as tf from '@tensorflow/tfjs';
import { errorInvalidArgument } from '../errors/index.js';

/** What tfjs's optimizers (and distil-run's fused ones) expose of their rate: a number, and a setter for those that cache it. */
interface RateHolder {
  learningRate?: unknown;
  setLearningRate?: (lr: number) => void;
}

/**
 * A function that sets the rate for an epoch (1-based): the optimizer's initial rate times
 * `decay^(epoch - 1)`. Undefined for a constant rate (decay 1).
 * @throws DistilError INVALID_ARGUMENT when the optimizer (a plugin's) exposes no numeric learningRate to change.
 */
export function learningRateSchedule(
  optimizer: tf.Optimizer,
  decay: number,
  name: string,
): ((epoch: number) => void) | undefined {
  if (decay === 1) return undefined;
  const holder = optimizer as unknown as RateHolder;
  const base = holder.learningRate;
  if (typeof base !== 'number') {
    throw errorInvalidArgument(
      'training.lr_decay',
      `optimizer "${name}" has no learningRate that distil-run can change (a plugin optimizer must expose a numeric learningRate, and setLearningRate if it caches it); remove lr_decay or use sgd, adam or rmsprop`,
    );
  }
  return (epoch) => {
    const lr = base * decay ** (epoch - 1);
    if (typeof holder.setLearningRate === 'function') holder.setLearningRate(lr);
    else holder.learningRate = lr;
  };
}
