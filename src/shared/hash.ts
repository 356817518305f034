// Content hashes: of a value (its canonical JSON, the ids of cells and trained models) and of bytes (file checksums).
import { createHash } from 'node:crypto';

/** Hash of a value's canonical JSON (keys sorted), shortened to `length` hex digits. */
export function contentHash(value: unknown, length = 12): string {
  const canonical = JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, length);
}

/** The SHA-256 of some bytes, in hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The MD5 of some bytes, in hex: only to check the checksums data sets publish. */
export function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}
