// How a run goes through a spec's stages (a search, the selection, the cells after it), the plans of those
// stages, and the dry run's preview of them.
import type { ResolvedCell, ResolvedExperiment } from '../config/index.js';
import { errorInvalidArgument, errorNothingSelected } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import { inspectRunDirectory } from '../results/index.js';
import { metricColumns, optionalColumns, runIdentity } from './identity.js';
import { planRun } from './plan.js';
import { resumeState } from './resume.js';
import type { Plan } from './plan.js';
import type { Shard } from './shard.js';
import type { RunOptions } from './run-options.js';
import { describeSelection, searchRowsFrom, selectWinner } from './selection.js';
import type { Selection } from './selection.js';

/** How a run goes through a spec's stages. */
export interface Stages {
  /** The search points this invocation trains (none when the search rows come from a table). */
  readonly search?: readonly ResolvedCell[];
  /** The winner, known before anything runs when the search rows come from a table (or once the search ran). */
  readonly selection?: Selection;
  /** After the search: select and run the cells after the winner, stop (a shard's share of the search), or nothing to do (no search runs). */
  readonly after: 'select' | 'stop' | 'none';
}

/**
 * The stages this invocation runs: a spec without `search:` runs its cells; with one, the whole
 * search then the cells after the winner, or (with --shard) only this shard's share of the search,
 * or (with --selection) the winner from a table and the cells after it.
 * @throws DistilError INVALID_ARGUMENT for --selection without a search, or a selection table that lacks a point;
 *   NOTHING_SELECTED when no point of that table finished.
 */
export function planStages(experiment: ResolvedExperiment, options: Pick<RunOptions, 'selection' | 'shard'>): Stages {
  const { search } = experiment;
  if (!search) {
    if (options.selection !== undefined) {
      throw errorInvalidArgument('--selection', 'the spec has no search: block, so there is nothing to select');
    }
    return { after: 'none' };
  }
  if (options.selection !== undefined) {
    const selection = selectWinner(search, searchRowsFrom(options.selection, search, experiment.name));
    if (!selection) throw errorNothingSelected(search.metric);
    return { selection, after: 'none' };
  }
  if (search.halving && options.shard) {
    throw errorInvalidArgument(
      '--shard',
      'successive halving (search.halving) decides on every point at each rung, so a shard cannot run its share of the search: run the search whole (without --shard; --jobs does not split it either), then the cells after it with --selection and --shard',
    );
  }
  return { search: search.cells, after: options.shard ? 'stop' : 'select' };
}

/**
 * The plans of the stages: the search points this invocation trains (a whole search, or with `stop` the
 * shard's share of it), and the cells after the search (the winner's once it is known, else the first
 * point's; none when the invocation stops after the search). Cells in `finished` are counted as done.
 */
export function stagePlans(
  experiment: ResolvedExperiment,
  stages: Stages,
  options: { shard?: Shard; finished?: ReadonlySet<string> },
): { search?: Plan; final: Plan } {
  const { shard, finished } = options;
  const stop = stages.after === 'stop';
  // The search is sharded only when this invocation stops after it; a whole search runs before the shard's cells.
  const search = stages.search
    ? planRun(experiment, { shard: stop ? shard : undefined, finished, cells: stages.search })
    : undefined;
  const after =
    experiment.search && stages.selection ? experiment.search.finals[stages.selection.winner] : experiment.cells;
  return { search, final: planRun(experiment, { shard, finished, cells: stop ? [] : after }) };
}

/** Where a run with these options writes: the results root, the experiment, the run id and a shard's own folder. */
export function runDirectoryOf(
  experiment: ResolvedExperiment,
  options: RunOptions,
): { outDir: string; experiment: string; runId?: string; subdir?: string } {
  const { shard } = options;
  return {
    outDir: options.outDir ?? 'results',
    experiment: experiment.name,
    runId: options.runId,
    subdir: shard ? `shard-${shard.index}-of-${shard.count}` : undefined,
  };
}

/** What a shard that ran its share of the search says to do next. */
export function searchShareNote(shard: Shard | undefined): string {
  const count = shard?.count ?? 1;
  return (
    `this shard runs only its share of the search (stage 1); when all ${count} shard(s) have finished, merge their results.csv ` +
    '(distil-run merge <run dir>/shard-*/results.csv --out search.csv) and run the cells after the winner with --selection search.csv (and --shard I/N to split them)'
  );
}

/**
 * The plan a run with these options would follow: the cells (and search points) an existing run
 * directory of this run id finished are counted as done. Reads only; loads no data.
 * @throws DistilError RUN_MISMATCH when the run id holds another experiment; what planStages throws.
 */
export function previewRun(experiment: ResolvedExperiment, registry: Registry, options: RunOptions = {}): Plan {
  const stages = planStages(experiment, options);
  // The class names are not known without the data: confusion.csv is read with or without them.
  const classification = experiment.cells.some((cell) => cell.config.task === 'classification');
  const found = inspectRunDirectory({
    ...runDirectoryOf(experiment, options),
    identity: runIdentity(experiment, metricColumns(experiment, registry), {
      ...optionalColumns(experiment, registry),
      confusion: classification ? {} : undefined,
    }),
  });
  const finished = found
    ? resumeState(experiment, found.writer, found.previous, () => undefined).finished
    : new Set<string>();
  const plans = stagePlans(experiment, stages, { shard: options.shard, finished });
  if (stages.after === 'stop') return { ...plans.search!, stage: 'search', notes: [searchShareNote(options.shard)] };
  if (!stages.selection) return plans.final;
  return {
    ...plans.final,
    stage: 'selected',
    notes: [`search rows from ${options.selection}: ${describeSelection(stages.selection)}`],
  };
}
