// IDX parsing on buffers the tests build, plain and gzipped, and the errors for broken files.
import { gzipSync } from 'node:zlib';
import { assert } from 'chai';
import { encodeIdxUbyte, parseIdx } from '../../src/data/idx.js';

describe('IDX parsing', () => {
  it('reads ubyte images and labels', () => {
    const images = parseIdx(encodeIdxUbyte([2, 2, 3], Uint8Array.from([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255])));
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
    ['a bad magic number', Buffer.from([1, 0, 8, 1, 0, 0, 0, 1, 5]), 'not an IDX file (bad magic number)'],
    ['an unknown type', Buffer.from([0, 0, 0x42, 1, 0, 0, 0, 1, 5]), 'unknown IDX element type 0x42'],
    ['a truncated header', Buffer.from([0, 0, 8, 3, 0, 0]), 'truncated IDX header'],
    ['a size mismatch', encodeIdxUbyte([3], Uint8Array.from([1, 2])), 'IDX size mismatch: header says 3 ubyte (11 bytes), file has 10'],
  ];
  for (const [what, buffer, message] of broken) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parseIdx(buffer), message);
    });
  }
});
