// A dataset whose task depends on its params is asked only once they are valid: the params' problems are
// reported as such, never as the dataset's own fault, and nothing is checked against a task it did not tell.
import { assert } from 'chai';
import { resolveExperiment } from '../../src/config/experiment.js';
import { parseSpecSource } from '../../src/config/load.js';
import type { Registry } from '../../src/registry/registry.js';
import { definePlugin } from '../../src/registry/types.js';
import type { ComponentDefinition } from '../../src/registry/types.js';
import { builtinRegistry } from '../helpers.js';
import { specProblems } from './spec-problems.js';

/** Every call of the dataset's task(), with the params it was given. */
const asked: unknown[] = [];

/** A plugin dataset that poses the task its `target_kind` param names, and cannot tell one without it. */
const TABULAR = definePlugin({
  name: 'task-test',
  components: [
    {
      kind: 'dataset',
      name: 'tabular',
      description: 'A dataset whose task is a param (dataset-task test)',
      task: (params: { target_kind?: string }) => {
        asked.push(params);
        if (params.target_kind === undefined) throw new Error('no target_kind to tell the task by');
        return (
          ({ number: 'regression', label: 'classification' } as Record<string, string>)[params.target_kind] ??
          params.target_kind
        );
      },
      params: {
        required: ['target_kind'],
        properties: { target_kind: { enum: ['number', 'label'] }, rows: { type: 'integer', minimum: 1 } },
      },
      create: () => {
        throw new Error('not created in this test');
      },
    } as unknown as ComponentDefinition<never>,
  ],
});

const registry = (): Registry => builtinRegistry().use(TABULAR);

const spec = (dataset: string, distillation = 'soft-mse'): string => `name: tasks
dataset: ${dataset}
models:
  teacher: { layers: [4] }
  student: { layers: [2] }
distillation: ${distillation}
`;

describe('a dataset whose task depends on its params', () => {
  beforeEach(() => {
    asked.length = 0;
  });

  it('is asked with valid params, and its task picks the checks', async () => {
    const { experiment } = await resolveExperiment(
      parseSpecSource(spec('{ name: tabular, target_kind: number }'), 'spec.yaml'),
      { registry: registry() },
    );
    assert.equal(experiment.cells[0].config.task, 'regression');
    assert.deepEqual(asked, [{ target_kind: 'number' }]);
    assert.deepEqual(await specProblems(spec('{ name: tabular, target_kind: label }'), { registry: registry() }), [
      'spec.yaml:6:15 distillation: loss "soft-mse" is for regression datasets, and this dataset is classification',
    ]);
  });

  it('is not asked when a param it tells the task by is invalid: only that param is reported', async () => {
    assert.deepEqual(await specProblems(spec('{ name: tabular, target_kind: numbr }'), { registry: registry() }), [
      'spec.yaml:2:40 dataset.target_kind: must be one of "number", "label", got "numbr" (Did you mean "number"?)',
    ]);
    assert.deepEqual(asked, []);
  });

  it('is not asked without a required param (where it would fail), nor when another param is invalid', async () => {
    assert.deepEqual(await specProblems(spec('{ name: tabular }'), { registry: registry() }), [
      'spec.yaml:2:1 dataset: missing required key "target_kind"',
    ]);
    assert.deepEqual(
      await specProblems(spec('{ name: tabular, target_kind: number, rows: 0 }'), { registry: registry() }),
      ['spec.yaml:2:54 dataset.rows: must be >= 1, got 0'],
    );
    assert.deepEqual(asked, []);
  });

  it('checks no metric against a task it did not tell, and still finds the missing validation split', async () => {
    const text = `${spec('{ name: tabular, target_kind: numbr }')}training: { early_stopping: { metric: val_r2 } }\n`;
    assert.deepEqual(await specProblems(text, { registry: registry() }), [
      'spec.yaml:2:10 dataset: early_stopping watches a validation metric, and the dataset has no validation split (add validation: 0.1 to the dataset, the share of the training split to hold out)',
      'spec.yaml:2:40 dataset.target_kind: must be one of "number", "label", got "numbr" (Did you mean "number"?)',
    ]);
    assert.deepEqual(asked, []);
  });
});
