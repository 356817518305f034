// A small synthetic experiment for runner tests: 3-class Gaussian blobs through a test plugin.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinPlugin } from '../../src/plugins/builtin/index.js';
import { Registry } from '../../src/registry/registry.js';
import { definePlugin } from '../../src/registry/types.js';
import type { Dataset } from '../../src/registry/types.js';
import { createRandom } from '../../src/shared/random.js';
import { resolveExperiment } from '../../src/config/experiment.js';
import { parseSpecSource } from '../../src/config/load.js';
import { readCsv } from '../../src/results/csv.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';

/** Three Gaussian blobs in 6 dimensions; `poison` puts a NaN in the first feature. */
function blobs(n: number, seed: number, poison: boolean): { x: Float32Array; y: Int32Array; n: number } {
  const random = createRandom(seed);
  const x = new Float32Array(n * 6);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < 6; j++) x[i * 6 + j] = (j % 3 === y[i] ? 2 : 0) + (random() - 0.5) * 2;
  }
  if (poison) x[0] = NaN;
  return { x, y, n };
}

/** 8 x 8 images of 3 classes: a 3 x 3 bright square at one of three places, on noise. */
function tiles(n: number, seed: number): { x: Float32Array; y: Int32Array; n: number } {
  const random = createRandom(seed);
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let p = 0; p < 64; p++) x[i * 64 + p] = random() * 0.3;
    const corner = [9, 20, 36][y[i]];
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) x[i * 64 + corner + dy * 8 + dx] = 1;
  }
  return { x, y, n };
}

export const testPlugin = definePlugin({
  name: 'test-blobs',
  components: [
    {
      kind: 'dataset',
      name: 'blobs',
      description: 'Synthetic 3-class blobs',
      task: 'classification',
      params: { properties: { poison: { type: 'boolean', default: false } } },
      async create(params: { poison: boolean }, context): Promise<Dataset> {
        return {
          task: 'classification',
          featureShape: [6],
          outputSize: 3,
          train: blobs(300, context.seed, params.poison),
          test: blobs(150, context.seed + 1, false),
        };
      },
    },
    {
      kind: 'dataset',
      name: 'tiles',
      description: 'Synthetic 3-class 8 x 8 images',
      task: 'classification',
      params: { properties: {} },
      async create(_params, context): Promise<Dataset> {
        return {
          task: 'classification',
          featureShape: [64],
          imageShape: [8, 8, 1],
          outputSize: 3,
          train: tiles(240, context.seed),
          test: tiles(90, context.seed + 1),
        };
      },
    },
  ],
});

export const SPEC = `name: blobs
seed: 3
dataset: blobs
models:
  teacher: { layers: [32, 16] }
  student: { layers: [8] }
training: { epochs: 4, batch_size: 32, optimizer: { name: adam, lr: 0.01 } }
distillation: { temperature: 2, alpha: 0.5 }
`;

/** SPEC on the image dataset `tiles`. */
export const TILES = SPEC.replace('dataset: blobs', 'dataset: tiles');

/** SPEC without its `seed:`, to append `seeds:` to (a spec giving both is refused). */
export const SEEDLESS = SPEC.replace('seed: 3\n', '');

export async function experiment(text = SPEC) {
  const registry = new Registry().use(builtinPlugin).use(testPlugin);
  return resolveExperiment(parseSpecSource(text, 'blobs.yaml'), { registry });
}

export const outDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'distil-run-'));

/** The detail of a role's start line (params, epochs and the notes after them), as a run reported it. */
export function roleDetail(events: ReadonlyArray<{ type: string; [key: string]: unknown }>, role: string): string {
  const start = events.find((e) => e.type === 'roleStart' && e.role === role);
  return String(start?.detail);
}

/** Runs a spec of the test plugin (no teacher cache): its summary, both tables and what it reported. */
export async function runSpec(spec: string, runId = 'run') {
  const { experiment: exp, registry } = await experiment(spec);
  const reporter = new RecordingReporter();
  const summary = await runExperiment(exp, registry, { outDir: outDir(), runId, reporter, teacherCache: false });
  const results = readCsv(path.join(summary.runDir, 'results.csv'));
  const history = readCsv(path.join(summary.runDir, 'history.csv')).records;
  return { summary, results, history, reporter };
}
