// Loss "fitnet": FitNets hints (Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015): the MSE between
// the student's representation, mapped by a trained linear regressor, and the teacher's.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import type { FeatureShapes } from '../../../registry/index.js';
import { checkTask, featuresOf, flat, representationParams, representationTotal } from './method-math.js';
import type { RepresentationParams } from './method-math.js';

/** Above this many weights the regressor is refused: a hint between two large flat layers is a mistake, not a method. */
const MAX_REGRESSOR_PARAMS = 20_000_000;

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * The regressor's form: a 1x1 convolution (a kernel `[channels in, channels out]` on the last axis) between
 * feature maps of the same height and width; otherwise a dense layer between the flattened representations.
 */
export function regressorShape(shapes: FeatureShapes): { kernel: [number, number]; maps: boolean } {
  const { student, teacher } = shapes;
  const maps = student.length === 3 && teacher.length === 3 && student[0] === teacher[0] && student[1] === teacher[1];
  return maps ? { kernel: [student[2], teacher[2]], maps } : { kernel: [product(student), product(teacher)], maps };
}

/** The student's representation mapped to the teacher's shape: x W + b on the channels (maps) or the flattened features. */
export function regress(features: tf.Tensor, kernel: tf.Tensor2D, bias: tf.Tensor1D, maps: boolean): tf.Tensor {
  if (!maps) return tf.add(tf.matMul(flat(features), kernel), bias);
  const [n, h, w, c] = features.shape;
  const out = tf.add(tf.matMul(tf.reshape(features, [n * h * w, c]), kernel), bias);
  return tf.reshape(out, [n, h, w, kernel.shape[1]]);
}

export interface FitnetParams extends RepresentationParams {
  hint_epochs: number;
}

export default defineComponent<FitnetParams>({
  kind: 'loss',
  name: 'fitnet',
  description:
    'FitNets hints (Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015): label_weight * label loss + weight * MSE(regressor(student representation), teacher representation) [+ kd_weight * kd]; the linear regressor (dense, or 1x1 convolution between maps) is trained with the student and not saved',
  params: representationParams(1, {
    hint_epochs: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description:
        "The paper's two stages: epochs 1..hint_epochs train on weight * hint alone, the epochs after on label_weight * label loss + kd_weight * kd (set kd_weight) without the hint; 0: one stage, every term every epoch.",
    },
  }),
  needsTeacher: true,
  representations: true,
  checkFeatures(params, shapes, task) {
    const { kernel, maps } = regressorShape(shapes);
    const weights = kernel[0] * kernel[1] + kernel[1];
    if (weights > MAX_REGRESSOR_PARAMS) {
      return `the regressor from the student's representation [${shapes.student.join(', ')}] to the teacher's [${shapes.teacher.join(', ')}] would have ${weights.toLocaleString('en-US')} weights${maps ? '' : ' (a dense map between the flattened representations)'}: choose smaller layers with features: { student, teacher }, or maps of the same height and width (a 1x1 convolution)`;
    }
    return checkTask(params, task);
  },
  create(params, context) {
    if (!context.features) throw new Error('fitnet needs the representation shapes (context.features)');
    const { kernel: shape, maps } = regressorShape(context.features);
    // In a tidy: the initial values are freed, the variables (which tidy keeps) hold copies.
    const [kernel, bias] = tf.tidy(() => [
      tf.variable(tf.initializers.glorotUniform({ seed: context.seed }).apply(shape) as tf.Tensor2D),
      tf.variable(tf.zeros([shape[1]]) as tf.Tensor1D),
    ]) as [tf.Variable<tf.Rank.R2>, tf.Variable<tf.Rank.R1>];
    return {
      variables: [kernel, bias],
      dispose: () => tf.dispose([kernel, bias]),
      compute(prediction, target, teacher, inputs) {
        const [student, teacherFeatures] = featuresOf('fitnet', inputs);
        const hint = () =>
          tf.mean(tf.square(tf.sub(flat(regress(student, kernel, bias, maps)), flat(teacherFeatures)))) as tf.Scalar;
        if (!params.hint_epochs) {
          return representationTotal(params, context.task, prediction, target, teacher, hint());
        }
        // Two stages: the hint alone, then the labels (and kd) without it.
        if ((inputs?.epoch ?? 1) <= params.hint_epochs) return tf.mul(params.weight, hint()) as tf.Scalar;
        return representationTotal({ ...params, weight: 0 }, context.task, prediction, target, teacher, tf.scalar(0));
      },
    };
  },
});
