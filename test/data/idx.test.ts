// IDX parsing on buffers the tests build, plain and gzipped, and the errors for broken files.
import { gzipSync } from 'node:zlib';
import { assert } from 'chai';
import { encodeIdxUbyte, parseIdx } from '../../src/data/idx.js';

/** The message of the error `fn` throws. */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('IDX parsing', () => {
  it('reads ubyte images and labels', () => {
    const images = parseIdx(
      encodeIdxUbyte([2, 2, 3], Uint8Array.from([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255])),
    );
    assert.deepEqual(images.dims, [2, 2, 3]);
    assert.deepEqual([...images.data], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    const labels = parseIdx(encodeIdxUbyte([3], Uint8Array.from([7, 0, 9])));
    assert.deepEqual(labels.dims, [3]);
    assert.deepEqual([...labels.data], [7, 0, 9]);
  });

  it('reads gzipped files', () => {
    const plain = encodeIdxUbyte([4], Uint8Array.from([1, 2, 3, 4]));
    assert.deepEqual([...parseIdx(gzipSync(plain)).data], [1, 2, 3, 4]);
  });

  it('reads big-endian multi-byte types', () => {
    const buffer = Buffer.alloc(4 + 4 + 8);
    buffer[2] = 0x0d; // float
    buffer[3] = 1;
    buffer.writeUInt32BE(2, 4);
    buffer.writeFloatBE(1.5, 8);
    buffer.writeFloatBE(-2.25, 12);
    assert.deepEqual([...parseIdx(buffer).data], [1.5, -2.25]);
  });

  const broken: Array<[string, Buffer, string]> = [
    ['an empty file', Buffer.alloc(0), 'the file is empty'],
    [
      'a bad magic number',
      Buffer.from([1, 0, 8, 1, 0, 0, 0, 1, 5]),
      'not an IDX file: it starts with 01 00 08 01, an IDX file with 00 00 <type> <rank>',
    ],
    ['text', Buffer.from('ab'), 'not an IDX file: it starts with 61 62, an IDX file with 00 00 <type> <rank>'],
    ['an unknown type', Buffer.from([0, 0, 0x42, 1, 0, 0, 0, 1, 5]), 'unknown IDX element type 0x42'],
    [
      'a truncated header',
      Buffer.from([0, 0, 8, 3, 0, 0]),
      'truncated IDX header: 3 dimensions need 16 bytes, the file has 6',
    ],
    ['zero dimensions', Buffer.from([0, 0, 8, 0]), 'the IDX header declares 0 dimensions'],
    [
      'a truncated body',
      encodeIdxUbyte([3], Uint8Array.from([1, 2])),
      'truncated: the header declares 3 ubyte (11 bytes), the file has 10',
    ],
    [
      'extra bytes',
      encodeIdxUbyte([1], Uint8Array.from([1, 2])),
      'the header declares 1 ubyte (9 bytes), the file has 10',
    ],
    [
      'corrupt gzip data',
      gzipSync(encodeIdxUbyte([4], Uint8Array.from([1, 2, 3, 4]))).subarray(0, 12),
      'corrupt gzip data (unexpected end of file)',
    ],
  ];
  for (const [what, buffer, message] of broken) {
    it(`refuses ${what}`, () => {
      assert.equal(
        thrown(() => parseIdx(buffer)),
        message,
      );
    });
  }
});
