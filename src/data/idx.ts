// Parses IDX files (the MNIST file format), gzip-compressed or not.
import { gunzipIfGzip } from './gzip.js';

/** Element types of the IDX format: type byte → bytes per element. */
const IDX_TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: 'ubyte', size: 1 },
  0x09: { name: 'byte', size: 1 },
  0x0b: { name: 'short', size: 2 },
  0x0c: { name: 'int', size: 4 },
  0x0d: { name: 'float', size: 4 },
  0x0e: { name: 'double', size: 8 },
};

export interface IdxArray {
  /** Dimensions, first is the number of items. */
  readonly dims: readonly number[];
  /** Values converted to float64-safe numbers in a typed array of the natural type. */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/**
 * Parses one IDX buffer (gunzipping it first if it starts with the gzip magic).
 * @throws Error describing the first structural problem (empty, corrupt gzip, magic, type, size),
 *   worded to follow the file's name.
 */
export function parseIdx(input: Uint8Array): IdxArray {
  const bytes = gunzipIfGzip(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  if (bytes.length === 0) throw new Error('the file is empty');
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    const start = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`not an IDX file: it starts with ${start}, an IDX file with 00 00 <type> <rank>`);
  }
  const type = IDX_TYPES[bytes[2]];
  if (!type) throw new Error(`unknown IDX element type 0x${bytes[2].toString(16)}`);
  const rank = bytes[3];
  const header = 4 + 4 * rank;
  if (rank === 0) throw new Error('the IDX header declares 0 dimensions');
  if (bytes.length < header) {
    throw new Error(`truncated IDX header: ${rank} dimensions need ${header} bytes, the file has ${bytes.length}`);
  }
  const dims = Array.from({ length: rank }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = header + count * type.size;
  if (bytes.length !== expected) {
    const declared = `the header declares ${dims.join('x')} ${type.name} (${expected} bytes), the file has ${bytes.length}`;
    throw new Error(bytes.length < expected ? `truncated: ${declared}` : declared);
  }
  return { dims, data: readElements(bytes, header, count, bytes[2]) };
}

function readElements(bytes: Buffer, offset: number, count: number, type: number): IdxArray['data'] {
  if (type === 0x08) {
    return new Uint8Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count));
  }
  if (type === 0x09) {
    return new Int8Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count));
  }
  // Multi-byte IDX values are big-endian; typed arrays are little-endian, so read them one by one.
  const out =
    type === 0x0b
      ? new Int16Array(count)
      : type === 0x0c
        ? new Int32Array(count)
        : type === 0x0d
          ? new Float32Array(count)
          : new Float64Array(count);
  const read =
    type === 0x0b
      ? (i: number) => bytes.readInt16BE(offset + 2 * i)
      : type === 0x0c
        ? (i: number) => bytes.readInt32BE(offset + 4 * i)
        : type === 0x0d
          ? (i: number) => bytes.readFloatBE(offset + 4 * i)
          : (i: number) => bytes.readDoubleBE(offset + 8 * i);
  for (let i = 0; i < count; i++) out[i] = read(i);
  return out;
}

/** Builds an IDX buffer (for tests and for writing fixtures): ubyte data with the given dims. */
export function encodeIdxUbyte(dims: readonly number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}
