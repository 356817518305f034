// Every distillation method against an independent reference: PyTorch implementations written from the
// papers and the authors' published code (bench/reference/methods.py), whose losses and gradients with
// respect to the student's outputs are committed as fixtures (bench/reference/make_fixtures.py rewrites them).
// Each case runs on the fast path (row-wise JavaScript where a loss has one) and on the stock tensor path.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { setFastPaths } from '../../../../src/backend/tfjs-internals.js';
import type { Loss } from '../../../../src/registry/types.js';
import { createComponent } from '../../../../src/runner/model.js';
import { builtinRegistry, useWasm } from '../../../helpers.js';
import {
  decoupledRows,
  rowCrossEntropy,
  rowDecoupled,
  rowDistillation,
  rowRelations,
} from '../../../../src/plugins/builtin/losses/row-losses.js';

const FIXTURES = path.join(import.meta.dirname, '../../../fixtures/methods');

type Nested = number | Nested[];

interface Case {
  name: string;
  task: 'classification' | 'regression';
  params: Record<string, unknown>;
  epoch: number;
  labels: number[];
  student_logits: number[][];
  teacher_logits: number[][];
  student_features: Nested[] | null;
  teacher_features: Nested[] | null;
  regressor: { kernel: number[][]; bias: number[] } | null;
  loss: number;
  grad: Record<string, Nested[] | number[]>;
}

interface Fixture {
  method: string;
  cases: Case[];
}

const fixtures: Fixture[] = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as Fixture);

const shapeOf = (value: Nested): number[] => (Array.isArray(value) ? [value.length, ...shapeOf(value[0])] : []);

/**
 * Float32 against float64: each entry within 1e-5 of the largest entry of the reference (a gradient's
 * entries span many orders of magnitude; the small ones carry no information at float32's precision).
 */
function assertClose(actual: tf.Tensor, expected: Nested, what: string): void {
  const want = (Array.isArray(expected) ? (expected as unknown[]).flat(8) : [expected]) as number[];
  const got = Array.from(actual.dataSync());
  assert.deepEqual(actual.shape, shapeOf(expected), `${what}: shape`);
  const scale = Math.max(...want.map(Math.abs), 1e-30);
  got.forEach((value, i) => {
    assert.isTrue(Number.isFinite(value), `${what}[${i}] is ${value}`);
    assert.isAtMost(Math.abs(value - want[i]), 1e-5 * scale, `${what}[${i}]: ${value} vs ${want[i]}`);
  });
}

function run(method: string, c: Case): void {
  const registry = builtinRegistry();
  const params = structuredClone(c.params);
  const issues = registry.get('loss', method).validate(params);
  assert.isEmpty(issues, `${method} accepts the fixture's params`);
  const features =
    c.student_features && c.teacher_features
      ? { student: shapeOf(c.student_features).slice(1), teacher: shapeOf(c.teacher_features).slice(1) }
      : undefined;
  const loss = createComponent<Loss>(
    registry,
    'loss',
    { name: method, params },
    {
      seed: 1,
      baseDir: '.',
      task: c.task,
      features,
    },
  );
  try {
    if (c.regressor) {
      const [kernel, bias] = loss.variables ?? [];
      kernel.assign(tf.tensor(c.regressor.kernel));
      bias.assign(tf.tensor(c.regressor.bias));
    }
    const labels = c.task === 'regression' ? tf.tensor1d(c.labels, 'float32') : tf.tensor1d(c.labels, 'int32');
    const teacherLogits = tf.tensor2d(c.teacher_logits);
    const teacher = loss.prepareTeacher ? loss.prepareTeacher(teacherLogits) : teacherLogits;
    const logits = tf.tensor2d(c.student_logits);
    const studentFeatures = c.student_features ? tf.tensor(c.student_features) : undefined;
    const teacherFeatures = c.teacher_features ? tf.tensor(c.teacher_features) : undefined;
    const inputs = [logits, ...(studentFeatures ? [studentFeatures] : [])];
    const f = (s: tf.Tensor, sf?: tf.Tensor) =>
      loss.compute(s as tf.Tensor2D, labels, teacher, { epoch: c.epoch, studentFeatures: sf, teacherFeatures });
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => f(xs[0], xs[1]))(inputs);
    assert.closeTo(value.dataSync()[0], c.loss, 1e-5 * Math.max(1, Math.abs(c.loss)), 'loss');
    assertClose(grads[0], c.grad.student_logits as Nested[], 'd loss / d student logits');
    if (studentFeatures) assertClose(grads[1], c.grad.student_features as Nested[], 'd loss / d student features');
    if (c.regressor) {
      const { grads: variableGrads } = tf.variableGrads(() => f(logits, studentFeatures), [...(loss.variables ?? [])]);
      const [kernel, bias] = loss.variables ?? [];
      assertClose(variableGrads[kernel.name], c.grad.regressor_kernel as Nested[], 'd loss / d regressor kernel');
      assertClose(variableGrads[bias.name], c.grad.regressor_bias as Nested[], 'd loss / d regressor bias');
    }
  } finally {
    loss.dispose?.();
  }
}

describe('distillation methods against the PyTorch reference', () => {
  before(useWasm);
  after(() => setFastPaths(true));

  it('has a fixture for every built-in distillation method but soft-mse (checked by hand in its own test)', () => {
    const methods = builtinRegistry()
      .list('loss')
      .filter(({ definition }) => definition.kind === 'loss' && definition.needsTeacher === true)
      .map(({ definition }) => definition.name)
      .filter((name) => name !== 'soft-mse');
    assert.sameMembers(
      fixtures.map((f) => f.method),
      methods,
    );
  });

  for (const fixture of fixtures) {
    for (const c of fixture.cases) {
      for (const fast of [true, false]) {
        it(`${fixture.method}: ${c.name} (${fast ? 'fast path' : 'tensor path'})`, () => {
          setFastPaths(fast, fast ? undefined : 'the test of the tensor path');
          tf.tidy(() => run(fixture.method, c));
        });
      }
    }
  }
});

describe('the row forms of dkd and dist against their tensor path, where the fixtures do not reach', () => {
  before(useWasm);
  after(() => setFastPaths(true));

  /**
   * The loss and its gradient with respect to the logits, on the row form (fast) or the tensor ops; with
   * `certain`, the teacher's first row puts all its float32 probability on one class.
   */
  function valueAndGradient(
    method: string,
    params: Record<string, unknown>,
    n: number,
    c: number,
    fast: boolean,
    certain = false,
  ) {
    setFastPaths(fast, fast ? undefined : 'the test of the tensor path');
    const registry = builtinRegistry();
    const resolved = structuredClone(params);
    assert.isEmpty(registry.get('loss', method).validate(resolved), 'the params (with their defaults)');
    const loss = createComponent<Loss>(
      registry,
      'loss',
      { name: method, params: resolved },
      {
        seed: 1,
        baseDir: '.',
        task: 'classification',
      },
    );
    return tf.tidy(() => {
      const logits = tf.mul(tf.randomNormal([n, c], 0, 1, 'float32', 5), 3) as tf.Tensor2D;
      const random = tf.mul(tf.randomNormal([n, c], 0, 1, 'float32', 6), 4) as tf.Tensor2D;
      // The first row's first class 200 above the rest: the others' float32 probabilities are exactly 0.
      const lift = tf.tensor2d(
        Array.from({ length: n * c }, (_, i) => (i === 0 ? 200 : 0)),
        [n, c],
      );
      const teacher = certain ? (tf.add(random, lift) as tf.Tensor2D) : random;
      const labels = tf.tensor1d(
        Array.from({ length: n }, (_, i) => (i * 7) % c),
        'int32',
      );
      const { value, grads } = tf.valueAndGrads((s: tf.Tensor) =>
        loss.compute(s as tf.Tensor2D, labels, teacher, { epoch: 3 }),
      )([logits]);
      return { value: value.dataSync()[0], grad: Array.from(grads[0].dataSync()) };
    });
  }

  const cases: Array<[string, Record<string, unknown>, number, number, boolean?]> = [
    ['dkd', { alpha: 1, beta: 8, temperature: 4, warmup: 5 }, 1, 30],
    ['dkd', { alpha: 1, beta: 8, temperature: 1 }, 4, 10, true],
    ['dkd', { alpha: 0.5, beta: 2, temperature: 1 }, 64, 10],
    ['dist', { beta: 2, gamma: 2, temperature: 4 }, 1, 30],
    ['dist', { beta: 1, gamma: 1, temperature: 1 }, 2, 3],
    ['dist', { beta: 1, gamma: 2, temperature: 2 }, 64, 10],
  ];
  for (const [method, params, n, c, certain] of cases) {
    const what = certain ? ', a teacher certain of the first row' : '';
    it(`${method} ${JSON.stringify(params)} on ${n} row(s) of ${c} classes${what}`, () => {
      const fast = valueAndGradient(method, params, n, c, true, certain);
      const tensor = valueAndGradient(method, params, n, c, false, certain);
      assert.isTrue(Number.isFinite(tensor.value), `the tensor path's loss ${tensor.value}`);
      assert.closeTo(fast.value, tensor.value, 1e-5 * Math.max(1, Math.abs(tensor.value)), 'loss');
      const scale = Math.max(...tensor.grad.map(Math.abs));
      fast.grad.forEach((g, i) => assert.closeTo(g, tensor.grad[i], 1e-5 * scale, `gradient ${i}`));
    });
  }
});

describe("dkd's row form where the student's probabilities underflow, even in float64", () => {
  it('gives a finite loss and the gradient its own finite differences give (logits of 800, T = 1)', () => {
    const [n, c] = [2, 5];
    const x = Float32Array.from([800, 0, -3, 2, 1, -1, 790, 4, 0, 2]);
    const labels = Int32Array.from([1, 1]);
    const teacher = Float32Array.from([3, 1, 0, 0, -2, 0, 5, 1, 1, 0]);
    const weights = { alpha: 1, beta: 8, temperature: 1, labelWeight: 1, ramp: 1 };
    const grad = new Float32Array(n * c);
    const value = decoupledRows(x, n, c, labels, teacher, weights, grad);
    assert.isTrue(Number.isFinite(value), `loss ${value}`);
    const scale = Math.max(...grad.map(Math.abs));
    assert.isAbove(scale, 0);
    // Central differences with a step float32 holds exactly at these magnitudes; the loss is float64.
    const h = 1 / 64;
    const ignored = new Float32Array(n * c);
    for (let i = 0; i < n * c; i++) {
      const [up, down] = [Float32Array.from(x), Float32Array.from(x)];
      up[i] += h;
      down[i] -= h;
      const numeric =
        (decoupledRows(up, n, c, labels, teacher, weights, ignored) -
          decoupledRows(down, n, c, labels, teacher, weights, ignored)) /
        (2 * h);
      assert.closeTo(grad[i], numeric, 1e-3 * scale, `gradient ${i}`);
    }
  });
});

describe("dkd's tensor path where the student's float32 probabilities underflow", () => {
  before(useWasm);
  after(() => setFastPaths(true));

  it('gives the finite loss and gradient of the row form (a wrong class 120 above the target, T = 1)', () => {
    const [n, c] = [2, 5];
    const x = Float32Array.from([120, 0, -3, 2, 1, -1, 3, 4, 0, 2]);
    const labels = Int32Array.from([1, 1]);
    const teacher = Float32Array.from([3, 1, 0, 0, -2, 0, 5, 1, 1, 0]);
    const params = { alpha: 1, beta: 8, temperature: 1, warmup: 0, label_weight: 1 };
    const grad = new Float32Array(n * c);
    const want = decoupledRows(x, n, c, labels, teacher, { ...params, labelWeight: 1, ramp: 1 }, grad);
    setFastPaths(false, 'the test of the tensor path');
    const loss = createComponent<Loss>(
      builtinRegistry(),
      'loss',
      { name: 'dkd', params },
      {
        seed: 1,
        baseDir: '.',
        task: 'classification',
      },
    );
    const { value, grads } = tf.valueAndGrads((s: tf.Tensor) =>
      loss.compute(s as tf.Tensor2D, tf.tensor1d(labels, 'int32'), tf.tensor2d(teacher, [n, c]), { epoch: 1 }),
    )([tf.tensor2d(x, [n, c])]);
    const got = value.dataSync()[0];
    assert.isTrue(Number.isFinite(got), `the tensor path's loss ${got}`);
    assert.closeTo(got, want, 1e-5 * Math.abs(want), 'loss');
    const scale = Math.max(...grad.map(Math.abs));
    Array.from(grads[0].dataSync()).forEach((g, i) => assert.closeTo(g, grad[i], 1e-5 * scale, `gradient ${i}`));
  });
});

describe('the row forms as custom ops, with labels of either dtype', () => {
  before(useWasm);

  it('leave no tensor behind outside a tidy scope (float labels are cast for the rows, then freed)', () => {
    const logits = tf.tensor2d([2, 0, -1, 0.5, 1, 3], [2, 3]);
    const teacher = tf.tensor2d([1, 0, 0, 0, 0, 2], [2, 3]);
    const weights = { alpha: 1, beta: 8, temperature: 2, labelWeight: 1, ramp: 1 };
    for (const labels of [tf.tensor1d([0, 2], 'int32'), tf.tensor1d([0, 2], 'float32')]) {
      const before = tf.memory().numTensors;
      const values = [
        rowCrossEntropy(logits, labels),
        rowDistillation(logits, labels, tf.logSoftmax(teacher) as tf.Tensor2D, 2, 0.5),
        rowDecoupled(logits, labels, teacher, weights),
        rowRelations(logits, labels, teacher, { beta: 1, gamma: 1, temperature: 1, labelWeight: 1 }),
      ];
      const [ce] = values.map((value) => value.dataSync()[0]);
      tf.dispose(values);
      // tf.logSoftmax's own output above is one tensor the test made.
      assert.equal(tf.memory().numTensors, before + 1, `${labels.dtype} labels`);
      assert.closeTo(
        ce,
        (Math.log(Math.exp(2) + 1 + Math.exp(-1)) - 2 + Math.log(Math.exp(0.5) + Math.exp(1) + Math.exp(3)) - 3) / 2,
        1e-6,
      );
    }
  });
});
