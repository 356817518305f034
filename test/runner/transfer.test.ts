// Transfer sets: the examples the student and the person train on (the teacher trains on all), as rows, columns
// and refusals show; the teacher's outputs follow the rows; every method trains from soft targets alone.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { runExperiment } from '../../src/runner/execute.js';
import { RecordingReporter } from '../../src/runner/reporter.js';
import { transferRows, transferSplit } from '../../src/runner/transfer.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { assertRejectsMessage, useWasm } from '../helpers.js';
import { specProblems } from '../config/spec-problems.js';
import { experiment, outDir, roleDetail, runSpec, SPEC, TILES } from './blobs.js';

const run = (spec: string) => runSpec(spec, 'transfer');

const withTransfer = (spec: string, transfer: string) =>
  spec.replace(
    'distillation: { temperature: 2, alpha: 0.5 }',
    `distillation: { temperature: 2, alpha: 0.5, transfer: ${transfer} }`,
  );

describe('transfer sets', () => {
  before(useWasm);

  it('keeps the rows of the kept classes in order, and a seeded sample of them under a limit', () => {
    const labels = Int32Array.from({ length: 50 }, (_, i) => (i * 7) % 5);
    const rowsOf = (keep: (label: number) => boolean) => [...labels.keys()].filter((i) => keep(labels[i]));
    assert.deepEqual(
      Array.from(transferRows(labels, { excludeClasses: [3] }, 1)),
      rowsOf((l) => l !== 3),
    );
    assert.deepEqual(
      Array.from(transferRows(labels, { includeClasses: [0, 4] }, 1)),
      rowsOf((l) => l === 0 || l === 4),
    );
    const limited = Array.from(transferRows(labels, { excludeClasses: [3], limit: 12 }, 1));
    assert.lengthOf(limited, 12);
    assert.deepEqual(
      limited,
      [...limited].sort((a, b) => a - b),
      'ascending',
    );
    assert.isTrue(
      limited.every((row) => labels[row] !== 3),
      'the limit draws from the kept classes',
    );
    assert.deepEqual(Array.from(transferRows(labels, { excludeClasses: [3], limit: 12 }, 1)), limited, 'seeded');
    assert.notDeepEqual(Array.from(transferRows(labels, { excludeClasses: [3], limit: 12 }, 2)), limited);
    assert.lengthOf(transferRows(labels, { limit: 500 }, 1), 50, 'a limit above the split keeps it whole');
  });

  it('gives the transfer set the rows it names, features and labels together', () => {
    const x = tf.tensor2d([0, 0, 1, 1, 2, 2, 3, 3, 4, 4], [5, 2]);
    const y = tf.tensor1d([0, 1, 2, 1, 0], 'int32');
    const config = { seed: 1, transfer: { excludeClasses: [1] } } as unknown as ResolvedConfig;
    const made = transferSplit(config, { x, y, n: 5 })!;
    assert.deepEqual(Array.from(made.rows), [0, 2, 4]);
    assert.deepEqual(made.split.x.arraySync(), [
      [0, 0],
      [2, 2],
      [4, 4],
    ]);
    assert.deepEqual(Array.from(made.split.y.dataSync()), [0, 2, 0]);
    assert.equal(made.split.n, 3);
    tf.dispose([x, y, made.split.x, made.split.y]);
  });

  it('trains the student and the person on the transfer set and the teacher on all, recorded in train_examples', async function () {
    this.timeout(60_000);
    const { results, reporter } = await run(withTransfer(TILES, '{ exclude_classes: [2] }'));
    assert.include(results.columns, 'train_examples');
    assert.deepEqual(
      results.records.map((r) => [r.role, r.status, r.train_examples]),
      [
        ['teacher', 'ok', '240'],
        ['student', 'ok', '160'],
        ['person', 'ok', '160'],
      ],
    );
    assert.include(roleDetail(reporter.events, 'student'), 'transfer set: without class 2 (160 of 240 examples)');
    assert.notInclude(roleDetail(reporter.events, 'teacher'), 'transfer set');
  });

  it("feeds the student the teacher's outputs of its own rows: from soft targets alone it learns the kept classes", async function () {
    this.timeout(60_000);
    const spec = withTransfer(TILES, '{ exclude_classes: [2] }')
      .replace('alpha: 0.5', 'alpha: 0')
      .replace('epochs: 4', 'epochs: 8');
    const { results } = await run(spec);
    const student = results.records.find((r) => r.role === 'student')!;
    // Two thirds of the test split are of the kept classes; outputs of other rows would teach noise (about 1/3).
    assert.isAtLeast(Number(student.test_accuracy), 0.6, `student accuracy ${student.test_accuracy}`);
  });

  it('trains one person per transfer set in a sweep, and writes no train_examples column without one', async function () {
    this.timeout(60_000);
    const swept = `${withTransfer(SPEC, '{ limit: 100 }')}grid:\n  distillation.transfer.limit: [100, 200]\n`;
    const { results, reporter } = await run(swept);
    const persons = results.records.filter((r) => r.role === 'person');
    assert.deepEqual(
      persons.map((r) => [r.train_examples, r.source]),
      [
        ['100', 'trained'],
        ['200', 'trained'],
      ],
    );
    const shared = reporter.events.filter(
      (e) => e.type === 'roleSkipped' || (e as { detail?: string }).detail?.includes('shared'),
    );
    assert.lengthOf(shared, 0, 'no person is shared between two transfer sets');
    const plain = await run(SPEC);
    assert.notInclude(plain.results.columns, 'train_examples');
  });

  it('trains every built-in method from soft targets alone on a transfer set', async function () {
    this.timeout(120_000);
    const methods = [
      '{ name: kd, alpha: 0 }',
      '{ name: dkd, label_weight: 0 }',
      '{ name: dist, label_weight: 0 }',
      '{ name: fitnet, label_weight: 0 }',
      '{ name: pkt, label_weight: 0 }',
      '{ name: rkd, label_weight: 0 }',
      '{ name: sp, label_weight: 0 }',
    ];
    const spec = `${SPEC.replace('distillation: { temperature: 2, alpha: 0.5 }', 'distillation: { name: kd, transfer: { exclude_classes: [1] } }')}grid:\n  distillation: [${methods.join(', ')}]\n`;
    // Each grid value replaces the whole distillation: the transfer set goes with each.
    const { results } = await run(
      spec
        .replace(/label_weight: 0 \}/g, 'label_weight: 0, transfer: { exclude_classes: [1] } }')
        .replace('alpha: 0 }', 'alpha: 0, transfer: { exclude_classes: [1] } }'),
    );
    const students = results.records.filter((r) => r.role === 'student');
    assert.lengthOf(students, methods.length);
    for (const student of students) {
      assert.equal(student.status, 'ok', `${student.cell}: ${student.error}`);
      assert.equal(student.train_examples, '200');
    }
  });

  it('refuses a transfer set that names classes the dataset lacks, before anything trains (exit 2)', async () => {
    const { experiment: exp, registry } = await experiment(withTransfer(SPEC, '{ include_classes: [1, 5] }'));
    await assertRejectsMessage(
      runExperiment(exp, registry, {
        outDir: outDir(),
        runId: 'classes',
        reporter: new RecordingReporter(),
        teacherCache: false,
      }),
      /^these transfer sets cannot be made; nothing was run:\n {2}cell \w+, distillation.transfer: class 5 is not one of the dataset's 3 classes \(0 to 2\)$/,
      { code: 'TRANSFER_SET', exitCode: 2 },
    );
  });

  it('locates every malformed transfer set in the spec', async () => {
    const base = 'name: t\ndataset: mnist\nmodels:\n  teacher: { layers: [4] }\n  student: { layers: [2] }\n';
    const at = (transfer: string) => specProblems(`${base}distillation: { alpha: 0, transfer: ${transfer} }\n`);
    assert.deepEqual(await at('{ include_classes: [1], exclude_classes: [2] }'), [
      'spec.yaml:6:37 distillation.transfer: sets both include_classes and exclude_classes (give one: include_classes keeps only the classes listed, exclude_classes keeps all the others)',
    ]);
    assert.deepEqual(await at('{ limit: 0 }'), ['spec.yaml:6:46 distillation.transfer.limit: must be >= 1, got 0']);
    assert.deepEqual(await at('{ exclude: [3] }'), [
      'spec.yaml:6:39 distillation.transfer.exclude: unknown key "exclude" (Did you mean "exclude_classes"?)',
    ]);
    assert.deepEqual(await at('{}'), ['spec.yaml:6:37 distillation.transfer: must have at least 1 key(s)']);
    const housing = `name: t\ndataset: california-housing\nmodels:\n  teacher: { layers: [4] }\n  student: { layers: [2] }\ndistillation: { transfer: { exclude_classes: [3] } }\n`;
    assert.deepEqual(await specProblems(housing), [
      'spec.yaml:6:27 distillation.transfer: chooses classes, and the dataset poses a regression task (it has no classes) (use limit alone for a regression dataset)',
    ]);
  });
});
