// `distil-run evaluate <model dir>`: a saved model's test metrics, beside what its run recorded.
import {
  checkRunOptions,
  createRegistry,
  describeBackend,
  evaluateSavedModel,
  formatEvaluation,
  selectBackend,
} from '../index.js';
import type { Command, FlagHelp } from './command.js';
import type { FlagName, Values } from './flags.js';

/** The flags that pick the compute backend of evaluate and predict. */
export const BACKEND_FLAGS = {
  plugin: { help: 'load a plugin (repeatable): a dataset, layer or metric the model needs' },
  backend: { help: 'auto (default), tensorflow, wasm or cpu' },
  blas: { help: "system BLAS for the wasm backend's matrix products (default auto)" },
} satisfies Partial<Record<FlagName, FlagHelp>>;

async function evaluate(files: readonly string[], values: Values): Promise<number> {
  const { backend, blas } = checkRunOptions({ backend: values.backend, blas: values.blas });
  const info = await selectBackend(backend ?? 'auto', { blas });
  const result = await evaluateSavedModel(files[0], {
    dataset: values.dataset,
    set: values.set,
    registry: await createRegistry({ plugins: values.plugin }),
  });
  process.stdout.write(`${formatEvaluation(result)}\nbackend: ${describeBackend(info)}\n`);
  return 0;
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  usage: 'evaluate <model dir> [--dataset NAME|spec.yaml] [--set dataset.X=V]',
  summary: "a saved model's test metrics",
  section: 'Evaluate and predict options',
  files: { min: 1, max: 1, expected: 'one model directory' },
  flags: {
    dataset: { help: "evaluate on a registered dataset or a spec file's dataset (default: the model's own)" },
    set: { value: 'dataset.X=V', help: 'change a param of that dataset, e.g. --set dataset.test_limit=1000' },
    ...BACKEND_FLAGS,
  },
  run: evaluate,
};
