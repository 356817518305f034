// Errors in the data and the models a spec names: datasets, data files, saved models, shapes, memory.
import { DistilError, formatDataLocation } from './distil-error.js';
import type { DataLocation } from './distil-error.js';

/** A dataset's params do not fit its data (a missing column, a target listed as a feature...). Exit code 2. */
export function errorDataset(dataset: string, problem: string, hint?: string): DistilError {
  return new DistilError('DATASET_ERROR', `dataset "${dataset}": ${problem}${hint ? ` (${hint})` : ''}`, {
    exitCode: 2,
  });
}

/** A dataset's data is nowhere it looked (offline, or a failed download): invalid input, as a missing data file is. Exit code 2. */
export function errorDatasetNotFound(dataset: string, looked: readonly string[], hint: string): DistilError {
  const where = looked.map((place) => `  - ${place}`).join('\n');
  return new DistilError('DATASET_NOT_FOUND', `dataset "${dataset}": data not found. Looked in:\n${where}\n${hint}`, {
    exitCode: 2,
  });
}

/**
 * A data file that exists but cannot be used: unreadable, malformed, truncated, or degenerate (one
 * class, a constant target). Rendered `dataset "csv": file:line:col column "b": problem (hint)`. Exit code 2.
 */
export function errorDataFile(dataset: string, at: DataLocation, problem: string, hint: string): DistilError {
  return new DistilError('DATA_FILE_ERROR', `dataset "${dataset}": ${formatDataLocation(at)} ${problem} (${hint})`, {
    exitCode: 2,
  });
}

/** A data file the spec names does not exist. Exit code 2. */
export function errorDataFileNotFound(dataset: string, file: string, hint: string): DistilError {
  return new DistilError('DATA_FILE_NOT_FOUND', `dataset "${dataset}": ${file}: no such file (${hint})`, {
    exitCode: 2,
  });
}

/** An input file of `predict` that cannot be used, at its line and column: `input.csv:3:5 problem (hint)`. Exit code 2. */
export function errorInputFile(at: DataLocation, problem: string, hint: string): DistilError {
  return new DistilError('INPUT_FILE_ERROR', `${formatDataLocation(at)} ${problem} (${hint})`, { exitCode: 2 });
}

/** A saved model (model.json and its weights) that is missing, damaged or does not fit: `file: problem (hint)`. Exit code 2. */
export function errorSavedModel(file: string, problem: string, hint: string): DistilError {
  return new DistilError('SAVED_MODEL_ERROR', `${file}: ${problem} (${hint})`, { exitCode: 2 });
}

/** Layers that cannot take what the layer before them gives (a convolution on tabular data), found before the run. Exit code 2. */
export function errorModelShape(problems: readonly string[]): DistilError {
  return new DistilError(
    'MODEL_SHAPE',
    `these models cannot be built; nothing was run:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    { exitCode: 2 },
  );
}

/** Cells whose distillation method cannot read the representations it names, found before anything trained. Exit code 2. */
export function errorMethodFeatures(problems: readonly string[]): DistilError {
  return new DistilError(
    'METHOD_FEATURES',
    `these distillation methods cannot read the representations they name; nothing was run:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    { exitCode: 2 },
  );
}

/** Augmentations a cell cannot apply (a transformation of images on tabular data), found before anything trained. Exit code 2. */
export function errorAugmentation(problems: readonly string[]): DistilError {
  return new DistilError(
    'AUGMENTATION',
    `these augmentations cannot be applied; nothing was run:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    { exitCode: 2 },
  );
}

/** Transfer sets that name classes the dataset lacks or keep no example, found before anything trained. Exit code 2. */
export function errorTransferSet(problems: readonly string[]): DistilError {
  return new DistilError(
    'TRANSFER_SET',
    `these transfer sets cannot be made; nothing was run:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    { exitCode: 2 },
  );
}

/** Metrics that cannot be computed on the loaded data (a class it does not have), found before anything trained. Exit code 2. */
export function errorMetricDataset(problems: readonly string[]): DistilError {
  return new DistilError(
    'METRIC_DATASET',
    `these metrics cannot be computed on their dataset; nothing was run:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    { exitCode: 2 },
  );
}

/** Grid cells whose models cannot fit the backend's memory, found before anything was allocated. Exit code 2. */
export function errorCellsTooLarge(problems: readonly string[]): DistilError {
  const lines = problems.map((p) => `  ${p}`).join('\n');
  return new DistilError(
    'CELLS_TOO_LARGE',
    `${problems.length} cell(s) cannot fit the wasm backend's memory; nothing was run:\n${lines}`,
    { exitCode: 2 },
  );
}
