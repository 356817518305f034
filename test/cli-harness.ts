// Runs the built distil-run command as a user would (separate process) and checks the shape of its answers.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert } from 'chai';
import './helpers.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');

/** A fixture's path relative to the repository root (the CLI runs with the root as its working directory). */
export const fixture = (name: string): string => path.join('test', 'fixtures', name);

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /** Kill the process after this many milliseconds (a hang is a failure, not a stuck suite). @default 60000 */
  readonly timeout?: number;
}

/** Runs `distil-run args...` to completion. */
export function distilRun(args: readonly string[], options: CliOptions = {}): CliResult {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: options.cwd ?? root,
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeout ?? 60_000,
    env: { ...process.env, CI: '1', ...options.env },
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `distil-run args...` in the background (for signals and concurrent runs). */
export function startDistilRun(args: readonly string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [cli, ...args], {
    cwd: options.cwd ?? root,
    env: { ...process.env, CI: '1', ...options.env },
  });
}

/** Waits for a started process, collecting its output. */
export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/**
 * Asserts an answer to bad input: the exit code, no stack trace, nothing on stdout, and exactly `expected` on
 * stderr. A RegExp is for a stderr with a part that legitimately varies (a pid, a platform's error text): it
 * must be anchored at both ends, so that the rest is matched exactly.
 */
export function assertRefused(result: CliResult, code: number, expected: string | RegExp): void {
  const context = `exit ${result.code}\nstderr:\n${result.stderr}\nstdout:\n${result.stdout}`;
  assert.equal(result.code, code, context);
  assertNoStackTrace(result.stderr);
  assert.equal(result.stdout, '', `nothing on stdout when refused\n${context}`);
  if (typeof expected === 'string') assert.equal(result.stderr, expected, context);
  else {
    assert.isTrue(
      expected.source.startsWith('^') && expected.source.endsWith('$'),
      `${expected} must match the whole stderr (^...$)`,
    );
    assert.match(result.stderr, expected, context);
  }
}

/** No JavaScript stack frame and no "internal error" reaches the user. */
export function assertNoStackTrace(stderr: string): void {
  assert.notMatch(stderr, /^\s+at .+:\d+:\d+\)?$/m, `stack trace in stderr:\n${stderr}`);
  assert.notInclude(stderr, 'internal error', stderr);
}
