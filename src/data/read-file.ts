// Reads a data file the spec names, turning "missing", "a directory" and "unreadable" into messages that say which.
import { readFileSync, statSync } from 'node:fs';
import { errorDataFile, errorDataFileNotFound } from '../errors/index.js';
import { specialFileKind } from '../shared/index.js';

/** Which dataset param named the file, for hints: `dataset.path`, `dataset.train_images`... */
export interface DataFileRef {
  /** Dataset name for messages. */
  readonly dataset: string;
  /** The spec key that holds the path, e.g. `dataset.path`. */
  readonly key: string;
  /** How a relative path is resolved, e.g. "a relative path starts at the spec file's directory". */
  readonly relative: string;
}

const READ_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
};

/**
 * The bytes of `file`.
 * @throws DistilError DATA_FILE_NOT_FOUND when it does not exist, DATA_FILE_ERROR when it is a
 *   directory, a device, a FIFO or socket, or cannot be read (both exit code 2).
 */
export function readDataFile(file: string, ref: DataFileRef): Buffer {
  let kind: string | undefined;
  try {
    kind = specialFileKind(statSync(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw errorDataFileNotFound(ref.dataset, file, `check ${ref.key}; ${ref.relative}`);
    }
    throw unreadable(file, ref, code);
  }
  if (kind === 'a directory') {
    throw errorDataFile(ref.dataset, { file }, 'is a directory, expected a file', `set ${ref.key} to a file inside it`);
  }
  // A device or a FIFO would be read without end, or block.
  if (kind) {
    throw errorDataFile(ref.dataset, { file }, `is ${kind}, not a regular file`, `set ${ref.key} to a data file`);
  }
  try {
    return readFileSync(file);
  } catch (error) {
    throw unreadable(file, ref, (error as NodeJS.ErrnoException).code);
  }
}

function unreadable(file: string, ref: DataFileRef, code: string | undefined) {
  const problem = code ? `${READ_PROBLEMS[code] ?? 'error'} (${code})` : 'unknown error';
  return errorDataFile(ref.dataset, { file }, `cannot be read: ${problem}`, "check the file's permissions");
}
