// The folder table of the architecture, held against every import under src/ (and shown to fail when broken).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert } from 'chai';
import { importViolations } from './architecture/imports.js';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** A source tree of the given files (path → text) in a new temporary directory; returns its src/. */
function tree(files: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'distil-architecture-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return path.join(root, 'src');
}

describe('the architecture', () => {
  it('every import under src/ follows the folder table, through index.ts, with no cycle of files', () => {
    assert.deepEqual(importViolations(src), []);
  });

  it('refuses a forbidden edge, an inner file of another folder, its own index, a missing file, a stray file and a cycle', () => {
    const problems = importViolations(
      tree({
        'src/shared/index.ts': "export { a } from './a.js';\n",
        'src/shared/a.ts': 'export const a = 1;\n',
        'src/results/index.ts': "export { b } from './b.js';\n",
        // results may import shared only, and only through its index.
        'src/results/b.ts':
          "import { a } from '../shared/a.js';\nimport type { R } from '../runner/index.js';\nexport const b = a;\n",
        'src/runner/index.ts': "export type R = number;\nimport './c.js';\n",
        // Its own folder's index, and a file that is not there.
        'src/runner/c.ts': "import type { R } from './index.js';\nimport { z } from './missing.js';\n",
        'src/config/index.ts': "// import { nothing } from '../runner/index.js';\nexport { d } from './d.js';\n",
        'src/config/d.ts': "import { e } from './e.js';\nexport const d = e;\n",
        'src/config/e.ts': "export { d as e } from './d.js';\n",
        'src/helpers.ts': 'export const h = 1;\n',
      }),
    );
    assert.deepEqual(problems, [
      'src/helpers.ts: is in no folder of the table (put it in the folder whose stage it serves)',
      'src/results/b.ts: imports src/shared/a.ts, not src/shared/index.ts (other folders import a folder through its index.ts)',
      'src/results/b.ts: imports src/runner/index.ts, but results may not import runner (results may import shared, errors)',
      "src/runner/c.ts: imports its own folder's index.ts (import the file beside it)",
      "src/runner/c.ts: imports './missing.js', which does not exist",
      'import cycle: src/config/d.ts -> src/config/e.ts -> src/config/d.ts',
      'import cycle: src/runner/c.ts -> src/runner/index.ts -> src/runner/c.ts',
    ]);
  });
});
