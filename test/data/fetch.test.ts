// Downloads against a local HTTP server (never the network), cache writes, and tar entries of damaged archives.
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { assert } from 'chai';
import { downloadVerified, readTarEntry, writeCache, writeTar } from '../../src/data/fetch.js';
import { sha256 } from '../../src/shared/hash.js';
import { assertThrowsMessage } from '../helpers.js';

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}

/** A local server answering every request with `answer`, for the duration of `body`. */
async function withServer(answer: (res: ServerResponse) => void, body: (url: string) => Promise<void>): Promise<void> {
  const server = createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}/file.tgz`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describe('verified downloads', () => {
  it('returns the bytes when the checksum matches', async () => {
    await withServer(
      (res) => res.end('payload'),
      async (url) => {
        assert.equal((await downloadVerified(url, sha256(Buffer.from('payload')))).toString(), 'payload');
      },
    );
  });

  it('names the url and the HTTP status', async () => {
    await withServer(
      (res) => {
        res.statusCode = 503;
        res.end();
      },
      async (url) => {
        assert.equal(
          await rejection(downloadVerified(url, '0'.repeat(64))),
          `download of ${url} failed: HTTP 503 Service Unavailable`,
        );
      },
    );
  });

  it('says a refused connection in words', async () => {
    let url = '';
    await withServer(
      () => undefined,
      async (u) => {
        url = u;
      },
    );
    assert.equal(
      await rejection(downloadVerified(url, '0'.repeat(64))),
      `download of ${url} failed: connection refused (ECONNREFUSED)`,
    );
  });

  it('gives up after the timeout and says so', async () => {
    await withServer(
      () => undefined,
      async (url) => {
        assert.equal(
          await rejection(downloadVerified(url, '0'.repeat(64), 200)),
          `download of ${url} failed: timed out after 0.2 s`,
        );
      },
    );
  });

  it('refuses bytes whose checksum differs', async () => {
    await withServer(
      (res) => res.end('other'),
      async (url) => {
        assert.equal(
          await rejection(downloadVerified(url, '0'.repeat(64))),
          `download of ${url} has SHA-256 ${sha256(Buffer.from('other'))}, expected ${'0'.repeat(64)}`,
        );
      },
    );
  });

  it('reports a cache it cannot write instead of failing the load', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-fetch-'));
    writeFileSync(path.join(dir, 'blocker'), 'a file where a directory should be');
    assert.equal(writeCache(path.join(dir, 'blocker', 'x.tgz'), Buffer.from('x')), 'not cached: ENOTDIR');
    assert.isUndefined(writeCache(path.join(dir, 'ok', 'x.tgz'), Buffer.from('x')));
  });
});

describe('tar entries', () => {
  const tar = writeTar({ 'dir/a.txt': Buffer.from('first'), 'dir/b.data': Buffer.alloc(1500, 7) });

  it('finds an entry by suffix, gzipped or not', () => {
    assert.equal(readTarEntry(tar, 'a.txt')?.toString(), 'first');
    assert.equal(readTarEntry(gzipSync(tar), 'b.data')?.length, 1500);
    assert.isUndefined(readTarEntry(tar, 'c.txt'));
  });

  it('refuses an entry cut short', () => {
    assertThrowsMessage(
      () => readTarEntry(tar.subarray(0, 2048), 'b.data'),
      'truncated tar archive: "dir/b.data" is cut short',
      { type: Error },
    );
  });

  it('refuses corrupt gzip data', () => {
    assertThrowsMessage(
      () => readTarEntry(gzipSync(tar).subarray(0, 40), 'a.txt'),
      'corrupt gzip data (unexpected end of file)',
      { type: Error },
    );
  });
});
