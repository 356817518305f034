// The wasm backend's memory: will a cell fit in the 4 GiB heap (checked before training), and did a failure poison the backend?
import { WasmOutOfMemoryError, wasmHeapLimit } from './tfjs-internals.js';

/**
 * A hidden layer as far as memory goes: a dense layer's units, a layer keeping the width before it
 * (dropout), or any layer's output size (values per example) and parameter count (convolutions, pooling).
 */
export type LayerShape = number | 'same' | { readonly width: number; readonly params: number };

/** One role's model and training, as far as memory goes. */
export interface RoleMemoryInput {
  /** Named in the refusal: "teacher needs ...". */
  readonly role: string;
  /** Features per example. */
  readonly inputs: number;
  readonly layers: readonly LayerShape[];
  /** Output units (classes, or 1). */
  readonly outputs: number;
  readonly batchSize: number;
  /** Decides the optimizer's slots per weight (adam 2, rmsprop 2-3, sgd 0-1; unknown 2). */
  readonly optimizer: { readonly name: string; readonly params?: Readonly<Record<string, unknown>> };
}

/** One grid cell: its three roles and its data. */
export interface CellMemoryInput {
  readonly teacher: RoleMemoryInput;
  readonly student: RoleMemoryInput;
  readonly person: RoleMemoryInput;
  readonly trainExamples: number;
  readonly testExamples: number;
  /** evaluation.batch_size: predictions run in batches of this size. */
  readonly evalBatchSize: number;
  /** A system BLAS does the products (otherwise XNNPACK keeps a packed copy of every weight matrix). @default false */
  readonly blas?: boolean;
  /** Bytes held by earlier cells that this cell does not use (e.g. other teachers and their outputs). @default 0 */
  readonly residentBytes?: number;
  /** True for a prediction that keeps every batch's activations until it ends (src/runner/model.ts tidies each batch). @default false */
  readonly predictionKeepsBatches?: boolean;
}

/** The peak bytes one role's stage needs, with its parts. */
export interface RoleMemoryEstimate {
  readonly role: string;
  readonly bytes: number;
  readonly parts: Readonly<Record<'data' | 'resident' | 'parameters' | 'optimizer' | 'step' | 'prediction', number>>;
}

const FLOAT = 4;
/** Measured on tfjs 4.22 wasm (test/backend/wasm-memory.test.ts keeps it an upper bound): a step's peak is at most ~2 x the parameters (gradients, new weights) + 8.4 x one batch's activations (saved forward values, backward temporaries). */
const STEP_PARAMETER_FACTOR = 2;
const STEP_ACTIVATION_FACTOR = 9;
/** Predictions keep ~0.6-1.4 x every predicted row's activations (one tidy around all batches), plus up to 2 batches' worth in flight. */
const PREDICTION_IN_FLIGHT_BATCHES = 2;
/** Allocator overhead and fragmentation. */
const MARGIN = 1.1;

/** Output width of every layer, input first. */
function widths(role: RoleMemoryInput): number[] {
  const out = [role.inputs];
  for (const layer of role.layers) {
    out.push(layer === 'same' ? out[out.length - 1] : typeof layer === 'number' ? layer : layer.width);
  }
  out.push(role.outputs);
  return out;
}

/** Weights and biases of the dense layers. */
export function parameterCount(role: RoleMemoryInput): number {
  const all = widths(role);
  let count = 0;
  let previous = all[0];
  [...role.layers, role.outputs].forEach((layer) => {
    if (layer === 'same') return;
    if (typeof layer === 'object') {
      count += layer.params;
      previous = layer.width;
      return;
    }
    count += previous * layer + layer;
    previous = layer;
  });
  return count;
}

/** Optimizer state per weight: tfjs's and the fused optimizers' slots. */
export function optimizerSlots(optimizer: RoleMemoryInput['optimizer']): number {
  const params = optimizer.params ?? {};
  switch (optimizer.name) {
    case 'sgd':
      return Number(params.momentum ?? 0) > 0 ? 1 : 0;
    case 'adam':
      return 2;
    case 'rmsprop':
      return params.centered ? 3 : 2;
    default:
      return 2;
  }
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** Bytes of predicting `rows` rows in batches of `batchSize`: outputs, their concatenation, and activations. */
function predictionBytes(role: RoleMemoryInput, rows: number, batchSize: number, keepsBatches: boolean): number {
  const width = sum(widths(role));
  const batch = Math.min(rows, batchSize);
  const kept = keepsBatches ? rows : 0;
  return FLOAT * ((kept + PREDICTION_IN_FLIGHT_BATCHES * batch) * width + 2 * rows * role.outputs);
}

/** One role's training peak: what is resident, plus the larger of a training step and an evaluation. */
function rolePeak(
  role: RoleMemoryInput,
  cell: CellMemoryInput,
  data: number,
  resident: number,
  predictRows: number,
): RoleMemoryEstimate {
  const parameters = FLOAT * parameterCount(role) * (cell.blas ? 1 : 2);
  const optimizer = FLOAT * parameterCount(role) * optimizerSlots(role.optimizer);
  const activations = FLOAT * role.batchSize * sum(widths(role));
  const step = STEP_PARAMETER_FACTOR * FLOAT * parameterCount(role) + STEP_ACTIVATION_FACTOR * activations;
  const prediction = predictionBytes(role, predictRows, cell.evalBatchSize, cell.predictionKeepsBatches ?? false);
  const parts = { data, resident, parameters, optimizer, step, prediction };
  const bytes = MARGIN * (data + resident + parameters + optimizer + Math.max(step, prediction));
  return { role: role.role, bytes, parts };
}

/**
 * The peak wasm memory of each role's stage of a cell, in order: the teacher (training, then its outputs
 * on the training split), the student (with the teacher's model and outputs resident), the person.
 * An upper estimate: parameters, optimizer slots, one batch's activations and gradients, the dataset
 * tensors, prediction batches, plus 10% for the allocator.
 */
export function estimateWasmMemory(cell: CellMemoryInput): RoleMemoryEstimate[] {
  const { teacher, student, person, trainExamples, testExamples } = cell;
  const data = FLOAT * (trainExamples + testExamples) * (teacher.inputs + 1);
  const earlier = cell.residentBytes ?? 0;
  const teacherModel = FLOAT * parameterCount(teacher);
  const teacherOutputs = FLOAT * trainExamples * teacher.outputs;
  return [
    // The teacher's outputs on the training split are predicted after it trained: the larger prediction.
    rolePeak(teacher, cell, data, earlier, Math.max(trainExamples, testExamples)),
    // kd also keeps the softened outputs it prepared from them.
    rolePeak(student, cell, data, earlier + teacherModel + 2 * teacherOutputs, testExamples),
    rolePeak(person, cell, data, earlier + teacherModel + teacherOutputs, testExamples),
  ];
}

const GiB = 2 ** 30;
const gib = (bytes: number) => `${Number((bytes / GiB).toPrecision(2))} GiB`;

/** What to shrink, by the largest part of an estimate. */
function hint(estimate: RoleMemoryEstimate): string {
  const { data, parameters, optimizer, step, prediction } = estimate.parts;
  const largest = Math.max(data, parameters + optimizer, step, prediction);
  if (largest === parameters + optimizer) return 'use fewer units';
  if (largest === step) return 'use fewer units or a smaller batch';
  // Predictions keep every batch's activations until they end: a smaller evaluation batch does not help.
  if (largest === prediction) return 'use fewer units or fewer examples (dataset.train_limit)';
  return 'use fewer examples (dataset.train_limit)';
}

/**
 * Whether a cell fits in the wasm heap.
 * @returns undefined when it fits; else the refusal, e.g. "teacher needs ~9.3 GiB for layers
 *   784-40000-40000-10 at batch 512; wasm memory is limited to 4 GiB: use fewer units".
 */
export function checkWasmMemory(cell: CellMemoryInput, limit: number = wasmHeapLimit()): string | undefined {
  const roles = { teacher: cell.teacher, student: cell.student, person: cell.person } as Record<
    string,
    RoleMemoryInput
  >;
  const over = estimateWasmMemory(cell).find((estimate) => estimate.bytes > limit);
  if (!over) return undefined;
  const role = roles[over.role] ?? cell.teacher;
  return `${over.role} needs ~${gib(over.bytes)} for layers ${widths(role).join('-')} at batch ${role.batchSize}; wasm memory is limited to ${gib(Math.ceil(limit / GiB) * GiB)}: ${hint(over)}`;
}

/** Messages of failures after which the wasm backend cannot be trusted (a trap, an abort, a lost instance). */
const FATAL =
  /memory access out of bounds|Aborted\(|\bunreachable\b|table index is out of bounds|null function or function signature mismatch|out of memory|Cannot read properties of null \(reading 'HEAP|wasm backend instance that failed/i;

/**
 * True when `error` (or an error message) means the backend is poisoned: every later operation would
 * fail too ("memory access out of bounds", "Aborted()", any WebAssembly.RuntimeError). Stop the run,
 * naming the cell, or replace the backend (recoverWasmBackend) and reload every tensor. A refused
 * allocation (WasmOutOfMemoryError) is not fatal: the heap was not touched and the next cell can run.
 */
export function isBackendFatal(error: unknown): boolean {
  if (error instanceof WasmOutOfMemoryError) return false;
  if (error instanceof WebAssembly.RuntimeError) return true;
  const message = error instanceof Error ? error.message : String(error);
  return FATAL.test(message);
}

export { WasmOutOfMemoryError };
