// The backend a bench worker runs on, from its config name: `wasm+blas` (OpenBLAS's sgemm), `wasm`, `tensorflow`...
import { selectBackend } from '../src/backend/select.js';
import type { BackendInfo, BackendRequest } from '../src/backend/select.js';

/**
 * Selects the config's backend (`+blas...` asks for the BLAS kernels, anything else after `+` too).
 * @throws Error when the backend, or the BLAS it asks for, is not there: the config's rows are skipped.
 */
export async function configBackend(configName: string): Promise<BackendInfo> {
  const [backendName, blasMode] = configName.split('+') as [BackendRequest, string | undefined];
  const info = await selectBackend(backendName, { blas: blasMode?.startsWith('blas') ? 'auto' : 'off' });
  if (info.name !== backendName) throw new Error(`wanted ${backendName}, got ${info.name}`);
  if (blasMode?.startsWith('blas') && !info.blas) throw new Error(`no BLAS: ${info.blasSkipped}`);
  return info;
}
