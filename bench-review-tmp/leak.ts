import * as tf from '@tensorflow/tfjs';
import { selectBackend, resetBackendSelection, setBackendLoader, chooseFasterBackend } from '../src/backend/select.js';
import { registerFakeTensorflow } from '../test/backend/fake-backends.js';
import { experiment } from '../test/runner/blobs.js';
import { timeTrainingStep } from '../src/runner/step-timing.js';

async function main() {
  await selectBackend('cpu');
  const { experiment: exp, registry } = await experiment();
  const config = exp.cells[0].config;
  const dataset = { task: config.task, featureShape: [6], outputSize: 3 } as const;
  const count = () => [tf.memory().numTensors, Object.keys(tf.engine().registeredVariables).length];
  console.log('before', count());
  try {
    // A role the compiled step does not cover would be refused after its model, optimizer and rows exist.
    timeTrainingStep({ registry, config, role: 'teacher', dataset, steps: 1, repeats: 1, warmup: 0, step: 'compiled' });
  } catch (e) { console.log('threw:', (e as Error).message); }
  console.log('after a throw before the try', count());
  // A compileRoleStep that throws (as WasmOutOfMemoryError would): simulated via a loss whose prepareTeacher throws.
  resetBackendSelection();
  setBackendLoader('tensorflow', async () => registerFakeTensorflow(() => undefined));
  const info = await selectBackend('auto');
  console.log('selected', info.name);
  const chosen = await chooseFasterBackend(info, 'x', () => {
    if (tf.getBackend() === 'wasm') throw new Error('boom on wasm');
    return { samplesPerSec: 10, step: 'tfjs step' };
  });
  console.log('chosen', chosen.name, 'current', tf.getBackend(), JSON.stringify(chosen.timing));
}
main();
