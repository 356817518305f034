// The one rule for printed numbers: each case worked out by hand from the rule the README states.
import { assert } from 'chai';
import {
  estimateParts,
  formatEstimate,
  formatNumber,
  formatP,
  formatPAs,
  formatSigned,
  isSignificant,
} from '../../src/shared/format.js';

describe('format: how numbers are printed', () => {
  it('a value without an interval: 4 significant digits, trailing zeros dropped, whole numbers whole', () => {
    const cases: Array<[number | undefined, string]> = [
      [0.9813333, '0.9813'],
      [0.07753, '0.07753'],
      [0.1009, '0.1009'],
      [0.7, '0.7'],
      [0.70001, '0.7'],
      [0.52194, '0.5219'],
      [-0.0640331, '-0.06403'],
      [0.000123456, '0.0001235'],
      [1.23456e-7, '1.235e-7'],
      [999.96, '1,000'],
      [1234.56, '1,235'],
      [-98765.4, '-98,765'],
      // Counts stay whole numbers: errors, parameter counts, a perfect accuracy.
      [74, '74'],
      [1, '1'],
      [109386, '109,386'],
      [-3, '-3'],
      [0, '0'],
      [-0, '0'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
      [undefined, ''],
    ];
    assert.equal(cases.length, 22);
    for (const [value, expected] of cases) assert.equal(formatNumber(value), expected, String(value));
  });

  it('a value with its interval: the interval to 2 significant digits, the value to the same decimal place', () => {
    const cases: Array<[number, number | undefined, string]> = [
      // The issue's: best printed 0.924667 ± 0.0217037, the run table 0.9247 ± 0.0217.
      [0.924667, 0.0217037, '0.925 ± 0.022'],
      [0.923333, 0.0379458, '0.923 ± 0.038'],
      [0.499279, 0.00982376, '0.4993 ± 0.0098'],
      // The interval's second digit sets the place after its own rounding: 0.0996 is 0.10, two decimals.
      [0.98765, 0.0996, '0.99 ± 0.10'],
      [0.98, 0.001, '0.9800 ± 0.0010'],
      // Large intervals round the value to tens, hundreds...
      [123.6, 5.34, '123.6 ± 5.3'],
      [1134.6, 12.3, '1,135 ± 12'],
      [1134.6, 123, '1,130 ± 120'],
      [98765.4, 4321, '98,800 ± 4,300'],
      // Very small intervals keep every digit they call for.
      [0.98133333, 0.0000012345, '0.9813333 ± 0.0000012'],
      [-0.0043333, 0.00517115, '-0.0043 ± 0.0052'],
      // A value that rounds to 0 at the interval's place keeps its sign.
      [-0.0004, 0.0147, '-0.000 ± 0.015'],
      // Every seed agrees (0): the value as it prints alone, whole numbers whole.
      [74, 0, '74 ± 0'],
      [1, 0, '1 ± 0'],
      [0.4, 0, '0.4 ± 0'],
      // No interval (one seed; NaN or negative is none): the value alone.
      [0.9813333, undefined, '0.9813'],
      [0.9813333, Number.NaN, '0.9813'],
      [0.9813333, -1, '0.9813'],
      [Number.NaN, 0.01, 'NaN ± 0.01'],
    ];
    assert.equal(cases.length, 19);
    for (const [value, interval, expected] of cases) {
      assert.equal(formatEstimate(value, interval), expected, `${value} ± ${interval}`);
    }
    assert.equal(formatEstimate(undefined, 0.1), '');
    assert.equal(formatEstimate('', ''), '');
    assert.deepEqual(estimateParts(0.0233333, 0.0379458, true), { value: '+0.023', interval: '0.038' });
    assert.deepEqual(estimateParts(0.0233333, undefined, true), { value: '+0.02333' });
  });

  it('signed values (gains, changes): + before a value that is not negative', () => {
    const cases: Array<[number, number | undefined, string]> = [
      [0.0021, 0.0015, '+0.0021 ± 0.0015'],
      [-0.005, undefined, '-0.005'],
      [0.00276, undefined, '+0.00276'],
      [72, undefined, '+72'],
      [-3, undefined, '-3'],
      [0, undefined, '+0'],
      [0.0004, 0.0147, '+0.000 ± 0.015'],
      [Number.NaN, undefined, 'NaN'],
    ];
    assert.equal(cases.length, 8);
    for (const [value, interval, expected] of cases) {
      assert.equal(formatSigned(value, interval), expected, String(value));
    }
  });

  it('p-values to 2 significant digits, <0.001 below 0.001; with their name', () => {
    const cases: Array<[number | undefined, string]> = [
      [0.01, '0.010'],
      [0.0104, '0.010'],
      [0.1181, '0.12'],
      [0.069, '0.069'],
      [0.05, '0.050'],
      [0.0012, '0.0012'],
      [0.001, '0.0010'],
      [0.000999, '<0.001'],
      [0, '<0.001'],
      [1, '1.0'],
      [0.99996, '1.0'],
      [Number.NaN, ''],
      [undefined, ''],
    ];
    assert.equal(cases.length, 13);
    for (const [p, expected] of cases) assert.equal(formatP(p), expected, String(p));
    assert.equal(formatPAs('p', 0.31), 'p=0.31');
    assert.equal(formatPAs('p', 0.0002), 'p<0.001');
    assert.equal(formatPAs('Holm p', 0.0041), 'Holm p=0.0041');
  });

  it('a gain is significant only when its interval leaves out 0', () => {
    assert.isTrue(isSignificant(0.0028, 0.0011));
    assert.isTrue(isSignificant(-0.0028, 0.0011));
    assert.isFalse(isSignificant(0.0021, 0.0147));
    assert.isFalse(isSignificant(0.001, 0.001));
    assert.isFalse(isSignificant(0, 0));
  });
});
