// `distil-run predict <model dir> <input.csv>`: a saved model's prediction for each input row, as CSV.
import {
  assertOutNotInput,
  assertOutNotModel,
  modelDirectory,
  checkRunOptions,
  formatWarning,
  predictSavedModel,
  selectBackend,
  writeOutputFile,
} from '../index.js';
import type { Command } from './command.js';
import { BACKEND_FLAGS } from './evaluate.js';
import type { Values } from './flags.js';

async function predict(files: readonly string[], values: Values): Promise<number> {
  assertOutNotInput(values.out, files);
  assertOutNotModel(values.out, modelDirectory(files[0]));
  const { backend, blas } = checkRunOptions({ backend: values.backend, blas: values.blas });
  await selectBackend(backend ?? 'auto', { blas });
  const prediction = await predictSavedModel(files[0], files[1], { probabilities: values.probabilities === true });
  for (const warning of prediction.warnings) process.stderr.write(`distil-run: warning: ${formatWarning(warning)}\n`);
  if (values.out === undefined) process.stdout.write(prediction.csv);
  else {
    writeOutputFile(values.out, prediction.csv);
    process.stderr.write(`${prediction.rows} prediction(s) written to ${values.out}\n`);
  }
  return 0;
}

export const predictCommand: Command = {
  name: 'predict',
  usage: 'predict <model dir> <input.csv> [--probabilities] [--out FILE]',
  summary: 'predictions of a saved model for each input row',
  section: 'Evaluate and predict options',
  files: { min: 2, max: 2, expected: 'a model directory and an input CSV', count: (n) => `${n} argument(s)` },
  flags: {
    out: { value: 'FILE', help: 'write the predictions to FILE instead of stdout' },
    probabilities: { help: "add each class's probability to a classifier's rows (p_<class>)" },
    ...BACKEND_FLAGS,
  },
  run: predict,
};
