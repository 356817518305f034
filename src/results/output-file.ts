// The file `--out` names for a command's output: checked to be a plain file that no input is, and written atomically.
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { errorInvalidArgument } from '../errors/index.js';
import { specialFileKind, writeFileAtomic } from '../shared/index.js';
import { MODEL_FILE, WEIGHTS_FILE } from './saved-model.js';

/**
 * Refuses an `--out` that is one of the input files: writing there would replace the rows it was made from.
 * @throws DistilError INVALID_ARGUMENT naming `--out`.
 */
export function assertOutNotInput(out: string | undefined, files: readonly string[]): void {
  if (out !== undefined && files.some((file) => path.resolve(file) === path.resolve(out))) {
    throw errorInvalidArgument('--out', `${out} is one of the input tables; writing there would replace its rows (give another file)`);
  }
}

/**
 * Refuses an `--out` that is a file of the model directory `dir` (its model.json, its weights, or any
 * file already there): writing there would replace the model the command reads.
 * @throws DistilError INVALID_ARGUMENT naming `--out`.
 */
export function assertOutNotModel(out: string | undefined, dir: string): void {
  if (out === undefined || path.dirname(path.resolve(out)) !== path.resolve(dir)) return;
  if (!existsSync(out) && ![MODEL_FILE, WEIGHTS_FILE].includes(path.basename(out))) return;
  throw errorInvalidArgument('--out', `${out} is a file of the model ${dir}; writing there would replace it (give another file)`);
}

/**
 * Refuses an `--out` that exists and is not a regular file: the atomic write renames a new file over
 * the path, which would replace a FIFO, a device or a symbolic link with a plain file. A symbolic link
 * is refused rather than followed, so the file written is always the one named.
 * @throws DistilError INVALID_ARGUMENT naming `--out`, the path and what it is.
 */
function assertWritableTarget(file: string): void {
  let stats: Stats;
  try {
    stats = lstatSync(file);
  } catch {
    return; // missing (or unreadable): the write creates it, or says why it cannot
  }
  if (stats.isSymbolicLink()) throw errorInvalidArgument('--out', `${file} is a symbolic link (to ${readlinkSync(file)}); give the file itself`);
  if (stats.isDirectory()) throw errorInvalidArgument('--out', `${file} is a directory, expected a file path (e.g. ${path.join(file, 'results.csv')})`);
  const kind = specialFileKind(stats);
  if (kind) throw errorInvalidArgument('--out', `${file} is ${kind}, not a regular file (give the path of a file to write, or leave out --out to write to stdout)`);
}

/**
 * Writes what a command produces (a merged table, a summary, predictions, the schema) to the `--out`
 * file atomically, creating its directory.
 * @throws DistilError INVALID_ARGUMENT naming `--out` when `file` exists and is not a regular file (a
 *   directory, FIFO, socket, device or symbolic link), or cannot be written.
 */
export function writeOutputFile(file: string, text: string): void {
  assertWritableTarget(file);
  try {
    writeFileAtomic(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = { ENOTDIR: 'a parent of it is a file, not a directory', EEXIST: 'a parent of it is a file, not a directory', EACCES: 'permission denied', EROFS: 'read-only file system', ENOSPC: 'no space left on the device' };
    throw errorInvalidArgument('--out', `cannot write ${file} (${reasons[code ?? ''] ?? code ?? (error as Error).message})`);
  }
}
