// Table-driven params validation of the built-in components: what is accepted, what is refused.
import { assert } from 'chai';
import type { ComponentKind } from '../../../src/registry/types.js';
import { builtinRegistry } from '../../helpers.js';

interface Case {
  kind: ComponentKind;
  name: string;
  valid: Array<Record<string, unknown>>;
  invalid: Array<[Record<string, unknown>, string]>;
}

const CASES: Case[] = [
  { kind: 'layer', name: 'dense', valid: [{ units: 4 }, { units: 1, activation: 'tanh', use_bias: false }], invalid: [[{}, "must have required property 'units'"], [{ units: 0 }, 'must be >= 1'], [{ units: 3, activation: 'relu6' }, 'must be equal to one of the allowed values']] },
  { kind: 'layer', name: 'dropout', valid: [{ rate: 0 }, { rate: 0.5 }], invalid: [[{ rate: 1 }, 'must be < 1'], [{ rate: 0.2, seed: 1 }, 'must NOT have additional properties']] },
  { kind: 'optimizer', name: 'sgd', valid: [{}, { lr: 0.1, momentum: 0.9, nesterov: true }], invalid: [[{ lr: -1 }, 'must be > 0'], [{ momentum: 1 }, 'must be < 1']] },
  { kind: 'optimizer', name: 'adam', valid: [{}, { lr: 0.01, beta1: 0.8 }], invalid: [[{ lr: 0 }, 'must be > 0'], [{ learning_rate: 0.1 }, 'must NOT have additional properties']] },
  { kind: 'optimizer', name: 'rmsprop', valid: [{ centered: true }], invalid: [[{ decay: 1.5 }, 'must be < 1']] },
  { kind: 'loss', name: 'kd', valid: [{}, { temperature: 0.5, alpha: 1 }], invalid: [[{ temperature: 0 }, 'must be > 0'], [{ alpha: 1.1 }, 'must be <= 1'], [{ alpha: 'half' }, 'must be number']] },
  { kind: 'loss', name: 'soft-mse', valid: [{ alpha: 0 }], invalid: [[{ temperature: 2 }, 'must NOT have additional properties']] },
  { kind: 'dataset', name: 'mnist', valid: [{}, { train_limit: 10, test_limit: 5, verify: false }], invalid: [[{ train_limit: 0 }, 'must be >= 1'], [{ train_limit: 1.5 }, 'must be integer']] },
  { kind: 'metric', name: 'accuracy', valid: [{}], invalid: [[{ top_k: 5 }, 'must NOT have additional properties']] },
];

describe('built-in component params', () => {
  const registry = builtinRegistry();
  for (const { kind, name, valid, invalid } of CASES) {
    for (const params of valid) {
      it(`${kind} ${name} accepts ${JSON.stringify(params)}`, () => {
        assert.deepEqual(registry.get(kind, name).validate(structuredClone(params)), []);
      });
    }
    for (const [params, message] of invalid) {
      it(`${kind} ${name} refuses ${JSON.stringify(params)}`, () => {
        const errors = registry.get(kind, name).validate(structuredClone(params));
        assert.deepEqual(errors.map((e) => e.message), [message]);
      });
    }
  }

  it('fills defaults into the params it validates', () => {
    const params: Record<string, unknown> = { lr: 0.5 };
    registry.get('optimizer', 'sgd').validate(params);
    assert.deepEqual(params, { lr: 0.5, momentum: 0, nesterov: false });
  });
});
