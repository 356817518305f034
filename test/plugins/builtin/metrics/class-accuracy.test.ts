// Metric "class-accuracy": one class's accuracy against a count made by hand, its column from its params, and its params.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric, MetricDatasetFacts } from '../../../../src/registry/types.js';
import { builtinRegistry, create, useWasm, value } from '../../../helpers.js';
import { describeParams } from '../params-table.js';

describe('metric class-accuracy', () => {
  before(useWasm);
  const context = { task: 'classification' as const, loss: create<Loss>('loss', 'cross-entropy') };
  // Top classes 1, 0, 2, 0, 2 against labels 1, 0, 2, 2, 2: class 2 has three examples, two classified 2.
  const logits = tf.tensor2d([
    [0, 1, 0],
    [2, 0, 1],
    [0, 1, 3],
    [5, 0, 4],
    [0, 0, 1],
  ]);
  const labels = tf.tensor1d([1, 0, 2, 2, 2], 'int32');

  it("is the share of the class's examples classified as the class, written to accuracy_class_<class>", () => {
    const expected = [1, 1, 2 / 3];
    for (const k of [0, 1, 2]) {
      const metric = create<Metric>('metric', 'class-accuracy', { class: k });
      assert.closeTo(value(metric.compute(logits, labels, context)), expected[k], 1e-6, `class ${k}`);
      assert.equal(metric.column, `accuracy_class_${k}`);
      assert.isTrue(metric.higherIsBetter);
    }
  });

  it('is known as higher-is-better by its column pattern, for the tables that know only the column', () => {
    const registry = builtinRegistry();
    assert.strictEqual(registry.higherIsBetter('accuracy_class_3'), true);
    assert.strictEqual(registry.higherIsBetter('accuracy_class_12'), true);
    assert.isUndefined(registry.higherIsBetter('accuracy_class_'));
    assert.isUndefined(registry.higherIsBetter('accuracy_class_x'));
  });

  it('refuses a class the dataset lacks, and a split without examples of the class, naming the class', () => {
    const { definition } = builtinRegistry().get('metric', 'class-accuracy');
    assert.equal(definition.kind, 'metric');
    const check = (definition as { checkDataset(p: unknown, d: MetricDatasetFacts): string | undefined }).checkDataset;
    assert.equal(
      check({ class: 3 }, { task: 'classification', classes: 3, classNames: ['a', 'b', 'c'] }),
      'class 3 is not a class of the dataset, which has 3 (0 to 2: 0 "a", 1 "b", 2 "c")',
    );
    assert.equal(
      check({ class: 10 }, { task: 'classification', classes: 10 }),
      'class 10 is not a class of the dataset, which has 10 (0 to 9)',
    );
    assert.isUndefined(check({ class: 9 }, { task: 'classification', classes: 10 }));
    assert.isUndefined(
      check({ class: 12 }, { task: 'classification' }),
      'the class count is not known before the data',
    );
    assert.equal(
      check(
        { class: 1 },
        { task: 'classification', classes: 3, classCounts: { test: [4, 5, 6], validation: [2, 0, 1] } },
      ),
      'the validation split has no example of class 1, so its accuracy is undefined (choose a class the split has)',
    );
    assert.equal(
      check(
        { class: 2 },
        { task: 'classification', classes: 3, classNames: ['a', 'b', 'c'], classCounts: { test: [4, 5, 0] } },
      ),
      'the test split has no example of class 2 ("c"), so its accuracy is undefined (choose a class the split has)',
    );
  });
});

describeParams('metric', 'class-accuracy', {
  slot: 'metric',
  valid: [
    ['{ name: class-accuracy, class: 3 }', { class: 3 }],
    ['{ name: class-accuracy, class: 0 }', { class: 0 }],
    ['{ name: class-accuracy, class: 9 }', { class: 9 }],
  ],
  invalid: [
    ['{ name: class-accuracy }', 'spec.yaml:8:13 training.metrics[0]: missing required key "class"'],
    [
      '{ name: class-accuracy, class: 12 }',
      'spec.yaml:8:13 training.metrics[0]: metric "class-accuracy": class 12 is not a class of the dataset, which has 10 (0 to 9)',
    ],
    ['{ name: class-accuracy, class: -1 }', 'spec.yaml:8:44 training.metrics[0].class: must be >= 0, got -1'],
    ['{ name: class-accuracy, class: 2.5 }', 'spec.yaml:8:44 training.metrics[0].class: must be integer, got 2.5'],
    [
      '{ name: class-accuracy, class: 3 }, { name: class-accuracy, class: 3 }',
      'spec.yaml:8:49 training.metrics[1]: metric "class-accuracy" writes the column test_accuracy_class_3, which "class-accuracy" already writes (list each metric once)',
    ],
    [
      '{ name: class_accuracy, class: 3 }',
      'spec.yaml:8:21 training.metrics[0].name: unknown metric "class_accuracy" (Did you mean "class-accuracy"?)',
    ],
  ],
  misplaced: [
    {
      task: 'regression',
      component: '{ name: class-accuracy, class: 3 }',
      messages: [
        'spec.yaml:8:13 training.metrics[0]: metric "class-accuracy" is for classification datasets, and this dataset is regression',
      ],
    },
  ],
});
