// Trained teachers kept on disk, so shards and reruns with the same teacher config do not retrain it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cacheDir } from '../data/fetch.js';
import { writeFileAtomic } from '../fs-atomic.js';

/** What a cached teacher brings back besides its weights: the figures of the run that trained it. */
export interface TeacherSummary {
  readonly trainSeconds: number;
  readonly samplesPerSec: number;
  readonly test: Readonly<Record<string, number>>;
  readonly inferenceMsPer1000: number;
}

interface Meta extends TeacherSummary {
  readonly shapes: number[][];
}

/** The default cache directory: `~/.cache/distil-run/teachers`. */
export function defaultTeacherCacheDir(): string {
  return path.join(cacheDir(), 'teachers');
}

/**
 * File stem of a teacher: its content hash (seed, dataset, architecture, training) plus the arithmetic
 * (backend, BLAS or not) and distil-run version, since a run is reproducible only for the same ones.
 */
export function teacherStem(dir: string, teacherKey: string, numerics: string, version: string): string {
  return path.join(dir, `${teacherKey}-${numerics}-${version}`);
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
  writeFileAtomic(`${stem}.bin`, new Uint8Array(buffer.buffer));
  const meta: Meta = { ...summary, shapes };
  writeFileAtomic(`${stem}.json`, `${JSON.stringify(meta)}\n`);
}

/**
 * Loads a cached teacher: builds its model with `createModel` (only when an entry exists) and sets the
 * saved weights. Undefined when absent, damaged or of another architecture.
 */
export function loadTeacher<M extends tf.LayersModel>(stem: string, createModel: () => M): { model: M; summary: TeacherSummary } | undefined {
  if (!existsSync(`${stem}.json`) || !existsSync(`${stem}.bin`)) return undefined;
  let meta: Meta;
  try {
    meta = JSON.parse(readFileSync(`${stem}.json`, 'utf8')) as Meta;
  } catch {
    return undefined;
  }
  const bytes = readFileSync(`${stem}.bin`);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const total = meta.shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  if (values.length !== total) return undefined;
  const model = createModel();
  const expected = model.getWeights().map((w) => w.shape.join('x'));
  if (meta.shapes.map((s) => s.join('x')).join() !== expected.join()) {
    model.dispose();
    return undefined;
  }
  let offset = 0;
  const tensors = meta.shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(values.subarray(offset, offset + size), shape);
    offset += size;
    return t;
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
  const { trainSeconds, samplesPerSec, test, inferenceMsPer1000 } = meta;
  return { model, summary: { trainSeconds, samplesPerSec, test, inferenceMsPer1000 } };
}
