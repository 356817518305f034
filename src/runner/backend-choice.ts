// `--backend auto` with tfjs-node and wasm both loading: time the experiment's largest role's training step
// on each and train on the faster (see chooseFasterBackend).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chooseFasterBackend } from '../backend/index.js';
import type { BackendInfo, BackendName, BackendTiming, TimedStep } from '../backend/index.js';
import { DistilError } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import { ROLES } from '../shared/index.js';
import type { Role } from '../shared/index.js';
import type { DatasetCache, LoadedData } from './dataset-cache.js';
import { assertCellsFit, plannedParams } from './memory-check.js';
import { planLayers } from './model.js';
import type { PlannedCell } from './plan.js';
import { timeTrainingStep } from './step-timing.js';

/** Milliseconds each timed repeat aims at: three repeats per backend, a second or two in all. */
const REPEAT_MS = 300;
/** A step slower than this is timed once: one step already says which backend is faster. */
const SLOW_STEP_MS = 500;

/** The role of `planned` with the most weights among those built from layers (a loaded model is not timed). */
export function largestRole(registry: Registry, planned: PlannedCell, data: LoadedData): Role | undefined {
  let largest: { role: Role; params: number } | undefined;
  for (const role of ROLES) {
    const { layers, load } = planned.cell.config.models[role];
    if (load) continue;
    const params = plannedParams(registry, layers, planLayers(registry, layers, data.dataset)) ?? 0;
    if (!largest || params > largest.params) largest = { role, params };
  }
  return largest?.role;
}

const BACKENDS = new Set(['tensorflow', 'wasm']);
/** A short line of printable text (a manifest is a file anyone may have edited). */
const printable = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 200 && /^[\x20-\x7e]+$/.test(value);

/** `{ tensorflow?, wasm? }` of values `valid` accepts, or undefined when anything else is there. */
function byBackend<T>(value: unknown, valid: (v: unknown) => v is T): Partial<Record<BackendName, T>> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.every(([key, v]) => BACKENDS.has(key) && valid(v))) return undefined;
  return Object.fromEntries(entries) as Partial<Record<BackendName, T>>;
}

const rate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * The backend an earlier attempt of this run chose by timing (`backend.timing` in its manifest, with
 * `requested: auto`), or undefined: no manifest, no timing, or anything in it that is not as written.
 */
export function earlierChoice(runDir: string | undefined): { name: BackendName; timing: BackendTiming } | undefined {
  if (!runDir) return undefined;
  let manifest: { backend?: { name?: unknown; requested?: unknown; timing?: Record<string, unknown> | null } };
  try {
    manifest = JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const { name, requested, timing } = manifest?.backend ?? {};
  if ((name !== 'tensorflow' && name !== 'wasm') || requested !== 'auto') return undefined;
  if (!timing || typeof timing !== 'object' || !printable(timing.what)) return undefined;
  const samplesPerSec = byBackend(timing.samples_per_sec, rate);
  const steps = byBackend(timing.steps, printable);
  const failed = byBackend(timing.failed, printable);
  if (!samplesPerSec || !steps || !failed) return undefined;
  return {
    name,
    timing: { what: timing.what, samplesPerSec, steps, ...(Object.keys(failed).length > 0 ? { failed } : {}) },
  };
}

export interface BackendChoiceInput {
  readonly registry: Registry;
  /** The cells this invocation may train (the first is timed; all must fit wasm's heap to take it). */
  readonly cells: readonly PlannedCell[];
  readonly datasets: DatasetCache;
  /** The run directory when the run id was given (a resumed run keeps its earlier choice). */
  readonly runDir?: string;
}

/**
 * The backend the run trains on: `backend` itself unless `auto` chose tensorflow while wasm loads too;
 * then the faster of the two on the largest role's training step of the first cell (random rows of the
 * dataset's shape), with both rates in `timing`; wasm only if every cell fits its heap. A resumed run
 * takes its earlier attempt's choice again, untimed.
 */
export async function chooseBackendForRun(backend: BackendInfo, input: BackendChoiceInput): Promise<BackendInfo> {
  const { registry, cells, datasets } = input;
  if (backend.requested !== 'auto' || backend.name !== 'tensorflow' || cells.length === 0) return backend;
  const planned = cells[0];
  const data = await datasets.get(planned);
  const role = largestRole(registry, planned, data);
  if (!role) return backend;
  const { config } = planned.cell;
  const measure: TimedStep = () => {
    const timing = { registry, config, role, dataset: data.dataset, maxBatch: data.train.n };
    const first = timeTrainingStep({ ...timing, steps: 1, repeats: 1, warmup: 1 });
    const msPerStep = (first.batchSize / first.samplesPerSec) * 1000;
    if (msPerStep > SLOW_STEP_MS) return { samplesPerSec: first.samplesPerSec, step: `${first.step} step` };
    const steps = Math.max(1, Math.min(40, Math.floor(REPEAT_MS / msPerStep)));
    const timed = timeTrainingStep({ ...timing, steps, repeats: 3, warmup: 1 });
    return { samplesPerSec: timed.samplesPerSec, step: `${timed.step} step` };
  };
  return chooseFasterBackend(backend, {
    what: `the ${role}'s training step (batch ${Math.min(config.models[role].training.batchSize, data.train.n)})`,
    measure,
    earlier: earlierChoice(input.runDir),
    wasmFits: async (wasm) => {
      try {
        await assertCellsFit(cells, datasets, wasm, registry);
        return undefined;
      } catch (error) {
        if (!(error instanceof DistilError)) throw error;
        return `its heap cannot hold every cell (${error.message.split('\n')[0]})`;
      }
    },
  });
}
