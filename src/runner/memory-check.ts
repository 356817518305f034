// Refuses grid cells whose models cannot fit the wasm heap, before anything is allocated or written.
import { checkWasmMemory } from '../backend/wasm-memory.js';
import type { LayerShape, RoleMemoryInput } from '../backend/wasm-memory.js';
import type { BackendInfo } from '../backend/select.js';
import type { ResolvedConfig, Role } from '../config/resolve.js';
import { errorCellsTooLarge } from '../errors.js';
import type { DatasetCache } from './data.js';
import type { PlannedCell } from './plan.js';

function roleInput(config: ResolvedConfig, role: Role, inputs: number, outputs: number): RoleMemoryInput {
  const { layers, training } = config.models[role];
  // Dense layers set the width; dropout and plugin layers are taken to keep it.
  const shapes: LayerShape[] = layers.map((layer) => (typeof layer.params.units === 'number' ? layer.params.units : 'same'));
  return { role, inputs, layers: shapes, outputs, batchSize: training.batchSize, optimizer: training.optimizer };
}

/**
 * On the wasm backend, checks every planned cell against the heap limit (the estimate counts weights,
 * optimizer slots, a batch's activations and gradients, the datasets and prediction batches).
 * @throws DistilError CELLS_TOO_LARGE (exit 2) naming each cell that cannot fit and what to change.
 */
export async function assertCellsFit(cells: readonly PlannedCell[], datasets: DatasetCache, backend: BackendInfo): Promise<void> {
  if (backend.name !== 'wasm') return;
  const problems: string[] = [];
  for (const planned of cells) {
    const data = await datasets.get(planned);
    const { config } = planned.cell;
    const inputs = data.dataset.featureShape.reduce((a, b) => a * b, 1);
    const outputs = data.dataset.outputSize;
    const reason = checkWasmMemory({
      teacher: roleInput(config, 'teacher', inputs, outputs),
      student: roleInput(config, 'student', inputs, outputs),
      person: roleInput(config, 'person', inputs, outputs),
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
