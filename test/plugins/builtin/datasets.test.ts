// Dataset components on fixtures the tests generate: california-housing sources, csv, idx.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { assert } from 'chai';
import { encodeIdxUbyte } from '../../../src/data/idx.js';
import { sha256, writeTar } from '../../../src/data/fetch.js';
import { DistilError } from '../../../src/errors.js';
import { HOUSING_URL } from '../../../src/plugins/builtin/datasets/california-housing.js';
import { permutation } from '../../../src/shared/random.js';
import type { Dataset } from '../../../src/registry/types.js';
import { root } from '../../cli-harness.js';
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

/** The message of the DistilError a load fails with, after checking its exit code (2: bad input). */
async function failure(promise: Promise<unknown>, exitCode: 1 | 2 = 2): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.instanceOf(error, DistilError);
    assert.equal((error as DistilError).exitCode, exitCode, (error as Error).message);
    return (error as Error).message;
  }
  throw new Error('expected a failure');
}

/**
 * The message of the DistilError a load fails with (exit code 2) in a process of the user nobody, for what root
 * cannot see: every file is readable to root. `dir` is opened to that user.
 */
function failureAsNobody(name: string, params: Record<string, unknown>, dir: string): string {
  chmodSync(dir, 0o755);
  const module = (file: string) => JSON.stringify(pathToFileURL(path.join(root, 'src', ...file.split('/'))).href);
  const script = `
    const { Registry } = await import(${module('registry/registry.ts')});
    const { builtinPlugin } = await import(${module('plugins/builtin/index.ts')});
    const entry = new Registry().use(builtinPlugin).get('dataset', ${JSON.stringify(name)});
    const params = ${JSON.stringify(params)};
    const errors = entry.validate(params);
    if (errors.length > 0) throw new Error(JSON.stringify(errors));
    try {
      await entry.definition.create(params, { seed: 5, baseDir: ${JSON.stringify(dir)} });
      console.log(JSON.stringify({ accepted: true }));
    } catch (error) {
      console.log(JSON.stringify({ name: error.name, exitCode: error.exitCode, message: error.message }));
    }`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', uid: 65534, gid: 65534 });
  assert.equal(child.status, 0, child.stderr);
  const outcome = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as { name?: string; exitCode?: number; message?: string };
  assert.deepEqual([outcome.name, outcome.exitCode], ['DistilError', 2], child.stdout);
  return String(outcome.message);
}

/** Starts a local HTTP server answering every request with `answer`; returns its base URL and a request counter. */
async function serve(answer: (res: import('node:http').ServerResponse) => void): Promise<{ url: string; requests: () => number; close: () => void }> {
  let count = 0;
  const server = createServer((_req, res) => {
    count++;
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => count, close: () => server.close() };
}

// The first row of the real file, then synthetic rows of the same shape.
const REPLACE_HINT = `replace it with an intact copy, e.g. from ${HOUSING_URL}`;
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
    writeFileSync(path.join(dir, 'cal_housing.data'), housingText(2));
    // Two rows split one and one; find the real first row in whichever split it landed, unstandardised.
    const data = await load('california-housing', { path: 'cal_housing.data', test_fraction: 0.5, standardize: false }, dir);
    const split = Math.abs(data.train.y[0] - 4.526) < 1e-6 ? data.train : data.test;
    const expected = [8.3252, 41, 6.98413, 1.02381, 322, 2.55556, 37.88, -122.23];
    assert.lengthOf(split.x, 8, 'one row of the 8 features');
    [...split.x].forEach((v, i) => assert.closeTo(v, expected[i], 1e-4));
    assert.closeTo(split.y[0], 4.526, 1e-6);
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
      const message = await failure(load('california-housing', { url, sha256: '0'.repeat(64) }), 1);
      assert.equal(message, [
        'dataset "california-housing": data not found. Looked in:',
        '  - DISTIL_DATA_DIR: not set',
        `  - cache: ${path.join(cache, 'distil-run', 'california-housing', 'cal_housing.tgz')}`,
        `  - download: download of ${url} has SHA-256 ${sha256(Buffer.from('not the archive'))}, expected ${'0'.repeat(64)}`,
        'Without network, put cal_housing.data (or cal_housing.tgz) in a directory and set DISTIL_DATA_DIR to it, or set dataset.path in the spec.',
      ].join('\n'));
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
    // Offline is not bad input: the data is missing from this machine (exit 1).
    const message = await failure(load('california-housing', { url: `http://127.0.0.1:${port}/cal_housing.tgz` }), 1);
    assert.equal(message, [
      'dataset "california-housing": data not found. Looked in:',
      '  - DISTIL_DATA_DIR: not set',
      `  - cache: ${path.join(cache, 'distil-run', 'california-housing', 'cal_housing.tgz')}`,
      `  - download: download of http://127.0.0.1:${port}/cal_housing.tgz failed: connection refused (ECONNREFUSED)`,
      'Without network, put cal_housing.data (or cal_housing.tgz) in a directory and set DISTIL_DATA_DIR to it, or set dataset.path in the spec.',
    ].join('\n'));
  });

  it('names the file (not the directory given) and the line of a malformed row', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'cal_housing.data'), `${FIRST}\n1,2,3\n`);
    assert.equal(
      await failure(load('california-housing', { path: dir }, dir)),
      `dataset "california-housing": ${path.join(dir, 'cal_housing.data')}:2:1 expected 9 comma-separated numbers, got "1,2,3" (${REPLACE_HINT})`,
    );
  });

  it('counts blank lines in line numbers, and refuses empty fields and zero households', async () => {
    const dir = tmp();
    const file = path.join(dir, 'cal_housing.data');
    const refused = async (text: string) => {
      writeFileSync(file, text);
      return failure(load('california-housing', { path: 'cal_housing.data' }, dir));
    };
    assert.equal(await refused(`${FIRST}\n\n${FIRST}\n1,2,3\n`), `dataset "california-housing": ${file}:4:1 expected 9 comma-separated numbers, got "1,2,3" (${REPLACE_HINT})`);
    const empty = FIRST.replace('41.0', '');
    assert.equal(await refused(`${FIRST}\n${empty}\n`), `dataset "california-housing": ${file}:2:1 expected 9 comma-separated numbers, got "${empty}" (${REPLACE_HINT})`);
    assert.equal(await refused(`${FIRST}\n${FIRST.replace(',126.0,', ',0,')}\n`), `dataset "california-housing": ${file}:2:1 households is 0; the per-household features need a positive count (${REPLACE_HINT})`);
  });

  it('refuses a damaged file in DISTIL_DATA_DIR, naming it (exit 2), instead of looking further', async () => {
    const env = tmp();
    writeFileSync(path.join(env, 'cal_housing.tgz'), Buffer.from('not gzip, not tar'));
    process.env.DISTIL_DATA_DIR = env;
    assert.equal(await failure(load('california-housing', {})), `dataset "california-housing": ${path.join(env, 'cal_housing.tgz')}: the archive holds no cal_housing.data (${REPLACE_HINT})`);
  });

  it('treats a damaged cache entry as a miss: downloads again and replaces it', async () => {
    const archive = gzipSync(writeTar({ 'CaliforniaHousing/cal_housing.data': Buffer.from(housingText(50)) }));
    const cached = path.join(cache, 'distil-run', 'california-housing', 'cal_housing.tgz');
    mkdirSync(path.dirname(cached), { recursive: true });
    writeFileSync(cached, archive.subarray(0, 100));
    const server = await serve((res) => res.end(archive));
    try {
      assert.equal((await load('california-housing', { url: `${server.url}/x.tgz`, sha256: sha256(archive) })).train.n, 40);
      assert.equal(server.requests(), 1);
      assert.equal(sha256(readFileSync(cached)), sha256(archive));
    } finally {
      server.close();
    }
  });

  it('offline with a damaged cache entry, names it and says how to delete it', async () => {
    const archive = gzipSync(writeTar({ 'CaliforniaHousing/cal_housing.data': Buffer.from(housingText(50)) }));
    const cached = path.join(cache, 'distil-run', 'california-housing', 'cal_housing.tgz');
    mkdirSync(path.dirname(cached), { recursive: true });
    writeFileSync(cached, archive.subarray(0, 100));
    const server = await serve((res) => {
      res.statusCode = 404;
      res.end('gone');
    });
    try {
      const message = await failure(load('california-housing', { url: `${server.url}/x.tgz`, sha256: sha256(archive) }), 1);
      assert.equal(message, [
        'dataset "california-housing": data not found. Looked in:',
        '  - DISTIL_DATA_DIR: not set',
        `  - cache: ${cached} is damaged (SHA-256 ${sha256(archive.subarray(0, 100))}, expected ${sha256(archive)}); a download replaces it, or delete it: rm ${cached}`,
        `  - download: download of ${server.url}/x.tgz failed: HTTP 404 Not Found`,
        'Without network, put cal_housing.data (or cal_housing.tgz) in a directory and set DISTIL_DATA_DIR to it, or set dataset.path in the spec.',
      ].join('\n'));
    } finally {
      server.close();
    }
  });

  const damaged: Array<[string, (dir: string) => string, (dir: string) => string]> = [
    ['a missing dataset.path', (dir) => path.join(dir, 'nope.data'),
      (dir) => `${path.join(dir, 'nope.data')}: no such file (check dataset.path; a relative path starts at the spec file's directory)`],
    ['a directory holding no data', (dir) => dir,
      (dir) => `${dir}: holds no cal_housing.data or cal_housing.tgz (put one in it, or point dataset.path at the file)`],
    ['a truncated archive (corrupt gzip)', (dir) => {
      const archive = gzipSync(writeTar({ 'CaliforniaHousing/cal_housing.data': Buffer.from(housingText(50)) }));
      writeFileSync(path.join(dir, 'cal_housing.tgz'), archive.subarray(0, archive.length - 20));
      return path.join(dir, 'cal_housing.tgz');
    }, (dir) => `${path.join(dir, 'cal_housing.tgz')}: corrupt gzip data (unexpected end of file) (${REPLACE_HINT})`],
    ['a truncated tar inside an intact gzip', (dir) => {
      const tar = writeTar({ 'CaliforniaHousing/cal_housing.data': Buffer.from(housingText(50)) });
      writeFileSync(path.join(dir, 'cal_housing.tgz'), gzipSync(tar.subarray(0, 1024)));
      return path.join(dir, 'cal_housing.tgz');
    }, (dir) => `${path.join(dir, 'cal_housing.tgz')}: truncated tar archive: "CaliforniaHousing/cal_housing.data" is cut short (${REPLACE_HINT})`],
    ['an archive without the data file', (dir) => {
      writeFileSync(path.join(dir, 'cal_housing.tgz'), gzipSync(writeTar({ 'README': Buffer.from('hi') })));
      return path.join(dir, 'cal_housing.tgz');
    }, (dir) => `${path.join(dir, 'cal_housing.tgz')}: the archive holds no cal_housing.data (${REPLACE_HINT})`],
    ['an empty data file', (dir) => {
      writeFileSync(path.join(dir, 'cal_housing.data'), '');
      return path.join(dir, 'cal_housing.data');
    }, (dir) => `${path.join(dir, 'cal_housing.data')}: the file is empty (${REPLACE_HINT})`],
  ];
  for (const [what, make, message] of damaged) {
    it(`refuses ${what} given as dataset.path, naming it (exit 2)`, async () => {
      const dir = tmp();
      const given = make(dir);
      assert.equal(await failure(load('california-housing', { path: given }, dir)), `dataset "california-housing": ${message(dir)}`);
    });
  }
});

describe('dataset csv', () => {
  const dir = tmp();
  const files: Record<string, string> = {
    'iris.csv': 'sepal,petal,species\n1.0,0.2,setosa\n1.1,0.3,setosa\n3.0,2.0,virginica\n3.2,2.1,virginica\n2.0,1.0,versicolor\n',
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
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  mkdirSync(path.join(dir, 'folder.csv'));
  const f = (name: string) => path.join(dir, name);

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

  it("reads a validation file, standardised with the training split's statistics and used whole", async () => {
    const data = await load('csv', { path: 'stats-train.csv', test_path: 'stats-test.csv', validation_path: 'stats-val.csv', target: 'y', task: 'regression', train_limit: 1 }, dir);
    assert.deepEqual(data.input, { shift: [2, 20], scale: [1, 0.1] });
    assert.deepEqual([...data.validation!.x], [2, -2, 0, 0.5], '(4 - 2) / 1, (0 - 20) / 10, (2 - 2) / 1, (25 - 20) / 10');
    assert.deepEqual([...data.validation!.y], [6, 7]);
    assert.equal(data.validation!.n, 2, 'train_limit limits the training split only');
    assert.equal(data.train.n, 1);
    assert.deepEqual([...data.test.x], [0, 0]);
    assert.equal(data.info?.validation_path, f('stats-val.csv'));
    const raw = await load('csv', { path: 'stats-train.csv', test_path: 'stats-test.csv', validation_path: 'stats-val.csv', target: 'y', task: 'regression', standardize: false }, dir);
    assert.deepEqual([...raw.validation!.x], [4, 0, 2, 25]);
    assert.isUndefined((await load('csv', { path: 'stats-train.csv', target: 'y', task: 'regression' }, dir)).validation);
  });

  it("maps a validation file's labels with the training file's classes", async () => {
    const data = await load('csv', { path: 'iris.csv', test_path: 'iris-test.csv', validation_path: 'iris-val.csv', target: 'species', task: 'classification', standardize: false }, dir);
    // Its own mapping would make setosa 0 and virginica 1.
    assert.deepEqual([...data.validation!.y], [2, 0]);
    assert.deepEqual([...data.validation!.x], [3.3, 2.2, 1.2, 0.1].map(Math.fround));
    const numeric = await load('csv', { path: 'numeric-labels.csv', validation_path: 'numeric-labels-val.csv', target: 'label', task: 'classification', test_fraction: 0.5 }, dir);
    assert.deepEqual([...numeric.validation!.y], [1, 0], '"1.0" is the training file\'s class "1"');
  });

  it('reads "1" and "1.0" as the same class', async () => {
    const data = await load('csv', { path: 'numeric-labels.csv', target: 'label', task: 'classification', test_fraction: 0.5 }, dir);
    assert.equal(data.outputSize, 2);
    assert.equal(data.info?.classes, '0 1');
  });

  it('ignores a UTF-8 byte order mark before the header', async () => {
    const data = await load('csv', { path: 'bom.csv', target: 'y', task: 'regression' }, dir);
    assert.equal(data.info?.features, 'a');
  });

  const FIX = 'fix the cell or remove the row';
  const errors: Array<[string, Record<string, unknown>, () => string]> = [
    ['a missing column', { path: 'iris.csv', target: 'specie', task: 'classification' },
      () => `target column "specie" not found in ${f('iris.csv')} (Did you mean "species"?)`],
    ['a one-column header that looks like another delimiter', { path: 'semicolons.csv', target: 'y', task: 'regression' },
      () => `target column "y" not found in ${f('semicolons.csv')} (the header is one column "a;b;y": is the delimiter ";"? Set dataset.delimiter)`],
    ['a column name in a file without a header', { path: 'values.tsv', delimiter: '\t', header: false, target: 'y', task: 'regression' },
      () => `target column "y" not found in ${f('values.tsv')} (the file has no header (header: false): give columns by 0-based index)`],
    ['a ragged row in a file without a header', { path: 'ragged.csv', header: false, target: 2, task: 'regression' },
      () => `${f('ragged.csv')}:3:1 row has 2 cells, line 1 has 3 (check the delimiter "," and quote cells that contain it)`],
    ['a non-numeric cell', { path: 'bad-cell.csv', target: 'y', task: 'regression' },
      () => `${f('bad-cell.csv')}:3:3 column "b": "oops" is not a number (${FIX}, or leave the column out of dataset.features)`],
    ['the true line of a bad cell after blank lines', { path: 'blank-lines.csv', target: 'y', task: 'regression' },
      () => `${f('blank-lines.csv')}:5:3 column "b": "oops" is not a number (${FIX}, or leave the column out of dataset.features)`],
    ['a NaN cell', { path: 'nan.csv', target: 'y', task: 'regression' },
      () => `${f('nan.csv')}:3:3 column "b": "NaN" is not a finite number (${FIX}, or leave the column out of dataset.features)`],
    ['an infinite target', { path: 'infinite-target.csv', target: 'y', task: 'regression' },
      () => `${f('infinite-target.csv')}:3:3 column "y": "Infinity" is not a finite number (${FIX})`],
    ['an empty cell', { path: 'empty-cell.csv', target: 'y', task: 'regression' },
      () => `${f('empty-cell.csv')}:2:3 column "b": empty cell (fill it in or remove the row; missing values are not imputed)`],
    ['a ragged row', { path: 'ragged.csv', target: 'y', task: 'regression' },
      () => `${f('ragged.csv')}:3:1 row has 2 cells, the header (line 1) has 3 (check the delimiter "," and quote cells that contain it)`],
    ['an unclosed quote', { path: 'unclosed.csv', target: 'y', task: 'regression' },
      () => `${f('unclosed.csv')}:2:3 a quoted cell starts here and is never closed (add the closing quote)`],
    ['an empty file', { path: 'empty.csv', target: 0, task: 'regression' },
      () => `${f('empty.csv')}: the file is empty (check dataset.path, or write a header line and data rows into it)`],
    ['a header without data rows', { path: 'header-only.csv', target: 'y', task: 'regression' },
      () => `${f('header-only.csv')}: the file has a header line but no data rows (add data rows below the header, or set header: false if line 1 is data)`],
    ['a missing file', { path: 'nope.csv', target: 0, task: 'regression' },
      () => `${f('nope.csv')}: no such file (check dataset.path; a relative path starts at the spec file's directory)`],
    ['a missing test file', { path: 'iris.csv', test_path: 'nope.csv', target: 'species', task: 'classification' },
      () => `${f('nope.csv')}: no such file (check dataset.test_path; a relative path starts at the spec file's directory)`],
    ['a directory given as the file', { path: 'folder.csv', target: 0, task: 'regression' },
      () => `${f('folder.csv')}: is a directory, expected a file (set dataset.path to a file inside it)`],
    ['a single class', { path: 'one-class.csv', target: 'label', task: 'classification' },
      () => `${f('one-class.csv')} column "label": found only class "x" in 3 rows; a classifier needs at least 2 classes (check dataset.target, or use task: regression for a numeric target)`],
    ['a test class never seen in training', { path: 'train-xy.csv', test_path: 'test-z.csv', target: 'label', task: 'classification' },
      () => `${f('test-z.csv')}:3:3 column "label": class "z" never occurs in the training file ${f('train-xy.csv')}; a classifier cannot learn it (fix the label, or add training rows of this class)`],
    ['a missing validation file', { path: 'iris.csv', validation_path: 'nope.csv', target: 'species', task: 'classification' },
      () => `${f('nope.csv')}: no such file (check dataset.validation_path; a relative path starts at the spec file's directory)`],
    ['an empty validation file', { path: 'stats-train.csv', validation_path: 'empty.csv', target: 'y', task: 'regression' },
      () => `${f('empty.csv')}: the file is empty (check dataset.validation_path, or write a header line and data rows into it)`],
    ['a ragged row in the validation file', { path: 'stats-train.csv', validation_path: 'ragged.csv', target: 'y', task: 'regression' },
      () => `${f('ragged.csv')}:3:1 row has 2 cells, the header (line 1) has 3 (check the delimiter "," and quote cells that contain it)`],
    ['a non-numeric cell in the validation file', { path: 'stats-train.csv', validation_path: 'bad-cell.csv', target: 'y', task: 'regression' },
      () => `${f('bad-cell.csv')}:3:3 column "b": "oops" is not a number (${FIX}, or leave the column out of dataset.features)`],
    ['a validation class never seen in training', { path: 'train-xy.csv', validation_path: 'test-z.csv', target: 'label', task: 'classification' },
      () => `${f('test-z.csv')}:3:3 column "label": class "z" never occurs in the training file ${f('train-xy.csv')}; a classifier cannot learn it (fix the label, or add training rows of this class)`],
    ['an empty label in the validation file', { path: 'train-xy.csv', test_path: 'train-xy.csv', validation_path: 'empty-label.csv', target: 'label', task: 'classification' },
      () => `${f('empty-label.csv')}:3:3 column "label": empty label (fill it in or remove the row)`],
    ['a validation file with other columns', { path: 'train-xy.csv', validation_path: 'test-other-header.csv', target: 'label', task: 'classification' },
      () => `${f('test-other-header.csv')}:1:1 columns "a, class" differ from "a, label" in ${f('train-xy.csv')} (give both files the same columns in the same order)`],
    ['a test file with other columns', { path: 'train-xy.csv', test_path: 'test-other-header.csv', target: 'label', task: 'classification' },
      () => `${f('test-other-header.csv')}:1:1 columns "a, class" differ from "a, label" in ${f('train-xy.csv')} (give both files the same columns in the same order)`],
    ['an empty label', { path: 'empty-label.csv', target: 'label', task: 'classification' },
      () => `${f('empty-label.csv')}:3:3 column "label": empty label (fill it in or remove the row)`],
    ['a constant regression target', { path: 'constant.csv', target: 'y', task: 'regression' },
      () => `${f('constant.csv')} column "y": every value is 5; a regressor needs a target that varies (check dataset.target)`],
    ['no feature columns', { path: 'only-target.csv', target: 'y', task: 'regression' },
      () => `${f('only-target.csv')}: no feature columns: the target "y" is the only column (add feature columns, or check dataset.delimiter)`],
    ['a split that leaves the test split empty', { path: 'two-rows.csv', target: 'y', task: 'regression', test_fraction: 0.1 },
      () => `${f('two-rows.csv')}: 2 data rows leave 0 for the test split with test_fraction 0.1 (add rows, raise test_fraction, or give dataset.test_path)`],
    ['a split that leaves the training split empty', { path: 'two-rows.csv', target: 'y', task: 'regression', test_fraction: 0.9 },
      () => `${f('two-rows.csv')}: 2 data rows leave 0 for the training split with test_fraction 0.9 (add rows, lower test_fraction, or give dataset.test_path)`],
  ];
  for (const [what, params, message] of errors) {
    it(`reports ${what} (exit 2)`, async () => {
      assert.equal(await failure(load('csv', params, dir)), `dataset "csv": ${message()}`);
    });
  }

  it('reports a class that the seeded split puts only in the test split', async () => {
    // Ten rows, class "z" only in row 6 (line 8): pick a seed whose 2-row test split holds it.
    writeFileSync(f('rare.csv'), `a,label\n${Array.from({ length: 10 }, (_, i) => `${i},${i === 6 ? 'z' : 'xy'[i % 2]}`).join('\n')}\n`);
    const seed = Array.from({ length: 100 }, (_, s) => s).find((s) => [...permutation(10, s).subarray(0, 2)].includes(6)) as number;
    const message = await failure(load('csv', { path: 'rare.csv', target: 'label', task: 'classification', split_seed: seed }, dir));
    assert.equal(message, `dataset "csv": ${f('rare.csv')}:8:3 column "label": class "z" falls only in the test split (test_fraction 0.2, split_seed ${seed}); a classifier cannot learn it (add rows of this class, or change split_seed)`);
  });

  it('reports an unreadable file', async () => {
    writeFileSync(f('secret.csv'), 'a,y\n1,2\n');
    chmodSync(f('secret.csv'), 0);
    const params = { path: 'secret.csv', target: 'y', task: 'regression' };
    // Root reads any file: as root, the load runs in a process of the user nobody.
    const message = process.getuid?.() === 0 ? failureAsNobody('csv', params, dir) : await failure(load('csv', params, dir));
    assert.equal(message, `dataset "csv": ${f('secret.csv')}: cannot be read: permission denied (EACCES) (check the file's permissions)`);
  });
});

/** Writes IDX files into a new directory: images `[n, 2, 2]` and labels `[n]`, gzipped when the name ends in .gz. */
function idxDir(files: Record<string, Buffer>): string {
  const dir = tmp();
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), name.endsWith('.gz') ? gzipSync(bytes) : bytes);
  return dir;
}
const idxImages = (n: number, side = 2) => encodeIdxUbyte([n, side, side], Uint8Array.from({ length: n * side * side }, (_, i) => (i * 51) % 256));
const idxLabels = (labels: readonly number[]) => encodeIdxUbyte([labels.length], Uint8Array.from(labels));
const IDX_PARAMS = { train_images: 'tr-x', train_labels: 'tr-y', test_images: 'te-x', test_labels: 'te-y' };
const goodIdx = () => ({ 'tr-x': idxImages(6), 'tr-y': idxLabels([0, 1, 2, 3, 0, 1]), 'te-x': idxImages(3), 'te-y': idxLabels([0, 1, 2]) });

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

  const VALIDATION = { ...IDX_PARAMS, validation_images: 'va-x', validation_labels: 'va-y' };
  const withValidation = () => ({ ...goodIdx(), 'va-x': idxImages(2), 'va-y': idxLabels([3, 1]) });

  it('reads validation files like the test files: scaled, checked, used whole', async () => {
    const dir = idxDir(withValidation());
    const data = await load('idx', { ...VALIDATION, train_limit: 1, test_limit: 1 }, dir);
    assert.equal(data.validation!.n, 2, 'the limits leave the validation split whole');
    assert.deepEqual([...data.validation!.x], [0, 51, 102, 153, 204, 255, 50, 101].map((v) => Math.fround(v / 255)));
    assert.deepEqual([...data.validation!.y], [3, 1]);
    assert.equal(data.info?.validation_n, 2);
    assert.equal(data.info?.validation_labels, path.join(dir, 'va-y'));
    const raw = await load('idx', { ...VALIDATION, scale: false }, dir);
    assert.deepEqual([...raw.validation!.x.subarray(0, 4)], [0, 51, 102, 153]);
    assert.isUndefined((await load('idx', IDX_PARAMS, dir)).validation);
  });

  const validationErrors: Array<[string, Record<string, Buffer>, (file: (name: string) => string) => string]> = [
    ['a validation class never seen in training', { 'va-y': idxLabels([0, 7]) },
      (file) => `${file('va-y')}: class 7 (item 1) never occurs in the training labels ${file('tr-y')}; a classifier cannot learn it (check dataset.validation_labels and dataset.train_labels)`],
    ['validation images of another size', { 'va-x': idxImages(2, 3) },
      (file) => `${file('va-x')}: examples are 3x3, but ${file('tr-x')} has 2x2 (train and validation images must have the same shape)`],
    ['validation images and labels of different counts', { 'va-y': idxLabels([0]) },
      (file) => `${file('va-y')}: 1 labels, but ${file('va-x')} holds 2 images (an images file and its labels file must hold the same examples, in the same order)`],
    ['a label file given as validation images', { 'va-x': idxLabels([0, 1]) },
      (file) => `${file('va-x')}: images must have at least 2 dimensions (examples x features), got 2 (check dataset.validation_images: is it a label file?)`],
    ['a truncated validation file', { 'va-y': idxLabels([0, 1]).subarray(0, 9) },
      (file) => `${file('va-y')}: truncated: the header declares 2 ubyte (10 bytes), the file has 9 (${REDOWNLOAD})`],
  ];
  for (const [what, replace, message] of validationErrors) {
    it(`reports ${what}, naming the validation file (exit 2)`, async () => {
      const dir = idxDir({ ...withValidation(), ...replace });
      assert.equal(await failure(load('idx', VALIDATION, dir)), `dataset "idx": ${message((name) => path.join(dir, name))}`);
    });
  }

  it('reports a missing validation file, naming its key, and one validation file without the other', async () => {
    const dir = idxDir(withValidation());
    assert.equal(await failure(load('idx', { ...VALIDATION, validation_images: 'nope' }, dir)),
      `dataset "idx": ${path.join(dir, 'nope')}: no such file (check dataset.validation_images; a relative path starts at dataset.dir, else the spec file's directory)`);
    // The params schema refuses it when a spec is resolved (test/config); create() still says so to a caller that skips it.
    const registry = builtinRegistry();
    const { definition } = registry.get('dataset', 'idx');
    assert.isNotEmpty(registry.get('dataset', 'idx').validate({ ...IDX_PARAMS, validation_labels: 'va-y' }));
    if (definition.kind !== 'dataset') throw new Error('not a dataset');
    assert.equal(await failure(definition.create({ ...IDX_PARAMS, scale: true, validation_labels: 'va-y' } as never, { seed: 1, baseDir: dir })),
      'dataset "idx": validation_labels is set without validation_images (give both validation files, or neither)');
  });

  const negativeLabels = Buffer.from([0, 0, 0x09, 1, 0, 0, 0, 6, 0, 1, 2, 0xff, 0, 1]);
  const REDOWNLOAD = 'download it again, or check that the path names an IDX file';
  const errors: Array<[string, Record<string, Buffer>, (file: (name: string) => string) => string]> = [
    ['images and labels of different counts', { 'tr-y': idxLabels([0, 1, 2, 3, 0]) },
      (file) => `${file('tr-y')}: 5 labels, but ${file('tr-x')} holds 6 images (an images file and its labels file must hold the same examples, in the same order)`],
    ['train and test images of different sizes', { 'te-x': idxImages(3, 3) },
      (file) => `${file('te-x')}: examples are 3x3, but ${file('tr-x')} has 2x2 (train and test images must have the same shape)`],
    ['a label file given as images', { 'tr-x': idxLabels([0, 1, 2, 3, 0, 1]) },
      (file) => `${file('tr-x')}: images must have at least 2 dimensions (examples x features), got 6 (check dataset.train_images: is it a label file?)`],
    ['an image file given as labels', { 'te-y': idxImages(3) },
      (file) => `${file('te-y')}: labels must have 1 dimension, got 3x2x2 (check dataset.test_labels: is it an image file?)`],
    ['an empty file', { 'tr-x': Buffer.alloc(0) }, (file) => `${file('tr-x')}: the file is empty (${REDOWNLOAD})`],
    ['a wrong magic number', { 'tr-x': Buffer.from('hello world') },
      (file) => `${file('tr-x')}: not an IDX file: it starts with 68 65 6c 6c, an IDX file with 00 00 <type> <rank> (${REDOWNLOAD})`],
    ['a truncated file', { 'tr-x': idxImages(6).subarray(0, 20) },
      (file) => `${file('tr-x')}: truncated: the header declares 6x2x2 ubyte (40 bytes), the file has 20 (${REDOWNLOAD})`],
    ['a file with extra bytes', { 'tr-y': Buffer.concat([idxLabels([0, 1, 2, 3, 0, 1]), Buffer.from([7])]) },
      (file) => `${file('tr-y')}: the header declares 6 ubyte (14 bytes), the file has 15 (${REDOWNLOAD})`],
    ['a single class', { 'tr-y': idxLabels([3, 3, 3, 3, 3, 3]) },
      (file) => `${file('tr-y')}: found only class 3 in 6 labels; a classifier needs at least 2 classes (check dataset.train_labels)`],
    ['a test class never seen in training', { 'te-y': idxLabels([0, 7, 2]) },
      (file) => `${file('te-y')}: class 7 (item 1) never occurs in the training labels ${file('tr-y')}; a classifier cannot learn it (check dataset.test_labels and dataset.train_labels)`],
    ['a negative label', { 'tr-y': negativeLabels },
      (file) => `${file('tr-y')}: item 3 has label -1, expected a class index 0, 1, 2, ... (check dataset.train_labels)`],
    ['no examples', { 'tr-x': encodeIdxUbyte([0, 2, 2], new Uint8Array(0)), 'tr-y': encodeIdxUbyte([0], new Uint8Array(0)) },
      (file) => `${file('tr-x')}: the file holds no examples (${REDOWNLOAD})`],
  ];
  for (const [what, replace, message] of errors) {
    it(`reports ${what}, naming the file (exit 2)`, async () => {
      const dir = idxDir({ ...goodIdx(), ...replace });
      assert.equal(await failure(load('idx', IDX_PARAMS, dir)), `dataset "idx": ${message((name) => path.join(dir, name))}`);
    });
  }

  it('reports corrupt gzip data, naming the file', async () => {
    const dir = idxDir(goodIdx());
    writeFileSync(path.join(dir, 'tr-x.gz'), gzipSync(idxImages(6)).subarray(0, 30));
    const message = await failure(load('idx', { ...IDX_PARAMS, train_images: 'tr-x.gz' }, dir));
    assert.equal(message, `dataset "idx": ${path.join(dir, 'tr-x.gz')}: corrupt gzip data (unexpected end of file) (${REDOWNLOAD})`);
  });

  it('reports a missing file and a directory, naming the key to fix', async () => {
    const dir = idxDir(goodIdx());
    mkdirSync(path.join(dir, 'sub'));
    assert.equal(await failure(load('idx', { ...IDX_PARAMS, test_labels: 'nope' }, dir)),
      `dataset "idx": ${path.join(dir, 'nope')}: no such file (check dataset.test_labels; a relative path starts at dataset.dir, else the spec file's directory)`);
    assert.equal(await failure(load('idx', { ...IDX_PARAMS, train_images: 'sub' }, dir)),
      `dataset "idx": ${path.join(dir, 'sub')}: is a directory, expected a file (set dataset.train_images to a file inside it)`);
  });
});

describe('dataset mnist', () => {
  it('names a file whose MD5 is wrong, and how to repair it', async () => {
    const dir = idxDir({
      'train-images-idx3-ubyte': idxImages(6), 'train-labels-idx1-ubyte': idxLabels([0, 1, 2, 3, 0, 1]),
      't10k-images-idx3-ubyte': idxImages(3), 't10k-labels-idx1-ubyte': idxLabels([0, 1, 2]),
    });
    const file = path.join(dir, 'train-images-idx3-ubyte');
    const message = await failure(load('mnist', { dir }, dir));
    assert.equal(message, `dataset "mnist": ${file}: MD5 is ${createHash('md5').update(idxImages(6)).digest('hex')}, expected 6bbc9ace898e44ae57da46a324031adb (the file is damaged or not MNIST's: replace it with the canonical file, or set verify: false for your own copy)`);
    assert.equal((await load('mnist', { dir, verify: false }, dir)).train.n, 6);
  });
});
