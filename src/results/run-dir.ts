// Opens a run directory for one writer: a unique new id or a resumable old one, locked, checked to hold this experiment.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorInvalidArgument, errorRunMismatch, errorUnusablePath } from '../errors/index.js';
import type { DistilWarning } from '../errors/index.js';
import { makeDirectories, missingLevels } from '../shared/index.js';
import { acquireRunLock } from './lock.js';
import { RunWriter } from './writer.js';

/** What identifies the experiment a run directory holds; resuming needs the same. */
export interface RunIdentity {
  /** Content hash of everything below. */
  readonly hash: string;
  /** The spec as written (after --set and --grid), to say what changed in the user's words. */
  readonly spec?: unknown;
  /** The resolved config of each cell, in order. */
  readonly resolved: readonly unknown[];
  /** The metric columns of the tables. */
  readonly metrics: readonly string[];
  /** True when the cells have a validation split (the tables get `val_` columns). */
  readonly validation: boolean;
  /** The grid's swept paths: the axis columns of results.csv. */
  readonly axes?: readonly string[];
  /** True when the experiment has a selection stage (the results get a `stage` column). */
  readonly search?: boolean;
  /** True when a distillation method reads representations (the results get an `extra_params` column). */
  readonly representations?: boolean;
  /** True when a cell trains on a transfer set (the results get a `train_examples` column). */
  readonly transfer?: boolean;
  /** Set for a classification run: it writes confusion.csv (see {@link TableShape.confusion}); not hashed, so runs of older versions resume. */
  readonly confusion?: { readonly names?: boolean };
}

export interface OpenRunOptions {
  readonly outDir: string;
  readonly experiment: string;
  /** Reusing one resumes that run; without one a new unique id is made. */
  readonly runId?: string;
  /** A folder inside the run directory for this writer, e.g. `shard-1-of-4`. */
  readonly subdir?: string;
  readonly identity: RunIdentity;
  warn(warning: DistilWarning): void;
}

export interface OpenRun {
  readonly runId: string;
  readonly dir: string;
  readonly writer: RunWriter;
  /** The manifest an earlier invocation with this run id wrote, when resuming. */
  readonly previous?: Readonly<Record<string, unknown>>;
  release(): void;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A sortable UTC timestamp id with a random suffix, unique even for runs started in the same millisecond. */
export function defaultRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}

/** @throws DistilError INVALID_ARGUMENT for an id that is not one plain folder name. */
export function assertRunId(runId: string): void {
  if (!RUN_ID.test(runId) || /^\.+$/.test(runId)) {
    throw errorInvalidArgument('--run-id', `expected a folder name of letters, digits, ".", "_" or "-" (at most 100, not starting with "." or "-"), got ${JSON.stringify(runId)}`);
  }
}

/** Creates `dir` and its parents for `flag`, explaining why when it cannot. */
export function makeDirectory(flag: string, dir: string, hint: string): void {
  const { existing, missing } = missingLevels(dir);
  if (existsSync(existing) && !statSync(existing).isDirectory()) throw errorUnusablePath(flag, missing.length === 0 ? dir : existing, 'is a file, not a directory', hint);
  try {
    makeDirectories(dir);
  } catch (error) {
    throw errorUnusablePath(flag, dir, `cannot create it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, hint);
  }
}

function newRunDirectory(base: string): { runId: string; dir: string } {
  for (;;) {
    const runId = defaultRunId();
    const dir = path.join(base, runId);
    try {
      mkdirSync(dir);
      return { runId, dir };
    } catch (error) {
      // Another run took this id in the same instant: draw another suffix.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw errorUnusablePath('--out', base, `cannot create a run directory (${(error as NodeJS.ErrnoException).code})`, 'choose a writable directory');
    }
  }
}

function readManifest(file: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Leaf paths where two values differ: `models.teacher.training.epochs: 4 in the run directory, 5 now`. */
function differences(before: unknown, now: unknown, at: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObject(before) && isObject(now) && Array.isArray(before) === Array.isArray(now)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(now)])) {
      const child = Array.isArray(now) ? `${at}[${key}]` : at ? `${at}.${key}` : key;
      differences(before[key], now[key], child, out, limit);
    }
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(now)) {
    const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));
    out.push(`${at}: ${show(before)} in the run directory, ${show(now)} now`);
  }
}

/** What differs between the experiment a run directory holds and this one (at most a few lines). */
export function describeMismatch(previous: Readonly<Record<string, unknown>>, identity: RunIdentity): string[] {
  const out: string[] = [];
  const metrics = Array.isArray(previous.metrics) ? previous.metrics : [];
  if (metrics.join() !== identity.metrics.join()) out.push(`metrics: ${metrics.join(', ') || 'none recorded'} in the run directory, ${identity.metrics.join(', ')} now`);
  const axes = Array.isArray(previous.axes) ? previous.axes : [];
  if (axes.join() !== (identity.axes ?? []).join()) out.push(`grid axes: ${axes.join(', ') || 'none'} in the run directory, ${identity.axes?.join(', ') || 'none'} now`);
  // What the user changed, in the spec's own words; the resolved configs only when the spec is the same.
  if (identity.spec && previous.spec !== undefined) differences(previous.spec, identity.spec, '', out, 6);
  if (out.length === 0) {
    const resolved = Array.isArray(previous.resolved) ? previous.resolved : [];
    if (resolved.length !== identity.resolved.length) out.push(`grid: ${resolved.length} cell(s) in the run directory, ${identity.resolved.length} now`);
    for (let i = 0; i < Math.min(resolved.length, identity.resolved.length) && out.length < 6; i++) differences(resolved[i], identity.resolved[i], '', out, 6);
  }
  return out.length > 0 ? [...new Set(out)] : ['the experiment hash differs (the manifest was edited or written by another version)'];
}

/** Refuses a run directory that holds another experiment, or tables without the manifest that names it. */
function assertResumable(dir: string, writer: RunWriter, identity: RunIdentity): Record<string, unknown> | undefined {
  const previous = readManifest(writer.manifestFile);
  if (!previous) {
    if (existsSync(writer.resultsFile) || existsSync(writer.historyFile)) {
      throw errorRunMismatch(dir, [`manifest.json is missing or damaged, so which experiment wrote the tables cannot be checked`]);
    }
    return undefined;
  }
  if (previous.experiment_hash !== identity.hash) throw errorRunMismatch(dir, describeMismatch(previous, identity));
  return previous;
}

/**
 * What a run with this id would find, without taking the lock or writing anything (for --dry-run): the
 * tables of an existing run directory of the same experiment and the manifest it wrote, or none.
 * @throws DistilError RUN_MISMATCH when the directory holds another experiment, as the run would.
 */
export function inspectRunDirectory(
  options: Omit<OpenRunOptions, 'warn'>,
): { writer: RunWriter; previous?: Readonly<Record<string, unknown>> } | undefined {
  const dir = givenRunDirectory(options);
  if (dir === undefined) return undefined;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  const writer = new RunWriter(dir, options.identity);
  return { writer, previous: assertResumable(dir, writer, options.identity) };
}

/** `outDir/experiment/runId[/subdir]` when the run id is given (a run that may be resumed), else undefined. */
export function givenRunDirectory(options: {
  readonly outDir: string;
  readonly experiment: string;
  readonly runId?: string;
  readonly subdir?: string;
}): string | undefined {
  if (options.runId === undefined) return undefined;
  return path.join(options.outDir, options.experiment, options.runId, options.subdir ?? '');
}

/**
 * Opens the run directory `outDir/experiment/runId[/subdir]` for this process alone.
 * @throws DistilError INVALID_ARGUMENT (bad id or --out), RUN_LOCKED, RUN_MISMATCH (all exit code 2).
 */
export function openRunDirectory(options: OpenRunOptions): OpenRun {
  const base = path.join(options.outDir, options.experiment);
  makeDirectory('--out', options.outDir, 'choose a directory for the results');
  makeDirectory('--out', base, 'choose a directory for the results');
  let runId = options.runId;
  let dir: string;
  if (runId !== undefined) {
    assertRunId(runId);
    dir = path.join(base, runId, options.subdir ?? '');
    makeDirectory('--out', dir, 'choose a directory for the results');
  } else {
    const created = newRunDirectory(base);
    runId = created.runId;
    dir = path.join(created.dir, options.subdir ?? '');
    makeDirectory('--out', dir, 'choose a directory for the results');
  }
  const release = acquireRunLock(dir, options.warn);
  try {
    const writer = new RunWriter(dir, options.identity);
    const previous = assertResumable(dir, writer, options.identity);
    return { runId, dir, writer, previous, release };
  } catch (error) {
    release();
    throw error;
  }
}
