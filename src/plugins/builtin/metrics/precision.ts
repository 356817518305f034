// Metric "precision": of the examples predicted as a class, the share that are of it, averaged over the classes.
import { defineComponent } from '../../../registry/index.js';
import { AVERAGE_PARAM, averageColumn, averagedScore, safeDivide } from './class-scores.js';
import type { AverageParams } from './class-scores.js';

export default defineComponent<AverageParams>({
  kind: 'metric',
  name: 'precision',
  description:
    "Precision, TP / (TP + FP) per class, macro-averaged (average: micro, weighted), as scikit-learn's precision_score",
  tasks: ['classification'],
  params: { properties: { average: AVERAGE_PARAM } },
  column: (params) => averageColumn('precision', params.average),
  columnPattern: /^precision(_micro|_weighted)?$/,
  higherIsBetter: true,
  create(params) {
    return averagedScore(({ tp, predicted }) => safeDivide(tp, predicted), params.average);
  },
});
