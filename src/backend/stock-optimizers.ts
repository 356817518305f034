// tfjs's own optimizers for the stock path (tfjs-node, fast paths off), with PyTorch's weight decay, which tfjs lacks.
import * as tf from '@tensorflow/tfjs';
import { registeredVariable } from './tfjs-internals.js';

type Gradients = Parameters<tf.Optimizer['applyGradients']>[0];
type NamedTensor = { name: string; tensor: tf.Tensor };

/** The gradients with `f(gradient, variable)` (in its own tidy) in place of each, in the form (map or list) they came in. */
function mapGradients(gradients: Gradients, f: (gradient: tf.Tensor, variable: tf.Variable) => tf.Tensor): Gradients {
  const map = (name: string, gradient: tf.Tensor) =>
    gradient == null ? gradient : tf.tidy(() => f(gradient, registeredVariable(name)));
  if (Array.isArray(gradients)) {
    return gradients.map(({ name, tensor }: NamedTensor) => ({ name, tensor: map(name, tensor) }));
  }
  return Object.fromEntries(Object.entries(gradients).map(([name, gradient]) => [name, map(name, gradient)]));
}

/** The names of the variables that have a gradient. */
function namesOf(gradients: Gradients): string[] {
  const entries = Array.isArray(gradients)
    ? gradients.map(({ name, tensor }: NamedTensor): [string, tf.Tensor] => [name, tensor])
    : Object.entries(gradients);
  return entries.filter(([, gradient]) => gradient != null).map(([name]) => name);
}

/**
 * tf.train.sgd, or tf.train.momentum when `momentum` > 0. With `weightDecay` > 0 it is torch.optim.SGD's
 * weight_decay: tfjs's optimizer is given gradient + weightDecay * w, so the decay goes through momentum
 * and Nesterov as PyTorch's does. Without it, tfjs's optimizer unchanged.
 */
export function stockSgd(lr: number, momentum: number, nesterov: boolean, weightDecay = 0): tf.Optimizer {
  const optimizer = momentum > 0 ? tf.train.momentum(lr, momentum, nesterov) : tf.train.sgd(lr);
  if (weightDecay === 0) return optimizer;
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (gradients) => {
    const decayed = mapGradients(gradients, (g, w) => tf.add(g, tf.mul(w, weightDecay)));
    try {
      apply(decayed);
    } finally {
      tf.dispose(Array.isArray(decayed) ? decayed.map(({ tensor }: NamedTensor) => tensor) : decayed);
    }
  };
  return optimizer;
}

/**
 * tf.train.adam. With `weightDecay` > 0 it is torch.optim.AdamW (tfjs has no AdamW): each variable with a
 * gradient is first multiplied by 1 - lr * weightDecay at the optimizer's current rate (lr_decay sets it
 * between epochs), then takes tfjs's Adam step. Without it, tfjs's optimizer unchanged.
 */
export function stockAdam(lr: number, beta1: number, beta2: number, epsilon: number, weightDecay = 0): tf.Optimizer {
  const optimizer = tf.train.adam(lr, beta1, beta2, epsilon);
  if (weightDecay === 0) return optimizer;
  // tfjs's Adam reads its (protected) learningRate at every step; the schedule assigns it.
  const rate = optimizer as unknown as { learningRate: number };
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (gradients) => {
    const keep = 1 - rate.learningRate * weightDecay;
    tf.tidy(() => {
      for (const name of namesOf(gradients)) {
        const variable = registeredVariable(name);
        variable.assign(tf.mul(variable, keep));
      }
    });
    apply(gradients);
  };
  return optimizer;
}
