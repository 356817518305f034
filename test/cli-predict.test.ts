// predict from the command line on CSV models: class names, probabilities, columns taken by header name, and a
// categorical column one-hot encoded at training and at prediction, on a small table where the category decides.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { readCsv } from '../src/results/csv.js';
import { loadSavedModel } from '../src/results/saved-model.js';
import { createRandom } from '../src/shared/random.js';
import { assertRefused, distilRun } from './cli-harness.js';
import { useWasm } from './helpers.js';

/** The animal each colour means: the label depends on the colour alone. */
const ANIMAL: Record<string, string> = { red: 'bird', green: 'cat', blue: 'dog' };
const COLOURS = Object.keys(ANIMAL);

interface Pet {
  readonly id: number;
  readonly x: string;
  readonly color: string;
  readonly size: string;
}

/** Rows whose numbers are noise drawn apart from the colour: only the colour's encoding can tell the animal. */
function pets(n: number, seed: number): Pet[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    x: ((random() - 0.5) * 4).toFixed(3),
    color: COLOURS[Math.floor(random() * 3)],
    size: (1 + random() * 4).toFixed(2),
  }));
}

const table = (rows: readonly Pet[]) =>
  `id,x,color,size,animal\n${rows.map((p) => [p.id, p.x, p.color, p.size, ANIMAL[p.color]].join(',')).join('\n')}\n`;

/** Mean and population std of a column of the training file, as the dataset standardises it. */
function stats(values: readonly number[]): { mean: number; std: number } {
  const floats = values.map(Math.fround);
  const mean = floats.reduce((a, b) => a + b, 0) / floats.length;
  const std = Math.sqrt(floats.reduce((a, b) => a + (b - mean) ** 2, 0) / floats.length);
  return { mean, std };
}

describe('predict on a CSV model (command line)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-predict-'));
  const train = pets(90, 11);
  const test = pets(30, 12);
  const inputs = pets(6, 13);
  let model = '';

  before(function () {
    this.timeout(180_000);
    writeFileSync(path.join(dir, 'pets.csv'), table(train));
    writeFileSync(path.join(dir, 'pets-test.csv'), table(test));
    writeFileSync(
      path.join(dir, 'pets.yaml'),
      `name: pets
seed: 1
dataset:
  name: csv
  path: pets.csv
  test_path: pets-test.csv
  target: animal
  task: classification
  features: [x, color, size]
  categorical: [color]
models:
  teacher: { layers: [16] }
  student: { layers: [8] }
training: { epochs: 30, batch_size: 16, optimizer: { name: adam, lr: 0.05 } }
`,
    );
    const run = distilRun([path.join(dir, 'pets.yaml'), '--out', dir, '--run-id', 'r', '--teacher-cache', 'off']);
    assert.equal(run.code, 0, run.stderr);
    const rows = readCsv(path.join(dir, 'pets', 'r', 'results.csv')).records;
    assert.lengthOf(rows, 3);
    const student = rows.find((r) => r.role === 'student')!;
    model = path.join(dir, 'pets', 'r', 'models', student.cell_id, student.seed, 'student');
  });

  it('trains on a categorical column: every role learns the animal that only the colour tells', () => {
    const rows = readCsv(path.join(dir, 'pets', 'r', 'results.csv')).records;
    assert.deepEqual(
      rows.map((r) => [r.role, r.status]),
      [
        ['teacher', 'ok'],
        ['student', 'ok'],
        ['person', 'ok'],
      ],
    );
    // The numbers are noise: without the colour a model scores about 1/3.
    for (const row of rows) assert.isAbove(Number(row.test_accuracy), 0.9, row.role);
    // 5 inputs (x, color=blue, color=green, color=red, size): the teacher's 5 x 16 + 16 + 16 x 3 + 3 weights.
    assert.equal(rows[0].params, '147');
  });

  it("prints each row's class index and name, and with --probabilities p_<class> per class summing to 1", async () => {
    await useWasm();
    const file = path.join(dir, 'exact.csv');
    writeFileSync(file, `x,color,size\n${inputs.map((p) => [p.x, p.color, p.size].join(',')).join('\n')}\n`);
    const plain = distilRun(['predict', model, file]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stderr, '');
    const expectedClasses = inputs.map(
      (p, i) => `${i + 2},${['bird', 'cat', 'dog'].indexOf(ANIMAL[p.color])},${ANIMAL[p.color]}`,
    );
    assert.equal(plain.stdout, `line,class_index,class\n${expectedClasses.join('\n')}\n`);

    const result = distilRun(['predict', model, file, '--probabilities']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'line,class_index,class,p_bird,p_cat,p_dog');
    assert.lengthOf(lines, inputs.length + 1);
    // The reference: the features built here by hand (x and size standardised with the training file's mean and
    // std, the colour one-hot in sorted order blue, green, red), through the saved model and a softmax.
    const sx = stats(train.map((p) => Number(p.x)));
    const ss = stats(train.map((p) => Number(p.size)));
    const features = inputs.flatMap((p) => [
      (Number(p.x) - sx.mean) / sx.std,
      ...['blue', 'green', 'red'].map((c) => (c === p.color ? 1 : 0)),
      (Number(p.size) - ss.mean) / ss.std,
    ]);
    const { model: loaded } = await loadSavedModel(model);
    const expected = tf.tidy(() =>
      tf.softmax(loaded.predict(tf.tensor2d(features, [inputs.length, 5])) as tf.Tensor2D).arraySync(),
    );
    loaded.dispose();
    lines.slice(1).forEach((line, i) => {
      const [lineNo, index, name, ...p] = line.split(',');
      assert.equal(`${lineNo},${index},${name}`, expectedClasses[i]);
      assert.lengthOf(p, 3, line);
      assert.closeTo(
        p.map(Number).reduce((a, b) => a + b, 0),
        1,
        1e-5,
        line,
      );
      p.forEach((value, k) => assert.closeTo(Number(value), expected[i][k], 1e-5, line));
    });
  });

  it('takes the feature columns by header name: shuffled and extra columns, or the training file itself, predict the same', () => {
    const exact = distilRun(['predict', model, path.join(dir, 'exact.csv'), '--probabilities']);
    assert.equal(exact.code, 0, exact.stderr);
    const shuffled = path.join(dir, 'shuffled.csv');
    writeFileSync(
      shuffled,
      `note,size,animal,color,id,x\n${inputs.map((p) => ['n', p.size, 'unknown', p.color, p.id, p.x].join(',')).join('\n')}\n`,
    );
    const result = distilRun(['predict', model, shuffled, '--probabilities']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, exact.stdout);
    // Without a header the columns are positional, in the training order.
    const headerless = path.join(dir, 'headerless.csv');
    writeFileSync(headerless, `${inputs.map((p) => [p.x, p.color, p.size].join(',')).join('\n')}\n`);
    const positional = distilRun(['predict', model, headerless, '--probabilities']);
    assert.equal(positional.code, 0, positional.stderr);
    const shifted = exact.stdout
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^(\d+)/, (n) => String(Number(n) - 1)));
    assert.equal(positional.stdout, [exact.stdout.split('\n')[0], ...shifted].join('\n'));
    // The case: the training CSV, label and id columns included.
    const own = distilRun(['predict', model, path.join(dir, 'pets.csv')]);
    assert.equal(own.code, 0, own.stderr);
    const rows = own.stdout.trimEnd().split('\n');
    assert.lengthOf(rows, train.length + 1);
    assert.deepEqual(
      rows.slice(1).map((line) => line.split(',')[2]),
      train.map((p) => ANIMAL[p.color]),
    );
  });

  it('refuses a header without a feature column, a category the model does not know and a row of the wrong width', () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'id,x,size\n1,0.5,2\n');
    assertRefused(
      distilRun(['predict', model, bad]),
      2,
      `distil-run: ${bad}:1:1 the header has no column "color": the model was trained on x, color, size (add the missing column(s); the header may name the columns in any order, and other columns are ignored)\n`,
    );
    writeFileSync(bad, 'id,x,animal\n1,0.5,cat\n');
    assertRefused(
      distilRun(['predict', model, bad]),
      2,
      `distil-run: ${bad}:1:1 the header has no columns "color", "size": the model was trained on x, color, size (add the missing column(s); the header may name the columns in any order, and other columns are ignored)\n`,
    );
    writeFileSync(bad, 'size,color,x\n2,red,0.1\n3,purple,0\n');
    assertRefused(
      distilRun(['predict', model, bad]),
      2,
      `distil-run: ${bad}:3:3 column "color": "purple" is not a category the model was trained on (it knows blue, green, red) (give one of those values; a model cannot encode a category its training data did not have)\n`,
    );
    writeFileSync(bad, '0.1,red,2\n0.2,blue\n');
    assertRefused(
      distilRun(['predict', model, bad]),
      2,
      `distil-run: ${bad}:2:1 row has 2 values, the model takes 3 columns (give the 3 values in the order x, color, size, or a header line naming the columns)\n`,
    );
    writeFileSync(bad, 'a,b,c\n0.1,red,2\n');
    assertRefused(
      distilRun(['predict', model, bad]),
      2,
      `distil-run: ${bad}:1:1 line 1 is read as a header, but it names none of the model's feature columns: x, color, size (give a header line naming them, other columns ignored, or rows of the 3 values in that order without a header)\n`,
    );
  });

  it('refuses an --out that would replace a file of the model it reads (its model.json, its weights)', () => {
    const input = path.join(dir, 'in.csv');
    writeFileSync(input, 'x,color,size\n0.5,red,2\n');
    const json = path.join(model, 'model.json');
    const before = readFileSync(json, 'utf8');
    for (const out of [json, path.join(model, 'weights.bin')]) {
      assertRefused(
        distilRun(['predict', model, input, '--out', out]),
        2,
        `distil-run: --out: ${out} is a file of the model ${model}; writing there would replace it (give another file)\n`,
      );
    }
    assert.equal(readFileSync(json, 'utf8'), before);
    const beside = path.join(model, 'predictions.csv');
    assert.equal(distilRun(['predict', model, input, '--out', beside]).code, 0);
    assert.isTrue(existsSync(beside));
  });

  it('prints class indices for a model saved without its class names, and says so once', () => {
    const old = path.join(dir, 'old-model');
    cpSync(model, old, { recursive: true });
    const json = JSON.parse(readFileSync(path.join(old, 'model.json'), 'utf8'));
    delete json.userDefinedMetadata.distil_run.classNames;
    writeFileSync(path.join(old, 'model.json'), JSON.stringify(json));
    const result = distilRun(['predict', old, path.join(dir, 'exact.csv'), '--probabilities']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stderr,
      `distil-run: warning: CLASS_NAMES_UNKNOWN: ${old} does not record its class names (saved by an older distil-run): the class column gives class indices (a model saved by this version records them)\n`,
    );
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'line,class_index,class,p_0,p_1,p_2');
    assert.lengthOf(lines, inputs.length + 1);
    lines.slice(1).forEach((line, i) => {
      const [, index, name] = line.split(',');
      assert.equal(index, String(['bird', 'cat', 'dog'].indexOf(ANIMAL[inputs[i].color])));
      assert.equal(name, index);
    });
  });

  it('refuses a model whose recorded columns or class names do not fit it, naming its model.json', () => {
    const edited = path.join(dir, 'edited-model');
    cpSync(model, edited, { recursive: true });
    const file = path.join(edited, 'model.json');
    const original = readFileSync(file, 'utf8');
    const edit = (change: (record: Record<string, unknown>) => void) => {
      const json = JSON.parse(original);
      change(json.userDefinedMetadata.distil_run);
      writeFileSync(file, JSON.stringify(json));
    };
    edit((record) => (record.featureColumns = [{ name: 'x' }, { name: 'size' }]));
    assertRefused(
      distilRun(['predict', edited, path.join(dir, 'exact.csv')]),
      2,
      `distil-run: ${file}: its feature columns make 2 features, the model takes 5 (the file may be damaged or edited; save the model again)\n`,
    );
    edit((record) => (record.classNames = ['bird', 'cat']));
    assertRefused(
      distilRun(['predict', edited, path.join(dir, 'exact.csv')]),
      2,
      `distil-run: ${file}: it records 2 class names, the model gives 3 classes (the file may be damaged or edited; save the model again)\n`,
    );
  });

  it('a regressor prints line,value, its columns taken by name too', function () {
    this.timeout(60_000);
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${(i * 7) % 13},${2 * i + 1}`);
    writeFileSync(path.join(dir, 'line.csv'), `a,b,y\n${rows.join('\n')}\n`);
    writeFileSync(
      path.join(dir, 'line.yaml'),
      `name: line
dataset: { name: csv, path: line.csv, target: y, task: regression }
models: { teacher: { layers: [4] }, student: { layers: [2] } }
training: { epochs: 2 }
`,
    );
    const run = distilRun([path.join(dir, 'line.yaml'), '--out', dir, '--run-id', 'r', '--teacher-cache', 'off']);
    assert.equal(run.code, 0, run.stderr);
    const person = readCsv(path.join(dir, 'line', 'r', 'results.csv')).records.find((r) => r.role === 'person')!;
    const saved = path.join(dir, 'line', 'r', 'models', person.cell_id, person.seed, 'person');
    writeFileSync(path.join(dir, 'ab.csv'), 'a,b\n1,7\n5,9\n');
    writeFileSync(path.join(dir, 'ba.csv'), 'y,b,a\n0,7,1\n0,9,5\n');
    const ab = distilRun(['predict', saved, path.join(dir, 'ab.csv')]);
    assert.equal(ab.code, 0, ab.stderr);
    assert.match(ab.stdout, /^line,value\n2,-?\d[^,\n]*\n3,-?\d[^,\n]*\n$/);
    assert.equal(distilRun(['predict', saved, path.join(dir, 'ba.csv')]).stdout, ab.stdout);
    assertRefused(
      distilRun(['predict', saved, path.join(dir, 'ab.csv'), '--probabilities']),
      2,
      `distil-run: --probabilities: ${saved} is a regressor: it predicts values, not classes\n`,
    );
  });
});
