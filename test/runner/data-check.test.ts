// `validate --data`: the data files a spec names are opened and sampled as the run reads them, and refused with the run's message.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { resolveExperiment } from '../../src/config/experiment.js';
import { parseSpecSource } from '../../src/config/load.js';
import { encodeIdxUbyte } from '../../src/data/idx.js';
import { checkExperimentData } from '../../src/runner/data-check.js';
import { loadData } from '../../src/runner/dataset-cache.js';
import { assertRefused, distilRun } from '../cli-harness.js';
import { assertRejectsMessage, builtinRegistry, rejectionOf, useWasm } from '../helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-data-check-'));

/** A spec of a csv dataset in `dir`, with the dataset's extra params (YAML flow-mapping entries). */
function csvSpec(extra: string, task = 'classification'): string {
  return `name: check
dataset: { name: csv, path: data.csv, target: y, task: ${task}${extra} }
models:
  teacher: { layers: [8] }
  student: { layers: [4] }
`;
}

async function resolve(spec: string) {
  const file = path.join(dir, 'spec.yaml');
  writeFileSync(file, spec);
  return resolveExperiment({ ...parseSpecSource(spec, file), baseDir: dir }, { registry: builtinRegistry() });
}

async function check(spec: string, rows?: number): Promise<string[]> {
  const { experiment, registry } = await resolve(spec);
  return checkExperimentData(experiment, registry, rows);
}

/** Rows `a,b,y` with a class that alternates, `n` of them. */
function rows(n: number, label = (i: number) => (i % 2 === 0 ? 'cat' : 'dog')): string {
  return Array.from({ length: n }, (_, i) => `${i},${i * 2},${label(i)}`).join('\n');
}

const data = path.join(dir, 'data.csv');
const test = path.join(dir, 'test.csv');

describe('validate --data', () => {
  before(useWasm);

  it('reads the header and the rows of each csv file, saying how many', async () => {
    writeFileSync(data, `a,b,y\n${rows(1500)}\n`);
    writeFileSync(test, `a,b,y\n${rows(20)}\n`);
    assert.deepEqual(await check(csvSpec(', test_path: test.csv')), [
      `csv: ${data} (dataset.path): 2 feature column(s) and target "y", the first 1,000 rows read`,
      `csv: ${test} (dataset.test_path): 2 feature column(s) and target "y", all 20 rows read`,
    ]);
  });

  it('reads a categorical column as the run does: a test category beyond the training sample is left to the run', async () => {
    const colour = (i: number) => ['red', 'green', 'blue'][i % 3];
    // The training file's first 1,000 rows have red and green only; blue comes later, and in the test file.
    const main = Array.from(
      { length: 1500 },
      (_, i) => `${i},${i < 1000 ? colour(i % 2) : colour(i)},${i % 2 ? 'dog' : 'cat'}`,
    );
    writeFileSync(data, `a,c,y\n${main.join('\n')}\n`);
    writeFileSync(test, `a,c,y\n1,blue,cat\n2,red,dog\n3,green,cat\n`);
    const spec = csvSpec(', test_path: test.csv, categorical: [c]');
    assert.deepEqual(await check(spec), [
      `csv: ${data} (dataset.path): 2 feature column(s) and target "y", the first 1,000 rows read`,
      `csv: ${test} (dataset.test_path): 2 feature column(s) and target "y", all 3 rows read`,
    ]);
    // The run reads every training row: blue is a category there, and the data loads.
    const { experiment, registry } = await resolve(spec);
    const loaded = await loadData(registry, experiment.cells[0].config, dir);
    assert.equal(loaded.dataset.featureShape[0], 4);
    // A text cell in a column not declared categorical is refused by both, as the run words it.
    const undeclared = csvSpec(', test_path: test.csv');
    const refusal = await rejectionOf(check(undeclared));
    assert.include((refusal as Error).message, 'list it in dataset.categorical');
  });

  it('refuses a missing file, a column the header lacks and a text cell, at their file, line and column', async () => {
    writeFileSync(data, `a,b,y\n${rows(10)}\n`);
    await assertRejectsMessage(
      check(csvSpec(', test_path: nothing.csv')),
      `dataset "csv": ${path.join(dir, 'nothing.csv')}: no such file (check dataset.test_path; a relative path starts at the spec file's directory)`,
      { code: 'DATA_FILE_NOT_FOUND', exitCode: 2 },
    );
    await assertRejectsMessage(
      check(csvSpec(', features: [a, bb]')),
      `dataset "csv": feature column "bb" not found in ${data} (Did you mean "b"?)`,
      { code: 'DATASET_ERROR', exitCode: 2 },
    );
    writeFileSync(data, `a,b,y\n1,2,cat\n3,4,dog\n5,six,cat\n`);
    await assertRejectsMessage(
      check(csvSpec('')),
      `dataset "csv": ${data}:4:3 column "b": "six" is not a number (fix the cell or remove the row, or leave the column out of dataset.features; a column of categories goes in dataset.categorical)`,
      { code: 'DATA_FILE_ERROR', exitCode: 2 },
    );
    writeFileSync(data, `a,b,y\n1,2,0.5\n3,4,high\n`);
    await assertRejectsMessage(
      check(csvSpec('', 'regression')),
      `dataset "csv": ${data}:3:5 column "y": "high" is not a number (fix the cell or remove the row)`,
      { code: 'DATA_FILE_ERROR', exitCode: 2 },
    );
  });

  it('refuses what the run refuses in the rows it reads, with the same message', async () => {
    const cases = [
      `a,b,y\n1,2,cat\n3,,dog\n`,
      `a,b,y\n1,2,\n3,4,dog\n`,
      `a,b,y\n1,2,cat\n3,4\n`,
      `a;b;y\n1;2;cat\n`,
      `a,b,y\n1,"2,cat\n`,
      `a,b,y\n1,0x1F,cat\n2,3,dog\n`,
      `a,b,y\n1,inf,cat\n2,3,dog\n`,
      `a,b,y\n`,
      ``,
    ];
    for (const text of cases) {
      writeFileSync(data, text);
      const { experiment, registry } = await resolve(csvSpec(''));
      const run = await rejectionOf(loadData(registry, experiment.cells[0].config, experiment.baseDir));
      const validate = await rejectionOf(checkExperimentData(experiment, registry));
      assert.equal((validate as Error).message, (run as Error).message, JSON.stringify(text));
      assert.equal((validate as { code: string }).code, (run as { code: string }).code);
    }
  });

  it('reads only a sample: a problem after it, or one only all the rows show (a single class), is left to the run', async () => {
    writeFileSync(data, `a,b,y\n${rows(6, (i) => (i < 5 ? 'cat' : 'dog'))}\n5,x,dog\n`);
    assert.deepEqual(await check(csvSpec(''), 4), [
      `csv: ${data} (dataset.path): 2 feature column(s) and target "y", the first 4 rows read`,
    ]);
    await assertRejectsMessage(
      check(csvSpec('')),
      `dataset "csv": ${data}:8:3 column "b": "x" is not a number (fix the cell or remove the row, or leave the column out of dataset.features; a column of categories goes in dataset.categorical)`,
    );
  });

  it('loads an IDX dataset whole and refuses a file that is not IDX, naming it', async () => {
    const images = encodeIdxUbyte([4, 2, 2], new Uint8Array(16).fill(7));
    const labels = encodeIdxUbyte([4], new Uint8Array([0, 1, 0, 1]));
    for (const [name, bytes] of [
      ['train-images', images],
      ['train-labels', labels],
      ['test-images', images],
      ['test-labels', labels],
    ] as const) {
      writeFileSync(path.join(dir, name), bytes);
    }
    const spec = csvSpec('').replace(
      /dataset: .*\n/,
      'dataset: { name: idx, train_images: train-images, train_labels: train-labels, test_images: test-images, test_labels: test-labels }\n',
    );
    assert.deepEqual(await check(spec), ['idx: loaded, 4 training, 4 test examples']);
    writeFileSync(path.join(dir, 'test-labels'), 'y\n1\n');
    await assertRejectsMessage(
      check(spec),
      `dataset "idx": ${path.join(dir, 'test-labels')}: not an IDX file: it starts with 79 0a 31 0a, an IDX file with 00 00 <type> <rank> (download it again, or check that the path names an IDX file)`,
      { code: 'DATA_FILE_ERROR', exitCode: 2 },
    );
  });

  it('on the command line: prints what it read after "valid", and refuses bad data with exit 2', () => {
    writeFileSync(data, `a,b,y\n${rows(12)}\n`);
    const file = path.join(dir, 'cli.yaml');
    writeFileSync(file, csvSpec(''));
    const plain = distilRun(['validate', file]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, `${file}: valid (1 cell(s))\n`);
    const checked = distilRun(['validate', file, '--data']);
    assert.equal(checked.code, 0, checked.stderr);
    assert.equal(
      checked.stdout,
      `${file}: valid (1 cell(s))\n  data: csv: ${data} (dataset.path): 2 feature column(s) and target "y", all 12 rows read\n`,
    );
    writeFileSync(data, `a,b,y\n1,2,cat\nthree,4,dog\n`);
    assertRefused(
      distilRun(['validate', file, '--data']),
      2,
      `distil-run: dataset "csv": ${data}:3:1 column "a": "three" is not a number (fix the cell or remove the row, or leave the column out of dataset.features; a column of categories goes in dataset.categorical)\n`,
    );
    assert.equal(distilRun(['validate', file]).code, 0, 'without --data the data is not read');
  });

  it('on the command line: refuses with the data loaded what the run refuses before training, as the run does', () => {
    writeFileSync(data, `a,b,y\n${rows(12)}\n`);
    const file = path.join(dir, 'fits.yaml');
    writeFileSync(file, csvSpec(''));
    const cases: Array<[string, RegExp]> = [
      [
        'models.teacher.layers=[{name: conv2d, filters: 4}]',
        /^distil-run: these models cannot be built; nothing was run:\n {2}cell \w+, teacher: models\.teacher\.layers\[0\] \(conv2d\) takes images/,
      ],
      ['training.augment=[shift]', /^distil-run: these augmentations cannot be applied; nothing was run:\n/],
      [
        'distillation.transfer={exclude_classes: [9]}',
        /^distil-run: these transfer sets cannot be made; nothing was run:\n {2}cell \w+, distillation\.transfer: class 9 is not one of the dataset's 2 classes/,
      ],
    ];
    for (const [set, message] of cases) {
      const checked = distilRun(['validate', file, '--data', '--set', set]);
      const run = distilRun([file, '--set', set, '--out', path.join(dir, 'out'), '--plain']);
      assert.deepEqual([checked.code, run.code], [2, 2], `${set}: ${checked.stderr}`);
      assert.match(checked.stderr, message, set);
      assert.equal(checked.stderr, run.stderr, `${set}: the run's message`);
      assert.equal(checked.stdout, '', set);
    }
  });
});
