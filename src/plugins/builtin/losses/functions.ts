// The tensor math shared by the built-in losses and metrics.
import * as tf from '@tensorflow/tfjs';

/** Mean softmax cross-entropy of logits `[n, c]` against int32 class indices `[n]`. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels.toInt().flatten(), logits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/** Mean over the batch of KL(softmax(teacher/T) || softmax(student/T)). */
export function softenedKl(student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const logTeacher = tf.logSoftmax(tf.div(teacher, temperature));
    const logStudent = tf.logSoftmax(tf.div(student, temperature));
    return tf.mean(tf.sum(tf.mul(tf.exp(logTeacher), tf.sub(logTeacher, logStudent)), 1));
  });
}

/** Mean squared error between predictions `[n, 1]` and targets `[n]` or `[n, 1]`. */
export function meanSquaredError(prediction: tf.Tensor2D, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(prediction, target.reshape(prediction.shape)))));
}
