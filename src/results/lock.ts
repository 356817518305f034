// One writer per run directory: a lock file created exclusively, released on exit, taken over when stale.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorRunLocked, errorUnusablePath } from '../errors.js';

/** What the lock file says about its holder. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

export const LOCK_FILE = '.lock';

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
 * Takes the lock of run directory `dir` (which must exist). A lock held by a process that no longer
 * exists on this host is taken over, and `onStale` is told. Returns the function that releases it.
 * @throws DistilError RUN_LOCKED when another live process holds it.
 */
export function acquireRunLock(dir: string, onStale: (message: string) => void): () => void {
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, me)) {
      const release = () => {
        if (readHolder(file)?.pid === me.pid) rmSync(file, { force: true });
        process.off('exit', release);
      };
      // Also on process.exit() (a second Ctrl-C): the next run must not find a stale lock to explain.
      process.on('exit', release);
      return release;
    }
    const holder = readHolder(file);
    if (holder && (holder.host !== me.host || isAlive(holder.pid))) throw errorRunLocked(dir, holder, file);
    onStale(`took over the stale lock of ${dir} (${holder ? `pid ${holder.pid} is no longer running` : 'unreadable lock file'})`);
    rmSync(file, { force: true });
  }
  throw errorRunLocked(dir, readHolder(file), file);
}
