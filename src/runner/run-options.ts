// The run options a command line gives as text (backend, BLAS, run id, models to keep), checked before anything runs.
import { assertBlasRequest, BACKEND_REQUESTS } from '../backend/index.js';
import type { BackendRequest } from '../backend/index.js';
import { errorInvalidArgument } from '../errors.js';
import { assertRunId } from '../results/index.js';

/** Which trained models a run keeps in `<run dir>/models/`. */
export type SaveModels = 'all' | 'teacher' | 'none';

export const SAVE_MODELS = ['all', 'teacher', 'none', 'auto'] as const;

/** The options as text, e.g. from `--backend`, `--blas`, `--run-id` and `--save-models`. */
export interface RunOptionsText {
  readonly backend?: string;
  readonly blas?: string;
  readonly runId?: string;
  readonly saveModels?: string;
}

/**
 * Checks the options that need no run (a backend name, a BLAS path that loads, a run id that is one folder
 * name, which models to keep) and gives them typed.
 * @throws DistilError INVALID_ARGUMENT naming the flag.
 */
export function checkRunOptions(text: RunOptionsText): { backend?: BackendRequest; blas?: string; runId?: string; saveModels?: SaveModels | 'auto' } {
  if (text.saveModels !== undefined && !(SAVE_MODELS as readonly string[]).includes(text.saveModels)) {
    throw errorInvalidArgument('--save-models', `expected one of ${SAVE_MODELS.join(', ')}, got "${text.saveModels}"`);
  }
  if (text.backend !== undefined && !(BACKEND_REQUESTS as readonly string[]).includes(text.backend)) {
    throw errorInvalidArgument('--backend', `expected one of ${BACKEND_REQUESTS.join(', ')}, got "${text.backend}"`);
  }
  if (text.runId !== undefined) assertRunId(text.runId);
  if (text.blas !== undefined) assertBlasRequest(text.blas);
  return { backend: text.backend as BackendRequest | undefined, blas: text.blas, runId: text.runId, saveModels: text.saveModels as SaveModels | 'auto' | undefined };
}
