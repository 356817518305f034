// Optimizer "adam": Adam (Kingma and Ba, 2014), optionally with decoupled weight decay (AdamW, Loshchilov & Hutter).
import { defineComponent } from '../../../registry/index.js';
import { fusedAdam, preferFused, stockAdam } from '../../../backend/index.js';

export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Absent unless given, so specs without it keep their cell ids. */
  weight_decay?: number;
}

export default defineComponent<AdamParams>({
  kind: 'optimizer',
  name: 'adam',
  description: 'Adam with bias correction',
  params: {
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'Learning rate.' },
      beta1: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9 },
      beta2: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.999 },
      epsilon: { type: 'number', exclusiveMinimum: 0, default: 1e-7 },
      weight_decay: {
        type: 'number',
        minimum: 0,
        description:
          "Decoupled weight decay as torch.optim.AdamW(weight_decay=...): before each step w <- w - lr * weight_decay * w, at the step's learning rate (lr_decay included), then Adam's update. It decays every trained variable, biases included, as PyTorch does by default (PyTorch's epsilon is 1e-8: give epsilon: 1e-8 to match it). Absent or 0: plain Adam.",
      },
    },
  },
  create({ lr, beta1, beta2, epsilon, weight_decay: weightDecay = 0 }) {
    return preferFused(
      () => fusedAdam(lr, beta1, beta2, epsilon, weightDecay),
      () => stockAdam(lr, beta1, beta2, epsilon, weightDecay),
    );
  },
});
