// `distil-run <spec.yaml>` (or `run`): runs an experiment, with progress on stderr and the summary table on stdout.
import {
  checkRunOptions,
  createRegistry,
  DistilError,
  errorInvalidArgument,
  formatWarning,
  formatPlan,
  ForwardingReporter,
  ListrReporter,
  loadExperiment,
  parseJobs,
  previewRun,
  reportAfterRun,
  resolveShard,
  runExperiment,
} from '../index.js';
import type { Registry, Reporter, RunOptions } from '../index.js';
import type { Command, FlagHelp, Positionals } from './command.js';
import type { FlagName, Values } from './flags.js';
import { formatRunSummary } from './format-run.js';

/** The flags of a run, which `validate` checks too. */
export const RUN_FLAGS = {
  set: { help: 'override a spec field (repeatable), e.g. --set training.epochs=1' },
  grid: { help: 'add or replace a grid axis (repeatable), e.g. --grid training.optimizer.lr=[0.001,0.01]' },
  plugin: { help: "load a plugin (repeatable), in addition to the spec's plugins:" },
  backend: { help: 'auto (default), tensorflow, wasm or cpu' },
  blas: { help: "system BLAS for the wasm backend's matrix products (default auto: OpenBLAS, MKL, ...)" },
  'compiled-step': {
    help: [
      'on (default): dense models train through the compiled step on wasm (the same weights as',
      "tfjs's step, faster); off: every role takes tfjs's step",
    ],
  },
  'teacher-cache': { help: 'where trained teachers are kept and reused (default ~/.cache/distil-run/teachers)' },
  out: { help: 'results root (default: results); the run goes to DIR/<name>/<run-id>/' },
  'run-id': { help: 'run id (default: UTC timestamp); reuse one to resume, skipping finished cells' },
  shard: {
    value: 'I/N, auto[/N]',
    help: [
      'run only cells I, I+N, ... of the grid (for CI matrices; combine with merge); auto takes I (and N)',
      'from JOB_COMPLETION_INDEX (Kubernetes), SLURM_ARRAY_TASK_ID (Slurm) or DISTIL_SHARD_INDEX, N from auto/N,',
      "DISTIL_SHARD_COUNT or the Slurm array (a spec with search: runs only the shard's search points: stage 1 of 2)",
    ],
  },
  selection: {
    help: [
      'skip the search: select its winner from FILE (the merged results.csv of the search shards) and run',
      'the cells after it (stage 2; with --shard, split them)',
    ],
  },
  'save-models': {
    help: [
      'which trained models to keep in <run dir>/models/ (tfjs layers format); auto (default): all for runs of',
      'up to 12 cells, else the teachers',
    ],
  },
  jobs: {
    help: [
      'train on N worker processes side by side (auto: one per core); cells that share a teacher, a person or',
      'an epochs axis stay on one worker; this process alone writes the tables (default 1)',
    ],
  },
  'dry-run': { help: 'print the plan (cells, teachers) and exit' },
  plain: { help: 'line-by-line progress (default when stderr is not a terminal or CI is set)' },
  report: { help: 'write report.html when the run ends, also after a failure or interrupt (the default)' },
  'no-report': { help: 'skip report.html' },
} satisfies Partial<Record<FlagName, FlagHelp>>;

/** One spec file, as run and validate take it. */
export const SPEC_FILE: Positionals = {
  min: 1,
  max: 1,
  expected: 'one spec file',
  tooMany: (files) => `expected one spec file, got ${files.length}: ${files.join(' ')} (run them one at a time)`,
};

/** The options of the run a command line asks for (every flag checked: a dry run that passes must not fail for real). */
export function runOptions(values: Values): RunOptions {
  const shard = values.shard ? resolveShard(values.shard) : undefined;
  if (values.report && values['no-report']) {
    throw errorInvalidArgument('--no-report', 'given with --report; give one of them');
  }
  const checked = checkRunOptions({
    backend: values.backend,
    blas: values.blas,
    compiledStep: values['compiled-step'],
    runId: values['run-id'],
    saveModels: values['save-models'],
  });
  return {
    ...checked,
    teacherCache: values['teacher-cache'] === 'off' ? false : values['teacher-cache'],
    outDir: values.out,
    shard,
    selection: values.selection,
    jobs: values.jobs === undefined ? undefined : parseJobs(values.jobs),
  };
}

/** Exit codes of a run stopped by a signal: 128 + the signal's number, as shells report it. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * Ctrl-C, SIGTERM (CI runners, Kubernetes) or SIGHUP once: stop after the current batch, keep every
 * finished row, mark the role interrupted; a second signal exits at once.
 */
function interruptSignal(): { signal: AbortSignal; received: () => StopSignal | undefined } {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  for (const name of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) {
    process.on(name, () => {
      if (controller.signal.aborted) process.exit(SIGNAL_EXIT_CODES[name]);
      received = name;
      process.stderr.write(
        `\n${name}: stopping after the current batch (send it again to quit now); finished rows are kept\n`,
      );
      controller.abort();
    });
  }
  return { signal: controller.signal, received: () => received };
}

/**
 * Forwards every event to another reporter and remembers the run directory: a run that fails or is
 * interrupted throws instead of returning it, and still gets a report of what finished.
 */
class RunDirReporter extends ForwardingReporter {
  /** Set when the run has opened its directory (before that, there is nothing to report). */
  runDir: string | undefined;

  override runStart(info: Parameters<Reporter['runStart']>[0]): void {
    this.runDir = info.runDir;
    super.runStart(info);
  }
}

/** report.html after a run (the charts load only now); a report that fails is a warning and changes nothing else. */
async function reportRun(dir: string, registry: Registry): Promise<void> {
  const file = await reportAfterRun(
    dir,
    (warning) => process.stderr.write(`distil-run: warning: ${formatWarning(warning)}\n`),
    { higherIsBetter: (metric) => registry.higherIsBetter(metric) },
  );
  if (file !== undefined) process.stderr.write(`report: ${file}\n`);
}

async function run(files: readonly string[], values: Values): Promise<number> {
  // From the start: a signal while the spec and its plugins load is said, not a silent exit.
  const stop = interruptSignal();
  const { experiment, registry } = await loadExperiment(files[0], {
    registry: await createRegistry(),
    set: values.set,
    grid: values.grid,
    plugins: values.plugin,
  });
  const early = stop.received();
  if (early) {
    process.stderr.write(
      'distil-run: interrupted while loading the spec, before the run started; nothing was written\n',
    );
    return SIGNAL_EXIT_CODES[early];
  }
  const options = runOptions(values);
  if (options.shard?.source) {
    process.stderr.write(`shard ${options.shard.index}/${options.shard.count} from ${options.shard.source}\n`);
  }
  if (values['dry-run']) {
    // What the run would do: a finished run id's cells are done, a changed spec is refused as the run would refuse it.
    process.stdout.write(`${formatPlan(previewRun(experiment, registry, options), { jobs: options.jobs })}\n`);
    return 0;
  }
  const reporter = new RunDirReporter(new ListrReporter({ plain: values.plain }));
  try {
    // Worker processes (--jobs) load the spec as this command did.
    const workers = {
      spec: { file: files[0], set: values.set, grid: values.grid, plugins: values.plugin, cwd: process.cwd() },
    };
    const summary = await runExperiment(experiment, registry, { ...options, reporter, signal: stop.signal, workers });
    process.stdout.write(`${formatRunSummary(summary, process.argv.slice(2))}\n`);
    return summary.status === 'ok' ? 0 : 1;
  } catch (error) {
    const received = stop.received();
    if (error instanceof DistilError && error.code === 'INTERRUPTED' && received) {
      process.stderr.write(`distil-run: ${error.message}\n`);
      return SIGNAL_EXIT_CODES[received];
    }
    throw error;
  } finally {
    // Whatever the outcome, once the run directory was opened: a report of what finished, the exit code kept.
    if (reporter.runDir !== undefined && !values['no-report']) await reportRun(reporter.runDir, registry);
  }
}

export const runCommand: Command = {
  name: 'run',
  usage: '<spec.yaml> [options]',
  summary: 'run an experiment (same as "distil-run run")',
  section: 'Run options',
  files: SPEC_FILE,
  flags: RUN_FLAGS,
  run,
};
