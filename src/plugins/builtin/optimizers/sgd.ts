// Optimizer "sgd": stochastic gradient descent, with optional (Nesterov) momentum and weight decay.
import { defineComponent } from '../../../registry/index.js';
import { fusedSgd, preferFused, stockSgd } from '../../../backend/index.js';

export interface SgdParams {
  lr: number;
  momentum: number;
  nesterov: boolean;
  /** Absent unless given, so specs without it keep their cell ids. */
  weight_decay?: number;
}

export default defineComponent<SgdParams>({
  kind: 'optimizer',
  name: 'sgd',
  description: 'Stochastic gradient descent with optional momentum',
  params: {
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, default: 0.01, description: 'Learning rate.' },
      momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0 },
      nesterov: { type: 'boolean', default: false },
      weight_decay: {
        type: 'number',
        minimum: 0,
        description:
          'L2 weight decay as torch.optim.SGD(weight_decay=...): weight_decay * w is added to the gradient before momentum and Nesterov. It decays every trained variable, biases included, as PyTorch does by default. Absent or 0: none.',
      },
    },
  },
  create({ lr, momentum, nesterov, weight_decay: weightDecay = 0 }) {
    return preferFused(
      () => fusedSgd(lr, momentum, nesterov, weightDecay),
      () => stockSgd(lr, momentum, nesterov, weightDecay),
    );
  },
});
