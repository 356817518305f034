// Refuses grid cells whose models cannot fit the wasm heap, before anything is allocated or written; warns of a teacher no larger than its student.
import { ROLES } from '../shared/index.js';
import type { Role } from '../shared/index.js';
import { checkWasmMemory } from '../backend/index.js';
import type { BackendInfo, LayerShape, RoleMemoryInput } from '../backend/index.js';
import type { ComponentRef, ResolvedConfig } from '../config/index.js';
import { errorCellsTooLarge, errorModelShape, warningTeacherNotLarger } from '../errors/index.js';
import type { DistilWarning } from '../errors/index.js';
import type { Dataset, Registry } from '../registry/index.js';
import { planLayers } from './model.js';
import type { PlannedLayer } from './model.js';
import { loadRoleModel } from './loaded-model.js';
import type { DatasetCache } from './dataset-cache.js';
import type { PlannedCell } from './plan.js';

function roleInput(registry: Registry, config: ResolvedConfig, role: Role, dataset: Dataset): RoleMemoryInput {
  const { layers, training } = config.models[role];
  // Every hidden layer's size and parameters from the definitions' static facts (the output layer is counted apart).
  const planned = planLayers(registry, layers, dataset).slice(0, -1);
  const shapes: LayerShape[] = planned.map((layer) => ({
    width: layer.output.reduce((a, b) => a * b, 1),
    params: layer.params,
  }));
  const inputs = dataset.featureShape.reduce((a, b) => a * b, 1);
  return {
    role,
    inputs,
    layers: shapes,
    outputs: dataset.outputSize,
    batchSize: training.batchSize,
    optimizer: training.optimizer,
  };
}

/** A model's parameter count from its planned layers; undefined when a plugin layer declares no `shape()` (its count is unknown). */
export function plannedParams(
  registry: Registry,
  layers: readonly ComponentRef[],
  planned: readonly PlannedLayer[],
): number | undefined {
  // A built-in layer without shape() has no parameters (dropout); a plugin's may have some.
  const unknown = layers.some((ref) => {
    const { definition, plugin } = registry.get('layer', ref.name);
    return plugin !== 'builtin' && !(definition.kind === 'layer' && definition.shape);
  });
  return unknown ? undefined : planned.reduce((sum, layer) => sum + layer.params, 0);
}

/**
 * Checks that every role's layers can take what the layer before gives (a convolution needs images: an
 * image dataset, or a reshape), before anything is allocated or written. `warn` hears of a teacher no
 * larger than its student, once per (teacher, student) pair.
 * @throws DistilError MODEL_SHAPE (exit 2) naming the cell, role and layer.
 */
export async function assertModelsFit(
  cells: readonly PlannedCell[],
  datasets: DatasetCache,
  registry: Registry,
  warn?: (warning: DistilWarning) => void,
): Promise<void> {
  const problems: string[] = [];
  const pairs = new Set<string>();
  for (const planned of cells) {
    const data = await datasets.get(planned);
    const params: Partial<Record<Role, number>> = {};
    // Roles with layers that share weights across an image (convolutions): their count understates them.
    const convolutional = new Set<Role>();
    for (const role of ROLES) {
      const { layers, load } = planned.cell.config.models[role];
      try {
        if (load) {
          const model = await loadRoleModel(load, data.dataset);
          params[role] = model.countParams();
          model.dispose();
        } else {
          const planned = planLayers(registry, layers, data.dataset);
          params[role] = plannedParams(registry, layers, planned);
          if (planned.some((layer) => !layer.inserted && layer.output.length > 1)) convolutional.add(role);
        }
      } catch (error) {
        problems.push(
          `cell ${planned.cell.id}${planned.label ? ` (${planned.label})` : ''}, ${role}: models.${role}.${load ? 'load: ' : ''}${(error as Error).message}`,
        );
      }
    }
    const { teacher, student } = planned.cell.config.models;
    const pair = JSON.stringify([
      teacher.load ?? teacher.layers,
      student.load ?? student.layers,
      data.dataset.featureShape,
      data.dataset.outputSize,
    ]);
    if (
      params.teacher !== undefined &&
      params.student !== undefined &&
      params.teacher <= params.student &&
      // A convolutional teacher of an MLP student (cnn-to-mlp) computes more with fewer weights.
      !(convolutional.has('teacher') && !convolutional.has('student')) &&
      !pairs.has(pair)
    ) {
      pairs.add(pair);
      warn?.(
        warningTeacherNotLarger(
          planned.label || planned.cell.id,
          params.teacher,
          params.student,
          teacher.load !== undefined,
        ),
      );
    }
  }
  if (problems.length > 0) throw errorModelShape([...new Set(problems)]);
}

/**
 * On the wasm backend, checks every planned cell against the heap limit (the estimate counts weights,
 * optimizer slots, a batch's activations and gradients, the datasets and prediction batches).
 * @throws DistilError CELLS_TOO_LARGE (exit 2) naming each cell that cannot fit and what to change.
 */
export async function assertCellsFit(
  cells: readonly PlannedCell[],
  datasets: DatasetCache,
  backend: BackendInfo,
  registry: Registry,
): Promise<void> {
  if (backend.name !== 'wasm') return;
  const problems: string[] = [];
  for (const planned of cells) {
    const data = await datasets.get(planned);
    const { config } = planned.cell;
    const reason = checkWasmMemory({
      teacher: roleInput(registry, config, 'teacher', data.dataset),
      student: roleInput(registry, config, 'student', data.dataset),
      person: roleInput(registry, config, 'person', data.dataset),
      trainExamples: data.train.n,
      testExamples: data.test.n,
      evalBatchSize: config.evaluation.batchSize,
      blas: Boolean(backend.blas),
      residentBytes: datasets.bytesExcept(planned),
    });
    if (reason) problems.push(`cell ${planned.cell.id}${planned.label ? ` (${planned.label})` : ''}: ${reason}`);
  }
  if (problems.length > 0) throw errorCellsTooLarge(problems);
}
