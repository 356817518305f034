// Dataset california-housing on generated sources: the data file, archives, DISTIL_DATA_DIR, the cache, a download; its params.
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { assert } from 'chai';
import { writeTar } from '../../../../src/data/fetch.js';
import { sha256 } from '../../../../src/shared/hash.js';
import { HOUSING_URL } from '../../../../src/plugins/builtin/datasets/california-housing.js';
import { describeParams } from '../params-table.js';
import { assertRunRefused, failure, load, tmp } from './load-dataset.js';

/** Starts a local HTTP server answering every request with `answer`; returns its base URL and a request counter. */
async function serve(
  answer: (res: ServerResponse) => void,
): Promise<{ url: string; requests: () => number; close: () => void }> {
  let count = 0;
  const server = createServer((_req, res) => {
    count++;
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => count,
    close: () => server.close(),
  };
}

// The first row of the real file, then synthetic rows of the same shape.
const REPLACE_HINT = `replace it with an intact copy, e.g. from ${HOUSING_URL}`;
const FIRST = '-122.23,37.88,41.0,880.0,129.0,322.0,126.0,8.3252,452600.0';
function housingText(rows: number): string {
  const lines = [FIRST];
  for (let i = 1; i < rows; i++) {
    lines.push(
      `-${118 + (i % 5)}.5,${34 + (i % 3)}.1,${10 + (i % 30)}.0,${1000 + i}.0,${200 + (i % 7)}.0,${500 + i}.0,${150 + (i % 11)}.0,${(2 + (i % 9) * 0.5).toFixed(4)},${100000 + i * 1000}.0`,
    );
  }
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
    const data = await load(
      'california-housing',
      { path: 'cal_housing.data', test_fraction: 0.5, standardize: false },
      dir,
    );
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
      const message = await failure(load('california-housing', { url, sha256: '0'.repeat(64) }));
      assert.equal(
        message,
        [
          'dataset "california-housing": data not found. Looked in:',
          '  - DISTIL_DATA_DIR: not set',
          `  - cache: ${path.join(cache, 'distil-run', 'california-housing', 'cal_housing.tgz')}`,
          `  - download: download of ${url} has SHA-256 ${sha256(Buffer.from('not the archive'))}, expected ${'0'.repeat(64)}`,
          'Without network, put cal_housing.data (or cal_housing.tgz) in a directory and set DISTIL_DATA_DIR to it, or set dataset.path in the spec.',
        ].join('\n'),
      );
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
    // Missing data is invalid input, as a missing csv or idx file is (exit 2).
    const message = await failure(load('california-housing', { url: `http://127.0.0.1:${port}/cal_housing.tgz` }));
    const expected = [
      'dataset "california-housing": data not found. Looked in:',
      '  - DISTIL_DATA_DIR: not set',
      `  - cache: ${path.join(cache, 'distil-run', 'california-housing', 'cal_housing.tgz')}`,
      `  - download: download of http://127.0.0.1:${port}/cal_housing.tgz failed: connection refused (ECONNREFUSED)`,
      'Without network, put cal_housing.data (or cal_housing.tgz) in a directory and set DISTIL_DATA_DIR to it, or set dataset.path in the spec.',
    ].join('\n');
    assert.equal(message, expected);
    // The same through the command: exit 2, the message alone on stderr.
    assertRunRefused('california-housing', [`url=http://127.0.0.1:${port}/cal_housing.tgz`], cache, expected);
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
    assert.equal(
      await refused(`${FIRST}\n\n${FIRST}\n1,2,3\n`),
      `dataset "california-housing": ${file}:4:1 expected 9 comma-separated numbers, got "1,2,3" (${REPLACE_HINT})`,
    );
    const empty = FIRST.replace('41.0', '');
    assert.equal(
      await refused(`${FIRST}\n${empty}\n`),
      `dataset "california-housing": ${file}:2:1 expected 9 comma-separated numbers, got "${empty}" (${REPLACE_HINT})`,
    );
    assert.equal(
      await refused(`${FIRST}\n${FIRST.replace(',126.0,', ',0,')}\n`),
      `dataset "california-housing": ${file}:2:1 households is 0; the per-household features need a positive count (${REPLACE_HINT})`,
    );
  });

  it('refuses a damaged file in DISTIL_DATA_DIR, naming it (exit 2), instead of looking further', async () => {
    const env = tmp();
    writeFileSync(path.join(env, 'cal_housing.tgz'), Buffer.from('not gzip, not tar'));
    process.env.DISTIL_DATA_DIR = env;
    assert.equal(
      await failure(load('california-housing', {})),
      `dataset "california-housing": ${path.join(env, 'cal_housing.tgz')}: the archive holds no cal_housing.data (${REPLACE_HINT})`,
    );
  });

  it('treats a damaged cache entry as a miss: downloads again and replaces it', async () => {
    const archive = gzipSync(writeTar({ 'CaliforniaHousing/cal_housing.data': Buffer.from(housingText(50)) }));
    const cached = path.join(cache, 'distil-run', 'california-housing', 'cal_housing.tgz');
    mkdirSync(path.dirname(cached), { recursive: true });
    writeFileSync(cached, archive.subarray(0, 100));
    const server = await serve((res) => res.end(archive));
    try {
      assert.equal(
        (await load('california-housing', { url: `${server.url}/x.tgz`, sha256: sha256(archive) })).train.n,
        40,
      );
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
      const message = await failure(
        load('california-housing', { url: `${server.url}/x.tgz`, sha256: sha256(archive) }),
      );
      assert.equal(
        message,
        [
          'dataset "california-housing": data not found. Looked in:',
          '  - DISTIL_DATA_DIR: not set',
          `  - cache: ${cached} is damaged (SHA-256 ${sha256(archive.subarray(0, 100))}, expected ${sha256(archive)}); a download replaces it, or delete it: rm ${cached}`,
          `  - download: download of ${server.url}/x.tgz failed: HTTP 404 Not Found`,
          'Without network, put cal_housing.data (or cal_housing.tgz) in a directory and set DISTIL_DATA_DIR to it, or set dataset.path in the spec.',
        ].join('\n'),
      );
    } finally {
      server.close();
    }
  });

  const damaged: Array<[string, (dir: string) => string, (dir: string) => string]> = [
    [
      'a missing dataset.path',
      (dir) => path.join(dir, 'nope.data'),
      (dir) =>
        `${path.join(dir, 'nope.data')}: no such file (check dataset.path; a relative path starts at the spec file's directory)`,
    ],
    [
      'a directory holding no data',
      (dir) => dir,
      (dir) =>
        `${dir}: holds no cal_housing.data or cal_housing.tgz (put one in it, or point dataset.path at the file)`,
    ],
    [
      'a truncated archive (corrupt gzip)',
      (dir) => {
        const archive = gzipSync(writeTar({ 'CaliforniaHousing/cal_housing.data': Buffer.from(housingText(50)) }));
        writeFileSync(path.join(dir, 'cal_housing.tgz'), archive.subarray(0, archive.length - 20));
        return path.join(dir, 'cal_housing.tgz');
      },
      (dir) => `${path.join(dir, 'cal_housing.tgz')}: corrupt gzip data (unexpected end of file) (${REPLACE_HINT})`,
    ],
    [
      'a truncated tar inside an intact gzip',
      (dir) => {
        const tar = writeTar({ 'CaliforniaHousing/cal_housing.data': Buffer.from(housingText(50)) });
        writeFileSync(path.join(dir, 'cal_housing.tgz'), gzipSync(tar.subarray(0, 1024)));
        return path.join(dir, 'cal_housing.tgz');
      },
      (dir) =>
        `${path.join(dir, 'cal_housing.tgz')}: truncated tar archive: "CaliforniaHousing/cal_housing.data" is cut short (${REPLACE_HINT})`,
    ],
    [
      'an archive without the data file',
      (dir) => {
        writeFileSync(path.join(dir, 'cal_housing.tgz'), gzipSync(writeTar({ README: Buffer.from('hi') })));
        return path.join(dir, 'cal_housing.tgz');
      },
      (dir) => `${path.join(dir, 'cal_housing.tgz')}: the archive holds no cal_housing.data (${REPLACE_HINT})`,
    ],
    [
      'an empty data file',
      (dir) => {
        writeFileSync(path.join(dir, 'cal_housing.data'), '');
        return path.join(dir, 'cal_housing.data');
      },
      (dir) => `${path.join(dir, 'cal_housing.data')}: the file is empty (${REPLACE_HINT})`,
    ],
  ];
  for (const [what, make, message] of damaged) {
    it(`refuses ${what} given as dataset.path, naming it (exit 2)`, async () => {
      const dir = tmp();
      const given = make(dir);
      assert.equal(
        await failure(load('california-housing', { path: given }, dir)),
        `dataset "california-housing": ${message(dir)}`,
      );
    });
  }
});

const DEFAULTS = {
  url: 'https://ndownloader.figshare.com/files/5976036',
  sha256: 'aaa5c9a6afe2225cc2aed2723682ae403280c4a3695a2ddda4ffb5d8215ea681',
  test_fraction: 0.2,
  standardize: true,
};
/** A digest YAML reads as text (letters in it). */
const DIGEST = 'ab'.repeat(32);

describeParams('dataset', 'california-housing', {
  slot: 'dataset',
  task: 'regression',
  valid: [
    ['california-housing', DEFAULTS],
    [
      `{ name: california-housing, path: data/cal_housing.tgz, url: 'http://example.com/x.tgz', sha256: ${DIGEST}, test_fraction: 0.5, split_seed: 0, standardize: false, train_limit: 10, test_limit: 5 }`,
      {
        path: 'data/cal_housing.tgz',
        url: 'http://example.com/x.tgz',
        sha256: DIGEST,
        test_fraction: 0.5,
        split_seed: 0,
        standardize: false,
        train_limit: 10,
        test_limit: 5,
      },
    ],
    // dataset.validation is every dataset's, taken off its params.
    ['{ name: california-housing, validation: 0.1 }', DEFAULTS],
  ],
  invalid: [
    ['{ name: california-housing, path: [a] }', 'spec.yaml:2:44 dataset.path: must be string, got a list'],
    ['{ name: california-housing, path: "" }', 'spec.yaml:2:44 dataset.path: must not be empty'],
    ['{ name: california-housing, url: 5 }', 'spec.yaml:2:43 dataset.url: must be string, got 5'],
    ['{ name: california-housing, sha256: 1 }', 'spec.yaml:2:46 dataset.sha256: must be string, got 1'],
    [
      '{ name: california-housing, sha256: abc }',
      'spec.yaml:2:46 dataset.sha256: must be a SHA-256 digest of 64 lower-case hex digits, got "abc"',
    ],
    [
      `{ name: california-housing, sha256: ${DIGEST.toUpperCase()} }`,
      'spec.yaml:2:46 dataset.sha256: must be a SHA-256 digest of 64 lower-case hex digits, got "ABABABABABABABABABABABABABABABABABAB...',
    ],
    ['{ name: california-housing, test_fraction: 0 }', 'spec.yaml:2:53 dataset.test_fraction: must be > 0, got 0'],
    ['{ name: california-housing, test_fraction: 1 }', 'spec.yaml:2:53 dataset.test_fraction: must be < 1, got 1'],
    [
      '{ name: california-housing, test_fraction: "20%" }',
      'spec.yaml:2:53 dataset.test_fraction: must be number, got "20%"',
    ],
    ['{ name: california-housing, split_seed: -1 }', 'spec.yaml:2:50 dataset.split_seed: must be >= 0, got -1'],
    [
      '{ name: california-housing, split_seed: 4294967296 }',
      'spec.yaml:2:50 dataset.split_seed: must be <= 4294967295, got 4294967296',
    ],
    ['{ name: california-housing, split_seed: 0.5 }', 'spec.yaml:2:50 dataset.split_seed: must be integer, got 0.5'],
    ['{ name: california-housing, standardize: 1 }', 'spec.yaml:2:51 dataset.standardize: must be boolean, got 1'],
    ['{ name: california-housing, train_limit: 0 }', 'spec.yaml:2:51 dataset.train_limit: must be >= 1, got 0'],
    ['{ name: california-housing, test_limit: 1.5 }', 'spec.yaml:2:50 dataset.test_limit: must be integer, got 1.5'],
    [
      '{ name: california-housing, validation: 0.6 }',
      'spec.yaml:2:50 dataset.validation: must be a number above 0 and at most 0.5 (the share of the training split held out), got 0.6 (e.g. validation: 0.1)',
    ],
    ['{ name: california-housing, sha: x }', 'spec.yaml:2:38 dataset.sha: unknown key "sha" (Did you mean "sha256"?)'],
    [
      '{ name: california-housing, features: [a] }',
      'spec.yaml:2:38 dataset.features: unknown key "features" (allowed keys: path, url, sha256, test_fraction, split_seed, standardize, train_limit, test_limit)',
    ],
  ],
});
