// Layer "avg-pool": the params a spec may give it, what they resolve to, and the exact message for each it may not.
import { describeParams } from '../params-table.js';

describeParams('layer', 'avg-pool', {
  slot: 'layer',
  valid: [
    ['avg-pool', { pool_size: 2, padding: 'valid' }],
    [
      '{ name: avg-pool, pool_size: [2, 3], strides: 1, padding: same }',
      { pool_size: [2, 3], strides: 1, padding: 'same' },
    ],
    ['{ name: avg-pool, pool_size: 64, strides: [64, 1] }', { pool_size: 64, strides: [64, 1], padding: 'valid' }],
  ],
  invalid: [
    [
      '{ name: avg-pool, pool_size: 0 }',
      'spec.yaml:4:52 models.teacher.layers[0].pool_size: must be an integer from 1 to 64, or a [height, width] pair of them, got 0',
    ],
    [
      '{ name: avg-pool, pool_size: 65 }',
      'spec.yaml:4:52 models.teacher.layers[0].pool_size: must be an integer from 1 to 64, or a [height, width] pair of them, got 65',
    ],
    [
      '{ name: avg-pool, pool_size: [2, 2.5] }',
      'spec.yaml:4:52 models.teacher.layers[0].pool_size: must be an integer from 1 to 64, or a [height, width] pair of them, got a list',
    ],
    [
      '{ name: avg-pool, strides: [1, 1, 1] }',
      'spec.yaml:4:50 models.teacher.layers[0].strides: must be an integer from 1 to 64, or a [height, width] pair of them, got a list',
    ],
    [
      '{ name: avg-pool, strides: two }',
      'spec.yaml:4:50 models.teacher.layers[0].strides: must be an integer from 1 to 64, or a [height, width] pair of them, got "two"',
    ],
    [
      '{ name: avg-pool, padding: vaild }',
      'spec.yaml:4:50 models.teacher.layers[0].padding: must be one of "same", "valid", got "vaild" (Did you mean "valid"?)',
    ],
    [
      '{ name: avg-pool, padding: 0 }',
      'spec.yaml:4:50 models.teacher.layers[0].padding: must be one of "same", "valid", got 0',
    ],
    [
      '{ name: avg-pool, pool: 2 }',
      'spec.yaml:4:41 models.teacher.layers[0].pool: unknown key "pool" (Did you mean "pool_size"?)',
    ],
    [
      '{ name: avg-pool, size: 2 }',
      'spec.yaml:4:41 models.teacher.layers[0].size: unknown key "size" (allowed keys: pool_size, strides, padding)',
    ],
  ],
});
