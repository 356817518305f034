// Metric "recall": of the examples of a class, the share predicted as it, averaged over the classes.
import { defineComponent } from '../../../registry/index.js';
import { AVERAGE_PARAM, averageColumn, averagedScore, safeDivide } from './class-scores.js';
import type { AverageParams } from './class-scores.js';

export default defineComponent<AverageParams>({
  kind: 'metric',
  name: 'recall',
  description:
    "Recall, TP / (TP + FN) per class, macro-averaged (average: micro, weighted), as scikit-learn's recall_score",
  tasks: ['classification'],
  params: { properties: { average: AVERAGE_PARAM } },
  column: (params) => averageColumn('recall', params.average),
  columnPattern: /^recall(_micro|_weighted)?$/,
  higherIsBetter: true,
  create(params) {
    return averagedScore(({ tp, actual }) => safeDivide(tp, actual), params.average);
  },
});
