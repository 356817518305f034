// `--shard i/n`, `auto` and `auto/N`, read in one place; an auto shard's index and count from the batch system's environment.
import { errorInvalidArgument } from '../errors/index.js';
import { SPEC_LIMITS } from '../shared/index.js';

export interface Shard {
  /** 1-based shard number. */
  readonly index: number;
  readonly count: number;
  /** Where `--shard auto` found index and count, e.g. `Slurm job array (SLURM_ARRAY_TASK_ID=3, ...)`; recorded in the manifest. */
  readonly source?: string;
}

/** The most shards a run splits into: a grid has at most this many cells, so more shards would run nothing. */
const MAX_SHARDS = SPEC_LIMITS.gridCells;

/** Why a count past {@link MAX_SHARDS} is refused, for messages. */
const MAX_SHARDS_REASON = `a grid has at most ${SPEC_LIMITS.gridCells} cells`;

/** `--shard` as written: a shard `i/n`, or `auto` (with the count `auto/N` gives) to be read from the environment. */
export type ShardRequest = { readonly shard: Shard } | { readonly auto: { readonly count?: number } };

/**
 * Reads `--shard i/n`, `auto` or `auto/N` without looking at the environment: the one parser of the flag.
 * @throws DistilError INVALID_ARGUMENT for anything else, or for i/n outside 1 <= i <= n <= {@link MAX_SHARDS}.
 */
export function parseShardRequest(text: string): ShardRequest {
  const auto = /^auto(?:\/(.*))?$/.exec(text.trim());
  if (!auto) return { shard: parseShard(text) };
  if (auto[1] !== undefined && !/^[1-9]\d*$/.test(auto[1])) {
    throw errorInvalidArgument(
      `--shard ${text.trim()}`,
      `expected auto or auto/N with N >= 1 the number of shards, got "${text}"`,
    );
  }
  return { auto: auto[1] === undefined ? {} : { count: Number(auto[1]) } };
}

/**
 * Parses `--shard i/n`.
 * @throws DistilError INVALID_ARGUMENT for anything but 1 <= i <= n <= {@link MAX_SHARDS}.
 */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || index < 1 || count < 1 || index > count) {
    throw errorInvalidArgument('--shard', `expected i/n with 1 <= i <= n (e.g. 1/4), got "${text}"`);
  }
  if (count > MAX_SHARDS) {
    throw errorInvalidArgument(
      '--shard',
      `expected i/n with n at most ${MAX_SHARDS} (${MAX_SHARDS_REASON}), got "${text}"`,
    );
  }
  return { index, count };
}

/** The environment variables read (process.env by default). */
export type ShardEnvironment = Readonly<Record<string, string | undefined>>;

/** A shard count and what gave it, e.g. `DISTIL_SHARD_COUNT=4`. */
interface Count {
  readonly value: number;
  readonly from: string;
}

/** What one batch system says: the 0-based index, the variables it came from, and any count it implies. */
interface Found {
  readonly system: string;
  readonly index: number;
  readonly variables: readonly string[];
  readonly counts: readonly Count[];
}

const LOOKED_FOR =
  'JOB_COMPLETION_INDEX (Kubernetes Indexed Job), SLURM_ARRAY_TASK_ID (Slurm job array) or DISTIL_SHARD_INDEX (CI matrix, 1-based, with DISTIL_SHARD_COUNT)';

class ShardEnv {
  constructor(
    readonly flag: string,
    private readonly env: ShardEnvironment,
  ) {}

  fail(problem: string): never {
    throw errorInvalidArgument(this.flag, problem);
  }

  /** A variable's text, or undefined when unset or empty. */
  text(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** A variable as a whole number >= `min`. */
  number(name: string, min = 0): number | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < min) {
      this.fail(`${name}=${JSON.stringify(text)} is not a whole number${min > 0 ? ` >= ${min}` : ''}`);
    }
    return value;
  }

  shown(name: string): string {
    return `${name}=${this.text(name)}`;
  }
}

/** Kubernetes Indexed Job: JOB_COMPLETION_INDEX, 0-based; the count comes from auto/N or DISTIL_SHARD_COUNT. */
function kubernetes(env: ShardEnv): Found | undefined {
  const index = env.number('JOB_COMPLETION_INDEX');
  if (index === undefined) return undefined;
  return { system: 'Kubernetes Indexed Job', index, variables: [env.shown('JOB_COMPLETION_INDEX')], counts: [] };
}

/** Slurm job array: SLURM_ARRAY_TASK_ID's place among the array's tasks (MIN, MAX and STEP, or COUNT). */
function slurm(env: ShardEnv): Found | undefined {
  const id = env.number('SLURM_ARRAY_TASK_ID');
  if (id === undefined) return undefined;
  const names = [
    'SLURM_ARRAY_TASK_ID',
    'SLURM_ARRAY_TASK_MIN',
    'SLURM_ARRAY_TASK_MAX',
    'SLURM_ARRAY_TASK_STEP',
    'SLURM_ARRAY_TASK_COUNT',
  ].filter((name) => env.text(name) !== undefined);
  const variables = names.map((name) => env.shown(name));
  const min = env.number('SLURM_ARRAY_TASK_MIN') ?? 0;
  const max = env.number('SLURM_ARRAY_TASK_MAX');
  const step = env.number('SLURM_ARRAY_TASK_STEP', 1) ?? 1;
  const count = env.number('SLURM_ARRAY_TASK_COUNT', 1);
  const counts: Count[] = [];
  if (count !== undefined) counts.push({ value: count, from: env.shown('SLURM_ARRAY_TASK_COUNT') });
  if (max !== undefined) {
    if (max < min || (max - min) % step !== 0) {
      env.fail(`${variables.join(', ')}: not a range of array tasks (submit with --array=0-N)`);
    }
    counts.push({
      value: (max - min) / step + 1,
      from: `SLURM_ARRAY_TASK_MIN..MAX (${min}..${max}${step > 1 ? ` step ${step}` : ''})`,
    });
  }
  if (id < min || (max !== undefined && id > max) || (id - min) % step !== 0) {
    env.fail(`${variables.join(', ')}: the task id is not one of the array's tasks (submit with --array=0-N)`);
  }
  return { system: 'Slurm job array', index: (id - min) / step, variables, counts };
}

/** A CI matrix (or anything else): DISTIL_SHARD_INDEX, 1-based, with DISTIL_SHARD_COUNT or auto/N. */
function ciMatrix(env: ShardEnv): Found | undefined {
  const index = env.number('DISTIL_SHARD_INDEX', 1);
  if (index === undefined) return undefined;
  return { system: 'CI matrix', index: index - 1, variables: [env.shown('DISTIL_SHARD_INDEX')], counts: [] };
}

/** The one count every source agrees on. */
function agreedCount(env: ShardEnv, found: Found, counts: readonly Count[]): Count {
  if (counts.length === 0) {
    env.fail(
      `${found.variables.join(', ')} (${found.system}) gives the shard index but not the count (use --shard auto/N, or set DISTIL_SHARD_COUNT=N, with N the number of shards)`,
    );
  }
  const other = counts.find((count) => count.value !== counts[0].value);
  if (other) {
    env.fail(
      `the shard count is ${counts[0].value} by ${counts[0].from} but ${other.value} by ${other.from} (make them agree, or leave one out)`,
    );
  }
  return counts[0];
}

/**
 * Parses `--shard i/n`, `auto` or `auto/N`. `auto` takes the index from the one batch system that sets
 * one (Kubernetes Indexed Job, Slurm job array, DISTIL_SHARD_INDEX) and records it as the shard's `source`.
 * @throws DistilError INVALID_ARGUMENT when no system or several set an index, or the values disagree.
 */
export function resolveShard(text: string, environment: ShardEnvironment = process.env): Shard {
  const request = parseShardRequest(text);
  if ('shard' in request) return request.shard;
  const env = new ShardEnv(`--shard ${text.trim()}`, environment);
  const found = [kubernetes(env), slurm(env), ciMatrix(env)].filter((f): f is Found => f !== undefined);
  if (found.length === 0) {
    env.fail(`no shard index in the environment: looked for ${LOOKED_FOR} (give --shard I/N instead)`);
  }
  if (found.length > 1) {
    env.fail(
      `several shard indices in the environment: ${found.flatMap((f) => f.variables.slice(0, 1)).join(', ')} (unset the ones that do not apply, or give --shard I/N)`,
    );
  }
  const [source] = found;
  const fromFlag: Count[] =
    request.auto.count === undefined ? [] : [{ value: request.auto.count, from: `--shard auto/${request.auto.count}` }];
  const distilCount = env.number('DISTIL_SHARD_COUNT', 1);
  const fromEnv: Count[] =
    distilCount === undefined ? [] : [{ value: distilCount, from: env.shown('DISTIL_SHARD_COUNT') }];
  const count = agreedCount(env, source, [...fromFlag, ...source.counts, ...fromEnv]);
  if (count.value > MAX_SHARDS) {
    env.fail(
      `the shard count is ${count.value} by ${count.from}; at most ${MAX_SHARDS} shards are allowed (${MAX_SHARDS_REASON})`,
    );
  }
  const index = source.index + 1;
  if (index > count.value) {
    env.fail(
      `${source.variables.join(', ')} is shard ${index}, but there are ${count.value} shard(s) by ${count.from} (make the count the number of tasks)`,
    );
  }
  return {
    index,
    count: count.value,
    source: `${source.system} (${source.variables.join(', ')}; count from ${count.from})`,
  };
}
