#!/usr/bin/env node
// The distil-run command: argv → the library functions; data on stdout, progress and errors on stderr.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { assertBlasRequest, BACKEND_REQUESTS, selectBackend } from './backend/select.js';
import type { BackendRequest } from './backend/select.js';
import { DistilError, errorInvalidArgument, errorTableMismatch, errorUnknownCommand, errorUnsettled } from './errors.js';
import { builtinPlugin } from './plugins/builtin/index.js';
import { loadPlugins } from './plugins/load.js';
import { didYouMean } from './registry/did-you-mean.js';
import { Registry } from './registry/registry.js';
import { compareResults, mergeResults, parseMaxRegression } from './results/compare.js';
import { compareFormatOption, formatComparison } from './results/compare-format.js';
import { assertRunId } from './results/run-dir.js';
import { writeMergedTable } from './results/merge.js';
import { findBest } from './results/best.js';
import { summarizeTable, summaryCsv } from './results/summary.js';
import { readTable } from './results/table-check.js';
import { getVersion } from './results/manifest.js';
import { formatRegistry, formatSummary } from './summary.js';
import { checkStages, describeBackend, previewRun, runExperiment } from './runner/execute.js';
import { evaluateSavedModel, formatEvaluation, predictSavedModel } from './runner/use-model.js';
import { formatPlan } from './runner/plan.js';
import { resolveShard } from './runner/shard.js';
import { ListrReporter } from './runner/reporter.js';
import { reportAfterRun, RunDirReporter } from './report/after-run.js';
import { loadExperiment } from './config/experiment.js';
import baseSchema from './config/base-schema.json' with { type: 'json' };
import { experimentSchemaText } from './config/schema-gen.js';
import { metricFactsOf } from './runner/model.js';

const HELP = `distil-run ${getVersion()}: knowledge-distillation experiments from YAML

Usage
  distil-run <spec.yaml> [options]          run an experiment (same as "distil-run run")
  distil-run validate <spec.yaml> [options] check a spec; exit 2 with every error located
  distil-run list [--plugin P]              registered components and their params
  distil-run compare <a> <b> [--format F]   compare two results or summary tables, or run directories (b against baseline a)
  distil-run merge <a.csv> <b.csv>... [--out FILE]  combine shard tables (all results.csv or all history.csv) into one
  distil-run summarize <results.csv> [--out FILE]  summary.csv of a results table (e.g. merged shards): means over seeds
  distil-run best <run dir> [--metric M] [--role R]  the winning cell per role by a metric (mean over seeds)
  distil-run report <run dir>               report.html in the run directory: tables and charts, opens offline
  distil-run evaluate <model dir> [--dataset NAME|spec.yaml] [--set dataset.X=V]  a saved model's test metrics
  distil-run predict <model dir> <input.csv> [--out FILE]  predictions of a saved model for each input row
  distil-run schema [--plugin P] [--out FILE]  the JSON Schema of specs with every component's params (for editors)

Run options
  --set PATH=VALUE      override a spec field (repeatable), e.g. --set training.epochs=1
  --grid PATH=VALUES    add or replace a grid axis (repeatable), e.g. --grid training.optimizer.lr=[0.001,0.01]
  --plugin MODULE       load a plugin (repeatable), in addition to the spec's plugins:
  --backend NAME        auto (default), tensorflow, wasm or cpu
  --blas auto|off|PATH  system BLAS for the wasm backend's matrix products (default auto: OpenBLAS, MKL, ...)
  --out DIR             results root (default: results); the run goes to DIR/<name>/<run-id>/
  --run-id ID           run id (default: UTC timestamp); reuse one to resume, skipping finished cells
  --teacher-cache DIR|off  where trained teachers are kept and reused (default ~/.cache/distil-run/teachers)
  --shard I/N           run only cells I, I+N, ... of the grid (for CI matrices; combine with merge)
  --shard auto[/N]      take I (and N) from JOB_COMPLETION_INDEX (Kubernetes), SLURM_ARRAY_TASK_ID (Slurm)
                        or DISTIL_SHARD_INDEX; N from auto/N, DISTIL_SHARD_COUNT or the Slurm array
                        (a spec with search: runs only the shard's search points: stage 1 of 2)
  --save-models all|teacher|none|auto  which trained models to keep in <run dir>/models/ (tfjs layers
                        format); auto (default): all for runs of up to 12 cells, else the teachers
  --selection FILE      skip the search: select its winner from FILE (the merged results.csv of the
                        search shards) and run the cells after it (stage 2; with --shard, split them)
  --dry-run             print the plan (cells, teachers) and exit
  --plain               line-by-line progress (default when stderr is not a terminal or CI is set)
  --no-report           skip report.html (by default, --report: written when the run ends, also after a failure or interrupt)

Compare options
  --max-regression [METRIC=]X  repeatable: X for every metric, METRIC=X for one (test_accuracy=0.005, gain=0.002);
                        exit 1 if a metric in b is worse than in a by more than its X, or a row ok in a is
                        failed, skipped, interrupted or missing in b (without it: report only, exit 0);
                        changes within the seeds' noise (summaries with n > 1) never fail
  --format F            table (default), markdown (a pull-request comment), json or csv; notes stay on stderr
  --allow-different-experiments  compare tables whose experiment columns differ (refused by default)

Merge options
  --out FILE            write the merged table to FILE (creating its directory) instead of stdout

Best options
  --metric M            test_<metric> or val_<metric> (a bare name means test_); default the first test metric that is not the loss
  --role R              only teacher, student or person

Evaluate and predict options
  --dataset NAME|FILE   evaluate on a registered dataset or a spec file's dataset (default: the model's own)
  --set dataset.X=V     change a param of that dataset, e.g. --set dataset.test_limit=1000
  --out FILE            predict: write the CSV to FILE instead of stdout

Exit codes: 0 done, 1 a run or comparison failed, 2 invalid input, 130 interrupted.`;

const OPTIONS = {
  set: { type: 'string', multiple: true },
  grid: { type: 'string', multiple: true },
  plugin: { type: 'string', multiple: true },
  backend: { type: 'string' },
  blas: { type: 'string' },
  'teacher-cache': { type: 'string' },
  out: { type: 'string' },
  'run-id': { type: 'string' },
  shard: { type: 'string' },
  selection: { type: 'string' },
  dataset: { type: 'string' },
  'save-models': { type: 'string' },
  'dry-run': { type: 'boolean' },
  report: { type: 'boolean' },
  'no-report': { type: 'boolean' },
  plain: { type: 'boolean' },
  'max-regression': { type: 'string', multiple: true },
  format: { type: 'string' },
  'allow-different-experiments': { type: 'boolean' },
  metric: { type: 'string' },
  role: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

const COMMANDS = ['run', 'validate', 'list', 'compare', 'merge', 'summarize', 'best', 'evaluate', 'predict', 'schema', 'report'] as const;

/** The spec's top-level keys: a flag named like one (`--seeds=3`) meant `--set`. */
const SPEC_KEYS: readonly string[] = Object.keys(baseSchema.properties);

/** An unknown flag, with the flag it looks like, or `--set` for a spec key. */
function errorUnknownFlag(token: { name: string; rawName: string; value?: string }): DistilError {
  const suggestion = token.rawName.startsWith('--') ? didYouMean(token.name, Object.keys(OPTIONS)) : undefined;
  const key = token.name.split('.')[0];
  if (SPEC_KEYS.includes(key)) {
    return errorInvalidArgument(token.rawName, `unknown flag; ${key} is a key of the spec: --set ${token.name}=${token.value ?? 'VALUE'} sets it (see distil-run --help)`);
  }
  return errorInvalidArgument(token.rawName, suggestion ? `unknown flag. Did you mean "--${suggestion}"?` : 'unknown flag (see distil-run --help)');
}

/**
 * Node's parseArgs words its refusals for programmers (`Unknown option '--plian'. To specify a positional
 * argument...`): the flags are read leniently first, and an unknown flag, a missing value or a value given
 * to a switch is refused in the house shape, naming the flag.
 * @throws DistilError INVALID_ARGUMENT (exit 2).
 */
function assertFlagTokens(argv: readonly string[]): void {
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option: { type: string } | undefined = (OPTIONS as Record<string, { type: string }>)[token.name];
    if (option === undefined) throw errorUnknownFlag(token);
    if (option.type === 'boolean' && token.value !== undefined) throw errorInvalidArgument(token.rawName, `takes no value, got "${token.value}" (give ${token.rawName} alone)`);
    if (option.type === 'string' && token.value === undefined) throw errorInvalidArgument(token.rawName, 'needs a value after it (see distil-run --help)');
    if (option.type === 'string' && !token.inlineValue && token.value?.startsWith('-')) {
      throw errorInvalidArgument(token.rawName, `needs a value, got the flag ${token.value} (a value starting with "-" is written ${token.rawName}=VALUE)`);
    }
  }
}

function parseTokens(argv: readonly string[]) {
  assertFlagTokens(argv);
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw errorInvalidArgument('arguments', `${(error as Error).message} (see distil-run --help)`);
  }
}

function parse(argv: readonly string[]): { values: Values; positionals: string[] } {
  const { values, positionals, tokens } = parseTokens(argv);
  assertSingleValues(tokens);
  return { values, positionals };
}

/** parseArgs keeps the last of a repeated single-value flag silently; a flag given twice is refused instead. */
function assertSingleValues(tokens: ReadonlyArray<{ kind: string; name?: string; value?: string }>): void {
  const given = new Map<string, string[]>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    const option: { type: string; multiple?: boolean } = OPTIONS[token.name as keyof typeof OPTIONS];
    if (option.type !== 'string' || option.multiple) continue;
    const values = [...(given.get(token.name) ?? []), token.value ?? ''];
    given.set(token.name, values);
    if (values.length > 1) {
      throw errorInvalidArgument(`--${token.name}`, `given ${values.length} times (${values.map((v) => JSON.stringify(v)).join(', ')}); give it once`);
    }
  }
}

/** What each command takes as positional arguments, for the message when they are missing. */
const EXPECTED_FILES: Readonly<Record<string, string>> = {
  run: 'one spec file',
  validate: 'one spec file',
  compare: '2 files',
  merge: 'one or more results.csv or history.csv files to combine',
  summarize: 'a results.csv',
};

/** Refuses too few files, and a second spec file for run and validate (which would otherwise be ignored). */
function requireFiles(command: string, files: readonly string[], count: number): void {
  const expected = EXPECTED_FILES[command] ?? `${count} file(s)`;
  if (files.length < count) throw errorInvalidArgument(command, `expected ${expected}, got ${files.length} (see distil-run --help)`);
  if ((command === 'run' || command === 'validate') && files.length > 1) {
    throw errorInvalidArgument(command, `expected one spec file, got ${files.length}: ${files.join(' ')} (run them one at a time)`);
  }
}

function backendOption(value: string | undefined): BackendRequest {
  if (value === undefined) return 'auto';
  if (!(BACKEND_REQUESTS as readonly string[]).includes(value)) throw errorInvalidArgument('--backend', `expected one of ${BACKEND_REQUESTS.join(', ')}, got "${value}"`);
  return value as BackendRequest;
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
      process.stderr.write(`\n${name}: stopping after the current batch (send it again to quit now); finished rows are kept\n`);
      controller.abort();
    });
  }
  return { signal: controller.signal, received: () => received };
}

const SAVE_MODELS = ['all', 'teacher', 'none', 'auto'] as const;

/** `--save-models`, checked. @throws DistilError INVALID_ARGUMENT for another value. */
function saveModelsOption(value: string | undefined): (typeof SAVE_MODELS)[number] | undefined {
  if (value === undefined || (SAVE_MODELS as readonly string[]).includes(value)) return value as (typeof SAVE_MODELS)[number] | undefined;
  throw errorInvalidArgument('--save-models', `expected one of ${SAVE_MODELS.join(', ')}, got "${value}"`);
}

/** Checks the run flags that need no run (backend name, run id, an explicit BLAS, which models to save); returns the backend request. */
function checkRunFlags(values: Values): BackendRequest {
  if (values.report && values['no-report']) throw errorInvalidArgument('--no-report', 'given with --report; give one of them');
  saveModelsOption(values['save-models']);
  const backend = backendOption(values.backend);
  if (values['run-id'] !== undefined) assertRunId(values['run-id']);
  if (values.blas !== undefined) assertBlasRequest(values.blas);
  return backend;
}

async function commandRun(files: string[], values: Values): Promise<number> {
  requireFiles('run', files, 1);
  const { experiment, registry } = await loadExperiment(files[0], { set: values.set, grid: values.grid, plugins: values.plugin });
  const shard = values.shard ? resolveShard(values.shard) : undefined;
  if (shard?.source) process.stderr.write(`shard ${shard.index}/${shard.count} from ${shard.source}\n`);
  // Every flag is checked before the plan is printed: a dry run that passes must not fail for real.
  const backend = checkRunFlags(values);
  if (values['dry-run']) {
    // What the run would do: a finished run id's cells are done, a changed spec is refused as the run would refuse it.
    const plan = previewRun(experiment, registry, { shard, runId: values['run-id'], outDir: values.out, selection: values.selection });
    process.stdout.write(`${formatPlan(plan)}\n`);
    return 0;
  }
  const stop = interruptSignal();
  const reporter = new RunDirReporter(new ListrReporter({ plain: values.plain }));
  try {
    const summary = await runExperiment(experiment, registry, {
      backend,
      blas: values.blas,
      teacherCache: values['teacher-cache'] === 'off' ? false : values['teacher-cache'],
      outDir: values.out,
      runId: values['run-id'],
      shard,
      selection: values.selection,
      saveModels: saveModelsOption(values['save-models']),
      reporter,
      signal: stop.signal,
    });
    process.stdout.write(`${formatSummary(summary)}\n`);
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
    if (reporter.runDir !== undefined && !values['no-report']) await reportRun(reporter.runDir);
  }
}

/** report.html after a run (the charts load only now); a report that fails is a warning and changes nothing else. */
async function reportRun(dir: string): Promise<void> {
  const file = await reportAfterRun(dir, (message) => process.stderr.write(`distil-run: warning: ${message}\n`));
  if (file !== undefined) process.stderr.write(`report: ${file}\n`);
}

/** `distil-run report <run dir>`: writes report.html there and prints its path. */
async function commandReport(files: string[]): Promise<number> {
  if (files.length !== 1) throw errorInvalidArgument('report', `expected one run directory, got ${files.length} (see distil-run --help)`);
  const { writeReport } = await import('./report/report.js');
  const report = await writeReport(files[0]);
  if (report.status !== 'ok') process.stderr.write(`the run's status is ${report.status}: the report shows what finished\n`);
  process.stdout.write(`${report.file}\n`);
  return 0;
}

async function commandValidate(files: string[], values: Values): Promise<number> {
  requireFiles('validate', files, 1);
  const { experiment } = await loadExperiment(files[0], { set: values.set, grid: values.grid, plugins: values.plugin });
  // The run flags a command line carries are checked as the run would (an auto shard resolves only where it runs).
  checkRunFlags(values);
  if (values.shard !== undefined && !/^auto(\/\d+)?$/.test(values.shard)) resolveShard(values.shard);
  // A selection table is read as the run would read it: a point it lacks is found now, not after loading the data.
  if (values.selection !== undefined) checkStages(experiment, { selection: values.selection });
  process.stdout.write(`${files[0]}: valid (${experiment.cells.length} cell(s))\n`);
  return 0;
}

async function pluginRegistry(values: Values): Promise<Registry> {
  const registry = new Registry().use(builtinPlugin);
  const issues: Parameters<typeof loadPlugins>[4] = [];
  await loadPlugins(registry, values.plugin ?? [], process.cwd(), undefined, issues);
  if (issues.length > 0) throw new DistilError('PLUGIN_ERROR', issues.map((i) => `${i.location.origin}: ${i.message} (${i.hint})`).join('\n'), { exitCode: 2 });
  return registry;
}

async function commandCompare(files: string[], values: Values): Promise<number> {
  requireFiles('compare', files, 2);
  if (files.length > 2) throw errorInvalidArgument('compare', `expected 2 files (a baseline and a new table), got ${files.length} (see distil-run --help)`);
  const thresholds = parseMaxRegression(values['max-regression'] ?? []);
  const format = compareFormatOption(values.format);
  const registry = await pluginRegistry(values);
  // Each registered metric's column and orientation, looked up once rather than per compared value.
  const orientation = new Map(
    registry.list('metric').map((c) => metricFactsOf(registry, c.definition.name)).map((m) => [m.column, m.higherIsBetter]),
  );
  const comparison = compareResults(files[0], files[1], {
    maxRegression: thresholds.maxRegression,
    metricThresholds: thresholds.byMetric,
    higherIsBetter: (column) => orientation.get(column),
    allowDifferentExperiments: values['allow-different-experiments'],
  });
  // The changes are the data (stdout, in the format asked for); what was lost, noted and decided is diagnostics (stderr).
  process.stdout.write(formatComparison(comparison, format));
  const verdict = comparison.verdict === undefined ? [] : [`distil-run: ${comparison.verdict}`];
  process.stderr.write([...comparison.notes, ...verdict].map((line) => `${line}\n`).join(''));
  return comparison.failed ? 1 : 0;
}

/** An --out that is one of the input tables would replace rows it was made from. */
function assertOutNotInput(out: string | undefined, files: readonly string[]): void {
  if (out !== undefined && files.some((file) => path.resolve(file) === path.resolve(out))) {
    throw errorInvalidArgument('--out', `${out} is one of the input tables; writing there would replace its rows (give another file)`);
  }
}

function commandMerge(files: string[], values: Values): number {
  requireFiles('merge', files, 1);
  assertOutNotInput(values.out, files);
  const merged = mergeResults(files);
  const extra = [
    merged.duplicates > 0 ? `${merged.duplicates} identical duplicate row(s) collapsed` : '',
  ].filter(Boolean);
  const into = values.out ? ` into ${values.out}` : '';
  if (values.out) writeMergedTable(values.out, merged.csv);
  else process.stdout.write(merged.csv);
  process.stderr.write(`merged ${merged.rows} row(s) from ${files.length} file(s)${into}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}\n`);
  return 0;
}

function commandSummarize(files: string[], values: Values): number {
  requireFiles('summarize', files, 1);
  if (files.length > 1) throw errorInvalidArgument('summarize', `expected one results.csv (merge shards first), got ${files.length} (see distil-run --help)`);
  assertOutNotInput(values.out, files);
  const table = readTable(files[0]);
  if (table.kind !== 'results') throw errorTableMismatch(`${files[0]}: is a ${table.kind} table, not a results table`, 'summarize takes a results.csv');
  const { columns, rows } = summarizeTable(table);
  const csv = summaryCsv(columns, rows);
  if (values.out) writeMergedTable(values.out, csv);
  else process.stdout.write(csv);
  process.stderr.write(`summarized ${table.rows.length} row(s) into ${rows.length} cell/role row(s)${values.out ? ` in ${values.out}` : ''}\n`);
  return 0;
}

async function commandBest(files: string[], values: Values): Promise<number> {
  if (files.length !== 1) throw errorInvalidArgument('best', `expected one run directory, got ${files.length} (see distil-run --help)`);
  const registry = await pluginRegistry(values);
  const orientation = new Map(registry.list('metric').map((c) => metricFactsOf(registry, c.definition.name)).map((m) => [m.column, m.higherIsBetter]));
  const best = findBest(files[0], { metric: values.metric, role: values.role, higherIsBetter: (metric) => orientation.get(metric) });
  process.stdout.write(`${best.text}\n`);
  process.stderr.write(best.notes.map((line) => `${line}\n`).join(''));
  return 0;
}

async function commandEvaluate(files: string[], values: Values): Promise<number> {
  if (files.length !== 1) throw errorInvalidArgument('evaluate', `expected one model directory, got ${files.length} (see distil-run --help)`);
  if (values.blas !== undefined) assertBlasRequest(values.blas);
  const backend = await selectBackend(backendOption(values.backend), { blas: values.blas });
  const result = await evaluateSavedModel(files[0], { dataset: values.dataset, set: values.set, plugins: values.plugin });
  process.stdout.write(`${formatEvaluation(result)}\nbackend: ${describeBackend(backend)}\n`);
  return 0;
}

async function commandPredict(files: string[], values: Values): Promise<number> {
  if (files.length !== 2) throw errorInvalidArgument('predict', `expected a model directory and an input CSV, got ${files.length} argument(s) (see distil-run --help)`);
  assertOutNotInput(values.out, files);
  if (values.blas !== undefined) assertBlasRequest(values.blas);
  await selectBackend(backendOption(values.backend), { blas: values.blas });
  const prediction = await predictSavedModel(files[0], files[1]);
  if (values.out === undefined) process.stdout.write(prediction.csv);
  else {
    writeMergedTable(values.out, prediction.csv);
    process.stderr.write(`${prediction.rows} prediction(s) written to ${values.out}\n`);
  }
  return 0;
}

/** The JSON Schema of specs for editors and generic validators: the built-ins' params and, with --plugin, a plugin's. */
async function commandSchema(files: string[], values: Values): Promise<number> {
  if (files.length > 0) throw errorInvalidArgument('schema', `takes no files, got ${files.join(' ')} (see distil-run --help)`);
  const text = experimentSchemaText(await pluginRegistry(values));
  if (values.out === undefined) process.stdout.write(text);
  else writeMergedTable(values.out, text);
  return 0;
}

/** The flags each command reads (help and version apply to all). */
const COMMAND_FLAGS: Readonly<Record<string, readonly (keyof typeof OPTIONS)[]>> = {
  run: ['set', 'grid', 'plugin', 'backend', 'blas', 'teacher-cache', 'out', 'run-id', 'shard', 'selection', 'save-models', 'dry-run', 'plain', 'report', 'no-report'],
  // validate checks a run's command line without running it: the run flags are checked, not ignored.
  validate: ['set', 'grid', 'plugin', 'backend', 'blas', 'teacher-cache', 'out', 'run-id', 'shard', 'selection', 'save-models', 'plain', 'report', 'no-report'],
  list: ['plugin'],
  compare: ['max-regression', 'format', 'allow-different-experiments', 'plugin'],
  merge: ['out'],
  summarize: ['out'],
  best: ['metric', 'role', 'plugin'],
  evaluate: ['dataset', 'set', 'plugin', 'backend', 'blas'],
  predict: ['out', 'plugin', 'backend', 'blas'],
  schema: ['plugin', 'out'],
  report: [],
};

/**
 * A flag the command does not read would be ignored without a word (`best --out x.csv` writing nothing):
 * refuse it, naming the command's flags.
 * @throws DistilError INVALID_ARGUMENT (exit 2).
 */
function assertFlagsFor(command: string, values: Values): void {
  const allowed = COMMAND_FLAGS[command];
  if (!allowed) return; // an unknown command is reported by the dispatch
  const given = (Object.keys(values) as (keyof typeof OPTIONS)[]).filter((flag) => values[flag] !== undefined && flag !== 'help' && flag !== 'version');
  const stray = given.filter((flag) => !allowed.includes(flag));
  if (stray.length > 0) {
    const takes = allowed.length > 0 ? allowed.map((flag) => `--${flag}`).join(', ') : 'no flags';
    throw errorInvalidArgument(`--${stray[0]}`, `is not a flag of "${command}", which takes ${takes} (see distil-run --help)`);
  }
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.version) {
    process.stdout.write(`${getVersion()}\n`);
    return 0;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length === 0) {
    // Nothing asked for: the usage is diagnostics (stderr), so stdout stays clean for data.
    process.stderr.write(`${HELP}\n`);
    return 2;
  }
  const [first, ...rest] = positionals;
  const isSpec = /\.ya?ml$/i.test(first);
  const command = isSpec ? 'run' : first;
  const files = isSpec ? positionals : rest;
  assertFlagsFor(command, values);
  switch (command) {
    case 'run': return commandRun(files, values);
    case 'validate': return commandValidate(files, values);
    case 'list': process.stdout.write(`${formatRegistry(await pluginRegistry(values))}\n`); return 0;
    case 'compare': return commandCompare(files, values);
    case 'merge': return commandMerge(files, values);
    case 'summarize': return commandSummarize(files, values);
    case 'best': return commandBest(files, values);
    case 'evaluate': return commandEvaluate(files, values);
    case 'predict': return commandPredict(files, values);
    case 'schema': return commandSchema(files, values);
    case 'report': return commandReport(files);
    default: throw errorUnknownCommand(first, didYouMean(first, COMMANDS));
  }
}

// Every answer below ends in process.exit, which skips 'beforeExit': Node emits it only when nothing is
// left to wait for while main() is still pending (a promise that never settles). Never a silent exit 0.
process.on('beforeExit', () => {
  const error = errorUnsettled();
  process.stderr.write(`distil-run: ${error.message}\n`);
  process.exit(error.exitCode);
});

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof DistilError) {
      process.stderr.write(`distil-run: ${error.message}\n`);
      process.exit(error.code === 'INTERRUPTED' ? 130 : error.exitCode);
    }
    process.stderr.write(`distil-run: internal error (please report it): ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
