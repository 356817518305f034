// The defaults live once, in the base schema: a spec that leaves a setting out resolves to the schema's value.
import { assert } from 'chai';
import { parseSpecSource } from '../../src/config/load.js';
import { resolveExperiment } from '../../src/config/experiment.js';
import baseSchema from '../../src/config/base-schema.json' with { type: 'json' };
import { builtinRegistry } from '../helpers.js';

const MINIMAL =
  'name: m\ndataset: { name: mnist, train_limit: 100, test_limit: 50 }\nmodels:\n  teacher: { layers: [8] }\n  student: { layers: [4] }\n';

describe('defaults', () => {
  it('a spec without training, seed or evaluation settings resolves to the defaults the schema states', async () => {
    const text = `${MINIMAL.replace('test_limit: 50 }', 'test_limit: 50, validation: 0.1 }')}training: { early_stopping: { metric: val_accuracy } }\n`;
    const { experiment } = await resolveExperiment(parseSpecSource(text, 'spec.yaml'), { registry: builtinRegistry() });
    const { config } = experiment.cells[0];
    const training = baseSchema.definitions.training.properties;
    assert.deepEqual(config.models.teacher.training.epochs, training.epochs.default);
    assert.deepEqual(
      ['epochs', 'batchSize', 'logEvery', 'evalEvery', 'lrDecay'].map(
        (key) => config.models.student.training[key as 'epochs'],
      ),
      [
        training.epochs.default,
        training.batch_size.default,
        training.log_every.default,
        training.eval_every.default,
        training.lr_decay.default,
      ],
    );
    assert.equal(config.models.person.training.optimizer.name, training.optimizer.default);
    assert.equal(
      config.models.teacher.training.earlyStopping?.patience,
      training.early_stopping.properties.patience.default,
    );
    assert.equal(config.seed, baseSchema.properties.seed.default);
    assert.equal(config.evaluation.batchSize, baseSchema.properties.evaluation.properties.batch_size.default);
  });

  it('a role that sets one training key keeps the shared value of the others, not the schema default', async () => {
    const text = `${MINIMAL.replace('student: { layers: [4] }', 'student: { layers: [4], training: { epochs: 3 } }')}training: { batch_size: 32, epochs: 7 }\n`;
    const { experiment } = await resolveExperiment(parseSpecSource(text, 'spec.yaml'), { registry: builtinRegistry() });
    const { models } = experiment.cells[0].config;
    assert.deepEqual([models.teacher.training.epochs, models.teacher.training.batchSize], [7, 32]);
    assert.deepEqual([models.student.training.epochs, models.student.training.batchSize], [3, 32]);
  });
});
