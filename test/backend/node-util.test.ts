// The util.is* functions Node 23 removed are put back (only where missing) for @tensorflow/tfjs-node 4.22.
import { assert } from 'chai';
import { LEGACY_UTIL_NAMES, provideLegacyNodeUtil } from '../../src/backend/node-util.js';
import { nodeUtil, withoutLegacyUtil } from './fake-backends.js';

describe('legacy node:util functions (Node 23 removed them; tfjs-node 4.22 calls them)', () => {
  const samples: unknown[] = [
    null,
    undefined,
    0,
    1.5,
    NaN,
    '',
    'text',
    true,
    false,
    Symbol('s'),
    10n,
    [],
    [1],
    {},
    Object.create(null),
    /re/,
    new Date(0),
    new Error('e'),
    new TypeError('t'),
    () => 1,
    function named() {},
    new Map(),
    new String('boxed'),
  ];

  it('lists every function Node 23 removed', () => {
    assert.sameMembers(
      [...LEGACY_UTIL_NAMES],
      [
        'isArray',
        'isBoolean',
        'isNull',
        'isNullOrUndefined',
        'isNumber',
        'isString',
        'isSymbol',
        'isUndefined',
        'isRegExp',
        'isObject',
        'isDate',
        'isError',
        'isFunction',
        'isPrimitive',
      ],
    );
  });

  it('adds them where missing, each answering as Node 20 did', async function () {
    // This process runs a Node that still has them: they are the reference answers.
    if (typeof nodeUtil.isNullOrUndefined !== 'function') this.skip();
    const reference = Object.fromEntries(
      LEGACY_UTIL_NAMES.map((name) => [name, nodeUtil[name] as (x: unknown) => boolean]),
    );
    await withoutLegacyUtil(() => {
      assert.isUndefined(nodeUtil.isNullOrUndefined, 'removed, as on Node 23');
      assert.sameMembers(provideLegacyNodeUtil(), [...LEGACY_UTIL_NAMES]);
      for (const name of LEGACY_UTIL_NAMES) {
        const provided = nodeUtil[name] as (x: unknown) => boolean;
        assert.isFunction(provided, name);
        samples.forEach((sample, i) =>
          assert.strictEqual(provided(sample), reference[name](sample), `${name}(samples[${i}])`),
        );
      }
      assert.deepEqual(provideLegacyNodeUtil(), [], 'a second call adds nothing');
    });
  });

  it("never replaces Node's own functions", () => {
    const before = LEGACY_UTIL_NAMES.map((name) => nodeUtil[name]);
    const added = provideLegacyNodeUtil();
    assert.deepEqual(
      added,
      LEGACY_UTIL_NAMES.filter((name) => before[LEGACY_UTIL_NAMES.indexOf(name)] === undefined),
    );
    LEGACY_UTIL_NAMES.forEach(
      (name, i) => before[i] !== undefined && assert.strictEqual(nodeUtil[name], before[i], name),
    );
  });
});
