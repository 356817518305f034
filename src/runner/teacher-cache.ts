// Trained teachers kept on disk, so shards and reruns with the same teacher config do not retrain it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cacheDir, sha256 } from '../data/fetch.js';
import { writeFileAtomic } from '../shared/fs-atomic.js';
import type { EpochRecord } from './train.js';
import { makeDirectory } from '../results/run-dir.js';

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

interface Meta extends TeacherSummary {
  readonly shapes: number[][];
  /** SHA-256 of the weights file: a changed byte is a damaged entry, not another teacher's figures. */
  readonly sha256: string;
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
  return existsSync(`${stem}.json`) && existsSync(`${stem}.bin`);
}

/** Saves a trained teacher: weights first, then the metadata that marks the entry complete. */
export function saveTeacher(stem: string, model: tf.LayersModel, summary: TeacherSummary): void {
  const weights = model.getWeights();
  const shapes = weights.map((w) => [...w.shape]);
  const total = weights.reduce((n, w) => n + w.size, 0);
  const buffer = new Float32Array(total);
  let offset = 0;
  for (const w of weights) {
    buffer.set(w.dataSync() as Float32Array, offset);
    offset += w.size;
  }
  const bytes = new Uint8Array(buffer.buffer);
  writeFileAtomic(`${stem}.bin`, bytes);
  const { trainSeconds, samplesPerSec, test, inferenceMsPer1000, history, val, keptEpoch } = summary;
  const meta: Meta = { trainSeconds, samplesPerSec, test, inferenceMsPer1000, history, val, keptEpoch, shapes, sha256: sha256(bytes) };
  writeFileAtomic(`${stem}.json`, `${JSON.stringify(meta)}\n`);
}

function isShapes(value: unknown): value is number[][] {
  return Array.isArray(value) && value.every((shape) => Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d > 0));
}

function readMeta(file: string): Meta {
  const meta = JSON.parse(readFileSync(file, 'utf8')) as Partial<Meta> | null;
  if (!meta || typeof meta !== 'object' || !isShapes(meta.shapes)) throw new Error('its metadata has no valid weight shapes');
  if (typeof meta.test !== 'object' || meta.test === null) throw new Error('its metadata has no test metrics');
  if (!Array.isArray(meta.history)) throw new Error('its metadata has no training history');
  if (typeof meta.sha256 !== 'string') throw new Error('its metadata has no checksum of the weights');
  return meta as Meta;
}

/** The outcome of looking a teacher up: a model, a plain miss, or an entry that could not be used and why. */
export type CacheLookup<M> = { model: M; summary: TeacherSummary } | { model?: undefined; damaged?: string };

/**
 * Loads a cached teacher: builds its model with `createModel` (only when an entry exists) and sets the
 * saved weights. A missing entry is a miss; a damaged one (unreadable, cut short, another architecture)
 * is a miss that says why, so the caller can report it and train instead.
 */
export function loadTeacher<M extends tf.LayersModel>(stem: string, createModel: () => M): CacheLookup<M> {
  if (!hasTeacher(stem)) return {};
  let model: M | undefined;
  try {
    const meta = readMeta(`${stem}.json`);
    const bytes = readFileSync(`${stem}.bin`);
    const total = meta.shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
    if (bytes.byteLength !== total * 4) throw new Error(`its weights file has ${bytes.byteLength} bytes, expected ${total * 4}`);
    if (sha256(bytes) !== meta.sha256) throw new Error('its weights do not match their checksum');
    const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    model = createModel();
    const expected = model.getWeights().map((w) => w.shape.join('x')).join();
    if (meta.shapes.map((s) => s.join('x')).join() !== expected) throw new Error('its weights are of another architecture');
    let offset = 0;
    const tensors = meta.shapes.map((shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const t = tf.tensor(values.subarray(offset, offset + size), shape);
      offset += size;
      return t;
    });
    model.setWeights(tensors);
    tf.dispose(tensors);
    const { trainSeconds, samplesPerSec, test, inferenceMsPer1000, history, val, keptEpoch } = meta;
    return { model, summary: { trainSeconds, samplesPerSec, test, inferenceMsPer1000, history, val, keptEpoch } };
  } catch (error) {
    model?.dispose();
    return { damaged: (error as Error).message };
  }
}
