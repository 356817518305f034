// `--backend auto` with tfjs-node and wasm both loading: time the experiment's largest role's training step
// on each and train on the faster (see chooseFasterBackend).
import { chooseFasterBackend } from '../backend/index.js';
import type { BackendInfo } from '../backend/index.js';
import type { Registry } from '../registry/index.js';
import { ROLES } from '../shared/index.js';
import type { Role } from '../shared/index.js';
import type { LoadedData } from './dataset-cache.js';
import { plannedParams } from './memory-check.js';
import { planLayers } from './model.js';
import type { PlannedCell } from './plan.js';
import { timeTrainingStep } from './step-timing.js';

/** Milliseconds each timed repeat aims at: three repeats per backend, a second or two in all. */
const REPEAT_MS = 300;

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

/**
 * The backend the run trains on: `backend` itself unless `auto` chose tensorflow while wasm loads too;
 * then the faster of the two on the largest role's training step of the first cell (random rows of the
 * dataset's shape), with both rates in `timing`.
 */
export async function chooseBackendForRun(
  backend: BackendInfo,
  registry: Registry,
  planned: PlannedCell,
  data: LoadedData,
): Promise<BackendInfo> {
  if (backend.requested !== 'auto' || backend.name !== 'tensorflow') return backend;
  const role = largestRole(registry, planned, data);
  if (!role) return backend;
  const { config } = planned.cell;
  const what = `the ${role}'s training step (batch ${config.models[role].training.batchSize})`;
  return chooseFasterBackend(backend, what, () => {
    const input = { registry, config, role, dataset: data.dataset };
    const first = timeTrainingStep({ ...input, steps: 2, repeats: 1, warmup: 2 });
    const msPerStep = (first.batchSize / first.samplesPerSec) * 1000;
    const steps = Math.max(2, Math.min(40, Math.floor(REPEAT_MS / msPerStep)));
    const timed = timeTrainingStep({ ...input, steps, repeats: 3, warmup: 2 });
    return { samplesPerSec: timed.samplesPerSec, step: `${timed.step} step` };
  });
}
