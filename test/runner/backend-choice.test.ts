// --backend auto with tensorflow (tfjs-node) and wasm both loading: the run trains on the one that is faster
// on the experiment's largest role, timed on each (tfjs-node is replaced by a fake made slow or fast).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import { loadBlas } from '../../src/backend/blas.js';
import * as tf from '@tensorflow/tfjs';
import { describeBackend } from '../../src/backend/describe.js';
import { kernelLayer } from '../../src/backend/kernel-layers.js';
import {
  WASM_MARGIN,
  chooseFasterBackend,
  resetBackendSelection,
  selectBackend,
  setBackendLoader,
} from '../../src/backend/select.js';
import { readCsv } from '../../src/results/csv.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import type { RunOptions } from '../../src/runner/run-options.js';
import { rejectionOf, useWasm } from '../helpers.js';
import { DistilError } from '../../src/errors/index.js';
import { earlierChoice } from '../../src/runner/backend-choice.js';
import { registerFakeTensorflow, removeFakeTensorflow } from '../backend/fake-backends.js';
import { experiment, outDir, TILES } from './blobs.js';

/** Keeps the thread busy for `ms` milliseconds (a slow kernel). */
function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

/** A layer over the wasm matrix products that makes each one `ms` slower (the compiled step bypasses it). */
const slowWasm = kernelLayer('test-slow-wasm', 99);
const slowly =
  (ms: number) =>
  (below: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    busyWait(ms);
    return below(args);
  };

/** The blobs experiment through runExperiment with `auto`: its summary, results table, manifest and dataset loads. */
async function run(options: RunOptions = {}, spec?: string) {
  const { experiment: exp, registry } = await experiment(spec);
  // Counts the dataset's loads: the data is made again when the timing changes the backend.
  let loads = 0;
  const restore: Array<() => void> = [];
  for (const name of ['blobs', 'tiles']) {
    const definition = registry.get('dataset', name).definition as { create: (...args: unknown[]) => unknown };
    const create = definition.create;
    definition.create = (...args) => {
      loads += 1;
      return create.apply(definition, args);
    };
    restore.push(() => {
      definition.create = create;
    });
  }
  let summary;
  try {
    summary = await runExperiment(exp, registry, {
      outDir: outDir(),
      runId: 'timed',
      reporter: new RecordingReporter(),
      teacherCache: false,
      ...options,
    });
  } finally {
    for (const undo of restore) undo();
  }
  const manifest = JSON.parse(readFileSync(path.join(summary.runDir, 'manifest.json'), 'utf8'));
  const results = readCsv(path.join(summary.runDir, 'results.csv')).records;
  return { summary, manifest, results, backend: summary.backend, loads };
}

/** results.csv without its timings: what the arithmetic gave. */
const numbers = (rows: ReadonlyArray<Record<string, string>>) =>
  rows.map((row) => Object.entries(row).filter(([key]) => !/seconds|samples_per_sec|_ms_|timestamp/.test(key)));

const WHAT = "the teacher's training step (batch 32)";

describe('chooseFasterBackend', () => {
  beforeEach(async () => {
    resetBackendSelection();
    setBackendLoader('tensorflow', async () => registerFakeTensorflow(() => undefined));
    await selectBackend('auto');
  });
  afterEach(async () => {
    removeFakeTensorflow();
    setBackendLoader('tensorflow', undefined);
    resetBackendSelection();
    await useWasm();
  });

  /** A timed step of `rates[backend]` samples/s (or throwing `throws` on that backend). */
  const measuring = (rates: Record<string, number>, throws?: string) => () => {
    if (tf.getBackend() === throws) throw new Error('out of memory, say');
    return { samplesPerSec: rates[tf.getBackend()], step: 'tfjs step' };
  };

  it(`takes wasm only when it is at least ${WASM_MARGIN}x as fast: a near tie keeps tensorflow`, async () => {
    const info = await selectBackend('auto');
    const near = await chooseFasterBackend(info, { what: 'w', measure: measuring({ tensorflow: 100, wasm: 109 }) });
    assert.equal(near.name, 'tensorflow');
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.deepEqual(near.timing?.samplesPerSec, { tensorflow: 100, wasm: 109 });
    assert.include(describeBackend(near), "(kept: wasm was not 1.1x as fast: 100 samples/s against wasm's 109 on w)");
    const exact = await chooseFasterBackend(near, { what: 'w', measure: measuring({ tensorflow: 1000, wasm: 1100 }) });
    assert.equal(exact.name, 'wasm', '1.1x exactly is enough');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal((await selectBackend('auto')).name, 'wasm', 'the selection is wasm from now on');
  });

  it('keeps tensorflow, saying why, when wasm does not fit the cells or its timed step throws', async () => {
    const info = await selectBackend('auto');
    const fast = measuring({ tensorflow: 1, wasm: 1000 });
    const tooBig = await chooseFasterBackend(info, { what: 'w', measure: fast, wasmFits: async () => 'too big' });
    assert.equal(tooBig.name, 'tensorflow');
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.deepEqual(tooBig.timing?.failed, { wasm: 'too big' });
    assert.deepEqual(tooBig.timing?.samplesPerSec, {});
    const throwing = await chooseFasterBackend(info, { what: 'w', measure: measuring({ tensorflow: 5 }, 'wasm') });
    assert.equal(throwing.name, 'tensorflow');
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.deepEqual(throwing.timing?.failed, { wasm: 'the timed step failed: out of memory, say' });
    assert.deepEqual(throwing.timing?.samplesPerSec, { tensorflow: 5 });
    const refused = await chooseFasterBackend(info, {
      what: 'w',
      measure: fast,
      wasmFits: async () => {
        throw new Error('the fit check broke');
      },
    });
    assert.equal(refused.name, 'tensorflow');
    assert.deepEqual(refused.timing?.failed, { wasm: 'the fit check broke' });
    // A forced backend is returned as it is.
    const forced = { ...info, requested: 'tensorflow' as const };
    assert.strictEqual(await chooseFasterBackend(forced, { what: 'w', measure: fast }), forced);
  });

  it("takes an earlier attempt's choice untimed, and stops when wasm, chosen before, cannot run now", async () => {
    const info = await selectBackend('auto');
    const never = () => assert.fail('an earlier choice is not timed again') as never;
    const timing = { what: 'w', samplesPerSec: { tensorflow: 9, wasm: 20 }, steps: {} };
    const again = await chooseFasterBackend(info, {
      what: 'w',
      measure: never,
      earlier: { name: 'tensorflow', timing },
    });
    assert.equal(again.name, 'tensorflow');
    assert.deepEqual(again.timing, { ...timing, reused: true });
    assert.include(describeBackend(again), 'on w in an earlier attempt of this run)');
    const error = await rejectionOf(
      chooseFasterBackend(info, {
        what: 'w',
        measure: never,
        earlier: { name: 'wasm', timing },
        wasmFits: async () => 'its heap cannot hold every cell',
      }),
    );
    assert.instanceOf(error, DistilError);
    assert.equal((error as DistilError).code, 'BACKEND_UNAVAILABLE');
    assert.equal((error as DistilError).exitCode, 2);
    assert.match(
      (error as Error).message,
      /earlier attempts trained on wasm .* its heap cannot hold every cell; resume with --backend tensorflow/,
    );
    assert.equal(tf.getBackend(), 'tensorflow');
    const wasm = await chooseFasterBackend(info, { what: 'w', measure: never, earlier: { name: 'wasm', timing } });
    assert.equal(wasm.name, 'wasm');
    assert.include(wasm.skipped, 'tensorflow: an earlier attempt of this run chose wasm by timing');
  });
});

describe("an earlier attempt's choice, read from its manifest", () => {
  const valid = {
    name: 'wasm',
    requested: 'auto',
    timing: {
      what: 'the teacher',
      samples_per_sec: { tensorflow: 5, wasm: 9 },
      steps: { wasm: 'compiled step' },
      failed: {},
    },
  };
  /** earlierChoice of a run directory whose manifest.json is `manifest` (a string as it is, else JSON). */
  const read = (manifest: unknown) => {
    const dir = outDir();
    writeFileSync(path.join(dir, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
    return earlierChoice(dir);
  };
  const withTiming = (timing: Record<string, unknown>) => ({
    backend: { ...valid, timing: { ...valid.timing, ...timing } },
  });

  it('is read when it is as written', () => {
    assert.deepEqual(read({ backend: valid }), {
      name: 'wasm',
      timing: { what: 'the teacher', samplesPerSec: { tensorflow: 5, wasm: 9 }, steps: { wasm: 'compiled step' } },
    });
  });

  it('is ignored when missing, damaged, untimed, not auto, or holding anything unexpected', () => {
    assert.isUndefined(earlierChoice(undefined));
    assert.isUndefined(earlierChoice(outDir()));
    assert.isUndefined(read('{"backend": {"name": "wasm"'));
    assert.isUndefined(read('null'));
    assert.isUndefined(read({ backend: { ...valid, timing: null } }));
    assert.isUndefined(read({ backend: { ...valid, name: 'cpu' } }));
    assert.isUndefined(read({ backend: { ...valid, requested: 'wasm' } }));
    assert.isUndefined(read(withTiming({ samples_per_sec: { tensorflow: null } })));
    assert.isUndefined(read(withTiming({ samples_per_sec: { tensorflow: -1 } })));
    assert.isUndefined(read(withTiming({ samples_per_sec: { gpu: 5 } })));
    assert.isUndefined(read(withTiming({ steps: { wasm: {} } })));
    assert.isUndefined(read(withTiming({ failed: [] })));
    assert.isUndefined(read(withTiming({ what: 'the teacher\u001b[2J' })));
    assert.isUndefined(read(withTiming({ what: 'x'.repeat(201) })));
  });
});

describe('--backend auto with tensorflow and wasm both loading', function () {
  this.timeout(120_000);
  beforeEach(resetBackendSelection);
  afterEach(async () => {
    slowWasm.disable();
    removeFakeTensorflow();
    setBackendLoader('tensorflow', undefined);
    setBackendLoader('wasm', undefined);
    resetBackendSelection();
    await useWasm();
  });

  it('a slow tensorflow loses: the run trains on wasm, and the backend line and manifest give both rates', async () => {
    setBackendLoader('tensorflow', async () => registerFakeTensorflow(() => busyWait(0.5)));
    const timed = await run();
    assert.equal(timed.backend.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    const rates = timed.backend.timing?.samplesPerSec ?? {};
    assert.isAbove(rates.tensorflow ?? 0, 0);
    assert.isAbove(rates.wasm ?? 0, rates.tensorflow ?? Infinity);
    assert.deepEqual(timed.backend.timing?.steps, { tensorflow: 'tfjs step', wasm: 'compiled step' });
    assert.equal(timed.backend.timing?.what, WHAT);
    const slower = `tensorflow: slower here (${rates.tensorflow?.toLocaleString('en-US')} samples/s against wasm's ${rates.wasm?.toLocaleString('en-US')} on ${WHAT})`;
    assert.include(timed.backend.skipped, slower);
    assert.include(describeBackend(timed.backend), `(skipped ${slower})`);
    assert.deepEqual(timed.manifest.backend.timing, {
      what: WHAT,
      samples_per_sec: rates,
      steps: { tensorflow: 'tfjs step', wasm: 'compiled step' },
      failed: {},
      reused: false,
    });
    assert.equal(timed.manifest.backend.name, 'wasm');
    // The data was made again on wasm (loaded twice), and the numbers are those of a run that asked for wasm.
    assert.equal(timed.loads, 2);
    resetBackendSelection();
    await selectBackend('wasm');
    const plain = await run({ backend: 'wasm' });
    assert.isUndefined(plain.backend.timing);
    assert.isNull(plain.manifest.backend.timing);
    assert.equal(plain.loads, 1);
    assert.lengthOf(timed.results, 3);
    assert.deepEqual(numbers(timed.results), numbers(plain.results));
  });

  it('a faster tensorflow wins and is kept, saying so', async () => {
    setBackendLoader('tensorflow', async () => registerFakeTensorflow(() => undefined));
    slowWasm.enable({ BatchMatMul: slowly(3), _FusedMatMul: slowly(3) });
    // On tfjs's step wasm runs its (slowed) kernels; the compiled step would not.
    const timed = await run({ compiledStep: false });
    assert.equal(timed.backend.name, 'tensorflow');
    assert.equal(tf.getBackend(), 'tensorflow');
    const rates = timed.backend.timing?.samplesPerSec ?? {};
    assert.isAbove(rates.tensorflow ?? 0, rates.wasm ?? Infinity);
    assert.deepEqual(timed.backend.timing?.steps, { tensorflow: 'tfjs step', wasm: 'tfjs step' });
    assert.include(
      describeBackend(timed.backend),
      `(faster here than wasm: ${rates.tensorflow?.toLocaleString('en-US')} samples/s against wasm's ${rates.wasm?.toLocaleString('en-US')} on ${WHAT})`,
    );
    assert.equal(timed.manifest.backend.name, 'tensorflow');
    assert.deepEqual(timed.manifest.backend.timing.samples_per_sec, rates);
    assert.equal(timed.loads, 1);
    assert.lengthOf(timed.results, 3);
  });

  it('a resumed run keeps its earlier choice, untimed, whichever is faster now', async () => {
    const dir = outDir();
    setBackendLoader('tensorflow', async () => registerFakeTensorflow(() => busyWait(0.5)));
    const first = await run({ outDir: dir });
    assert.equal(first.backend.name, 'wasm');
    resetBackendSelection();
    removeFakeTensorflow();
    // Now tensorflow would win a timing: the resumed run stays on wasm all the same.
    setBackendLoader('tensorflow', async () => registerFakeTensorflow(() => undefined));
    slowWasm.enable({ BatchMatMul: slowly(3), _FusedMatMul: slowly(3) });
    const resumed = await run({ outDir: dir, compiledStep: false });
    assert.equal(resumed.backend.name, 'wasm');
    assert.isDefined(first.backend.timing);
    assert.deepEqual(resumed.backend.timing, { ...first.backend.timing!, reused: true });
    assert.include(resumed.backend.skipped, 'tensorflow: an earlier attempt of this run chose wasm by timing');
    assert.deepEqual(resumed.manifest.backend.timing, { ...first.manifest.backend.timing, reused: true });
  });

  it("times a convolutional teacher too (on images of the dataset's shape): wasm's compiled step with a BLAS", async () => {
    setBackendLoader('tensorflow', async () => registerFakeTensorflow(() => busyWait(0.5)));
    const conv = TILES.replace(
      'teacher: { layers: [32, 16] }',
      'teacher: { layers: [{ name: conv2d, filters: 4 }, 16] }',
    );
    const timed = await run({}, conv);
    assert.equal(timed.backend.name, 'wasm');
    // The plan takes a convolution's products as sgemm calls: without a BLAS, wasm times tfjs's step.
    const wasmStep = loadBlas('auto').blas ? 'compiled step' : 'tfjs step';
    assert.deepEqual(timed.backend.timing?.steps, { tensorflow: 'tfjs step', wasm: wasmStep });
    assert.isUndefined(timed.backend.timing?.failed);
    assert.lengthOf(timed.results, 3);
  });

  it('wasm failing to load keeps tensorflow, with the reason; a forced backend is not timed', async () => {
    setBackendLoader('tensorflow', async () => registerFakeTensorflow(() => undefined));
    setBackendLoader('wasm', async () => {
      throw new Error('no wasm binary here');
    });
    const kept = await run();
    assert.equal(kept.backend.name, 'tensorflow');
    assert.deepEqual(kept.backend.timing?.failed, { wasm: 'no wasm binary here' });
    assert.include(describeBackend(kept.backend), '(wasm not timed: no wasm binary here)');
    assert.lengthOf(kept.results, 3);

    resetBackendSelection();
    setBackendLoader('wasm', undefined);
    setBackendLoader('tensorflow', async () => undefined); // the fake is registered already
    const forced = await run({ backend: 'tensorflow' });
    assert.equal(forced.backend.name, 'tensorflow');
    assert.isUndefined(forced.backend.timing);
    assert.isNull(forced.manifest.backend.timing);
  });
});
