// Reads a spec file's text, saying what is wrong when it is missing, a directory, unreadable, too large or not UTF-8.
import { isUtf8 } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { errorFileNotFound, errorFileUnreadable, errorInvalidSpec, invalidUtf8, issueAt } from '../errors/index.js';
import type { DistilError } from '../errors/index.js';
import { SPEC_LIMITS } from '../shared/index.js';

const WHAT = 'experiment spec';

const READ_PROBLEMS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

function readError(file: string, error: unknown): DistilError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return errorFileNotFound(file, WHAT, 'check the path; specs usually live in experiments/');
  }
  const problem = code ? `${READ_PROBLEMS[code] ?? 'error'} (${code})` : 'unknown error';
  return errorFileUnreadable(file, WHAT, `cannot be read: ${problem}`, "check the file's permissions");
}

/**
 * The bytes of a spec file.
 * @throws DistilError FILE_NOT_FOUND, or FILE_UNREADABLE for a directory, a device, a file too large or unreadable.
 */
function readSpecBytes(file: string): Buffer {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    throw readError(file, error);
  }
  if (stats.isDirectory()) {
    throw errorFileUnreadable(file, WHAT, 'is a directory, expected a YAML file', 'give the path of a spec inside it');
  }
  // A FIFO or a device would block or never end.
  if (!stats.isFile()) throw errorFileUnreadable(file, WHAT, 'is not a regular file', 'give the path of a YAML file');
  if (stats.size > SPEC_LIMITS.fileBytes) {
    const limit = `${SPEC_LIMITS.fileBytes / 1024 / 1024} MB (${SPEC_LIMITS.fileBytes} bytes)`;
    throw errorFileUnreadable(
      file,
      WHAT,
      `is ${stats.size} bytes; a spec may be at most ${limit}`,
      'a spec names its data files rather than holding the data',
    );
  }
  try {
    return readFileSync(file);
  } catch (error) {
    throw readError(file, error);
  }
}

/** Where the first byte that is not UTF-8 sits: its offset and its 1-based line and column in the decoded text. */
function firstInvalidByte(bytes: Buffer, text: string): { offset: number; line: number; col: number } {
  // The decoder replaced each bad sequence by U+FFFD; one written in the file (EF BF BD) is genuine.
  let offset = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let from = 0;
  for (let at = text.indexOf('\uFFFD'); at >= 0; at = text.indexOf('\uFFFD', at + 1)) {
    offset += Buffer.byteLength(text.slice(from, at));
    from = at;
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) {
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      let line = 1;
      for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
      return { offset, line, col: at - lineStart + 1 };
    }
  }
  return { offset: 0, line: 1, col: 1 };
}

/**
 * Decodes a spec's bytes as UTF-8 (a byte-order mark is dropped).
 * @throws DistilError INVALID_SPEC located at the first byte that is not UTF-8.
 */
export function decodeSpec(bytes: Buffer, file: string): string {
  const text = new TextDecoder('utf-8').decode(bytes);
  if (isUtf8(bytes)) return text;
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  const { offset, line, col } = firstInvalidByte(bytes, text);
  const byte = bytes[offset].toString(16).toUpperCase().padStart(2, '0');
  throw errorInvalidSpec(file, [issueAt({ file, line, col }, '', invalidUtf8(byte, utf16))]);
}

/**
 * Reads a spec file's text.
 * @throws DistilError FILE_NOT_FOUND, FILE_UNREADABLE, or INVALID_SPEC for bytes that are not UTF-8.
 */
export function readSpecText(file: string): string {
  return decodeSpec(readSpecBytes(file), file);
}
