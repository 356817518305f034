// Loss "kd": Hinton et al. (2015) distillation, alpha * CE(labels) + (1 - alpha) * T^2 * KL(teacher/T || student/T).
import { defineComponent } from '../../../registry/index.js';
import { distillationLoss, softenedLogProbabilities } from './loss-math.js';

export interface KdParams {
  temperature: number;
  alpha: number;
}

export default defineComponent<KdParams>({
  kind: 'loss',
  name: 'kd',
  description:
    'Knowledge distillation: alpha * CE(labels) + (1 - alpha) * T^2 * KL(softmax(teacher/T) || softmax(student/T))',
  tasks: ['classification'],
  params: {
    properties: {
      temperature: { type: 'number', exclusiveMinimum: 0, default: 4, description: 'Softening temperature T.' },
      alpha: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'Weight of the hard-label loss.' },
    },
  },
  needsTeacher: true,
  create({ temperature, alpha }) {
    return {
      // The softened teacher distribution depends only on T: computed once per split, not per batch.
      prepareTeacher: (logits) => softenedLogProbabilities(logits, temperature),
      compute(prediction, target, teacher) {
        if (!teacher) throw new Error('kd loss needs the teacher outputs');
        return distillationLoss(prediction, target, teacher, temperature, alpha);
      },
    };
  },
});
