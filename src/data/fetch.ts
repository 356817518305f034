// Downloads a file once into the user's cache, verified by SHA-256 and written atomically.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeFileAtomic } from '../fs-atomic.js';

/** `$XDG_CACHE_HOME/distil-run`, else `~/.cache/distil-run`. */
export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'distil-run');
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Fetches `url`, checks its SHA-256 and writes it to `destination` through a temporary file and a
 * rename, so an interrupted download never leaves a partial file where a complete one is expected.
 * @throws Error with the network failure or the checksum mismatch.
 */
export async function downloadVerified(url: string, expectedSha256: string, destination: string, timeoutMs = 60_000): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`download of ${url} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  if (!response.ok) throw new Error(`download of ${url} failed: HTTP ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const actual = sha256(bytes);
  if (actual !== expectedSha256) throw new Error(`download of ${url} has SHA-256 ${actual}, expected ${expectedSha256}`);
  writeFileAtomic(destination, bytes);
  return bytes;
}

/**
 * The contents of the first entry whose path ends with `suffix` in a (gzipped) tar archive.
 * Reads ustar headers: 512-byte blocks, name at 0 (100 bytes), prefix at 345, size in octal at 124.
 */
export function readTarEntry(archive: Uint8Array, suffix: string): Buffer | undefined {
  const tar = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : Buffer.from(archive);
  const text = (start: number, length: number) => tar.toString('latin1', start, start + length).replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const name = text(offset, 100);
    if (!name) break;
    const prefix = text(offset + 345, 155);
    const size = parseInt(text(offset + 124, 12).trim() || '0', 8);
    const full = prefix ? `${prefix}/${name}` : name;
    if (full.endsWith(suffix) && tar[offset + 156] !== 0x35) return tar.subarray(offset + 512, offset + 512 + size);
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
