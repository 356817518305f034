// Metrics "f1", "precision", "recall" and "top-k-accuracy": against scikit-learn's values, a plain confusion-matrix
// reference written here from the definitions, a case counted by hand, a split evaluated in several batches, and their params.
import { readFileSync } from 'node:fs';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from '../../../../src/registry/types.js';
import { createRandom } from '../../../../src/shared/random.js';
import { evaluate } from '../../../../src/runner/train.js';
import { builtinRegistry, create, useWasm, value } from '../../../helpers.js';
import { describeParams } from '../params-table.js';
import { specProblems } from '../../../config/spec-problems.js';
import { specWith } from '../params-table.js';

interface FixtureCase {
  readonly name: string;
  readonly logits: number[][];
  readonly labels: number[];
  readonly expected: Record<string, number>;
}

const fixture = JSON.parse(readFileSync('test/fixtures/metrics/classification.json', 'utf8')) as {
  cases: FixtureCase[];
};
const context = { task: 'classification' as const, loss: create<Loss>('loss', 'cross-entropy') };

/** The metric written to `column`: `f1_weighted` is f1 with average weighted, `top_3_accuracy` top-k-accuracy with k 3. */
function metricOf(column: string): Metric {
  const top = /^top_(\d+)_accuracy$/.exec(column);
  if (top) return create<Metric>('metric', 'top-k-accuracy', { k: Number(top[1]) });
  const [name, average] = column.split('_');
  return create<Metric>('metric', name, average ? { average } : {});
}

function computed(column: string, logits: number[][], labels: number[]): number {
  const metric = metricOf(column);
  assert.equal(metric.column, column);
  return value(metric.compute(tf.tensor2d(logits), tf.tensor1d(labels, 'int32'), context));
}

/**
 * The reference, from the definitions: a confusion matrix, per class precision TP / (TP + FP), recall TP / (TP + FN)
 * and F1 2PR / (P + R), each 0 when undefined; macro over the classes seen in the labels or the predictions,
 * weighted by support, micro from the summed counts; top-k: fewer than k classes score above the label.
 */
function reference(column: string, logits: number[][], labels: number[]): number {
  const top = /^top_(\d+)_accuracy$/.exec(column);
  if (top) {
    const k = Number(top[1]);
    const hits = logits.filter((row, i) => row.filter((v) => v > row[labels[i]]).length < k).length;
    return hits / labels.length;
  }
  const classes = logits[0].length;
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  logits.forEach((row, i) => matrix[labels[i]][row.indexOf(Math.max(...row))]++);
  const tp = matrix.map((r, c) => r[c]);
  const actual = matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const predicted = matrix[0].map((_, c) => matrix.reduce((sum, r) => sum + r[c], 0));
  const [name, average = 'macro'] = column.split('_');
  const score = (t: number, p: number, a: number): number => {
    const precision = p === 0 ? 0 : t / p;
    const recall = a === 0 ? 0 : t / a;
    if (name === 'precision') return precision;
    if (name === 'recall') return recall;
    return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  };
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (average === 'micro') return score(sum(tp), sum(predicted), sum(actual));
  const scores = tp.map((t, c) => score(t, predicted[c], actual[c]));
  if (average === 'weighted') return sum(scores.map((s, c) => s * actual[c])) / sum(actual);
  const seen = scores.filter((_, c) => actual[c] + predicted[c] > 0);
  return sum(seen) / seen.length;
}

const COLUMNS = ['f1', 'f1_micro', 'f1_weighted', 'precision', 'precision_micro', 'precision_weighted'].concat([
  'recall',
  'recall_micro',
  'recall_weighted',
]);

/** Seeded logits of `n` examples and `classes` classes, leaning towards the label, with labels. */
function randomCase(n: number, classes: number, seed: number): { logits: number[][]; labels: number[] } {
  const random = createRandom(seed);
  const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
  const logits = labels.map((label) => Array.from({ length: classes }, (_, c) => random() * 2 + (c === label ? 1 : 0)));
  return { logits, labels };
}

describe('metrics f1, precision, recall and top-k-accuracy', () => {
  before(useWasm);

  it("give scikit-learn's values (f1_score, precision_score, recall_score, top_k_accuracy_score)", () => {
    assert.lengthOf(fixture.cases, 4);
    let checked = 0;
    for (const { name, logits, labels, expected } of fixture.cases) {
      for (const [column, want] of Object.entries(expected)) {
        assert.closeTo(computed(column, logits, labels), want, 1e-6, `${name}: ${column}`);
        checked++;
      }
    }
    assert.equal(checked, 14 + 12 + 12 + 9);
  });

  it('give what the definitions give on a confusion matrix, for 2 to 10 classes', () => {
    for (const [n, classes, seed] of [
      [40, 2, 1],
      [90, 3, 2],
      [200, 10, 3],
      [17, 6, 4],
    ]) {
      const { logits, labels } = randomCase(n, classes, seed);
      for (const column of [...COLUMNS, 'top_1_accuracy', 'top_2_accuracy', 'top_3_accuracy']) {
        const want = reference(column, logits, labels);
        assert.closeTo(computed(column, logits, labels), want, 1e-6, `${classes} classes: ${column}`);
      }
    }
  });

  it('score 0 / 0 as 0 and leave out of the macro mean a class neither labelled nor predicted (counted by hand)', () => {
    // Labels 0 0 1 1 1 3 3 0 1 3 against predictions 0 2 1 1 2 0 1 0 1 2, 5 classes (class 4 nowhere):
    //   class 0: TP 2 of 3 predicted, 3 labelled: P 2/3, R 2/3, F1 2/3
    //   class 1: TP 3 of 4 predicted, 4 labelled: P 3/4, R 3/4, F1 3/4
    //   class 2: predicted 3 times, never a label: P 0, R 0 / 0 = 0, F1 0
    //   class 3: labelled 3 times, never predicted: P 0 / 0 = 0, R 0, F1 0
    //   class 4: left out; macro = (2/3 + 3/4 + 0 + 0) / 4 = 17/48; weighted = (3 * 2/3 + 4 * 3/4) / 10 = 1/2
    const labels = [0, 0, 1, 1, 1, 3, 3, 0, 1, 3];
    const logits = [0, 2, 1, 1, 2, 0, 1, 0, 1, 2].map((p) => [0, 1, 2, 3, 4].map((c) => (c === p ? 5 : c / 10)));
    for (const name of ['f1', 'precision', 'recall']) {
      assert.closeTo(computed(name, logits, labels), 17 / 48, 1e-7, name);
      assert.closeTo(computed(`${name}_weighted`, logits, labels), 1 / 2, 1e-7, name);
      assert.closeTo(computed(`${name}_micro`, logits, labels), 5 / 10, 1e-7, name);
    }
  });

  it('are exact over a split evaluated in several batches (not the mean of batch scores)', () => {
    const { logits, labels } = randomCase(50, 4, 9);
    // A model whose outputs are its inputs: the logits above, predicted 7 examples at a time.
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 4, inputShape: [4], useBias: false, kernelInitializer: 'identity' })],
    });
    const metrics = [...COLUMNS, 'top_2_accuracy'].map(metricOf);
    const x = tf.tensor2d(logits);
    const y = tf.tensor1d(labels, 'int32');
    const values = evaluate(model, {
      test: { x, y, n: 50 },
      metrics,
      labelLoss: context.loss,
      task: 'classification',
      evalBatchSize: 7,
    });
    assert.lengthOf(Object.keys(values), COLUMNS.length + 1);
    for (const column of [...COLUMNS, 'top_2_accuracy']) {
      assert.closeTo(values[column], reference(column, logits, labels), 1e-6, column);
    }
    // The mean of the 8 batches' macro F1 is another number: the test would see a batch-wise average.
    const batches = Array.from({ length: 8 }, (_, b) =>
      reference('f1', logits.slice(b * 7, b * 7 + 7), labels.slice(b * 7, b * 7 + 7)),
    );
    assert.isAbove(Math.abs(batches.reduce((a, b) => a + b, 0) / 8 - values.f1), 0.01);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('top-k-accuracy: k at least the classes gives 1, a tie at the boundary is a hit, a non-finite score a miss', () => {
    const logits = [
      [3, 2, 1],
      [1, 2, 3],
      [2, 2, 0],
      [-Infinity, 1, 0],
    ];
    const labels = [2, 0, 1, 0];
    assert.closeTo(computed('top_1_accuracy', logits, labels), 1 / 4, 1e-7); // row 2: 2 ties with 2
    assert.closeTo(computed('top_2_accuracy', logits, labels), 1 / 4, 1e-7);
    assert.closeTo(computed('top_3_accuracy', logits, labels), 3 / 4, 1e-7);
    assert.closeTo(computed('top_5_accuracy', logits.slice(0, 3), labels.slice(0, 3)), 1, 1e-7);
    assert.equal(create<Metric>('metric', 'top-k-accuracy').column, 'top_5_accuracy');
  });

  it('are higher-is-better, also for the tables that know only their columns', () => {
    const registry = builtinRegistry();
    for (const column of [...COLUMNS, 'top_5_accuracy', 'top_12_accuracy']) {
      assert.strictEqual(registry.higherIsBetter(column), true, column);
      assert.isTrue(metricOf(column).higherIsBetter, column);
    }
    for (const column of ['f1_macro', 'recall_', 'top_k_accuracy', 'top__accuracy']) {
      assert.isUndefined(registry.higherIsBetter(column), column);
    }
  });

  it("an unknown metric is told the closest metric of the dataset's task", async () => {
    const problems = async (component: string, task: 'classification' | 'regression') =>
      specProblems(specWith('metric', component, task));
    assert.deepEqual(await problems('f2', 'classification'), [
      'spec.yaml:8:13 training.metrics[0]: unknown metric "f2" (Did you mean "f1"?)',
    ]);
    assert.deepEqual(await problems('f2', 'regression'), [
      'spec.yaml:8:13 training.metrics[0]: unknown metric "f2" (Did you mean "r2"?)',
    ]);
    assert.deepEqual(await problems('precison', 'classification'), [
      'spec.yaml:8:13 training.metrics[0]: unknown metric "precison" (Did you mean "precision"?)',
    ]);
    assert.deepEqual(await problems('top_k_accuracy', 'classification'), [
      'spec.yaml:8:13 training.metrics[0]: unknown metric "top_k_accuracy" (Did you mean "top-k-accuracy"?)',
    ]);
    // A regression metric a letter away is no suggestion for a classification dataset: the known ones are listed.
    assert.deepEqual(await problems('maes', 'classification'), [
      'spec.yaml:8:13 training.metrics[0]: unknown metric "maes" (known: accuracy, class-accuracy, errors, f1, loss, precision, recall, top-k-accuracy; run "distil-run list" or add a plugin)',
    ]);
  });
});

for (const name of ['f1', 'precision', 'recall']) {
  const at = 13 + `{ name: ${name}, `.length;
  describeParams('metric', name, {
    slot: 'metric',
    valid: [
      [name, { average: 'macro' }],
      [`{ name: ${name}, average: micro }`, { average: 'micro' }],
      [`{ name: ${name}, average: weighted }`, { average: 'weighted' }],
    ],
    invalid: [
      [
        `{ name: ${name}, average: binary }`,
        `spec.yaml:8:${at + 9} training.metrics[0].average: must be one of "macro", "micro", "weighted", got "binary"`,
      ],
      [
        `${name}, { name: ${name}, average: macro }`,
        `spec.yaml:8:${15 + name.length} training.metrics[1]: metric "${name}" writes the column test_${name}, which "${name}" already writes (list each metric once)`,
      ],
    ],
    misplaced: [
      {
        task: 'regression',
        component: name,
        messages: [
          `spec.yaml:8:13 training.metrics[0]: metric "${name}" is for classification datasets, and this dataset is regression`,
        ],
      },
    ],
  });
}

describeParams('metric', 'top-k-accuracy', {
  slot: 'metric',
  valid: [
    ['top-k-accuracy', { k: 5 }],
    ['{ name: top-k-accuracy, k: 1 }', { k: 1 }],
    ['{ name: top-k-accuracy, k: 20 }', { k: 20 }],
  ],
  invalid: [
    ['{ name: top-k-accuracy, k: 0 }', 'spec.yaml:8:40 training.metrics[0].k: must be >= 1, got 0'],
    ['{ name: top-k-accuracy, k: 2.5 }', 'spec.yaml:8:40 training.metrics[0].k: must be integer, got 2.5'],
  ],
  misplaced: [
    {
      task: 'regression',
      component: '{ name: top-k-accuracy, k: 2 }',
      messages: [
        'spec.yaml:8:13 training.metrics[0]: metric "top-k-accuracy" is for classification datasets, and this dataset is regression',
      ],
    },
  ],
});
