// The seed of the data splits: the spec's first seed for every seed (the seeds measure training noise), or each seed's own with `splits: per-seed`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import { resolveExperiment } from '../../src/config/experiment.js';
import { parseSpecSource } from '../../src/config/load.js';
import { DatasetCache, disposeData, loadData } from '../../src/runner/dataset-cache.js';
import type { LoadedData } from '../../src/runner/dataset-cache.js';
import { evaluateSavedModel } from '../../src/runner/evaluate-model.js';
import { runExperiment } from '../../src/runner/execute.js';
import { runIdentity } from '../../src/runner/identity.js';
import { formatPlan, planRun } from '../../src/runner/plan.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { assertRejectsMessage, builtinRegistry, useWasm } from '../helpers.js';
import { outDir } from './blobs.js';

const FIXTURES = path.resolve('test/fixtures');

/** A classification table of 60 rows: a seeded 25% test split, and a seeded 25% of the rest held out for validation. */
const spec = (seeds: string, extra = '') => `name: split-seeds
${seeds}
${extra}dataset: { name: csv, path: three-blobs.csv, target: label, task: classification, test_fraction: 0.25, validation: 0.25 }
models:
  teacher: { layers: [8] }
  student: { layers: [4] }
training: { epochs: 2, batch_size: 16 }
`;

async function resolve(text: string) {
  const registry = builtinRegistry();
  return resolveExperiment(parseSpecSource(text, path.join(FIXTURES, 'split-seeds.yaml')), { registry });
}

/** The labels and first features of every split, to compare which rows each split holds. */
async function splitsOf(text: string): Promise<Array<Record<string, number[]>>> {
  const { experiment, registry } = await resolve(text);
  const out: Array<Record<string, number[]>> = [];
  assert.lengthOf(experiment.cells, 2);
  for (const cell of experiment.cells) {
    const data: LoadedData = await loadData(registry, cell.config, experiment.baseDir);
    const rows = (split: { x: { arraySync(): unknown } }) => (split.x.arraySync() as number[][]).map((row) => row[0]);
    out.push({ train: rows(data.train), validation: rows(data.validation!), test: rows(data.test) });
    disposeData(data);
  }
  return out;
}

describe('the seed of the data splits', () => {
  before(useWasm);

  it("draws every seed's train/test split and validation rows from the first seed", async () => {
    const [first, second] = await splitsOf(spec('seeds: [3, 8]'));
    assert.lengthOf(first.test, 15);
    assert.lengthOf(first.validation, 11);
    assert.deepEqual(second, first);
  });

  it('draws them from each seed with splits: per-seed', async () => {
    const [first, second] = await splitsOf(spec('seeds: [3, 8]', 'splits: per-seed\n'));
    assert.notDeepEqual(second.test, first.test);
    assert.notDeepEqual(second.validation, first.validation);
    // The first seed's splits are those of the default: only the later seeds change.
    const [fixed] = await splitsOf(spec('seeds: [3, 8]'));
    assert.deepEqual(first, fixed);
  });

  it('keeps the cell ids, and a run of one seed as it was', async () => {
    const fixed = (await resolve(spec('seeds: [3, 8]'))).experiment;
    const perSeed = (await resolve(spec('seeds: [3, 8]', 'splits: per-seed\n'))).experiment;
    const single = (await resolve(spec('seed: 3'))).experiment;
    assert.deepEqual(
      [...fixed.cells, ...perSeed.cells].map((c) => c.id),
      [single.cells[0].id, single.cells[0].id, single.cells[0].id, single.cells[0].id],
    );
    assert.deepEqual(
      fixed.cells.map((c) => c.config.splitSeed),
      [undefined, 3],
      'a seed that splits its own data records no split seed',
    );
    assert.deepEqual(
      perSeed.cells.map((c) => c.config.splitSeed),
      [undefined, undefined],
    );
    // The first seed's teacher is the same training in both modes; the second seed's is not (another training split).
    const keys = (e: typeof fixed) => planRun(e).cells.map((p) => p.teacherKey);
    assert.equal(keys(fixed)[0], keys(perSeed)[0]);
    assert.notEqual(keys(fixed)[1], keys(perSeed)[1]);
    // A run directory of the other mode is another experiment: resuming it is refused.
    assert.notEqual(runIdentity(fixed, ['loss']).hash, runIdentity(perSeed, ['loss']).hash);
    const singlePerSeed = (await resolve(spec('seed: 3', 'splits: per-seed\n'))).experiment;
    assert.equal(runIdentity(single, ['loss']).hash, runIdentity(singlePerSeed, ['loss']).hash);
  });

  it('loads the data once for every seed that shares its split seed', async () => {
    for (const [extra, loads] of [
      ['', [3]],
      ['splits: per-seed\n', [3, 8]],
    ] as Array<[string, number[]]>) {
      const { experiment, registry } = await resolve(spec('seeds: [3, 8]', extra));
      const cache = new DatasetCache(registry, experiment.baseDir);
      await cache.loadAll(planRun(experiment).cells);
      assert.deepEqual(
        cache.provenance().map((d) => d.split_seed),
        loads,
        extra || 'first-seed',
      );
      cache.dispose();
    }
  });

  it('refuses to resume a run directory whose seeds split with their own seed (an older run, or per-seed)', async () => {
    const dir = outDir();
    const run = async (text: string) => {
      const { experiment, registry } = await resolve(text);
      return runExperiment(experiment, registry, {
        outDir: dir,
        runId: 'r',
        reporter: new RecordingReporter(),
        teacherCache: false,
      });
    };
    const { runDir } = await run(spec('seeds: [3, 8]', 'splits: per-seed\n'));
    // The manifest of a version before `splits:`: the same spec without the key, every seed splitting its own data.
    const file = path.join(runDir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    delete manifest.spec.splits;
    writeFileSync(file, JSON.stringify(manifest));
    await assertRejectsMessage(
      run(spec('seeds: [3, 8]')),
      `${runDir} holds another experiment; a run id is resumed only with the same resolved spec:\n` +
        '  splitSeed: absent in the run directory, 3 now\n' +
        'start a new run (leave out --run-id, or pass a new one), or restore the spec the run was started with',
      { code: 'RUN_MISMATCH', exitCode: 2 },
    );
  });

  it('the dry-run plan says which seed draws the splits', async () => {
    const line = async (text: string) =>
      formatPlan(planRun((await resolve(text)).experiment))
        .split('\n')
        .filter((l) => l.startsWith('splits:'));
    assert.deepEqual(await line(spec('seeds: [3, 8]')), [
      "splits: seed 3's (the first seed) for every seed: the seeds vary the training only (splits: per-seed draws each seed's own)",
    ]);
    assert.deepEqual(await line(spec('seeds: [3, 8]', 'splits: per-seed\n')), [
      "splits: each seed's own (splits: per-seed): the intervals include the split's noise",
    ]);
    assert.deepEqual(await line(spec('seed: 3')), []);
  });

  it("evaluate re-creates a later seed's test split, as its run recorded it", async () => {
    const { experiment, registry } = await resolve(spec('seeds: [3, 8]'));
    const summary = await runExperiment(experiment, registry, {
      outDir: outDir(),
      runId: 'e',
      reporter: new RecordingReporter(),
      teacherCache: false,
      saveModels: 'all',
    });
    const cell = experiment.cells[1];
    const dir = path.join(summary.runDir, 'models', cell.id, '8', 'student');
    const evaluation = await evaluateSavedModel(dir, { registry: builtinRegistry() });
    assert.equal(evaluation.examples, 15);
    assert.deepEqual(evaluation.metrics, evaluation.recorded);
  });

  it('refuses a grid over splits: one rule for the whole experiment', async () => {
    const file = path.join(FIXTURES, 'split-seeds.yaml');
    await assertRejectsMessage(
      resolve(`${spec('seeds: [3, 8]')}grid:\n  splits: [first-seed, per-seed]\n`),
      `${file}: 1 error\n  ${file}:9:3 grid.splits: splits applies to the whole experiment and cannot be swept (write one spec per value)`,
    );
  });
});
