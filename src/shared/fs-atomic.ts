// File-system helpers every folder may use: whole-file atomic writes and directory creation that always returns.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The nearest existing ancestor of `dir` (as written, relative or absolute) and the missing levels
 * below it, outermost first.
 */
export function missingLevels(dir: string): { existing: string; missing: string[] } {
  const missing: string[] = [];
  let level = dir;
  while (!existsSync(level)) {
    missing.unshift(level);
    const up = path.dirname(level);
    if (up === level) break;
    level = up;
  }
  return { existing: level, missing };
}

/**
 * Creates `dir` and its missing parents one level at a time. Node's recursive mkdir never returns
 * for some paths (e.g. under /proc); this fails with the first level that cannot be made.
 * @throws the file system's error (ENOTDIR when an ancestor is a file, EACCES, EROFS...).
 */
export function makeDirectories(dir: string): void {
  const { existing, missing } = missingLevels(dir);
  if (existsSync(existing) && !statSync(existing).isDirectory()) {
    throw Object.assign(new Error(`${existing} is a file, not a directory`), { code: 'ENOTDIR', path: existing });
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      // Another process made it meanwhile.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(level).isDirectory()) throw error;
    }
  }
}

/** Writes `data` to a temporary file beside `file`, then renames it over `file` (creating the directory). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  makeDirectories(path.dirname(file));
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}
