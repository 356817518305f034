// The checks of every model before a run: a teacher no larger than its student is a warning, once per pair.
import path from 'node:path';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { resolveExperiment } from '../../src/config/experiment.js';
import { parseSpecSource } from '../../src/config/load.js';
import { builtinPlugin } from '../../src/plugins/builtin/index.js';
import { Registry } from '../../src/registry/registry.js';
import { definePlugin } from '../../src/registry/types.js';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { useWasm } from '../helpers.js';
import { experiment, outDir, SEEDLESS, SPEC, testPlugin, TILES } from './blobs.js';

const warnings = (reporter: RecordingReporter) =>
  reporter.events.filter((e) => e.type === 'warn').map((e) => `${e.code}: ${e.message}`);

async function run(text: string, resolved?: Awaited<ReturnType<typeof experiment>>) {
  const { experiment: exp, registry } = resolved ?? (await experiment(text));
  const reporter = new RecordingReporter();
  const summary = await runExperiment(exp, registry, { outDir: outDir(), runId: 'w', reporter, teacherCache: false });
  return { exp, reporter, summary };
}

describe('model checks before a run', () => {
  before(useWasm);

  it('warns once per teacher and student pair, before training, when the teacher has no more parameters than its student', async () => {
    // Blobs: 6 features, 3 classes. Teacher 6x3+3 = 21 parameters; student 6x8+8 + 8x3+3 = 83.
    const { reporter, summary } = await run(
      `${SEEDLESS.replace('teacher: { layers: [32, 16] }', 'teacher: { layers: [] }')}seeds: [1, 2]\ngrid:\n  distillation.temperature: [1, 3]\n`,
    );
    assert.deepEqual(warnings(reporter), [
      'TEACHER_NOT_LARGER: cell distillation.temperature=1: the teacher has 21 parameters and the student 83: a teacher no larger than its student is almost always a mistake (give the teacher more or wider layers)',
    ]);
    const warned = reporter.events.findIndex((e) => e.type === 'warn');
    assert.isBelow(
      warned,
      reporter.events.findIndex((e) => e.type === 'roleStart'),
      'said before anything trains',
    );
    assert.lengthOf(summary.rows, 12);
    assert.deepEqual([...new Set(summary.rows.map((r) => r.status))], ['ok'], 'a warning, not a refusal');
  });

  it('says nothing of a convolutional teacher with fewer weights than a dense student, whose weights it reuses across the image', async () => {
    const { experiment: exp, registry } = await experiment(
      TILES.replace('teacher: { layers: [32, 16] }', 'teacher: { layers: [{ name: conv2d, filters: 4 }] }').replace(
        'student: { layers: [8] }',
        'student: { layers: [64] }',
      ),
    );
    const reporter = new RecordingReporter();
    await runExperiment(exp, registry, { outDir: outDir(), runId: 'w', reporter, teacherCache: false });
    // Teacher 9x4+4 + 256x3+3 = 811 weights, student 64x64+64 + 64x3+3 = 4,419.
    assert.deepEqual(warnings(reporter), []);
  });

  it('says nothing of a teacher larger than its student', async () => {
    const { reporter } = await run(SPEC);
    assert.deepEqual(warnings(reporter), []);
  });

  it('counts a loaded teacher by its saved model', async () => {
    const small = await run(SPEC.replace('teacher: { layers: [32, 16] }', 'teacher: { layers: [] }'));
    const cell = small.exp.cells[0];
    const saved = path.join(small.summary.runDir, 'models', cell.id, String(cell.seed), 'teacher');
    const { reporter } = await run(SPEC.replace('teacher: { layers: [32, 16] }', `teacher: { load: ${saved} }`));
    const { experiment: loaded } = await experiment(
      SPEC.replace('teacher: { layers: [32, 16] }', `teacher: { load: ${saved} }`),
    );
    assert.deepEqual(warnings(reporter), [
      `TEACHER_NOT_LARGER: cell ${loaded.cells[0].id}: the teacher has 21 parameters and the student 83: a teacher no larger than its student is almost always a mistake (load a larger teacher)`,
    ]);
  });

  it("says nothing when a plugin layer without shape() leaves the teacher's count unknown", async () => {
    const wide = definePlugin({
      name: 'wide-plugin',
      components: [
        {
          kind: 'layer',
          name: 'wide',
          description: 'A dense layer of 64 units that declares no static shape',
          params: { properties: {} },
          create: (_params: unknown, context) =>
            tf.layers.dense({ units: 64, inputShape: context.inputShape ? [...context.inputShape] : undefined }),
        },
      ],
    });
    const registry = new Registry().use(builtinPlugin).use(testPlugin).use(wide);
    const text = SPEC.replace('teacher: { layers: [32, 16] }', 'teacher: { layers: [wide] }');
    const resolved = await resolveExperiment(parseSpecSource(text, 'blobs.yaml'), { registry });
    const { reporter, summary } = await run(text, resolved);
    assert.equal(
      summary.rows[0].params,
      6 * 64 + 64 + 64 * 3 + 3,
      'the teacher is larger than the static count would say',
    );
    assert.deepEqual(warnings(reporter), []);
  });
});
