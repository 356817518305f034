// A plugin kept outside the project (no node_modules beside it) writes distillation methods with the tfjs
// instance distil-run hands it: the README's two examples, a logit method and a representation method, run.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from 'chai';
import { distilRun, root } from './cli-harness.js';
import { readCsv } from '../src/results/csv.js';

/** The README's plugin example of distillation methods, between its markers. */
function readmeExample(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const match = /<!-- method-plugin -->\s*```js\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md has no <!-- method-plugin --> example');
  return match[1];
}

describe('a plugin of distillation methods outside the project', () => {
  it('needs no install of its own: its methods get tfjs from the component context and train', function () {
    this.timeout(120_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-method-plugin-'));
    assert.isFalse(dir.startsWith(root), 'the plugin lives outside the checkout');
    writeFileSync(path.join(dir, 'methods.js'), readmeExample());
    writeFileSync(
      path.join(dir, 'spec.yaml'),
      `name: plugin-methods
seed: 1
dataset: { name: mnist, train_limit: 600, test_limit: 200 }
models:
  teacher: { layers: [32, 16] }
  student: { layers: [8] }
training: { epochs: 2 }
distillation: kd
plugins: [./methods.js]
grid:
  distillation: [ { name: soft-kd, temperature: 2 }, { name: cosine-hint, weight: 5 } ]
`,
    );
    const run = distilRun([path.join(dir, 'spec.yaml'), '--out', path.join(dir, 'results'), '--teacher-cache', 'off']);
    assert.equal(run.code, 0, run.stderr);
    assert.notMatch(run.stderr, /Cannot find package/);
    const [runId] = readdirSync(path.join(dir, 'results', 'plugin-methods'));
    const rows = readCsv(path.join(dir, 'results', 'plugin-methods', runId, 'results.csv')).records;
    const students = rows.filter((r) => r.role === 'student');
    assert.deepEqual(
      students.map((r) => [r.status, r.extra_params]),
      // soft-kd reads no representations: no extra_params; cosine-hint owns no weights.
      [
        ['ok', ''],
        ['ok', '0'],
      ],
    );
    assert.isTrue(students.every((r) => Number(r.test_accuracy) > 0.1));
  });
});
