// Layer "global-avg-pool": it takes no params; the exact message for one given.
import { describeParams } from '../params-table.js';

describeParams('layer', 'global-avg-pool', {
  slot: 'layer',
  valid: [
    ['global-avg-pool', {}],
    ['{ name: global-avg-pool }', {}],
  ],
  invalid: [
    [
      '{ name: global-avg-pool, keepdims: true }',
      'spec.yaml:4:48 models.teacher.layers[0].keepdims: unknown key "keepdims" (this component takes no params)',
    ],
    [
      '{ name: global-avg-pool, pool_size: 2 }',
      'spec.yaml:4:48 models.teacher.layers[0].pool_size: unknown key "pool_size" (this component takes no params)',
    ],
  ],
});
