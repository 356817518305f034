// Dataset "california-housing": StatLib's cal_housing.data with scikit-learn's 8 derived features.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorDataFile, errorDatasetNotFound } from '../../../errors/index.js';
import { downloadVerified, readTarEntry, writeCache } from '../../../data/index.js';
import { cacheDir } from '../../../shared/index.js';
import { sha256 } from '../../../shared/index.js';
import { readDataFile } from '../../../data/index.js';
import { parseDecimal } from '../../../data/index.js';
import { assertSplitSizes, limitSplit, splitTable, standardize } from '../../../data/index.js';
import type { Table } from '../../../data/index.js';
import { defineComponent } from '../../../registry/index.js';
import { limitParams, splitParams } from './limit-params.js';

export interface HousingParams {
  path?: string;
  url: string;
  sha256: string;
  test_fraction: number;
  split_seed?: number;
  standardize: boolean;
  train_limit?: number;
  test_limit?: number;
}

const DATA_FILE = 'cal_housing.data';
const ARCHIVE = 'cal_housing.tgz';
export const HOUSING_URL = 'https://ndownloader.figshare.com/files/5976036';
export const HOUSING_SHA256 = 'aaa5c9a6afe2225cc2aed2723682ae403280c4a3695a2ddda4ffb5d8215ea681';
export const HOUSING_FEATURES = [
  'MedInc',
  'HouseAge',
  'AveRooms',
  'AveBedrms',
  'Population',
  'AveOccup',
  'Latitude',
  'Longitude',
];

const NAME = 'california-housing';
const IN_DIRECTORY = [DATA_FILE, path.join('CaliforniaHousing', DATA_FILE), path.join(NAME, DATA_FILE), ARCHIVE];
const isArchive = (file: string) => /\.(tgz|tar\.gz|tar)$/.test(file);
const replaceHint = (params: HousingParams) => `replace it with an intact copy, e.g. from ${params.url}`;

interface Found {
  readonly bytes: Buffer;
  /** The file read (or the url downloaded), for messages and the manifest. */
  readonly source: string;
  /** How messages name the data file: the file, or `archive (cal_housing.data)`. */
  readonly label: string;
  readonly cache?: string;
}

/** The data file or archive a directory holds, if any. */
function findInDirectory(dir: string): string | undefined {
  return IN_DIRECTORY.map((inner) => path.join(dir, inner)).find((file) => existsSync(file) && statSync(file).isFile());
}

/**
 * Reads the data out of a file the user provided: cal_housing.data itself or an archive holding it.
 * @throws DistilError (exit code 2) naming the file when it is missing, unreadable or damaged.
 */
function readUserFile(file: string, params: HousingParams, key: string): Found {
  const bytes = readDataFile(file, {
    dataset: NAME,
    key,
    relative: "a relative path starts at the spec file's directory",
  });
  if (!isArchive(file)) return { bytes, source: file, label: file };
  let entry: Buffer | undefined;
  try {
    entry = readTarEntry(bytes, DATA_FILE);
  } catch (error) {
    throw errorDataFile(NAME, { file }, (error as Error).message, replaceHint(params));
  }
  if (!entry) throw errorDataFile(NAME, { file }, `the archive holds no ${DATA_FILE}`, replaceHint(params));
  return { bytes: entry, source: file, label: `${file} (${DATA_FILE})` };
}

/** A file, or the data file inside a directory, that the user pointed at (`dataset.path`, DISTIL_DATA_DIR). */
function readUserPath(given: string, params: HousingParams, key: string): Found {
  if (!existsSync(given) || !statSync(given).isDirectory()) return readUserFile(given, params, key);
  const file = findInDirectory(given);
  if (!file) {
    throw errorDataFile(
      NAME,
      { file: given },
      `holds no ${DATA_FILE} or ${ARCHIVE}`,
      `put one in it, or point ${key} at the file`,
    );
  }
  return readUserFile(file, params, key);
}

/** The data file inside an archive, or undefined when the archive is damaged or lacks it. */
function tarEntryOrUndefined(archive: Buffer): Buffer | undefined {
  try {
    return readTarEntry(archive, DATA_FILE);
  } catch {
    return undefined;
  }
}

/** The cached archive when it is intact; a damaged one is a miss, described in `looked`. */
function readCache(cached: string, params: HousingParams, looked: string[]): Found | undefined {
  if (!existsSync(cached)) {
    looked.push(`cache: ${cached}`);
    return undefined;
  }
  let archive: Buffer;
  try {
    archive = readFileSync(cached);
  } catch (error) {
    looked.push(
      `cache: ${cached} cannot be read (${(error as NodeJS.ErrnoException).code}); delete it: rm -r ${cached}`,
    );
    return undefined;
  }
  const actual = sha256(archive);
  const entry = actual === params.sha256 ? tarEntryOrUndefined(archive) : undefined;
  if (entry) return { bytes: entry, source: cached, label: `${cached} (${DATA_FILE})` };
  const problem =
    actual === params.sha256 ? `holds no ${DATA_FILE}` : `is damaged (SHA-256 ${actual}, expected ${params.sha256})`;
  looked.push(`cache: ${cached} ${problem}; a download replaces it, or delete it: rm ${cached}`);
  return undefined;
}

/** Downloads and verifies the archive, keeping it in the cache; undefined (described in `looked`) when that fails. */
async function download(cached: string, params: HousingParams, looked: string[]): Promise<Found | undefined> {
  let archive: Buffer;
  try {
    archive = await downloadVerified(params.url, params.sha256);
  } catch (error) {
    looked.push(`download: ${(error as Error).message}`);
    return undefined;
  }
  const entry = tarEntryOrUndefined(archive);
  if (!entry) {
    looked.push(`download: ${params.url} (the archive holds no ${DATA_FILE})`);
    return undefined;
  }
  const cache = writeCache(cached, archive);
  return { bytes: entry, source: params.url, label: `${params.url} (${DATA_FILE})`, ...(cache ? { cache } : {}) };
}

/** Finds the data: spec path, then DISTIL_DATA_DIR, then the cache, then a verified download into the cache. */
async function findData(params: HousingParams, baseDir: string): Promise<Found> {
  if (params.path) return readUserPath(path.resolve(baseDir, params.path), params, 'dataset.path');
  const looked: string[] = [];
  const envDir = process.env.DISTIL_DATA_DIR ? path.resolve(process.env.DISTIL_DATA_DIR) : undefined;
  const envFile =
    envDir && existsSync(envDir) ? (statSync(envDir).isDirectory() ? findInDirectory(envDir) : envDir) : undefined;
  if (envFile) return readUserFile(envFile, params, 'DISTIL_DATA_DIR');
  looked.push(envDir ? `DISTIL_DATA_DIR: ${envDir}` : 'DISTIL_DATA_DIR: not set');
  const cached = path.join(cacheDir(), NAME, ARCHIVE);
  const found = readCache(cached, params, looked) ?? (await download(cached, params, looked));
  if (found) return found;
  throw errorDatasetNotFound(
    NAME,
    looked,
    `Without network, put ${DATA_FILE} (or ${ARCHIVE}) in a directory and set DISTIL_DATA_DIR to it, or set dataset.path in the spec.`,
  );
}

/**
 * Parses the 9-column file into scikit-learn's 8 features and the target in units of 100,000 USD.
 * `file` names the data in messages; `hint` says how to repair a damaged file.
 * @throws DistilError (exit code 2) at the first malformed line.
 */
export function parseHousing(text: string, file: string, hint = 'replace it with an intact copy'): Table {
  const rows = text
    .split(/\r?\n/)
    .map((line, i) => ({ line, number: i + 1 }))
    .filter(({ line }) => line.trim() !== '');
  if (rows.length === 0) throw errorDataFile(NAME, { file }, 'the file is empty', hint);
  const x = new Float32Array(rows.length * 8);
  const y = new Float32Array(rows.length);
  rows.forEach(({ line, number }, row) => {
    const fields = line.split(',');
    const v = fields.map((field) => parseDecimal(field.trim()));
    if (v.length !== 9 || v.some((value) => !Number.isFinite(value))) {
      throw errorDataFile(
        NAME,
        { file, line: number, col: 1 },
        `expected 9 comma-separated numbers, got "${line.slice(0, 60)}"`,
        hint,
      );
    }
    const [longitude, latitude, age, rooms, bedrooms, population, households, income, value] = v;
    if (households <= 0) {
      throw errorDataFile(
        NAME,
        { file, line: number, col: 1 },
        `households is ${households}; the per-household features need a positive count`,
        hint,
      );
    }
    x.set(
      [
        income,
        age,
        rooms / households,
        bedrooms / households,
        population,
        population / households,
        latitude,
        longitude,
      ],
      row * 8,
    );
    y[row] = value / 100_000;
  });
  return { x, y, n: rows.length, features: 8 };
}

export default defineComponent<HousingParams>({
  kind: 'dataset',
  name: 'california-housing',
  description:
    'California Housing (20,640 districts, 8 features, median value in 100k USD); seeded split, standardised',
  task: 'regression',
  params: {
    properties: {
      path: {
        type: 'string',
        minLength: 1,
        description: `${DATA_FILE}, ${ARCHIVE} or a directory holding one (else DISTIL_DATA_DIR, the cache, a download).`,
      },
      url: { type: 'string', default: HOUSING_URL, description: `Where to download ${ARCHIVE} from.` },
      sha256: {
        type: 'string',
        pattern: '^[0-9a-f]{64}$',
        'x-expected': 'a SHA-256 digest of 64 lower-case hex digits',
        default: HOUSING_SHA256,
        description: 'Expected SHA-256 of the download.',
      },
      ...splitParams,
      ...limitParams,
    },
  },
  async create(params, context) {
    const { bytes, source, label, cache } = await findData(params, context.baseDir);
    const table = parseHousing(bytes.toString('utf8'), label, replaceHint(params));
    assertSplitSizes(NAME, label, table.n, params.test_fraction);
    const { train, test } = splitTable(table, params.test_fraction, params.split_seed ?? context.seed);
    const input = params.standardize ? standardize(train, [test], 8) : undefined;
    return {
      task: 'regression',
      input,
      featureShape: [8],
      outputSize: 1,
      train: limitSplit(train, 8, params.train_limit),
      test: limitSplit(test, 8, params.test_limit),
      info: {
        source,
        sha256: sha256(bytes),
        rows: table.n,
        features: HOUSING_FEATURES.join(' '),
        ...(cache ? { cache } : {}),
      },
    };
  },
});
