// Trained teachers kept on disk, so shards and reruns with the same teacher config do not retrain it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cacheDir } from '../shared/index.js';
import { DistilError } from '../errors/index.js';
import { getVersion } from '../shared/index.js';
import { MODEL_FILE, readSavedModel, saveModel } from '../results/index.js';
import type { SavedModelInfo } from '../results/index.js';
import type { EpochRecord } from './train.js';
import { setWeightsAsGiven } from './constraints.js';
import { makeDirectory } from '../results/index.js';

/** What a cached teacher brings back besides its weights: the figures of the run that trained it. */
export interface TeacherSummary {
  readonly trainSeconds: number;
  readonly samplesPerSec: number;
  readonly test: Readonly<Record<string, number>>;
  readonly inferenceMsPer1000: number;
  /** The epochs of the training that made it, so every run's history table shows the teacher's curve. */
  readonly history: readonly EpochRecord[];
  /** Validation metrics of the kept epoch, and which epoch that is. */
  readonly val?: Readonly<Record<string, number>>;
  readonly keptEpoch?: number;
}

/** The default cache directory: `~/.cache/distil-run/teachers`. */
export function defaultTeacherCacheDir(): string {
  return path.join(cacheDir(), 'teachers');
}

/**
 * Checks that the cache directory can be used, creating it, before anything trains: a teacher trained
 * for an hour must not be lost to a cache path that was never usable.
 * @throws DistilError INVALID_ARGUMENT when it is a file or cannot be created.
 */
export function checkTeacherCache(dir: string): void {
  makeDirectory('--teacher-cache', dir, 'pass a directory, or --teacher-cache off');
}

/**
 * File stem of a teacher: its content hash (seed, dataset, architecture, training) plus the arithmetic
 * (backend, BLAS or not) and distil-run version, since a run is reproducible only for the same ones.
 */
export function teacherStem(dir: string, teacherKey: string, numerics: string, version: string): string {
  return path.join(dir, `${teacherKey}-${numerics}-${version}`);
}

/** Whether the cache holds an entry at `stem` (complete or damaged: loading it tells). */
export function hasTeacher(stem: string): boolean {
  return existsSync(path.join(stem, MODEL_FILE));
}

/**
 * Saves a trained teacher as a model directory a user can open too (TensorFlow.js layers format, see
 * saved-model.ts), its training figures in the model's metadata.
 */
export async function saveTeacher(
  stem: string,
  model: tf.LayersModel,
  info: SavedModelInfo,
  summary: TeacherSummary,
): Promise<void> {
  const { trainSeconds, samplesPerSec, test, inferenceMsPer1000, history, val, keptEpoch } = summary;
  await saveModel(
    stem,
    model,
    { ...info, extra: { trainSeconds, samplesPerSec, test, inferenceMsPer1000, history, val, keptEpoch } },
    getVersion(),
  );
}

function readSummary(extra: unknown): TeacherSummary {
  const summary = extra as Partial<TeacherSummary> | undefined;
  if (!summary || typeof summary !== 'object') throw new Error('its metadata has no training summary');
  if (typeof summary.test !== 'object' || summary.test === null) throw new Error('its metadata has no test metrics');
  if (!Array.isArray(summary.history)) throw new Error('its metadata has no training history');
  return summary as TeacherSummary;
}

/** The outcome of looking a teacher up: a model, a plain miss, or an entry that could not be used and why. */
export type CacheLookup<M> = { model: M; summary: TeacherSummary } | { model?: undefined; damaged?: string };

/**
 * Loads a cached teacher: builds its model with `createModel` (only when an entry exists) and sets the
 * saved weights, in order. A missing entry is a miss; a damaged one (unreadable, cut short, a checksum
 * that does not match, another architecture) is a miss that says why, so the caller can report it and
 * train instead.
 */
export function loadTeacher<M extends tf.LayersModel>(stem: string, createModel: () => M): CacheLookup<M> {
  if (!hasTeacher(stem)) return {};
  let model: M | undefined;
  try {
    const files = readSavedModel(stem);
    if (!files.info?.extra) throw new Error('it was not saved by the teacher cache');
    const summary = readSummary(files.info.extra);
    model = createModel();
    const expected = model
      .getWeights()
      .map((w) => w.shape.join('x'))
      .join();
    if (files.weightSpecs.map((spec) => spec.shape.join('x')).join() !== expected) {
      throw new Error('its weights are of another architecture');
    }
    const decoded = tf.io.decodeWeights(files.weightData, files.weightSpecs);
    const tensors = files.weightSpecs.map((spec) => decoded[spec.name]);
    setWeightsAsGiven(model, tensors);
    tf.dispose(Object.values(decoded));
    const { trainSeconds, samplesPerSec, test, inferenceMsPer1000, history, val, keptEpoch } = summary;
    return { model, summary: { trainSeconds, samplesPerSec, test, inferenceMsPer1000, history, val, keptEpoch } };
  } catch (error) {
    model?.dispose();
    // A damaged entry's own message names the file; the caller adds that it trains instead.
    const message = error instanceof DistilError ? error.message.replace(/ \([^()]*\)$/, '') : (error as Error).message;
    return { damaged: message };
  }
}
