// The data folder's surface: reading data files (CSV, IDX, gzip, tar), downloads with checksums, splits and scaling.
export {
  assertSameColumns,
  cellLocation,
  cellNumber,
  cellText,
  columnIndex,
  parseDecimal,
  readCsvTable,
} from './csv-table.js';
export type { CsvTable } from './csv-table.js';
export { assertSplitClasses, assertTargetVaries, resolveClasses, rowLabels } from './csv-targets.js';
export {
  categoriesOf,
  columnCategories,
  createEncoder,
  encodedNames,
  knownValues,
  numericFeatures,
} from './feature-columns.js';
export type { FeatureEncoder } from './feature-columns.js';
export { downloadVerified, readTarEntry, writeCache } from './fetch.js';
export { gunzipIfGzip } from './gzip.js';
export { readInputRows } from './input-table.js';
export type { InputRows, InputShape } from './input-table.js';
export { parseIdx } from './idx.js';
export type { IdxArray } from './idx.js';
export { readDataFile } from './read-file.js';
export type { DataFileRef } from './read-file.js';
export { assertSplitSizes, limitSplit, splitTable, standardize } from './tabular.js';
export type { Table } from './tabular.js';
