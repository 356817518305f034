// Loss "kd": Hinton et al. (2015) distillation, alpha * CE(labels) + (1 - alpha) * T^2 * KL(teacher/T || student/T),
// optionally on standardized logits (Sun et al. 2024).
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { distillationLoss, softenedLogProbabilities, softmaxCrossEntropy } from './loss-math.js';
import { distillationBatch } from './row-losses.js';
import { STANDARDIZE_PARAM, standardize } from './method-math.js';

export interface KdParams {
  temperature: number;
  alpha: number;
  standardize?: boolean;
}

export default defineComponent<KdParams>({
  kind: 'loss',
  name: 'kd',
  description:
    'Knowledge distillation (Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural Network", 2015): alpha * CE(labels) + (1 - alpha) * T^2 * KL(softmax(teacher/T) || softmax(student/T))',
  tasks: ['classification'],
  params: {
    properties: {
      temperature: { type: 'number', exclusiveMinimum: 0, default: 4, description: 'Softening temperature T.' },
      alpha: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'Weight of the hard-label loss.' },
      standardize: STANDARDIZE_PARAM,
    },
  },
  needsTeacher: true,
  create({ temperature, alpha, standardize: standardized }) {
    if (standardized) {
      return {
        // The standardized teacher's softened log-probabilities, once per split; the student's are z-scored per batch.
        prepareTeacher: (logits) => tf.tidy(() => softenedLogProbabilities(standardize(logits), temperature)),
        compute(prediction, target, teacher) {
          if (!teacher) throw new Error('kd loss needs the teacher outputs');
          const student = tf.logSoftmax(tf.div(standardize(prediction), temperature) as tf.Tensor2D);
          const kl = tf.mean(tf.sum(tf.mul(tf.exp(teacher), tf.sub(teacher, student)), 1));
          const soft = tf.mul((1 - alpha) * temperature * temperature, kl);
          return tf.add(tf.mul(alpha, softmaxCrossEntropy(prediction, target)), soft) as tf.Scalar;
        },
      };
    }
    return {
      // The softened teacher distribution depends only on T: computed once per split, not per batch.
      prepareTeacher: (logits) => softenedLogProbabilities(logits, temperature),
      compute(prediction, target, teacher) {
        if (!teacher) throw new Error('kd loss needs the teacher outputs');
        return distillationLoss(prediction, target, teacher, temperature, alpha);
      },
      rows: distillationBatch(temperature, alpha),
    };
  },
});
