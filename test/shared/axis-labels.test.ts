// Readable labels of a grid axis's values: by name when it is unique on the axis, else by name and the params that differ.
import { assert } from 'chai';
import { axisLabels, componentName, exactText } from '../../src/shared/axis-labels.js';

describe('axis labels', () => {
  it('labels a component by its name when no other entry of the axis has it', () => {
    assert.deepEqual(axisLabels([{ name: 'dkd', beta: 8 }, { name: 'kd', temperature: 4 }, 'fitnet']), [
      'dkd',
      'kd',
      'fitnet',
    ]);
  });

  it('labels entries sharing a name by the params that differ between them, as each writes them', () => {
    const axis = [{ name: 'kd', temperature: 4 }, { name: 'kd', temperature: 2, alpha: 0.9 }, { name: 'soft-mse' }];
    assert.deepEqual(axisLabels(axis), ['kd(temperature=4)', 'kd(temperature=2, alpha=0.9)', 'soft-mse']);
    // A param every entry of the name sets alike is left out; a name alone is that component with its defaults.
    const same = [{ name: 'kd', temperature: 4, alpha: 0.5 }, { name: 'kd', temperature: 4, alpha: 0.9 }, 'kd'];
    assert.deepEqual(axisLabels(same), ['kd(temperature=4, alpha=0.5)', 'kd(temperature=4, alpha=0.9)', 'kd']);
    const onlyOne = [
      { name: 'kd', temperature: 4 },
      { name: 'kd', temperature: 4, alpha: 0.9 },
    ];
    assert.deepEqual(axisLabels(onlyOne), ['kd', 'kd(alpha=0.9)']);
  });

  it('shows a list or mapping param as JSON, and a mapping without a name by its params', () => {
    const axis = [{ name: 'fitnet', layers: [1, 2] }, { name: 'fitnet', layers: [3] }, { temperature: 2 }];
    assert.deepEqual(axisLabels(axis), ['fitnet(layers=[1,2])', 'fitnet(layers=[3])', '(temperature=2)']);
    assert.deepEqual(axisLabels([{ temperature: 2 }, { temperature: 8 }]), ['(temperature=2)', '(temperature=8)']);
  });

  it('keeps scalars and lists as they are, and the exact text of entries whose labels would coincide', () => {
    assert.deepEqual(axisLabels([0.001, 0.01]), ['0.001', '0.01']);
    assert.deepEqual(axisLabels([[64, 32], [16]]), ['[64,32]', '[16]']);
    // A string 2 and a number 2 print alike: the entries keep their JSON, which tells them apart.
    const clash = [
      { name: 'kd', temperature: 2 },
      { name: 'kd', temperature: '2' },
    ];
    assert.deepEqual(axisLabels(clash), ['{"name":"kd","temperature":2}', '{"name":"kd","temperature":"2"}']);
  });

  it('the exact text and the component name of a value', () => {
    assert.equal(exactText({ name: 'kd', temperature: 2 }), '{"name":"kd","temperature":2}');
    assert.equal(exactText(0.5), '0.5');
    assert.equal(exactText(true), 'true');
    assert.equal(componentName('kd'), 'kd');
    assert.equal(componentName({ name: 'dkd', beta: 8 }), 'dkd');
    assert.isUndefined(componentName({ temperature: 2 }));
    assert.isUndefined(componentName([1]));
  });
});
