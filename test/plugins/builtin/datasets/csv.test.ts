// Dataset csv on generated tables: classes, delimiters, validation files, every refusal with its message; its params.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import { permutation } from '../../../../src/shared/random.js';
import { describeParams } from '../params-table.js';
import { failure, failureAsNobody, load, tmp } from './load-dataset.js';

describe('dataset csv', () => {
  const dir = tmp();
  const files: Record<string, string> = {
    'iris.csv':
      'sepal,petal,species\n1.0,0.2,setosa\n1.1,0.3,setosa\n3.0,2.0,virginica\n3.2,2.1,virginica\n2.0,1.0,versicolor\n',
    'iris-test.csv': 'sepal,petal,species\n1.05,0.25,setosa\n3.1,2.2,virginica\n',
    'values.tsv': '1\t2\t3.5\n2\t4\t7.5\n3\t6\t11.5\n4\t8\t15.5\n5\t10\t19.5\n',
    'bad-cell.csv': 'a,b,y\n1,2,3\n4,oops,6\n',
    'blank-lines.csv': 'a,b,y\n\n1,2,3\n\n4,oops,6\n',
    'ragged.csv': 'a,b,y\n1,2,3\n4,5\n',
    'empty.csv': '',
    'header-only.csv': 'a,b,y\n',
    'nan.csv': 'a,b,y\n1,2,3\n4,NaN,6\n',
    'infinite-target.csv': 'a,y\n1,2\n2,Infinity\n',
    'empty-cell.csv': 'a,b,y\n1,,3\n4,5,6\n',
    'one-class.csv': 'a,label\n1,x\n2,x\n3,x\n',
    'train-xy.csv': 'a,label\n1,x\n2,y\n3,x\n',
    'test-z.csv': 'a,label\n1,x\n2,z\n',
    'test-other-header.csv': 'a,class\n1,x\n2,y\n',
    'empty-label.csv': 'a,label\n1,x\n2,\n3,y\n',
    'constant.csv': 'a,y\n1,5\n2,5\n3,5\n',
    'unclosed.csv': 'a,b,y\n1,"2,3\n4,5,6\n',
    'semicolons.csv': 'a;b;y\n1;2;3\n4;5;6\n',
    'only-target.csv': 'y\n1\n2\n3\n',
    'two-rows.csv': 'a,y\n1,2\n2,3\n',
    'numeric-labels.csv': 'a,label\n1,0\n2,1\n3,1.0\n4,0.0\n',
    'bom.csv': '\uFEFFa,y\n1,2\n2,3\n3,5\n4,4\n5,1\n',
    // Training statistics a: mean 2, std 1; b: mean 20, std 10 (the validation rows' own would differ).
    'stats-train.csv': 'a,b,y\n1,10,1\n3,30,2\n1,30,3\n3,10,4\n',
    'stats-test.csv': 'a,b,y\n2,20,5\n',
    'stats-val.csv': 'a,b,y\n4,0,6\n2,25,7\n',
    'iris-val.csv': 'sepal,petal,species\n3.3,2.2,virginica\n1.2,0.1,setosa\n',
    'numeric-labels-val.csv': 'a,label\n5,1.0\n6,0\n',
    // a: mean 4, population std sqrt(5); color's categories blue, green, red; zip codes in numeric order.
    'pets.csv': 'a,color,zip,animal\n1,red,10,bird\n3,blue,2,dog\n5,green,2.0,cat\n7,red,1,bird\n',
    'pets-test.csv': 'a,color,zip,animal\n4,blue,10,dog\n',
    'pets.tsv': '1\tred\tbird\n3\tblue\tdog\n5\tred\tbird\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  mkdirSync(path.join(dir, 'folder.csv'));
  const f = (name: string) => path.join(dir, name);

  it('reads string labels as classes, in text order, with a separate test file', async () => {
    const data = await load(
      'csv',
      { path: 'iris.csv', test_path: 'iris-test.csv', target: 'species', task: 'classification', standardize: false },
      dir,
    );
    assert.equal(data.outputSize, 3);
    assert.deepEqual([...data.train.y], [0, 0, 2, 2, 1]);
    assert.deepEqual([...data.test.y], [0, 2]);
    assert.deepEqual([...data.test.x], [1.05, 0.25, 3.1, 2.2].map(Math.fround));
    assert.equal(data.info?.classes, 'setosa versicolor virginica');
  });

  it('reads a headerless regression table by column index with another delimiter', async () => {
    const data = await load(
      'csv',
      {
        path: 'values.tsv',
        delimiter: '\t',
        header: false,
        features: [1],
        target: 2,
        task: 'regression',
        test_fraction: 0.4,
        standardize: false,
      },
      dir,
    );
    assert.equal(data.train.n, 3);
    assert.equal(data.test.n, 2);
    assert.deepEqual(data.featureShape, [1]);
    for (let i = 0; i < data.train.n; i++) assert.closeTo(data.train.y[i], data.train.x[i] * 2 - 0.5 + 0 * i, 1e-6);
  });

  it("reads a validation file, standardised with the training split's statistics and used whole", async () => {
    const data = await load(
      'csv',
      {
        path: 'stats-train.csv',
        test_path: 'stats-test.csv',
        validation_path: 'stats-val.csv',
        target: 'y',
        task: 'regression',
        train_limit: 1,
      },
      dir,
    );
    assert.deepEqual(data.input, { shift: [2, 20], scale: [1, 0.1] });
    assert.deepEqual(
      [...data.validation!.x],
      [2, -2, 0, 0.5],
      '(4 - 2) / 1, (0 - 20) / 10, (2 - 2) / 1, (25 - 20) / 10',
    );
    assert.deepEqual([...data.validation!.y], [6, 7]);
    assert.equal(data.validation!.n, 2, 'train_limit limits the training split only');
    assert.equal(data.train.n, 1);
    assert.deepEqual([...data.test.x], [0, 0]);
    assert.equal(data.info?.validation_path, f('stats-val.csv'));
    const raw = await load(
      'csv',
      {
        path: 'stats-train.csv',
        test_path: 'stats-test.csv',
        validation_path: 'stats-val.csv',
        target: 'y',
        task: 'regression',
        standardize: false,
      },
      dir,
    );
    assert.deepEqual([...raw.validation!.x], [4, 0, 2, 25]);
    assert.isUndefined(
      (await load('csv', { path: 'stats-train.csv', target: 'y', task: 'regression' }, dir)).validation,
    );
  });

  it("maps a validation file's labels with the training file's classes", async () => {
    const data = await load(
      'csv',
      {
        path: 'iris.csv',
        test_path: 'iris-test.csv',
        validation_path: 'iris-val.csv',
        target: 'species',
        task: 'classification',
        standardize: false,
      },
      dir,
    );
    // Its own mapping would make setosa 0 and virginica 1.
    assert.deepEqual([...data.validation!.y], [2, 0]);
    assert.deepEqual([...data.validation!.x], [3.3, 2.2, 1.2, 0.1].map(Math.fround));
    const numeric = await load(
      'csv',
      {
        path: 'numeric-labels.csv',
        validation_path: 'numeric-labels-val.csv',
        target: 'label',
        task: 'classification',
        test_fraction: 0.5,
      },
      dir,
    );
    assert.deepEqual([...numeric.validation!.y], [1, 0], '"1.0" is the training file\'s class "1"');
  });

  it('one-hot encodes dataset.categorical columns over their sorted values, standardising only the numbers', async () => {
    const data = await load(
      'csv',
      {
        path: 'pets.csv',
        test_path: 'pets-test.csv',
        target: 'animal',
        task: 'classification',
        categorical: ['color', 'zip'],
      },
      dir,
    );
    // Features: a, color=blue, color=green, color=red, zip=1, zip=2, zip=10.
    assert.deepEqual(data.featureShape, [7]);
    assert.deepEqual(data.featureColumns, [
      { name: 'a' },
      { name: 'color', categories: ['blue', 'green', 'red'] },
      { name: 'zip', categories: ['1', '2', '10'] },
    ]);
    const s = Math.sqrt(5);
    assert.deepEqual(data.input, { shift: [4, 0, 0, 0, 0, 0, 0], scale: [1 / s, 1, 1, 1, 1, 1, 1] });
    const expected = [
      [(1 - 4) / s, 0, 0, 1, 0, 0, 1],
      [(3 - 4) / s, 1, 0, 0, 0, 1, 0],
      [(5 - 4) / s, 0, 1, 0, 0, 1, 0],
      [(7 - 4) / s, 0, 0, 1, 1, 0, 0],
    ].flat();
    assert.lengthOf(data.train.x, expected.length);
    [...data.train.x].forEach((v, i) => assert.closeTo(v, expected[i], 1e-6, `feature ${i}`));
    assert.deepEqual([...data.test.x], [0, 1, 0, 0, 0, 0, 1]);
    assert.deepEqual([...data.train.y], [0, 2, 1, 0]);
    assert.equal(data.info?.categorical, 'color zip');
    // Without the declaration, the text column is refused, as before.
    const message = await failure(
      load('csv', { path: 'pets.csv', target: 'animal', task: 'classification', features: ['a', 'color'] }, dir),
    );
    assert.equal(
      message,
      `dataset "csv": ${f('pets.csv')}:2:3 column "color": "red" is not a number (no value of the column is a number: list it in dataset.categorical to encode its values, or leave it out of dataset.features)`,
    );
  });

  it('records the feature columns without names for a file without a header', async () => {
    const data = await load(
      'csv',
      { path: 'pets.tsv', delimiter: '\t', header: false, target: 2, task: 'classification', categorical: [1] },
      dir,
    );
    assert.deepEqual(data.featureColumns, [{}, { categories: ['blue', 'red'] }]);
    const plain = await load('csv', { path: 'iris.csv', target: 'species', task: 'classification' }, dir);
    assert.deepEqual(plain.featureColumns, [{ name: 'sepal' }, { name: 'petal' }]);
  });

  it('reads "1" and "1.0" as the same class', async () => {
    const data = await load(
      'csv',
      { path: 'numeric-labels.csv', target: 'label', task: 'classification', test_fraction: 0.5 },
      dir,
    );
    assert.equal(data.outputSize, 2);
    assert.equal(data.info?.classes, '0 1');
  });

  it('ignores a UTF-8 byte order mark before the header', async () => {
    const data = await load('csv', { path: 'bom.csv', target: 'y', task: 'regression' }, dir);
    assert.equal(data.info?.features, 'a');
  });

  const FIX = 'fix the cell or remove the row';
  const errors: Array<[string, Record<string, unknown>, () => string]> = [
    [
      'a categorical column that is not there',
      { path: 'pets.csv', target: 'animal', task: 'classification', categorical: ['colour'] },
      () => `categorical column "colour" not found in ${f('pets.csv')} (Did you mean "color"?)`,
    ],
    [
      'the target listed as categorical',
      { path: 'pets.csv', target: 'animal', task: 'classification', categorical: ['animal'] },
      () =>
        `the target column "animal" is listed in dataset.categorical (dataset.categorical names feature columns; dataset.task says how the target is read)`,
    ],
    [
      'a categorical column left out of the features',
      { path: 'pets.csv', target: 'animal', task: 'classification', features: ['a'], categorical: ['color'] },
      () =>
        `the categorical column "color" is not a feature column (add it to dataset.features, or take it out of dataset.categorical)`,
    ],
    [
      'a missing column',
      { path: 'iris.csv', target: 'specie', task: 'classification' },
      () => `target column "specie" not found in ${f('iris.csv')} (Did you mean "species"?)`,
    ],
    [
      'a one-column header that looks like another delimiter',
      { path: 'semicolons.csv', target: 'y', task: 'regression' },
      () =>
        `target column "y" not found in ${f('semicolons.csv')} (the header is one column "a;b;y": is the delimiter ";"? Set dataset.delimiter)`,
    ],
    [
      'a column name in a file without a header',
      { path: 'values.tsv', delimiter: '\t', header: false, target: 'y', task: 'regression' },
      () =>
        `target column "y" not found in ${f('values.tsv')} (the file has no header (header: false): give columns by 0-based index)`,
    ],
    [
      'a ragged row in a file without a header',
      { path: 'ragged.csv', header: false, target: 2, task: 'regression' },
      () =>
        `${f('ragged.csv')}:3:1 row has 2 cells, line 1 has 3 (check the delimiter "," and quote cells that contain it)`,
    ],
    [
      'a non-numeric cell',
      { path: 'bad-cell.csv', target: 'y', task: 'regression' },
      () =>
        `${f('bad-cell.csv')}:3:3 column "b": "oops" is not a number (${FIX}, or leave the column out of dataset.features; a column of categories goes in dataset.categorical)`,
    ],
    [
      'the true line of a bad cell after blank lines',
      { path: 'blank-lines.csv', target: 'y', task: 'regression' },
      () =>
        `${f('blank-lines.csv')}:5:3 column "b": "oops" is not a number (${FIX}, or leave the column out of dataset.features; a column of categories goes in dataset.categorical)`,
    ],
    [
      'a NaN cell',
      { path: 'nan.csv', target: 'y', task: 'regression' },
      () =>
        `${f('nan.csv')}:3:3 column "b": "NaN" is not a finite number (${FIX}, or leave the column out of dataset.features)`,
    ],
    [
      'an infinite target',
      { path: 'infinite-target.csv', target: 'y', task: 'regression' },
      () => `${f('infinite-target.csv')}:3:3 column "y": "Infinity" is not a finite number (${FIX})`,
    ],
    [
      'an empty cell',
      { path: 'empty-cell.csv', target: 'y', task: 'regression' },
      () =>
        `${f('empty-cell.csv')}:2:3 column "b": empty cell (fill it in or remove the row; missing values are not imputed)`,
    ],
    [
      'a ragged row',
      { path: 'ragged.csv', target: 'y', task: 'regression' },
      () =>
        `${f('ragged.csv')}:3:1 row has 2 cells, the header (line 1) has 3 (check the delimiter "," and quote cells that contain it)`,
    ],
    [
      'an unclosed quote',
      { path: 'unclosed.csv', target: 'y', task: 'regression' },
      () => `${f('unclosed.csv')}:2:3 a quoted cell starts here and is never closed (add the closing quote)`,
    ],
    [
      'an empty file',
      { path: 'empty.csv', target: 0, task: 'regression' },
      () => `${f('empty.csv')}: the file is empty (check dataset.path, or write a header line and data rows into it)`,
    ],
    [
      'a header without data rows',
      { path: 'header-only.csv', target: 'y', task: 'regression' },
      () =>
        `${f('header-only.csv')}: the file has a header line but no data rows (add data rows below the header, or set header: false if line 1 is data)`,
    ],
    [
      'a missing file',
      { path: 'nope.csv', target: 0, task: 'regression' },
      () => `${f('nope.csv')}: no such file (check dataset.path; a relative path starts at the spec file's directory)`,
    ],
    [
      'a missing test file',
      { path: 'iris.csv', test_path: 'nope.csv', target: 'species', task: 'classification' },
      () =>
        `${f('nope.csv')}: no such file (check dataset.test_path; a relative path starts at the spec file's directory)`,
    ],
    [
      'a directory given as the file',
      { path: 'folder.csv', target: 0, task: 'regression' },
      () => `${f('folder.csv')}: is a directory, expected a file (set dataset.path to a file inside it)`,
    ],
    [
      'a single class',
      { path: 'one-class.csv', target: 'label', task: 'classification' },
      () =>
        `${f('one-class.csv')} column "label": found only class "x" in 3 rows; a classifier needs at least 2 classes (check dataset.target, or use task: regression for a numeric target)`,
    ],
    [
      'a test class never seen in training',
      { path: 'train-xy.csv', test_path: 'test-z.csv', target: 'label', task: 'classification' },
      () =>
        `${f('test-z.csv')}:3:3 column "label": class "z" never occurs in the training file ${f('train-xy.csv')}; a classifier cannot learn it (fix the label, or add training rows of this class)`,
    ],
    [
      'a missing validation file',
      { path: 'iris.csv', validation_path: 'nope.csv', target: 'species', task: 'classification' },
      () =>
        `${f('nope.csv')}: no such file (check dataset.validation_path; a relative path starts at the spec file's directory)`,
    ],
    [
      'an empty validation file',
      { path: 'stats-train.csv', validation_path: 'empty.csv', target: 'y', task: 'regression' },
      () =>
        `${f('empty.csv')}: the file is empty (check dataset.validation_path, or write a header line and data rows into it)`,
    ],
    [
      'a ragged row in the validation file',
      { path: 'stats-train.csv', validation_path: 'ragged.csv', target: 'y', task: 'regression' },
      () =>
        `${f('ragged.csv')}:3:1 row has 2 cells, the header (line 1) has 3 (check the delimiter "," and quote cells that contain it)`,
    ],
    [
      'a non-numeric cell in the validation file',
      { path: 'stats-train.csv', validation_path: 'bad-cell.csv', target: 'y', task: 'regression' },
      () =>
        `${f('bad-cell.csv')}:3:3 column "b": "oops" is not a number (${FIX}, or leave the column out of dataset.features; a column of categories goes in dataset.categorical)`,
    ],
    [
      'a validation class never seen in training',
      { path: 'train-xy.csv', validation_path: 'test-z.csv', target: 'label', task: 'classification' },
      () =>
        `${f('test-z.csv')}:3:3 column "label": class "z" never occurs in the training file ${f('train-xy.csv')}; a classifier cannot learn it (fix the label, or add training rows of this class)`,
    ],
    [
      'an empty label in the validation file',
      {
        path: 'train-xy.csv',
        test_path: 'train-xy.csv',
        validation_path: 'empty-label.csv',
        target: 'label',
        task: 'classification',
      },
      () => `${f('empty-label.csv')}:3:3 column "label": empty label (fill it in or remove the row)`,
    ],
    [
      'a validation file with other columns',
      { path: 'train-xy.csv', validation_path: 'test-other-header.csv', target: 'label', task: 'classification' },
      () =>
        `${f('test-other-header.csv')}:1:1 columns "a, class" differ from "a, label" in ${f('train-xy.csv')} (give both files the same columns in the same order)`,
    ],
    [
      'a test file with other columns',
      { path: 'train-xy.csv', test_path: 'test-other-header.csv', target: 'label', task: 'classification' },
      () =>
        `${f('test-other-header.csv')}:1:1 columns "a, class" differ from "a, label" in ${f('train-xy.csv')} (give both files the same columns in the same order)`,
    ],
    [
      'an empty label',
      { path: 'empty-label.csv', target: 'label', task: 'classification' },
      () => `${f('empty-label.csv')}:3:3 column "label": empty label (fill it in or remove the row)`,
    ],
    [
      'a constant regression target',
      { path: 'constant.csv', target: 'y', task: 'regression' },
      () =>
        `${f('constant.csv')} column "y": every value is 5; a regressor needs a target that varies (check dataset.target)`,
    ],
    [
      'no feature columns',
      { path: 'only-target.csv', target: 'y', task: 'regression' },
      () =>
        `${f('only-target.csv')}: no feature columns: the target "y" is the only column (add feature columns, or check dataset.delimiter)`,
    ],
    [
      'a split that leaves the test split empty',
      { path: 'two-rows.csv', target: 'y', task: 'regression', test_fraction: 0.1 },
      () =>
        `${f('two-rows.csv')}: 2 data rows leave 0 for the test split with test_fraction 0.1 (add rows, raise test_fraction, or give dataset.test_path)`,
    ],
    [
      'a split that leaves the training split empty',
      { path: 'two-rows.csv', target: 'y', task: 'regression', test_fraction: 0.9 },
      () =>
        `${f('two-rows.csv')}: 2 data rows leave 0 for the training split with test_fraction 0.9 (add rows, lower test_fraction, or give dataset.test_path)`,
    ],
  ];
  for (const [what, params, message] of errors) {
    it(`reports ${what} (exit 2)`, async () => {
      assert.equal(await failure(load('csv', params, dir)), `dataset "csv": ${message()}`);
    });
  }

  it('reports a class that the seeded split puts only in the test split', async () => {
    // Ten rows, class "z" only in row 6 (line 8): pick a seed whose 2-row test split holds it.
    writeFileSync(
      f('rare.csv'),
      `a,label\n${Array.from({ length: 10 }, (_, i) => `${i},${i === 6 ? 'z' : 'xy'[i % 2]}`).join('\n')}\n`,
    );
    const seed = Array.from({ length: 100 }, (_, s) => s).find((s) =>
      [...permutation(10, s).subarray(0, 2)].includes(6),
    ) as number;
    const message = await failure(
      load('csv', { path: 'rare.csv', target: 'label', task: 'classification', split_seed: seed }, dir),
    );
    assert.equal(
      message,
      `dataset "csv": ${f('rare.csv')}:8:3 column "label": class "z" falls only in the test split (test_fraction 0.2, split_seed ${seed}); a classifier cannot learn it (add rows of this class, or change split_seed)`,
    );
  });

  it('reports an unreadable file', async () => {
    writeFileSync(f('secret.csv'), 'a,y\n1,2\n');
    chmodSync(f('secret.csv'), 0);
    const params = { path: 'secret.csv', target: 'y', task: 'regression' };
    // Root reads any file: as root, the load runs in a process of the user nobody.
    const message =
      process.getuid?.() === 0 ? failureAsNobody('csv', params, dir) : await failure(load('csv', params, dir));
    assert.equal(
      message,
      `dataset "csv": ${f('secret.csv')}: cannot be read: permission denied (EACCES) (check the file's permissions)`,
    );
  });
});

/** A small valid csv dataset, as a spec names it (to column 64), and the defaults it resolves with. */
const TABLE = 'path: a.csv, target: y, task: regression';
const RESOLVED = {
  path: 'a.csv',
  target: 'y',
  task: 'regression',
  delimiter: ',',
  header: true,
  test_fraction: 0.2,
  standardize: true,
};

describeParams('dataset', 'csv', {
  slot: 'dataset',
  valid: [
    [`{ name: csv, ${TABLE} }`, RESOLVED],
    ['{ name: csv, path: a.csv, target: y, task: classification }', { ...RESOLVED, task: 'classification' }],
    [
      '{ name: csv, path: a.csv, test_path: t.csv, validation_path: v.csv, delimiter: ";", header: false, features: [0, b], categorical: [b], target: 2, task: regression, test_fraction: 0.5, split_seed: 4294967295, standardize: false, train_limit: 1, test_limit: 1 }',
      {
        path: 'a.csv',
        test_path: 't.csv',
        validation_path: 'v.csv',
        delimiter: ';',
        header: false,
        features: [0, 'b'],
        categorical: ['b'],
        target: 2,
        task: 'regression',
        test_fraction: 0.5,
        split_seed: 4294967295,
        standardize: false,
        train_limit: 1,
        test_limit: 1,
      },
    ],
  ],
  invalid: [
    [
      '{ name: csv }',
      'spec.yaml:2:1 dataset: missing required key "path"',
      'spec.yaml:2:1 dataset: missing required key "target"',
      'spec.yaml:2:1 dataset: missing required key "task"',
    ],
    [
      '{ name: csv, path: a.csv, target: y, task: clasification }',
      'spec.yaml:2:53 dataset.task: must be one of "classification", "regression", got "clasification" (Did you mean "classification"?)',
    ],
    [
      '{ name: csv, path: a.csv, target: y, task: Regression }',
      'spec.yaml:2:53 dataset.task: must be one of "classification", "regression", got "Regression" (Did you mean "regression"?)',
    ],
    [
      '{ name: csv, path: a.csv, target: y, task: ranking }',
      'spec.yaml:2:53 dataset.task: must be one of "classification", "regression", got "ranking"',
    ],
    [
      '{ name: csv, path: a.csv, target: y, task: 1 }',
      'spec.yaml:2:53 dataset.task: must be one of "classification", "regression", got 1',
    ],
    ['{ name: csv, path: 3, target: y, task: regression }', 'spec.yaml:2:29 dataset.path: must be string, got 3'],
    ['{ name: csv, path: "", target: y, task: regression }', 'spec.yaml:2:29 dataset.path: must not be empty'],
    [`{ name: csv, ${TABLE}, test_path: "" }`, 'spec.yaml:2:76 dataset.test_path: must not be empty'],
    [`{ name: csv, ${TABLE}, validation_path: "" }`, 'spec.yaml:2:82 dataset.validation_path: must not be empty'],
    [`{ name: csv, ${TABLE}, test_path: [t.csv] }`, 'spec.yaml:2:76 dataset.test_path: must be string, got a list'],
    [`{ name: csv, ${TABLE}, validation_path: 1 }`, 'spec.yaml:2:82 dataset.validation_path: must be string, got 1'],
    [
      `{ name: csv, ${TABLE}, validation: 0.1, validation_path: v.csv }`,
      "spec.yaml:2:77 dataset.validation: holds out a share of the training split, and dataset.validation_path gives the dataset's own validation split (pick one: remove validation, or remove validation_path)",
    ],
    ['{ name: csv, path: a.csv, target: -1, task: regression }', 'spec.yaml:2:44 dataset.target: must be >= 0, got -1'],
    [
      '{ name: csv, path: a.csv, target: 1.5, task: regression }',
      'spec.yaml:2:44 dataset.target: must be string or integer, got 1.5',
    ],
    [
      '{ name: csv, path: a.csv, target: [y], task: regression }',
      'spec.yaml:2:44 dataset.target: must be string or integer, got a list',
    ],
    [`{ name: csv, ${TABLE}, features: [] }`, 'spec.yaml:2:75 dataset.features: must list at least 1 item(s)'],
    [`{ name: csv, ${TABLE}, categorical: [] }`, 'spec.yaml:2:78 dataset.categorical: must list at least 1 item(s)'],
    [
      `{ name: csv, ${TABLE}, categorical: [a, a] }`,
      'spec.yaml:2:82 dataset.categorical[1]: "a" is listed twice (also dataset.categorical[0])',
    ],
    [`{ name: csv, ${TABLE}, features: a }`, 'spec.yaml:2:75 dataset.features: must be array, got "a"'],
    [`{ name: csv, ${TABLE}, features: [a, -1] }`, 'spec.yaml:2:79 dataset.features[1]: must be >= 0, got -1'],
    [
      `{ name: csv, ${TABLE}, features: [true] }`,
      'spec.yaml:2:76 dataset.features[0]: must be string or integer, got true',
    ],
    [`{ name: csv, ${TABLE}, delimiter: '' }`, 'spec.yaml:2:76 dataset.delimiter: must not be empty'],
    [
      `{ name: csv, ${TABLE}, delimiter: ', ' }`,
      'spec.yaml:2:76 dataset.delimiter: must be at most 1 character(s) long, got 2',
    ],
    [`{ name: csv, ${TABLE}, header: 'yes' }`, 'spec.yaml:2:73 dataset.header: must be boolean, got "yes"'],
    [`{ name: csv, ${TABLE}, test_fraction: 0 }`, 'spec.yaml:2:80 dataset.test_fraction: must be > 0, got 0'],
    [`{ name: csv, ${TABLE}, test_fraction: 1 }`, 'spec.yaml:2:80 dataset.test_fraction: must be < 1, got 1'],
    [`{ name: csv, ${TABLE}, split_seed: -1 }`, 'spec.yaml:2:77 dataset.split_seed: must be >= 0, got -1'],
    [
      `{ name: csv, ${TABLE}, split_seed: 4294967296 }`,
      'spec.yaml:2:77 dataset.split_seed: must be <= 4294967295, got 4294967296',
    ],
    [`{ name: csv, ${TABLE}, split_seed: 1.5 }`, 'spec.yaml:2:77 dataset.split_seed: must be integer, got 1.5'],
    [`{ name: csv, ${TABLE}, standardize: 1 }`, 'spec.yaml:2:78 dataset.standardize: must be boolean, got 1'],
    [`{ name: csv, ${TABLE}, train_limit: 0 }`, 'spec.yaml:2:78 dataset.train_limit: must be >= 1, got 0'],
    [
      `{ name: csv, ${TABLE}, standardise: true }`,
      'spec.yaml:2:65 dataset.standardise: unknown key "standardise" (Did you mean "standardize"?)',
    ],
    [
      `{ name: csv, ${TABLE}, label: y }`,
      'spec.yaml:2:65 dataset.label: unknown key "label" (allowed keys: path, test_path, validation_path, delimiter, header, features, categorical, target, task, test_fraction, split_seed, standardize, train_limit, test_limit)',
    ],
  ],
});
