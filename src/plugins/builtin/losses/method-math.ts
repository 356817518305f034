// The tensor math the distillation methods share: label losses, softened KL, logit standardization, safe
// norms, and the params every representation method takes. Plain tensor ops: tfjs differentiates them.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import type { ComponentDefinition, FeatureShapes, JsonSchema } from '../../../registry/index.js';
import type { Task } from '../../../shared/index.js';
import { meanSquaredError, softmaxCrossEntropy } from './loss-math.js';

/** The loss on the true targets: softmax cross-entropy (classification) or mean squared error (regression). */
export function labelLoss(prediction: tf.Tensor2D, target: tf.Tensor, task: Task | undefined): tf.Scalar {
  return task === 'regression' ? meanSquaredError(prediction, target) : softmaxCrossEntropy(prediction, target);
}

/**
 * Logit standardization (Sun et al., "Logit Standardization in Knowledge Distillation", CVPR 2024): each
 * row's z-score, (x - mean) / (1e-7 + std), std with Bessel's correction as the authors' code (torch.std).
 */
export function standardize(logits: tf.Tensor2D): tf.Tensor2D {
  const c = logits.shape[1];
  const centred = tf.sub(logits, tf.mean(logits, 1, true));
  const std = tf.sqrt(tf.div(tf.sum(tf.square(centred), 1, true), Math.max(c - 1, 1)));
  return tf.div(centred, tf.add(std, 1e-7)) as tf.Tensor2D;
}

/** The `standardize` param of the logit methods. */
export const STANDARDIZE_PARAM: JsonSchema = {
  type: 'boolean',
  // No default: a spec without it resolves as before the option existed, so its cells keep their ids.
  description:
    "Z-score each example's logits (teacher's and student's) before softening (logit standardization, Sun et al. 2024); off when absent.",
};

/** The `label_weight` param of the logit methods that weigh their cross-entropy apart (dkd, dist). */
export const LABEL_WEIGHT_PARAM: JsonSchema = {
  type: 'number',
  minimum: 0,
  default: 1,
  description: 'Weight of the cross-entropy on the labels.',
};

/** The logits as a method softens them: standardized when its `standardize` param says so. */
export function logitsFor(logits: tf.Tensor2D, standardized: boolean | undefined): tf.Tensor2D {
  return standardized ? standardize(logits) : logits;
}

/** mean over rows of KL(softmax(teacher / T) || softmax(student / T)), from raw logits; the teacher is a constant. */
export function softenedKl(student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number): tf.Scalar {
  const teacherLog = tf.logSoftmax(tf.div(teacher, temperature) as tf.Tensor2D);
  const studentLog = tf.logSoftmax(tf.div(student, temperature) as tf.Tensor2D);
  return tf.mean(tf.sum(tf.mul(tf.exp(teacherLog), tf.sub(teacherLog, studentLog)), 1));
}

/**
 * The L2 norm along `axis` (kept), as max(||x||, eps): the value of torch's F.normalize denominator, with a
 * zero gradient (not NaN) where a vector is zero (a dead ReLU's features).
 */
export function safeNorm(x: tf.Tensor, axis: number, eps: number): tf.Tensor {
  return tf.sqrt(tf.maximum(tf.sum(tf.square(x), axis, true), eps * eps));
}

/** Rows scaled to unit L2 norm, as torch's F.normalize(x, dim) with its eps 1e-12. */
export function normalizeRows(x: tf.Tensor, axis = 1, eps = 1e-12): tf.Tensor {
  return tf.div(x, safeNorm(x, axis, eps));
}

/** `[n, ...]` as `[n, features]` (row-major, as the representation is laid out: height, width, channels). */
export function flat(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]);
}

/** The params of every representation method, and their weights. */
export interface RepresentationParams {
  features: { student: number; teacher: number };
  label_weight: number;
  weight: number;
  kd_weight: number;
  temperature: number;
}

/** The `features:` param: which layer of each model a method reads. */
export const FEATURES_PARAM: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    student: { type: 'integer', default: -1 },
    teacher: { type: 'integer', default: -1 },
  },
  default: { student: -1, teacher: -1 },
  description:
    "The layer of each model whose output the method reads: an index into the model's layers (0 = the first; -1 = the last hidden layer, the default).",
};

/** Params schema of a representation method whose own term defaults to `weight`. */
export function representationParams(weight: number, extra: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    properties: {
      features: FEATURES_PARAM,
      label_weight: {
        type: 'number',
        minimum: 0,
        default: 1,
        description: 'Weight of the loss on the true labels (cross-entropy, or MSE for regression).',
      },
      weight: { type: 'number', minimum: 0, default: weight, description: "Weight of the method's term." },
      kd_weight: {
        type: 'number',
        minimum: 0,
        default: 0,
        description: 'Weight of an added T^2 * KL term on the logits, as kd (classification only).',
      },
      temperature: { type: 'number', exclusiveMinimum: 0, default: 4, description: 'T of the kd term.' },
      ...extra,
    },
  };
}

/** label_weight * label loss + weight * term + kd_weight * T^2 * KL: the total of a representation method. */
export function representationTotal(
  params: RepresentationParams,
  task: Task | undefined,
  prediction: tf.Tensor2D,
  target: tf.Tensor,
  teacher: tf.Tensor2D | undefined,
  term: tf.Scalar,
): tf.Scalar {
  let total = tf.add(tf.mul(params.label_weight, labelLoss(prediction, target, task)), tf.mul(params.weight, term));
  if (params.kd_weight > 0 && teacher) {
    const T = params.temperature;
    total = tf.add(total, tf.mul(params.kd_weight * T * T, softenedKl(prediction, teacher, T)));
  }
  return total as tf.Scalar;
}

/** Why a representation method's weights do not suit the task (the kd term needs classes), if they do not. */
export function checkTask(params: RepresentationParams, task: Task): string | undefined {
  return task === 'regression' && params.kd_weight > 0
    ? 'kd_weight is for classification (a KL divergence between class distributions): set it to 0 for regression'
    : undefined;
}

/** The representations a method was given, or the message naming what is missing (a call outside distil-run's step). */
export function featuresOf(
  method: string,
  inputs: { studentFeatures?: tf.Tensor; teacherFeatures?: tf.Tensor } = {},
): [tf.Tensor, tf.Tensor] {
  if (!inputs.studentFeatures || !inputs.teacherFeatures) {
    throw new Error(
      `${method} needs the student's and the teacher's representations (inputs.studentFeatures and teacherFeatures)`,
    );
  }
  return [inputs.studentFeatures, inputs.teacherFeatures];
}

/** What makes a representation method besides the shared params and weights: its term and the shapes it refuses. */
export interface RepresentationMethod<P extends RepresentationParams> {
  readonly name: string;
  readonly description: string;
  readonly params: JsonSchema;
  /** The method's own term on the two representations (the teacher's a constant). */
  term(student: tf.Tensor, teacher: tf.Tensor, params: P): tf.Scalar;
  /** Why the method cannot use representations of these shapes, if it cannot. */
  checkShapes?(shapes: FeatureShapes): string | undefined;
}

/** A representation method's component: label_weight * label loss + weight * term [+ kd_weight * kd]. */
export function representationMethod<P extends RepresentationParams>(
  method: RepresentationMethod<P>,
): ComponentDefinition<P> {
  return defineComponent<P>({
    kind: 'loss',
    name: method.name,
    description: method.description,
    params: method.params,
    needsTeacher: true,
    representations: true,
    checkFeatures: (params, shapes, task) => method.checkShapes?.(shapes) ?? checkTask(params, task),
    create(params, context) {
      return {
        compute(prediction, target, teacher, inputs) {
          const [student, teacherFeatures] = featuresOf(method.name, inputs);
          const term = method.term(student, teacherFeatures, params);
          return representationTotal(params, context.task, prediction, target, teacher, term);
        },
      };
    },
  });
}
