// Metric "f1": the F1 score (harmonic mean of precision and recall) of each class, averaged (macro by default).
import { defineComponent } from '../../../registry/index.js';
import { AVERAGE_PARAM, averageColumn, averagedScore, safeDivide } from './class-scores.js';
import type { AverageParams } from './class-scores.js';
import * as tf from '@tensorflow/tfjs';

export default defineComponent<AverageParams>({
  kind: 'metric',
  name: 'f1',
  description:
    "F1 score, 2 TP / (2 TP + FP + FN) per class, macro-averaged (average: micro, weighted), as scikit-learn's f1_score",
  tasks: ['classification'],
  params: { properties: { average: AVERAGE_PARAM } },
  column: (params) => averageColumn('f1', params.average),
  columnPattern: /^f1(_micro|_weighted)?$/,
  higherIsBetter: true,
  create(params) {
    // 2 TP / (examples of the class + examples predicted as it): the harmonic mean of precision and recall.
    return averagedScore(
      ({ tp, predicted, actual }) => safeDivide(tf.mul(tp, 2), tf.add(predicted, actual)),
      params.average,
    );
  },
});
