// Loss "soft-mse": regression distillation, alpha * MSE(student, y) + (1 - alpha) * MSE(student, teacher).
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { meanSquaredError } from './loss-math.js';
import { squaredErrorBatch } from './row-losses.js';

export interface SoftMseParams {
  alpha: number;
}

export default defineComponent<SoftMseParams>({
  kind: 'loss',
  name: 'soft-mse',
  description: "Regression distillation: alpha * MSE(student, y) + (1 - alpha) * MSE(student, teacher's predictions)",
  tasks: ['regression'],
  params: {
    properties: {
      alpha: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'Weight of the true-target loss.' },
    },
  },
  needsTeacher: true,
  create({ alpha }) {
    return {
      compute(prediction, target, teacher) {
        if (!teacher) throw new Error('soft-mse loss needs the teacher outputs');
        return tf.add(
          tf.mul(alpha, meanSquaredError(prediction, target)),
          tf.mul(1 - alpha, meanSquaredError(prediction, teacher)),
        );
      },
      rows: squaredErrorBatch(alpha),
    };
  },
});
