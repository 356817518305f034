// Shared test helpers: a registry with the built-ins, component creation, the wasm backend, exact refusals.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { assert } from 'chai';
import { selectBackend } from '../src/backend/select.js';
import { builtinPlugin } from '../src/plugins/builtin/index.js';
import { Registry } from '../src/registry/registry.js';
import type { ComponentKind } from '../src/registry/types.js';
import { createComponent, createMetric } from '../src/runner/model.js';
import { DistilError } from '../src/errors/index.js';

// Tests never touch the user's cache (downloads, trained teachers): one temporary cache for the process
// and the CLI processes it starts.
process.env.XDG_CACHE_HOME = mkdtempSync(path.join(os.tmpdir(), 'distil-cache-'));

export function builtinRegistry(): Registry {
  return new Registry().use(builtinPlugin);
}

/** Creates a built-in component with its params validated and defaults filled, as the resolver would. */
export function create<T>(
  kind: Exclude<ComponentKind, 'dataset'>,
  name: string,
  params: Record<string, unknown> = {},
): T {
  const registry = builtinRegistry();
  const filled = structuredClone(params);
  const errors = registry.get(kind, name).validate(filled);
  if (errors.length > 0) throw new Error(`invalid params: ${JSON.stringify(errors)}`);
  const ref = { name, params: filled };
  const context = { tf, seed: 1, baseDir: '.' };
  // Metrics are created as the runner creates them: the definition's facts with the computation.
  return kind === 'metric'
    ? (createMetric(registry, ref, context) as T)
    : createComponent<T>(registry, kind, ref, context);
}

/** Uses the product's default backend in Node (wasm) for in-process tests. */
export async function useWasm(): Promise<void> {
  await selectBackend('wasm');
}

/** The value of a scalar tensor, disposing it. */
export function value(scalar: tf.Scalar): number {
  const v = scalar.dataSync()[0];
  scalar.dispose();
  return v;
}

/** What a refusal must be besides its message: its class (DistilError unless given), and its code and exit code when given. */
export interface ExpectedError {
  // Any constructor of an Error, whatever its parameters (as chai's instanceOf takes it).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a constructor of any parameters, as chai takes it
  readonly type?: new (...args: any[]) => Error;
  readonly code?: string;
  readonly exitCode?: number;
}

/** What `fn` throws; fails the test when it returns. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return assert.fail('expected an error, and nothing was thrown');
}

/** What `promise` (or the promise `fn` returns) rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown> | (() => Promise<unknown>)): Promise<unknown> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return error;
  }
  return assert.fail('expected a rejection, and it resolved');
}

/**
 * Asserts an error is the expected refusal: its class, its code and exit code when given, and its whole message.
 * A RegExp is for a message with a part that legitimately varies (a platform's error text): it must be
 * anchored at both ends, so that the rest is matched exactly.
 */
export function assertErrorMessage<E extends Error = DistilError>(
  error: unknown,
  message: string | RegExp,
  expected: ExpectedError = {},
): E {
  const type = expected.type ?? DistilError;
  assert.instanceOf(error, type, error instanceof Error ? error.stack : String(error));
  const { code, exitCode } = error as { code?: unknown; exitCode?: unknown };
  if (expected.code !== undefined) assert.equal(code, expected.code, (error as Error).message);
  if (expected.exitCode !== undefined) assert.equal(exitCode, expected.exitCode, (error as Error).message);
  if (typeof message === 'string') assert.equal((error as Error).message, message);
  else {
    assert.isTrue(
      message.source.startsWith('^') && message.source.endsWith('$'),
      `${message} must match the whole message (^...$)`,
    );
    assert.match((error as Error).message, message);
  }
  return error as E;
}

/** Asserts `fn` throws exactly `message` (see {@link assertErrorMessage}); returns the error. */
export function assertThrowsMessage<E extends Error = DistilError>(
  fn: () => unknown,
  message: string | RegExp,
  expected: ExpectedError = {},
): E {
  return assertErrorMessage<E>(thrownBy(fn), message, expected);
}

/** Asserts `promise` (or the promise `fn` returns) rejects with exactly `message` (see {@link assertErrorMessage}); resolves to the error. */
export async function assertRejectsMessage<E extends Error = DistilError>(
  promise: Promise<unknown> | (() => Promise<unknown>),
  message: string | RegExp,
  expected: ExpectedError = {},
): Promise<E> {
  return assertErrorMessage<E>(await rejectionOf(promise), message, expected);
}

/**
 * An anchored RegExp for a whole message with parts that legitimately vary: the template's text and its string
 * values are matched literally, its RegExp values where the text varies, e.g.
 * messagePattern`${dir} is being written by another distil-run (pid ${/\d+/} on ${/.+/})`.
 */
export function messagePattern(strings: TemplateStringsArray, ...values: ReadonlyArray<string | RegExp>): RegExp {
  const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = strings.map((text, i) => {
    const value = values[i];
    const varying = value === undefined ? '' : typeof value === 'string' ? literal(value) : `(?:${value.source})`;
    return literal(text) + varying;
  });
  return new RegExp(`^${parts.join('')}$`);
}
