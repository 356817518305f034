// The defaults of a spec: those the base schema states, read from it, and those that depend on the task.
import type { Task } from '../shared/index.js';
import baseSchema from './base-schema.json' with { type: 'json' };

export type Json = Record<string, unknown>;

/**
 * The defaults the base schema states, read from it: ajv fills them into the copy it validates, which is
 * thrown away, because a role's training is merged over the shared one and defaults filled into the role's
 * own settings would override the shared ones.
 */
function schemaDefaults(schema: { readonly properties: Readonly<Record<string, object>> }): Json {
  return Object.fromEntries(
    Object.entries(schema.properties).flatMap(([key, property]) =>
      'default' in property ? [[key, property.default]] : [],
    ),
  );
}

const { optimizer, ...training } = schemaDefaults(baseSchema.definitions.training);

/** `training`'s defaults: epochs, batch_size, log_every, eval_every, lr_decay. */
export const TRAINING_DEFAULTS: Json = training;
export const DEFAULT_OPTIMIZER = optimizer as string;
export const DEFAULT_SEED = baseSchema.properties.seed.default;
export const DEFAULT_EVALUATION_BATCH_SIZE = schemaDefaults(baseSchema.properties.evaluation).batch_size as number;
export const DEFAULT_PATIENCE = baseSchema.definitions.training.properties.early_stopping.properties.patience.default;

/** The defaults that depend on the dataset's task, which the schema cannot state. */
export const DEFAULT_LOSS: Record<Task, string> = { classification: 'cross-entropy', regression: 'mse' };
export const DEFAULT_METRICS: Record<Task, string[]> = {
  classification: ['loss', 'accuracy'],
  regression: ['mse', 'rmse', 'mae', 'r2'],
};
export const DEFAULT_DISTILLATION: Record<Task, string> = { classification: 'kd', regression: 'soft-mse' };
