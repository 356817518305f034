// Dataset "california-housing": StatLib's cal_housing.data with scikit-learn's 8 derived features.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorDataset, errorDatasetNotFound } from '../../../errors.js';
import { cacheDir, downloadVerified, readTarEntry, sha256 } from '../../../data/fetch.js';
import { limitSplit, splitTable, standardize } from '../../../data/tabular.js';
import type { Table } from '../../../data/tabular.js';
import { defineComponent } from '../../../registry/types.js';
import { limitParams } from './idx.js';

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
export const HOUSING_FEATURES = ['MedInc', 'HouseAge', 'AveRooms', 'AveBedrms', 'Population', 'AveOccup', 'Latitude', 'Longitude'];

/** Reads the data file out of a path: the file itself, an archive, or a directory holding either. */
function readFrom(candidate: string): Buffer | undefined {
  if (!existsSync(candidate)) return undefined;
  if (statSync(candidate).isDirectory()) {
    for (const inner of [DATA_FILE, path.join('CaliforniaHousing', DATA_FILE), path.join('california-housing', DATA_FILE), ARCHIVE]) {
      const found = readFrom(path.join(candidate, inner));
      if (found) return found;
    }
    return undefined;
  }
  const bytes = readFileSync(candidate);
  return /\.(tgz|tar\.gz|tar)$/.test(candidate) ? readTarEntry(bytes, DATA_FILE) : bytes;
}

/** Finds the data: spec path, then DISTIL_DATA_DIR, then the cache, then a verified download into the cache. */
async function findData(params: HousingParams, baseDir: string): Promise<{ bytes: Buffer; source: string }> {
  if (params.path) {
    const given = path.resolve(baseDir, params.path);
    const bytes = readFrom(given);
    if (!bytes) throw errorDatasetNotFound('california-housing', [`dataset.path: ${given}`], `dataset.path must be ${DATA_FILE}, ${ARCHIVE} or a directory holding one.`);
    return { bytes, source: given };
  }
  const looked: string[] = [];
  const envDir = process.env.DISTIL_DATA_DIR;
  if (envDir) {
    const bytes = readFrom(path.resolve(envDir));
    if (bytes) return { bytes, source: path.resolve(envDir) };
    looked.push(`DISTIL_DATA_DIR: ${path.resolve(envDir)}`);
  } else looked.push('DISTIL_DATA_DIR: not set');
  const cached = path.join(cacheDir(), 'california-housing', ARCHIVE);
  const fromCache = readFrom(cached);
  if (fromCache) return { bytes: fromCache, source: cached };
  looked.push(`cache: ${cached}`);
  try {
    const archive = await downloadVerified(params.url, params.sha256, cached);
    const bytes = readTarEntry(archive, DATA_FILE);
    if (bytes) return { bytes, source: params.url };
    looked.push(`download: ${params.url} (the archive holds no ${DATA_FILE})`);
  } catch (error) {
    looked.push(`download: ${(error as Error).message}`);
  }
  throw errorDatasetNotFound(
    'california-housing',
    looked,
    `Without network, put ${DATA_FILE} (or ${ARCHIVE}) in a directory and set DISTIL_DATA_DIR to it, or set dataset.path in the spec.`,
  );
}

/** Parses the 9-column file into scikit-learn's 8 features and the target in units of 100,000 USD. */
export function parseHousing(text: string, source: string): Table {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw errorDataset('california-housing', `${source} is empty`);
  const x = new Float32Array(lines.length * 8);
  const y = new Float32Array(lines.length);
  lines.forEach((line, row) => {
    const v = line.split(',').map(Number);
    if (v.length !== 9 || v.some((value) => !Number.isFinite(value))) {
      throw errorDataset('california-housing', `${source} line ${row + 1}: expected 9 numbers, got "${line.slice(0, 60)}"`);
    }
    const [longitude, latitude, age, rooms, bedrooms, population, households, income, value] = v;
    x.set([income, age, rooms / households, bedrooms / households, population, population / households, latitude, longitude], row * 8);
    y[row] = value / 100_000;
  });
  return { x, y, n: lines.length, features: 8 };
}

export default defineComponent<HousingParams>({
  kind: 'dataset',
  name: 'california-housing',
  description: 'California Housing (20,640 districts, 8 features, median value in 100k USD); seeded split, standardised',
  task: 'regression',
  params: {
    properties: {
      path: { type: 'string', description: `${DATA_FILE}, ${ARCHIVE} or a directory holding one (else DISTIL_DATA_DIR, the cache, a download).` },
      url: { type: 'string', default: HOUSING_URL, description: `Where to download ${ARCHIVE} from.` },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', default: HOUSING_SHA256, description: 'Expected SHA-256 of the download.' },
      test_fraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.2 },
      split_seed: { type: 'integer', minimum: 0, description: 'Seed of the train/test split (default: the experiment seed).' },
      standardize: { type: 'boolean', default: true, description: "Scale features with the training split's mean and std." },
      ...limitParams,
    },
  },
  async create(params, context) {
    const { bytes, source } = await findData(params, context.baseDir);
    const table = parseHousing(bytes.toString('utf8'), source);
    const { train, test } = splitTable(table, params.test_fraction, params.split_seed ?? context.seed);
    if (params.standardize) standardize(train, [test], 8);
    return {
      task: 'regression',
      featureShape: [8],
      outputSize: 1,
      train: limitSplit(train, 8, params.train_limit),
      test: limitSplit(test, 8, params.test_limit),
      info: { source, sha256: sha256(bytes), rows: table.n, features: HOUSING_FEATURES.join(' ') },
    };
  },
});
