// Dataset fashion-mnist: dir, DISTIL_DATA_DIR, the cache, Debian's directory, then a download checked by the published MD5; its params.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { assert } from 'chai';
import { encodeIdxUbyte } from '../../../../src/data/idx.js';
import { DistilError } from '../../../../src/errors/index.js';
import { builtinRegistry } from '../../../helpers.js';
import type { Dataset } from '../../../../src/registry/types.js';
import { describeParams } from '../params-table.js';
import { assertRunRefused } from './load-dataset.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'distil-fashion-'));
const NAMES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

/** Four small IDX files: 6 training and 3 test images of 4x4 pixels, three classes. */
function smallFiles(gz: boolean): Record<string, Buffer> {
  const images = (n: number) =>
    encodeIdxUbyte(
      [n, 4, 4],
      Uint8Array.from({ length: n * 16 }, (_, i) => (i * 29) % 256),
    );
  const contents = [
    images(6),
    encodeIdxUbyte([6], Uint8Array.from([0, 1, 2, 0, 1, 2])),
    images(3),
    encodeIdxUbyte([3], Uint8Array.from([2, 1, 0])),
  ];
  return Object.fromEntries(NAMES.map((name, i) => (gz ? [`${name}.gz`, gzipSync(contents[i])] : [name, contents[i]])));
}

function writeFiles(dir: string, files: Record<string, Buffer>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
  return dir;
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

async function load(params: Record<string, unknown>): Promise<Dataset> {
  const component = builtinRegistry().get('dataset', 'fashion-mnist');
  const filled = { system_dir: tmp(), ...params };
  const errors = component.validate(filled);
  if (errors.length > 0) throw new Error(JSON.stringify(errors));
  if (component.definition.kind !== 'dataset') throw new Error('not a dataset');
  return component.definition.create(filled as never, { tf, seed: 1, baseDir: process.cwd() });
}

async function refusal(params: Record<string, unknown>): Promise<string> {
  try {
    await load(params);
  } catch (error) {
    assert.instanceOf(error, DistilError);
    // Data that is not there, or not usable, is invalid input (exit 2).
    assert.equal((error as DistilError).exitCode, 2, (error as DistilError).message);
    return (error as DistilError).message;
  }
  return assert.fail('not refused');
}

describe('dataset fashion-mnist', () => {
  const saved = { dir: process.env.DISTIL_DATA_DIR, cache: process.env.XDG_CACHE_HOME };
  beforeEach(() => {
    delete process.env.DISTIL_DATA_DIR;
    process.env.XDG_CACHE_HOME = tmp();
  });
  after(() => {
    if (saved.dir === undefined) delete process.env.DISTIL_DATA_DIR;
    else process.env.DISTIL_DATA_DIR = saved.dir;
    process.env.XDG_CACHE_HOME = saved.cache;
  });

  it('reads plain or gzipped files from dir as images [height, width, 1], pixels scaled to [0, 1]', async () => {
    for (const gz of [false, true]) {
      const data = await load({ dir: writeFiles(tmp(), smallFiles(gz)), verify: false });
      assert.deepEqual([data.train.n, data.test.n, data.outputSize], [6, 3, 3]);
      assert.deepEqual(data.featureShape, [16]);
      assert.deepEqual(data.imageShape, [4, 4, 1]);
      assert.closeTo(data.train.x[1], 29 / 255, 1e-7);
    }
  });

  it('checks every copy against the canonical content unless verify is false, saying an MD5 is of the decompressed content', async () => {
    const hint =
      'the file is not the canonical Fashion-MNIST: replace it (delete it from the cache to download it again), or set verify: false for your own data';
    const gz = writeFiles(tmp(), smallFiles(true));
    const content = smallFiles(false)['train-images-idx3-ubyte'];
    // Not the MD5 md5sum prints for the .gz: the message must not let the two be compared.
    assert.notEqual(md5(content), md5(smallFiles(true)['train-images-idx3-ubyte.gz']));
    assert.equal(
      await refusal({ dir: gz }),
      `dataset "fashion-mnist": ${path.join(gz, 'train-images-idx3-ubyte.gz')}: \
the MD5 of its decompressed content is ${md5(content)}, expected f4a8712d7a061bf5bd6d2ca38dc4d50a (${hint})`,
    );
    const plain = writeFiles(tmp(), smallFiles(false));
    assert.equal(
      await refusal({ dir: plain }),
      `dataset "fashion-mnist": ${path.join(plain, 'train-images-idx3-ubyte')}: \
MD5 is ${md5(content)}, expected f4a8712d7a061bf5bd6d2ca38dc4d50a (${hint})`,
    );
  });

  it('looks in DISTIL_DATA_DIR (or its fashion-mnist folder), then the cache, then the system directory', async () => {
    const env = tmp();
    writeFiles(path.join(env, 'fashion-mnist'), smallFiles(true));
    process.env.DISTIL_DATA_DIR = env;
    assert.equal((await load({ verify: false })).info?.source, path.join(env, 'fashion-mnist'));
    delete process.env.DISTIL_DATA_DIR;
    const system = writeFiles(tmp(), smallFiles(false));
    assert.equal((await load({ verify: false, system_dir: system })).info?.source, system);
    const cached = writeFiles(path.join(process.env.XDG_CACHE_HOME!, 'distil-run', 'fashion-mnist'), smallFiles(true));
    assert.equal(
      (await load({ verify: false, system_dir: system })).info?.source,
      cached,
      'the cache comes before the system directory',
    );
  });

  it('downloads the four .gz files once, checked against the published MD5 sums, into the cache', async () => {
    const files = smallFiles(true);
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      const body = files[path.basename(req.url ?? '')];
      res.statusCode = body ? 200 : 404;
      res.end(body ?? 'missing');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data/`;
    try {
      const sums = {
        trainImages: md5(files[`${NAMES[0]}.gz`]),
        trainLabels: md5(files[`${NAMES[1]}.gz`]),
        testImages: md5(files[`${NAMES[2]}.gz`]),
        testLabels: md5(files[`${NAMES[3]}.gz`]),
      };
      const data = await load({ url, md5: sums, verify: false });
      assert.equal(data.train.n, 6);
      assert.equal(requests, 4);
      assert.isTrue(
        existsSync(path.join(process.env.XDG_CACHE_HOME!, 'distil-run', 'fashion-mnist', `${NAMES[0]}.gz`)),
      );
      await load({ url, md5: sums, verify: false });
      assert.equal(requests, 4, 'the second load reads the cache');
      process.env.XDG_CACHE_HOME = tmp();
      const system = tmp();
      const wrong = await refusal({
        url,
        md5: { ...sums, trainLabels: '0'.repeat(32) },
        verify: false,
        system_dir: system,
      });
      assert.equal(
        wrong,
        [
          'dataset "fashion-mnist": data not found. Looked in:',
          '  - DISTIL_DATA_DIR: not set',
          `  - cache: ${path.join(process.env.XDG_CACHE_HOME!, 'distil-run', 'fashion-mnist')}`,
          `  - Debian package dataset-fashion-mnist: ${system}`,
          `  - download: download of ${url}${NAMES[1]}.gz has MD5 ${sums.trainLabels}, expected ${'0'.repeat(32)}`,
          'Without network: apt-get install dataset-fashion-mnist, or put the four files (plain or .gz) in a directory and set DISTIL_DATA_DIR or dataset.dir to it.',
        ].join('\n'),
      );
    } finally {
      server.close();
    }
  });

  it('offline, names every place it looked and what to do', async () => {
    const system = tmp();
    // A port nothing listens on: one a server just gave back.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const url = `http://127.0.0.1:${port}/`;
    const message = await refusal({ url, system_dir: system });
    const cache = path.join(process.env.XDG_CACHE_HOME!, 'distil-run', 'fashion-mnist');
    const expected = [
      'dataset "fashion-mnist": data not found. Looked in:',
      '  - DISTIL_DATA_DIR: not set',
      `  - cache: ${cache}`,
      `  - Debian package dataset-fashion-mnist: ${system}`,
      `  - download: download of ${url}${NAMES[0]}.gz failed: connection refused (ECONNREFUSED)`,
      'Without network: apt-get install dataset-fashion-mnist, or put the four files (plain or .gz) in a directory and set DISTIL_DATA_DIR or dataset.dir to it.',
    ].join('\n');
    assert.equal(message, expected);
    // The same through the command: exit 2, the message alone on stderr.
    assertRunRefused('fashion-mnist', [`url=${url}`, `system_dir=${system}`], process.env.XDG_CACHE_HOME, expected);
    const empty = tmp();
    assert.equal(
      await refusal({ dir: empty }),
      `dataset "fashion-mnist": ${empty}: holds no train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (plain or .gz) ` +
        '(put the four IDX files of Fashion-MNIST there, or leave dataset.dir out to find or download them)',
    );
  });
});

/** A digest YAML reads as text (letters in it), and the four of the md5 param. */
const A = 'a'.repeat(32);
const SUMS = { trainImages: A, trainLabels: A, testImages: A, testLabels: A };
const PUBLISHED = {
  trainImages: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
  trainLabels: '25c81989df183df01b3e8a0aad5dffbe',
  testImages: 'bef4ecab320f06d8554ea6380940ec79',
  testLabels: 'bb300cfdad3c16e7a12a480ee83cd310',
};
const DEFAULTS = {
  system_dir: '/usr/share/datasets/fashion-mnist',
  url: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  md5: PUBLISHED,
  verify: true,
};

describeParams('dataset', 'fashion-mnist', {
  slot: 'dataset',
  valid: [
    ['fashion-mnist', DEFAULTS],
    [
      `{ name: fashion-mnist, dir: data/fm, system_dir: /opt/fm, url: 'http://example.com/fm/', md5: { trainImages: ${A}, trainLabels: ${A}, testImages: ${A}, testLabels: ${A} }, verify: false, train_limit: 3, test_limit: 2 }`,
      {
        dir: 'data/fm',
        system_dir: '/opt/fm',
        url: 'http://example.com/fm/',
        md5: SUMS,
        verify: false,
        train_limit: 3,
        test_limit: 2,
      },
    ],
  ],
  invalid: [
    ['{ name: fashion-mnist, md5: abc }', 'spec.yaml:2:38 dataset.md5: must be object, got "abc"'],
    [
      `{ name: fashion-mnist, md5: { trainImages: ${A} } }`,
      'spec.yaml:2:33 dataset.md5: missing required key "trainLabels"',
      'spec.yaml:2:33 dataset.md5: missing required key "testImages"',
      'spec.yaml:2:33 dataset.md5: missing required key "testLabels"',
    ],
    [
      `{ name: fashion-mnist, md5: { train_images: ${A}, trainLabels: ${A}, testImages: ${A}, testLabels: ${A} } }`,
      'spec.yaml:2:33 dataset.md5: missing required key "trainImages"',
      'spec.yaml:2:40 dataset.md5.train_images: unknown key "train_images" (Did you mean "trainImages"?)',
    ],
    [
      `{ name: fashion-mnist, md5: { trainImages: ${A}, trainLabels: ${A}, testImages: ${A}, testLabels: ${A}, all: ${A} } }`,
      'spec.yaml:2:226 dataset.md5.all: unknown key "all" (allowed keys: trainImages, trainLabels, testImages, testLabels)',
    ],
    [
      `{ name: fashion-mnist, md5: { trainImages: XYZ, trainLabels: ${A}, testImages: ${A}, testLabels: ${A.slice(1)} } }`,
      'spec.yaml:2:53 dataset.md5.trainImages: must be an MD5 digest of 32 lower-case hex digits, got "XYZ"',
      'spec.yaml:2:163 dataset.md5.testLabels: must be an MD5 digest of 32 lower-case hex digits, got "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"',
    ],
    ['{ name: fashion-mnist, url: 3 }', 'spec.yaml:2:38 dataset.url: must be string, got 3'],
    ['{ name: fashion-mnist, system_dir: [a] }', 'spec.yaml:2:45 dataset.system_dir: must be string, got a list'],
    ['{ name: fashion-mnist, dir: false }', 'spec.yaml:2:38 dataset.dir: must be string, got false'],
    ['{ name: fashion-mnist, dir: "" }', 'spec.yaml:2:38 dataset.dir: must not be empty'],
    ['{ name: fashion-mnist, system_dir: "" }', 'spec.yaml:2:45 dataset.system_dir: must not be empty'],
    ['{ name: fashion-mnist, verify: 0 }', 'spec.yaml:2:41 dataset.verify: must be boolean, got 0'],
    ['{ name: fashion-mnist, test_limit: 0 }', 'spec.yaml:2:45 dataset.test_limit: must be >= 1, got 0'],
    ['{ name: fashion-mnist, train_limit: 2.5 }', 'spec.yaml:2:46 dataset.train_limit: must be integer, got 2.5'],
    [
      '{ name: fashion-mnist, sytem_dir: /x }',
      'spec.yaml:2:33 dataset.sytem_dir: unknown key "sytem_dir" (Did you mean "system_dir"?)',
    ],
    [
      '{ name: fashion-mnist, sha256: abc }',
      'spec.yaml:2:33 dataset.sha256: unknown key "sha256" (allowed keys: dir, system_dir, url, md5, verify, train_limit, test_limit)',
    ],
  ],
});
