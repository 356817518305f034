// Dataset "fashion-mnist": Zalando's 60k/10k clothing images in MNIST's format, found locally or downloaded once.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorDataFile, errorDatasetNotFound } from '../../../errors/index.js';
import { downloadVerified, writeCache } from '../../../data/index.js';
import { cacheDir } from '../../../shared/index.js';
import { defineComponent } from '../../../registry/index.js';
import { loadIdxDataset } from './idx-files.js';
import type { IdxFiles } from './idx-files.js';
import { limitParams } from './limit-params.js';

type Role = keyof IdxFiles;

export interface FashionMnistParams {
  dir?: string;
  system_dir: string;
  url: string;
  md5: Record<Role, string>;
  verify: boolean;
  train_limit?: number;
  test_limit?: number;
}

const NAME = 'fashion-mnist';
const FILES: Record<Role, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};
const ROLES = Object.keys(FILES) as Role[];

/** The MD5 sums Zalando publishes for the .gz downloads (github.com/zalandoresearch/fashion-mnist). */
export const FASHION_MNIST_GZ_MD5: Record<Role, string> = {
  trainImages: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
  trainLabels: '25c81989df183df01b3e8a0aad5dffbe',
  testImages: 'bef4ecab320f06d8554ea6380940ec79',
  testLabels: 'bb300cfdad3c16e7a12a480ee83cd310',
};

/** MD5 of the uncompressed IDX files: checks any copy, however it was compressed (Debian recompresses them). */
const CONTENT_MD5: Record<Role, string> = {
  trainImages: 'f4a8712d7a061bf5bd6d2ca38dc4d50a',
  trainLabels: '9018921c3c673c538a1fc5bad174d6f9',
  testImages: '8181f5470baa50b63fa0f6fddb340f0a',
  testLabels: '15d484375f8d13e6eb1aabb0c3f46965',
};

/** What each label means (Zalando's table): class k is `FASHION_MNIST_CLASSES[k]`. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export const FASHION_MNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';
/** Where Debian's dataset-fashion-mnist package installs the files. */
export const DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

/** The four files in `dir`, each plain or gzipped; the names of those missing. */
function filesIn(dir: string): { files?: IdxFiles; missing: string[] } {
  const found: Partial<Record<Role, string>> = {};
  const missing: string[] = [];
  for (const role of ROLES) {
    const file = [FILES[role], `${FILES[role]}.gz`]
      .map((name) => path.join(dir, name))
      .find((f) => existsSync(f) && statSync(f).isFile());
    if (file) found[role] = file;
    else missing.push(FILES[role]);
  }
  return { files: missing.length === 0 ? (found as IdxFiles) : undefined, missing };
}

/** One digest of the md5 param, said in words when it is refused. */
const MD5_SCHEMA = {
  type: 'string',
  pattern: '^[0-9a-f]{32}$',
  'x-expected': 'an MD5 digest of 32 lower-case hex digits',
};

const isDirectory = (dir: string) => existsSync(dir) && statSync(dir).isDirectory();

/** Downloads the four .gz files into the cache, each checked against its published MD5; the files, or why not (in `looked`). */
async function download(params: FashionMnistParams, cached: string, looked: string[]): Promise<IdxFiles | undefined> {
  const files: Partial<Record<Role, string>> = {};
  for (const role of ROLES) {
    const url = new URL(`${FILES[role]}.gz`, params.url.endsWith('/') ? params.url : `${params.url}/`).toString();
    let bytes: Buffer;
    try {
      bytes = await downloadVerified(url, { md5: params.md5[role] });
    } catch (error) {
      looked.push(`download: ${(error as Error).message}`);
      return undefined;
    }
    const file = path.join(cached, `${FILES[role]}.gz`);
    const problem = writeCache(file, bytes);
    if (problem) {
      looked.push(`download: ${url} could not be kept in the cache (${problem})`);
      return undefined;
    }
    files[role] = file;
  }
  return files as IdxFiles;
}

/**
 * The four files: `dir`, then DISTIL_DATA_DIR (or its fashion-mnist folder), the cache, Debian's
 * package directory, then a download into the cache checked against the published MD5 sums.
 * @throws DistilError naming a `dir` that lacks files, or (offline) every place it looked.
 */
async function findFiles(params: FashionMnistParams, baseDir: string): Promise<{ files: IdxFiles; key: string }> {
  if (params.dir) {
    const dir = path.resolve(baseDir, params.dir);
    const { files, missing } = filesIn(dir);
    if (files) return { files, key: 'dataset.dir' };
    throw errorDataFile(
      NAME,
      { file: dir },
      isDirectory(dir) ? `holds no ${missing.join(', ')} (plain or .gz)` : 'no such directory',
      'put the four IDX files of Fashion-MNIST there, or leave dataset.dir out to find or download them',
    );
  }
  const looked: string[] = [];
  const places: Array<[string, string]> = [];
  if (process.env.DISTIL_DATA_DIR) {
    const env = path.resolve(process.env.DISTIL_DATA_DIR);
    places.push(['DISTIL_DATA_DIR', path.join(env, NAME)], ['DISTIL_DATA_DIR', env]);
  } else looked.push('DISTIL_DATA_DIR: not set');
  const cached = path.join(cacheDir(), NAME);
  places.push(['cache', cached], ['Debian package dataset-fashion-mnist', path.resolve(baseDir, params.system_dir)]);
  for (const [where, dir] of places) {
    const { files, missing } = filesIn(dir);
    if (files) return { files, key: where === 'DISTIL_DATA_DIR' ? 'DISTIL_DATA_DIR' : 'dataset.dir' };
    looked.push(
      `${where}: ${dir}${isDirectory(dir) && missing.length < ROLES.length ? ` (lacks ${missing.join(', ')})` : ''}`,
    );
  }
  const downloaded = await download(params, cached, looked);
  if (downloaded) return { files: downloaded, key: 'dataset.dir' };
  throw errorDatasetNotFound(
    NAME,
    looked,
    `Without network: apt-get install dataset-fashion-mnist, or put the four files (plain or .gz) in a directory and set DISTIL_DATA_DIR or dataset.dir to it.`,
  );
}

export default defineComponent<FashionMnistParams>({
  kind: 'dataset',
  name: NAME,
  description:
    'Fashion-MNIST clothing images (60,000 train / 10,000 test, 28x28), 784 features in [0, 1], 10 classes; found or downloaded once',
  task: 'classification',
  // The canonical files (verified) have the ten garments; unverified files are someone's own labels.
  classes: (params) => (params.verify ? FASHION_MNIST_CLASSES.length : undefined),
  params: {
    properties: {
      dir: {
        type: 'string',
        minLength: 1,
        description:
          'Directory with the four IDX files, plain or .gz (else DISTIL_DATA_DIR, the cache, system_dir, a download).',
      },
      system_dir: {
        type: 'string',
        minLength: 1,
        default: DEBIAN_DIR,
        description: "Where Debian's dataset-fashion-mnist package installs the files.",
      },
      url: { type: 'string', default: FASHION_MNIST_URL, description: 'Where to download the four .gz files from.' },
      md5: {
        type: 'object',
        additionalProperties: false,
        required: ROLES,
        properties: Object.fromEntries(ROLES.map((role) => [role, MD5_SCHEMA])),
        default: FASHION_MNIST_GZ_MD5,
        description: 'Expected MD5 of each downloaded .gz file (the published sums).',
      },
      verify: {
        type: 'boolean',
        default: true,
        description: 'Check every copy against the canonical content (MD5 of the uncompressed files).',
      },
      ...limitParams,
    },
  },
  async create(params, context) {
    const { files, key } = await findFiles(params, context.baseDir);
    const dataset = loadIdxDataset(files, {
      name: NAME,
      scale: true,
      trainLimit: params.train_limit,
      testLimit: params.test_limit,
      keys: { trainImages: key, trainLabels: key, testImages: key, testLabels: key },
      relative:
        'it must hold train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (plain or .gz)',
      md5: params.verify
        ? {
            sums: CONTENT_MD5,
            hint: 'the file is not the canonical Fashion-MNIST: replace it (delete it from the cache to download it again), or set verify: false for your own data',
          }
        : undefined,
    });
    const named = params.verify ? { classNames: FASHION_MNIST_CLASSES } : {};
    return { ...dataset, ...named, info: { ...dataset.info, source: path.dirname(files.trainImages) } };
  },
});
