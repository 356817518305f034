// Gunzips data files that start with the gzip magic, with a message that says the gzip layer is damaged.
import { gunzipSync } from 'node:zlib';

/**
 * The bytes, gunzipped when they start with the gzip magic (1f 8b), else as they are.
 * @throws Error "corrupt gzip data (unexpected end of file)" and the like for a damaged stream.
 */
export function gunzipIfGzip(bytes: Buffer): Buffer {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new Error(`corrupt gzip data (${(error as Error).message})`, { cause: error });
  }
}
