// Layer "flatten": it takes no params; the exact message for one given.
import { describeParams } from '../params-table.js';

describeParams('layer', 'flatten', {
  slot: 'layer',
  valid: [
    ['flatten', {}],
    ['{ name: flatten }', {}],
  ],
  invalid: [
    [
      '{ name: flatten, data_format: x }',
      'spec.yaml:4:40 models.teacher.layers[0].data_format: unknown key "data_format" (this component takes no params)',
    ],
    [
      '{ name: flaten }',
      'spec.yaml:4:31 models.teacher.layers[0].name: unknown layer "flaten" (Did you mean "flatten"?)',
    ],
  ],
});
