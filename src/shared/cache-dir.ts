// Where distil-run keeps what it downloads and trains for later runs.
import os from 'node:os';
import path from 'node:path';

/** `$XDG_CACHE_HOME/distil-run`, else `~/.cache/distil-run`. */
export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'distil-run');
}
