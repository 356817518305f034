// The params the built-in datasets share: train_limit and test_limit (every one), and the seeded split of a table.

/** Params schema of `train_limit` and `test_limit`, spread into a dataset's `properties`. */
export const limitParams = {
  train_limit: {
    type: 'integer',
    minimum: 1,
    description: 'Use only the first N training examples (smoke runs, tests).',
  },
  test_limit: { type: 'integer', minimum: 1, description: 'Use only the first N test examples.' },
} as const;

/** Params schema of a table's seeded train/test split and its scaling (csv, california-housing). */
export const splitParams = {
  test_fraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.2 },
  split_seed: {
    type: 'integer',
    minimum: 0,
    maximum: 4294967295,
    description:
      "Seed of the train/test split (default: the experiment's first seed for every seed, each seed's own with splits: per-seed).",
  },
  standardize: {
    type: 'boolean',
    default: true,
    description: "Scale features with the training split's mean and std.",
  },
} as const;
