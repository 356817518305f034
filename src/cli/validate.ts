// `distil-run validate <spec.yaml>`: checks a spec and the run flags of its command line, without running it.
import {
  checkExperimentData,
  formatWarning,
  createRegistry,
  DATA_CHECK_ROWS,
  loadExperiment,
  parseShardRequest,
  planStages,
  selectBackend,
  validateCellsTakeTheirData,
} from '../index.js';
import type { Command } from './command.js';
import type { Values } from './flags.js';
import { RUN_FLAGS, runOptions, SPEC_FILE } from './run.js';

async function validate(files: readonly string[], values: Values): Promise<number> {
  const { experiment, registry } = await loadExperiment(files[0], {
    registry: await createRegistry(),
    set: values.set,
    grid: values.grid,
    plugins: values.plugin,
  });
  // The run flags a command line carries are checked as the run would; an auto shard is read only where it runs.
  const auto = values.shard !== undefined && 'auto' in parseShardRequest(values.shard);
  runOptions({ ...values, shard: auto ? undefined : values.shard });
  // A selection table is read as the run would read it: a point it lacks is found now, not after loading the data.
  if (values.selection !== undefined) planStages(experiment, { selection: values.selection });
  // The data files are opened after the spec passed: a spec's problems are all listed first, without reading data.
  const data = values.data ? await checkExperimentData(experiment, registry) : [];
  // Then the data loaded whole, as the run loads it: what the run refuses before training is refused here too.
  if (values.data) {
    // The data's tensors where the run makes them by default (wasm: the cpu backend greets its first tensor on stderr).
    await selectBackend('auto', { blas: 'off' });
    await validateCellsTakeTheirData(experiment, registry, { selection: values.selection }, (warning) =>
      process.stderr.write(`distil-run: warning: ${formatWarning(warning)}\n`),
    );
  }
  const lines = [`${files[0]}: valid (${experiment.cells.length} cell(s))`, ...data.map((line) => `  data: ${line}`)];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

const { 'dry-run': _dryRun, ...flags } = RUN_FLAGS;

export const validateCommand: Command = {
  name: 'validate',
  usage: 'validate <spec.yaml> [--data] [options]',
  summary: 'check a spec; exit 2 with every error located',
  section: 'Run options',
  files: SPEC_FILE,
  // validate checks a run's command line without running it: the run flags are checked, not ignored.
  flags: {
    ...flags,
    data: {
      help: [
        `validate only: also open the data files: CSV headers, the columns the spec names and the first ${DATA_CHECK_ROWS.toLocaleString('en-US')} rows`,
        'of each file, parsed as the run parses them; other datasets are loaded whole (exit 2 for bad data)',
      ],
    },
  },
  run: validate,
};
