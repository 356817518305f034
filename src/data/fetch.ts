// Downloads a file once into the user's cache, verified by SHA-256 and written atomically.
import { writeFileAtomic } from '../shared/index.js';
import { md5, sha256 } from '../shared/index.js';
import { gunzipIfGzip } from './gzip.js';

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found (offline, or a wrong url?)',
  EAI_AGAIN: 'host name lookup failed (offline?)',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable (offline?)',
};

/** Why a fetch failed, in words: `connection refused (ECONNREFUSED)`, `timed out after 60 s`. */
function networkProblem(error: unknown, timeoutMs: number): string {
  if ((error as Error).name === 'TimeoutError') return `timed out after ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  if (code) return NETWORK_ERRORS[code] ? `${NETWORK_ERRORS[code]} (${code})` : code;
  return cause?.message ?? (error as Error).message;
}

/** A checksum a download must match: a SHA-256 (as a bare string), or the MD5 a data set publishes. */
export type Expected = string | { readonly md5: string };

/**
 * Fetches `url` and checks its checksum; the caller decides where to keep it.
 * @throws Error naming the url: the network failure, the HTTP status, or the checksum mismatch.
 */
export async function downloadVerified(url: string, expected: Expected, timeoutMs = 60_000): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new Error(`download of ${url} failed: ${networkProblem(error, timeoutMs)}`, { cause: error });
  }
  if (!response.ok) {
    throw new Error(
      `download of ${url} failed: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new Error(`download of ${url} failed while receiving: ${networkProblem(error, timeoutMs)}`, { cause: error });
  }
  const [kind, want] = typeof expected === 'string' ? ['SHA-256', expected] : ['MD5', expected.md5];
  const actual = kind === 'MD5' ? md5(bytes) : sha256(bytes);
  if (actual !== want) throw new Error(`download of ${url} has ${kind} ${actual}, expected ${want}`);
  return bytes;
}

/** Writes a verified download into the cache; a cache that cannot be written only costs a later download. */
export function writeCache(destination: string, bytes: Uint8Array): string | undefined {
  try {
    writeFileAtomic(destination, bytes);
    return undefined;
  } catch (error) {
    return `not cached: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
}

/**
 * The contents of the first entry whose path ends with `suffix` in a (gzipped) tar archive.
 * Reads ustar headers: 512-byte blocks, name at 0 (100 bytes), prefix at 345, size in octal at 124.
 * @throws Error "corrupt gzip data (...)" or "truncated tar archive: ..." for a damaged archive.
 */
export function readTarEntry(archive: Uint8Array, suffix: string): Buffer | undefined {
  const tar = gunzipIfGzip(Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength));
  const text = (start: number, length: number) => tar.toString('latin1', start, start + length).replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= tar.length;) {
    const name = text(offset, 100);
    if (!name) break;
    const prefix = text(offset + 345, 155);
    const size = parseInt(text(offset + 124, 12).trim() || '0', 8);
    const full = prefix ? `${prefix}/${name}` : name;
    if (full.endsWith(suffix) && tar[offset + 156] !== 0x35) {
      if (offset + 512 + size > tar.length) throw new Error(`truncated tar archive: "${full}" is cut short`);
      return tar.subarray(offset + 512, offset + 512 + size);
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

/** Builds a ustar archive of the given files (used by tests and to write fixtures). */
export function writeTar(files: Record<string, Uint8Array>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, data] of Object.entries(files)) {
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'latin1');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, Buffer.from(data), Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}
