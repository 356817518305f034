// Dataset components on fixtures the tests generate: california-housing sources, csv, idx.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { assert } from 'chai';
import { encodeIdxUbyte } from '../../../src/data/idx.js';
import { sha256, writeTar } from '../../../src/data/fetch.js';
import { DistilError } from '../../../src/errors.js';
import type { Dataset } from '../../../src/registry/types.js';
import { builtinRegistry } from '../../helpers.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'distil-data-'));

/** Validates params (filling defaults) and creates a dataset, as the runner does. */
async function load(name: string, params: Record<string, unknown>, baseDir = '.'): Promise<Dataset> {
  const registry = builtinRegistry();
  const filled = structuredClone(params);
  const errors = registry.get('dataset', name).validate(filled);
  assert.deepEqual(errors, []);
  const definition = registry.get('dataset', name).definition;
  if (definition.kind !== 'dataset') throw new Error('not a dataset');
  return definition.create(filled as never, { seed: 5, baseDir });
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.instanceOf(error, DistilError);
    return (error as Error).message;
  }
  throw new Error('expected a failure');
}

// The first row of the real file, then synthetic rows of the same shape.
const FIRST = '-122.23,37.88,41.0,880.0,129.0,322.0,126.0,8.3252,452600.0';
function housingText(rows: number): string {
  const lines = [FIRST];
  for (let i = 1; i < rows; i++) lines.push(`-${118 + (i % 5)}.5,${34 + (i % 3)}.1,${10 + (i % 30)}.0,${1000 + i}.0,${200 + (i % 7)}.0,${500 + i}.0,${150 + (i % 11)}.0,${(2 + (i % 9) * 0.5).toFixed(4)},${100000 + i * 1000}.0`);
  return `${lines.join('\n')}\n`;
}

describe('dataset california-housing', () => {
  const saved = { dir: process.env.DISTIL_DATA_DIR, cache: process.env.XDG_CACHE_HOME };
  let cache: string;
  beforeEach(() => {
    delete process.env.DISTIL_DATA_DIR;
    cache = tmp();
    process.env.XDG_CACHE_HOME = cache;
  });
  after(() => {
    if (saved.dir === undefined) delete process.env.DISTIL_DATA_DIR;
    else process.env.DISTIL_DATA_DIR = saved.dir;
    if (saved.cache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved.cache;
  });

  it("derives scikit-learn's features and target", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'cal_housing.data'), `${FIRST}\n`);
    // With one row and a tiny test fraction the single row lands in train, unstandardised.
    const data = await load('california-housing', { path: 'cal_housing.data', test_fraction: 0.01, standardize: false }, dir);
    const expected = [8.3252, 41, 6.98413, 1.02381, 322, 2.55556, 37.88, -122.23];
    [...data.train.x].forEach((v, i) => assert.closeTo(v, expected[i], 1e-4));
    assert.closeTo(data.train.y[0], 4.526, 1e-6);
    assert.equal(data.task, 'regression');
  });

  it('splits 80/20 with a seed and standardises with the training split only', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'cal_housing.data'), housingText(200));
    const data = await load('california-housing', { path: dir }, dir);
    assert.equal(data.train.n, 160);
    assert.equal(data.test.n, 40);
    for (let j = 0; j < 8; j++) {
      let sum = 0;
      for (let i = 0; i < data.train.n; i++) sum += data.train.x[i * 8 + j];
      assert.closeTo(sum / data.train.n, 0, 1e-4, `train mean of feature ${j}`);
    }
    const again = await load('california-housing', { path: dir }, dir);
    assert.deepEqual([...again.test.y], [...data.test.y]);
    const other = await load('california-housing', { path: dir, split_seed: 99 }, dir);
    assert.notDeepEqual([...other.test.y], [...data.test.y]);
  });

  it('reads the archive, a directory holding it, and DISTIL_DATA_DIR', async () => {
    const dir = tmp();
    const archive = gzipSync(writeTar({ 'CaliforniaHousing/cal_housing.data': Buffer.from(housingText(20)) }));
    writeFileSync(path.join(dir, 'cal_housing.tgz'), archive);
    assert.equal((await load('california-housing', { path: 'cal_housing.tgz' }, dir)).train.n, 16);
    const env = tmp();
    mkdirSync(path.join(env, 'california-housing'));
    writeFileSync(path.join(env, 'california-housing', 'cal_housing.data'), housingText(30));
    process.env.DISTIL_DATA_DIR = env;
    assert.equal((await load('california-housing', {})).train.n, 24);
  });

  it('downloads, verifies and caches the archive, then works offline from the cache', async () => {
    const archive = gzipSync(writeTar({ 'CaliforniaHousing/cal_housing.data': Buffer.from(housingText(50)) }));
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.end(archive);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cal_housing.tgz`;
    try {
      const params = { url, sha256: sha256(archive) };
      assert.equal((await load('california-housing', params)).train.n, 40);
      assert.isTrue(existsSync(path.join(cache, 'distil-run', 'california-housing', 'cal_housing.tgz')));
      assert.equal((await load('california-housing', params)).train.n, 40);
      assert.equal(requests, 1, 'the second load reads the cache');
    } finally {
      server.close();
    }
  });

  it('refuses a download whose checksum does not match, and caches nothing', async () => {
    const server = createServer((_req, res) => res.end('not the archive'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x.tgz`;
    try {
      const message = await failure(load('california-housing', { url, sha256: '0'.repeat(64) }));
      assert.include(message, `download of ${url} has SHA-256 ${sha256(Buffer.from('not the archive'))}, expected ${'0'.repeat(64)}`);
      assert.isFalse(existsSync(path.join(cache, 'distil-run', 'california-housing', 'cal_housing.tgz')));
    } finally {
      server.close();
    }
  });

  it('offline, says where it looked and how to provide the file', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const message = await failure(load('california-housing', { url: `http://127.0.0.1:${port}/cal_housing.tgz` }));
    assert.equal(message, [
      'dataset "california-housing": data not found. Looked in:',
      '  - DISTIL_DATA_DIR: not set',
      `  - cache: ${path.join(cache, 'distil-run', 'california-housing', 'cal_housing.tgz')}`,
      `  - download: download of http://127.0.0.1:${port}/cal_housing.tgz failed: ECONNREFUSED`,
      'Without network, put cal_housing.data (or cal_housing.tgz) in a directory and set DISTIL_DATA_DIR to it, or set dataset.path in the spec.',
    ].join('\n'));
  });

  it('names the line of a malformed row', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'cal_housing.data'), `${FIRST}\n1,2,3\n`);
    assert.equal(await failure(load('california-housing', { path: dir }, dir)), `dataset "california-housing": ${dir} line 2: expected 9 numbers, got "1,2,3"`);
  });
});

describe('dataset csv', () => {
  const dir = tmp();
  writeFileSync(path.join(dir, 'iris.csv'), 'sepal,petal,species\n1.0,0.2,setosa\n1.1,0.3,setosa\n3.0,2.0,virginica\n3.2,2.1,virginica\n2.0,1.0,versicolor\n');
  writeFileSync(path.join(dir, 'iris-test.csv'), 'sepal,petal,species\n1.05,0.25,setosa\n3.1,2.2,virginica\n');
  writeFileSync(path.join(dir, 'values.tsv'), '1\t2\t3.5\n2\t4\t7.5\n3\t6\t11.5\n4\t8\t15.5\n5\t10\t19.5\n');
  writeFileSync(path.join(dir, 'bad-cell.csv'), 'a,b,y\n1,2,3\n4,oops,6\n');
  writeFileSync(path.join(dir, 'ragged.csv'), 'a,b,y\n1,2,3\n4,5\n');
  writeFileSync(path.join(dir, 'empty.csv'), '');

  it('reads string labels as classes, in text order, with a separate test file', async () => {
    const data = await load('csv', { path: 'iris.csv', test_path: 'iris-test.csv', target: 'species', task: 'classification', standardize: false }, dir);
    assert.equal(data.outputSize, 3);
    assert.deepEqual([...data.train.y], [0, 0, 2, 2, 1]);
    assert.deepEqual([...data.test.y], [0, 2]);
    assert.deepEqual([...data.test.x], [1.05, 0.25, 3.1, 2.2].map(Math.fround));
    assert.equal(data.info?.classes, 'setosa versicolor virginica');
  });

  it('reads a headerless regression table by column index with another delimiter', async () => {
    const data = await load('csv', { path: 'values.tsv', delimiter: '\t', header: false, features: [1], target: 2, task: 'regression', test_fraction: 0.4, standardize: false }, dir);
    assert.equal(data.train.n, 3);
    assert.equal(data.test.n, 2);
    assert.deepEqual(data.featureShape, [1]);
    for (let i = 0; i < data.train.n; i++) assert.closeTo(data.train.y[i], data.train.x[i] * 2 - 0.5 + 0 * i, 1e-6);
  });

  const errors: Array<[string, Record<string, unknown>, string]> = [
    ['a missing column', { path: 'iris.csv', target: 'specie', task: 'classification' }, `dataset "csv": target column "specie" not found in ${path.join(dir, 'iris.csv')} (Did you mean "species"?)`],
    ['a non-numeric cell', { path: 'bad-cell.csv', target: 'y', task: 'regression' }, `dataset "csv": ${path.join(dir, 'bad-cell.csv')} line 3, column "b": "oops" is not a number`],
    ['a ragged row', { path: 'ragged.csv', target: 'y', task: 'regression' }, `dataset "csv": ${path.join(dir, 'ragged.csv')} line 3: 2 cells, expected 3`],
    ['an empty file', { path: 'empty.csv', target: 0, task: 'regression' }, `dataset "csv": ${path.join(dir, 'empty.csv')} has no data rows (the file is empty)`],
    ['a missing file', { path: 'nope.csv', target: 0, task: 'regression' }, `dataset "csv": data not found. Looked in:\n  - ${path.join(dir, 'nope.csv')}\nCheck dataset.path (relative to the spec file).`],
  ];
  for (const [what, params, message] of errors) {
    it(`reports ${what}`, async () => {
      assert.equal(await failure(load('csv', params, dir)), message);
    });
  }
});

describe('dataset idx', () => {
  it('reads four gzipped IDX files, scales pixels and takes prefixes', async () => {
    const dir = tmp();
    const images = (n: number) => gzipSync(encodeIdxUbyte([n, 2, 2], Uint8Array.from({ length: n * 4 }, (_, i) => (i * 51) % 256)));
    const labels = (n: number) => gzipSync(encodeIdxUbyte([n], Uint8Array.from({ length: n }, (_, i) => i % 4)));
    writeFileSync(path.join(dir, 'tr-x.gz'), images(6));
    writeFileSync(path.join(dir, 'tr-y.gz'), labels(6));
    writeFileSync(path.join(dir, 'te-x.gz'), images(3));
    writeFileSync(path.join(dir, 'te-y.gz'), labels(3));
    const data = await load('idx', { train_images: 'tr-x.gz', train_labels: 'tr-y.gz', test_images: 'te-x.gz', test_labels: 'te-y.gz', train_limit: 5 }, dir);
    assert.deepEqual(data.featureShape, [4]);
    assert.equal(data.outputSize, 4);
    assert.equal(data.train.n, 5);
    assert.deepEqual([...data.train.x.subarray(0, 4)], [0, 51, 102, 153].map((v) => Math.fround(v / 255)));
    assert.deepEqual([...data.test.y], [0, 1, 2]);
  });

  it('names the file when images and labels disagree', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'x'), encodeIdxUbyte([2, 1], Uint8Array.from([1, 2])));
    writeFileSync(path.join(dir, 'y'), encodeIdxUbyte([3], Uint8Array.from([1, 2, 3])));
    const message = await failure(load('idx', { train_images: 'x', train_labels: 'y', test_images: 'x', test_labels: 'y' }, dir));
    assert.equal(message, 'dataset "idx": train split has 2 images but 3 labels');
  });
});
