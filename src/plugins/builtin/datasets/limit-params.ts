// The train_limit and test_limit params every built-in dataset takes: prefixes of its splits.

/** Params schema of `train_limit` and `test_limit`, spread into a dataset's `properties`. */
export const limitParams = {
  train_limit: {
    type: 'integer',
    minimum: 1,
    description: 'Use only the first N training examples (smoke runs, tests).',
  },
  test_limit: { type: 'integer', minimum: 1, description: 'Use only the first N test examples.' },
} as const;
