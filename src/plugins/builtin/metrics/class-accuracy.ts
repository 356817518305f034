// Metric "class-accuracy": the share of one class's test examples that the model classifies as that class.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import type { MetricDatasetFacts } from '../../../registry/index.js';

export interface ClassAccuracyParams {
  class: number;
}

/** Class k as a message names it: `class 3`, or `class 2 ("virginica")` when the dataset names its classes. */
function className(k: number, names: readonly string[] | undefined): string {
  return names?.[k] === undefined ? `class ${k}` : `class ${k} (${JSON.stringify(names[k])})`;
}

/** Why `class` cannot be measured on the dataset: a class it does not have, or a split without examples of it. */
function checkDataset(params: ClassAccuracyParams, dataset: MetricDatasetFacts): string | undefined {
  const k = params.class;
  const { classes, classNames } = dataset;
  if (classes !== undefined && k >= classes) {
    const names = classNames ? `: ${classNames.map((name, i) => `${i} ${JSON.stringify(name)}`).join(', ')}` : '';
    return `class ${k} is not a class of the dataset, which has ${classes} (0 to ${classes - 1}${names})`;
  }
  for (const split of ['test', 'validation'] as const) {
    const counts = dataset.classCounts?.[split];
    if (counts && !(counts[k] > 0)) {
      return `the ${split} split has no example of ${className(k, classNames)}, so its accuracy is undefined (choose a class the split has)`;
    }
  }
  return undefined;
}

export default defineComponent<ClassAccuracyParams>({
  kind: 'metric',
  name: 'class-accuracy',
  description: "Share of one class's examples classified as that class (its recall), column accuracy_class_<class>",
  tasks: ['classification'],
  params: {
    required: ['class'],
    properties: {
      class: {
        type: 'integer',
        minimum: 0,
        description: "Class index (0-based; a CSV's labels are numbered in numeric, else text, order).",
      },
    },
  },
  column: (params) => `accuracy_class_${params.class}`,
  columnPattern: /^accuracy_class_\d+$/,
  higherIsBetter: true,
  checkDataset,
  create(params) {
    return {
      compute: (prediction, target) =>
        tf.tidy(() => {
          const labels = target.toInt().flatten();
          const mine = tf.cast(tf.equal(labels, params.class), 'float32');
          const right = tf.cast(tf.equal(tf.argMax(prediction, 1), labels), 'float32');
          // 0 / 0 (no example of the class) is NaN: the checks before a run refuse such a split.
          return tf.div(tf.sum(tf.mul(mine, right)), tf.sum(mine));
        }),
    };
  },
});
