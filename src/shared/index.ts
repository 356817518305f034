// The shared folder's surface: helpers any folder may import (ajv, CSV, hashing, limits, random, stats, files, words, numbers).
export { getAjv } from './ajv.js';
export { axisLabels, componentName, exactText } from './axis-labels.js';
export { cacheDir } from './cache-dir.js';
export { argsOverSeeds, commandLine, commandOverSeeds, REPEAT_SEEDS, shellWord } from './command-line.js';
export { parseCsvRows, parseCsvText } from './csv.js';
export type { CsvRow } from './csv.js';
export { didYouMean } from './did-you-mean.js';
export {
  estimateParts,
  formatEstimate,
  formatNumber,
  formatP,
  formatPAs,
  formatSigned,
  isSignificant,
} from './format.js';
export type { EstimateParts } from './format.js';
export { specialFileKind } from './file-kind.js';
export { makeDirectories, missingLevels, writeFileAtomic } from './fs-atomic.js';
export { contentHash, md5, sha256 } from './hash.js';
export { DENSE_UNITS_MAX, SPEC_LIMITS } from './limits.js';
export { packageRoot } from './package-root.js';
export { printable, printableKey } from './printable.js';
export { createRandom, deriveSeed, permutation } from './random.js';
export { ci95, holmAdjust, mean, pairedTTest, sampleStd } from './stats.js';
export { ROLES } from './types.js';
export type { DataSplit, FeatureColumn, Role, RowLossBatch, Task } from './types.js';
export { getVersion } from './version.js';
