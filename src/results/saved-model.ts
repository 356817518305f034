// Trained models on disk in the TensorFlow.js layers format (model.json + weights.bin), with what
// distil-run needs to evaluate them again in the model.json's userDefinedMetadata.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { errorSavedModel } from '../errors/index.js';
import { writeFileAtomic } from '../shared/index.js';
import type { FeatureColumn } from '../shared/index.js';
import { sha256 } from '../shared/index.js';
import { makeDirectories } from '../shared/index.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** What distil-run records beside the weights: enough to rebuild the dataset and evaluate the model as the run did. */
export interface SavedModelInfo {
  /** The role the model was trained as. */
  readonly role: string;
  readonly task: 'classification' | 'regression';
  /** Shape of one example, without the batch dimension. */
  readonly inputShape: readonly number[];
  /** Classes (classification) or 1 (regression). */
  readonly outputSize: number;
  /** The dataset component as the run resolved it (name and every param), its seed and validation share. */
  readonly dataset?: { readonly name: string; readonly params: Readonly<Record<string, unknown>> };
  readonly seed?: number;
  /** The seed that drew the dataset's splits, when it is not `seed` (a later seed of `seeds:` splits as the first). */
  readonly splitSeed?: number;
  readonly validation?: number;
  /**
   * How the dataset turns raw feature values into the model's inputs, per feature: (x - shift) * scale
   * (pixels / 255, or standardisation with the training split's statistics). Prediction applies it.
   */
  readonly input?: { readonly shift: readonly number[]; readonly scale: readonly number[] };
  /**
   * The table columns the inputs are made from, in order (header names, and each categorical column's
   * categories): `predict` selects an input file's columns by name and one-hot encodes categories with them.
   */
  readonly featureColumns?: readonly FeatureColumn[];
  /** The name of each class by index (a CSV's labels; "0", "1"... when the index is the name); `predict` prints them. */
  readonly classNames?: readonly string[];
  /** The directory the spec's relative dataset paths start at (the spec file's). */
  readonly baseDir?: string;
  /** The role's metrics and label loss (component references) and the evaluation batch size. */
  readonly metrics?: ReadonlyArray<{ readonly name: string; readonly params: Readonly<Record<string, unknown>> }>;
  readonly loss?: { readonly name: string; readonly params: Readonly<Record<string, unknown>> };
  readonly evaluationBatchSize?: number;
  /** The test (and validation) metrics the run recorded for this model. */
  readonly test?: Readonly<Record<string, number>>;
  readonly val?: Readonly<Record<string, number>>;
  readonly experiment?: string;
  readonly cellId?: string;
  readonly keptEpoch?: number;
  /** Free-form figures a caller keeps with the model (the teacher cache keeps its training summary). */
  readonly extra?: unknown;
}

interface ModelJson {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  userDefinedMetadata?: { distil_run?: SavedModelInfo & { weights_sha256?: string; version?: string } };
}

/** A model directory read back: the model.json, the weights and distil-run's record of them. */
export interface SavedModelFiles {
  readonly dir: string;
  readonly json: ModelJson;
  readonly weightData: ArrayBuffer;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly info?: SavedModelInfo;
}


/**
 * Saves `model` into `dir` as model.json + weights.bin. The weights are written first and model.json
 * last, each atomically: a directory with a model.json holds a whole model.
 */
export async function saveModel(dir: string, model: tf.LayersModel, info: SavedModelInfo, version: string): Promise<void> {
  makeDirectories(dir);
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const data = artifacts.weightData;
    const bytes = new Uint8Array(data === undefined ? new ArrayBuffer(0) : Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data);
    writeFileAtomic(path.join(dir, WEIGHTS_FILE), bytes);
    const json: ModelJson = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format ?? 'layers-model',
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      userDefinedMetadata: { distil_run: { ...info, version, weights_sha256: sha256(bytes) } },
    };
    writeFileAtomic(path.join(dir, MODEL_FILE), `${JSON.stringify(json)}\n`);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.byteLength } };
  }));
}

/** The model directory of `target`: a directory holding model.json, or the model.json itself. */
export function modelDirectory(target: string): string {
  return existsSync(target) && statSync(target).isFile() ? path.dirname(target) : target;
}

/**
 * Reads a model directory written by {@link saveModel} (or any tfjs layers model: model.json and its
 * weight files), checking that every file is there and whole.
 * @throws DistilError SAVED_MODEL_ERROR (exit 2) naming the file and what is wrong.
 */
export function readSavedModel(target: string): SavedModelFiles {
  const dir = modelDirectory(target);
  const file = path.join(dir, MODEL_FILE);
  if (!existsSync(file)) {
    throw errorSavedModel(target, `no ${MODEL_FILE} there`, 'give a model directory, e.g. <run dir>/models/<cell>/<seed>/<role>, or its model.json');
  }
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as ModelJson;
  } catch (error) {
    throw errorSavedModel(path.join(dir, MODEL_FILE), `not JSON (${(error as Error).message})`, 'the file may be cut short or damaged; save the model again');
  }
  if (!json || typeof json !== 'object' || typeof json.modelTopology !== 'object' || json.modelTopology === null) {
    throw errorSavedModel(path.join(dir, MODEL_FILE), 'no modelTopology: not a TensorFlow.js layers model', 'save it with model.save() in the layers format');
  }
  if (!Array.isArray(json.weightsManifest)) throw errorSavedModel(path.join(dir, MODEL_FILE), 'no weightsManifest', 'the file may be damaged; save the model again');
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights ?? []);
  const parts = json.weightsManifest.flatMap((group) => group.paths ?? []).map((relative) => {
    const weights = path.resolve(dir, relative);
    if (!existsSync(weights)) throw errorSavedModel(path.join(dir, MODEL_FILE), `its weights file ${relative} is missing`, 'copy the whole model directory');
    return readFileSync(weights);
  });
  const bytes = Buffer.concat(parts);
  const expected = weightSpecs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * bytesPer(spec.dtype), 0);
  if (bytes.byteLength !== expected) {
    throw errorSavedModel(path.join(dir, MODEL_FILE), `its weights have ${bytes.byteLength} bytes, the manifest describes ${expected}`, 'the weights file may be cut short; save the model again');
  }
  const record = json.userDefinedMetadata?.distil_run;
  if (record?.weights_sha256 !== undefined && record.weights_sha256 !== sha256(bytes)) {
    throw errorSavedModel(path.join(dir, MODEL_FILE), `its weights do not match the checksum recorded when it was saved`, 'the weights file is damaged; save the model again');
  }
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { dir, json, weightData, weightSpecs, info: record };
}

function bytesPer(dtype: string): number {
  return dtype === 'float32' || dtype === 'int32' ? 4 : dtype === 'bool' || dtype === 'uint8' ? 1 : dtype === 'float16' || dtype === 'int16' ? 2 : 4;
}

/**
 * Loads a saved model with tf.loadLayersModel, as a user's script would.
 * @throws DistilError SAVED_MODEL_ERROR for missing or damaged files, or a topology tfjs cannot build.
 */
export async function loadSavedModel(target: string): Promise<{ model: tf.LayersModel; files: SavedModelFiles }> {
  const files = readSavedModel(target);
  try {
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: files.json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: files.weightSpecs,
      weightData: files.weightData,
    }));
    return { model, files };
  } catch (error) {
    throw errorSavedModel(path.join(files.dir, MODEL_FILE), `TensorFlow.js cannot build it (${(error as Error).message})`, 'a model with custom layers needs the plugin that registers them');
  }
}
