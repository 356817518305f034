// Root hooks: every temporary file of the suite (its own and the CLI processes' it starts) goes under one
// directory, removed when the suite ends, so a run of the tests leaves nothing behind in the system's tmp.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = mkdtempSync(path.join(os.tmpdir(), 'distil-run-tests-'));
// Like /tmp itself: the tests that run the CLI as another user (nobody) must reach their files.
chmodSync(root, 0o1777);
process.env.TMPDIR = root;

export const mochaHooks = {
  afterAll(): void {
    rmSync(root, { recursive: true, force: true });
  },
};
