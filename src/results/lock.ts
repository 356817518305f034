// One writer per run directory: a lock file created exclusively, released on exit, taken over when stale.
import { closeSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorRunLocked, errorUnusablePath, warningStaleLockTaken } from '../errors/index.js';
import type { DistilWarning } from '../errors/index.js';

/** What the lock file says about its holder. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

export const LOCK_FILE = '.lock';

/** The holder touches the lock this often; a lock untouched for STALE_AFTER_MS has no live holder. */
const HEARTBEAT_MS = 20_000;
/**
 * A lock not refreshed for this long is stale even when its holder ran on another host (a Kubernetes pod
 * or a Slurm task killed and retried elsewhere, on a shared disk), where its process cannot be checked.
 */
export const STALE_AFTER_MS = 120_000;

function lastBeat(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof holder.pid === 'number' && typeof holder.host === 'string') return { pid: holder.pid, host: holder.host, started: String(holder.started) };
  } catch {
    // A lock file that cannot be read is one a writer died creating.
  }
  return undefined;
}

function tryCreate(file: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw errorUnusablePath('--out', path.dirname(file), `cannot write in it (${(error as NodeJS.ErrnoException).code})`, 'choose a writable directory for the results');
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes a lock file, or leaves it when it cannot be removed (a file system gone read-only or away during
 * the run): the next run finds its holder dead and takes it over, saying so. Releasing never fails a run.
 */
export function removeLockFile(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // Left in place: stale from now on (see acquireRunLock).
  }
}

/**
 * Takes the lock of run directory `dir` (which must exist). A lock held by a process that no longer
 * exists on this host is taken over, and `onStale` is told. Returns the function that releases it.
 * @throws DistilError RUN_LOCKED when another live process holds it.
 */
export function acquireRunLock(dir: string, onStale: (warning: DistilWarning) => void): () => void {
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, me)) {
      const heartbeat = setInterval(() => {
        try {
          const now = new Date();
          utimesSync(file, now, now);
        } catch {
          // A lock that cannot be touched any more is one that was taken away; the writes will say so.
        }
      }, HEARTBEAT_MS);
      heartbeat.unref();
      const release = () => {
        clearInterval(heartbeat);
        process.off('exit', release);
        if (readHolder(file)?.pid === me.pid) removeLockFile(file);
      };
      // Also on process.exit() (a second Ctrl-C): the next run must not find a stale lock to explain.
      process.on('exit', release);
      return release;
    }
    const holder = readHolder(file);
    const silentFor = Date.now() - lastBeat(file);
    const live = holder && silentFor < STALE_AFTER_MS && (holder.host !== me.host || isAlive(holder.pid));
    if (live) throw errorRunLocked(dir, holder, file);
    const why = !holder ? 'unreadable lock file' : holder.host === me.host && !isAlive(holder.pid) ? `pid ${holder.pid} is no longer running` : `not refreshed for ${Math.round(silentFor / 1000)} s by ${holder.host}`;
    onStale(warningStaleLockTaken(dir, why));
    rmSync(file, { force: true });
  }
  throw errorRunLocked(dir, readHolder(file), file);
}
