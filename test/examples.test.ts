// The CI, Kubernetes and Slurm examples: every distil-run command line in them parses with the current
// CLI (its flags exist, its spec validates, its --shard value is well-formed), so renaming a flag breaks this test.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import { resolveShard } from '../src/runner/shard.js';
import { distilRun, root } from './cli-harness.js';

const EXAMPLES = ['examples/ci/github-actions.yml', 'examples/ci/kubernetes-job.yaml', 'examples/ci/slurm-array.sh'];

/** The arguments after `distil-run` on every line that runs it (comments left out, `\` continuations joined). */
export function commandLines(text: string): string[] {
  return text
    .replace(/[ \t]*\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .flatMap((line) => {
      const match = /(?:^|[\s"'`:])(?:npx )?distil-run (.*)$/.exec(line);
      return match ? [match[1]] : [];
    });
}

/** Shell words, quotes removed, up to the first operator; a GitHub `${{ ... }}` expression becomes `X`. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  const text = line.replace(/\$\{\{[^}]*\}\}/g, 'X');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (/[;&|<>#]/.test(c) && word === undefined) {
      break;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The commands `distil-run --help` lists (`distil-run validate <spec.yaml>` → validate). */
function listedCommands(): Set<string> {
  const help = distilRun(['--help']).stdout;
  return new Set([...help.matchAll(/^ {2}distil-run ([a-z]+)\b/gm)].map((m) => m[1]));
}

/** Why the current CLI refuses `distil-run ...words`, or undefined. Runs are validated, never trained. */
function refusal(words: readonly string[], commands: ReadonlySet<string>): string | undefined {
  const [first = ''] = words;
  const isRun = first === 'run' || /\.ya?ml$/i.test(first);
  if (!isRun && !commands.has(first)) return `unknown command "${first}"`;
  for (const [i, word] of words.entries()) {
    const value = word.startsWith('--shard=') ? word.slice(8) : word === '--shard' ? words[i + 1] : undefined;
    if (value === undefined || value.includes('X')) continue;
    try {
      resolveShard(value, {
        DISTIL_SHARD_INDEX: '1',
        DISTIL_SHARD_COUNT: /^auto\/\d+$/.test(value) ? value.slice(5) : '1',
      });
    } catch (error) {
      return (error as Error).message;
    }
  }
  // `validate` takes every run flag, checks its value and the spec with its --set and --grid; other
  // commands get --help, which answers only after every flag was parsed. A value the CI system or the
  // shell fills in (X, $VAR) gets a valid stand-in, so the command line's shape is what is checked.
  const placeholder = (word: string) => word.includes('$') || /(^|[^A-Za-z])X([^A-Za-z]|$)/.test(word);
  const filled = words.map((word, i) =>
    i > 0 && placeholder(word) ? (words[i - 1] === '--shard' ? '1/1' : 'stand-in-1') : word,
  );
  const args = isRun ? ['validate', ...(first === 'run' ? filled.slice(1) : filled)] : [...filled, '--help'];
  const result = distilRun(args);
  return result.code === 0 ? undefined : `exit ${result.code}: ${result.stderr.trim()}`;
}

describe('examples/ci', () => {
  const commands = listedCommands();

  for (const file of EXAMPLES) {
    it(`${file}: every distil-run command line parses with the current CLI`, () => {
      const lines = commandLines(readFileSync(path.join(root, file), 'utf8'));
      assert.isNotEmpty(lines, `no distil-run command in ${file}`);
      for (const line of lines) assert.isUndefined(refusal(shellWords(line), commands), `${file}: distil-run ${line}`);
    });
  }

  it('the GitHub workflow shards, merges and compares; Kubernetes and Slurm use --shard auto', () => {
    const words = (file: string) => commandLines(readFileSync(path.join(root, file), 'utf8')).map(shellWords);
    const workflow = words(EXAMPLES[0]);
    assert.deepEqual(
      workflow.map((w) => w[0]),
      ['examples/ci/sweep.yaml', 'merge', 'merge', 'compare'],
    );
    assert.includeMembers(workflow[0], ['--shard', 'X/X', '--teacher-cache']);
    assert.includeMembers(workflow[3], ['--max-regression', '0.005']);
    assert.include(words(EXAMPLES[1])[0], 'auto/3');
    assert.include(words(EXAMPLES[2])[0], 'auto');
  });

  it('the README points at each example', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const file of EXAMPLES) assert.include(readme, `(${file})`);
  });

  it('catches a flag the CLI does not have, an unknown command and a bad --shard', () => {
    assert.equal(
      refusal(shellWords('merge a.csv --outt merged.csv'), commands),
      'exit 2: distil-run: --outt: unknown flag. Did you mean "--out"?',
    );
    assert.equal(refusal(shellWords('mergee a.csv'), commands), 'unknown command "mergee"');
    assert.equal(
      refusal(shellWords('spec.yaml --shard 3/2'), commands),
      '--shard: expected i/n with 1 <= i <= n (e.g. 1/4), got "3/2"',
    );
  });

  it('reads shell and workflow lines as words', () => {
    assert.deepEqual(
      shellWords(`merge "results/$X"/shard-*/results.csv --run-id \${{ github.run_id }} --out 'a b' && echo done`),
      ['merge', 'results/$X/shard-*/results.csv', '--run-id', 'X', '--out', 'a b'],
    );
    assert.deepEqual(commandLines('# npx distil-run merge x\n  run: npx distil-run compare a.csv \\\n   b.csv\n'), [
      'compare a.csv b.csv',
    ]);
  });
});
