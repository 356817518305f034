// A metric's column from its params (class-accuracy's accuracy_class_<k>, a plugin's column function): one column per
// metric, early stopping and search selection on such a column, and a plugin's column function that fails or misnames.
import { assert } from 'chai';
import { resolveExperiment } from '../../src/config/experiment.js';
import { parseSpecSource } from '../../src/config/load.js';
import { Registry } from '../../src/registry/registry.js';
import { definePlugin } from '../../src/registry/types.js';
import type { ComponentDefinition, MetricDatasetFacts } from '../../src/registry/types.js';
import { builtinPlugin } from '../../src/plugins/builtin/index.js';
import { metricColumns } from '../../src/runner/identity.js';
import { specProblems } from './spec-problems.js';

/** A plugin metric whose column is a function of its `k` param (or the given function). */
function topK(column: (params: { k: number }) => unknown, extra: object = {}): Registry {
  const metric = {
    kind: 'metric',
    name: 'top-k',
    description: 'Label among the k highest-scoring classes',
    params: { required: ['k'], properties: { k: { type: 'integer', minimum: 1 } } },
    higherIsBetter: true,
    column,
    create: () => ({ compute: () => undefined }),
    ...extra,
  } as unknown as ComponentDefinition<never>;
  return new Registry().use(builtinPlugin).use(definePlugin({ name: 'top-k-plugin', components: [metric] }));
}

const spec = (metrics: string, extra = '') => `name: columns
dataset: { name: mnist, validation: 0.1 }
models: { teacher: { layers: [4] }, student: { layers: [2] } }
training: { metrics: [${metrics}]${extra} }
`;

describe('metric columns from params', () => {
  it('gives each class-accuracy its own column, in the tables and for early stopping', async () => {
    const text = spec(
      'loss, { name: class-accuracy, class: 3 }, { name: class-accuracy, class: 5 }',
      ', early_stopping: { metric: val_accuracy_class_5, patience: 2 }',
    );
    const registry = new Registry().use(builtinPlugin);
    const { experiment } = await resolveExperiment(parseSpecSource(text, 'spec.yaml'), { registry });
    assert.deepEqual(metricColumns(experiment, registry), ['loss', 'accuracy_class_3', 'accuracy_class_5']);
    assert.deepEqual(experiment.cells[0].config.models.student.training.earlyStopping, {
      metric: 'accuracy_class_5',
      higherIsBetter: true,
      patience: 2,
    });
  });

  it('refuses early stopping on a class the role does not record, listing the columns it records', async () => {
    assert.deepEqual(
      await specProblems(
        spec('{ name: class-accuracy, class: 3 }', ', early_stopping: { metric: val_accuracy_class_4 }'),
      ),
      [
        'spec.yaml:4:86 training.early_stopping.metric: "val_accuracy_class_4" is not a metric this role records (Did you mean "val_accuracy_class_3"?)',
      ],
    );
  });

  it('selects a search winner on a class-accuracy column', async () => {
    const text = `${spec('{ name: class-accuracy, class: 7 }')}search:\n  grid:\n    training.epochs: [1, 2]\n  select: val_accuracy_class_7\n`;
    const registry = new Registry().use(builtinPlugin);
    const { experiment } = await resolveExperiment(parseSpecSource(text, 'spec.yaml'), { registry });
    assert.deepEqual([experiment.search?.metric, experiment.search?.higherIsBetter], ['accuracy_class_7', true]);
  });

  it("takes a plugin metric's column from its params, and refuses two that write one column", async () => {
    const registry = topK((params) => `top_${params.k}`);
    const text = spec('{ name: top-k, k: 2 }, { name: top-k, k: 5 }, { name: top-k, k: 2 }');
    assert.deepEqual(await specProblems(text, { registry }), [
      'spec.yaml:4:69 training.metrics[2]: metric "top-k" writes the column test_top_2, which "top-k" already writes (list each metric once)',
    ]);
    const { experiment } = await resolveExperiment(
      parseSpecSource(spec('{ name: top-k, k: 2 }, { name: top-k, k: 5 }'), 's.yaml'),
      {
        registry,
      },
    );
    assert.deepEqual(metricColumns(experiment, registry), ['top_2', 'top_5']);
    // A function column without a pattern is of unknown direction to the commands that read only tables.
    assert.isUndefined(registry.higherIsBetter('top_2'));
    assert.isTrue(topK((p) => `top_${p.k}`, { columnPattern: /^top_\d+$/ }).higherIsBetter('top_2'));
  });

  it("locates a plugin's column function that throws or names no column, and never calls it with refused params", async () => {
    const throwing = topK(() => {
      throw new Error('no column for you');
    });
    assert.deepEqual(await specProblems(spec('{ name: top-k, k: 2 }'), { registry: throwing }), [
      'spec.yaml:4:23 training.metrics[0]: metric "top-k": naming its column failed: no column for you (check the params, or report it to the plugin\'s author)',
    ]);
    assert.deepEqual(await specProblems(spec('{ name: top-k, k: 2 }'), { registry: topK(() => 'Top 2') }), [
      'spec.yaml:4:23 training.metrics[0]: metric "top-k" names its column "Top 2", which is not lower-case letters, digits and "_" (report it to the plugin\'s author)',
    ]);
    let calls = 0;
    const counted = topK(() => `top_${++calls}`);
    assert.deepEqual(await specProblems(spec('{ name: top-k, k: 0 }'), { registry: counted }), [
      'spec.yaml:4:41 training.metrics[0].k: must be >= 1, got 0',
    ]);
    assert.equal(calls, 0);
  });

  it("asks a plugin metric's checkDataset with the dataset definition's facts, and locates its answer", async () => {
    const seen: MetricDatasetFacts[] = [];
    const registry = topK((p) => `top_${p.k}`, {
      checkDataset: (params: { k: number }, dataset: MetricDatasetFacts) => {
        seen.push(dataset);
        return dataset.classes !== undefined && params.k > dataset.classes
          ? `k ${params.k} is more than the ${dataset.classes} classes`
          : undefined;
      },
    });
    assert.deepEqual(await specProblems(spec('{ name: top-k, k: 11 }'), { registry }), [
      'spec.yaml:4:23 training.metrics[0]: metric "top-k": k 11 is more than the 10 classes',
    ]);
    assert.deepEqual(seen[0], { task: 'classification', classes: 10 });
    // Unverified files may be someone's own labels: the count is left to the loaded data.
    assert.deepEqual(
      await specProblems(spec('{ name: top-k, k: 11 }').replace('validation: 0.1', 'verify: false'), { registry }),
      [],
    );
  });
});
