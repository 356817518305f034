// The README's tables of error and warning codes name every code the catalogue (src/errors/) declares, and no other.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assert } from 'chai';
import { root } from './cli-harness.js';

/** The string members of a `type Name = | 'A' | 'B';` union in a file of src/errors/. */
function union(file: string, name: string): string[] {
  const text = readFileSync(path.join(root, 'src', 'errors', file), 'utf8');
  const body = new RegExp(`export type ${name} =([^;]*);`).exec(text)?.[1] ?? '';
  return [...body.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
}

/** The codes in the first column of the README's table that follows `heading` (a line it starts with). */
function tableCodes(readme: string, heading: string): string[] {
  const start = readme.indexOf(heading);
  const rows =
    readme
      .slice(start)
      .split('\n\n')
      .find((block) => block.startsWith('| code |')) ?? '';
  return [...rows.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
}

describe('README error and warning codes', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

  it("lists every error code once, in the catalogue's order", () => {
    const codes = union('distil-error.ts', 'ErrorCode');
    assert.isAbove(codes.length, 30);
    assert.deepEqual(tableCodes(readme, '### Exit codes and errors'), codes);
  });

  it("lists every warning code once, in the catalogue's order", () => {
    const codes = union('warnings.ts', 'WarningCode');
    assert.isAbove(codes.length, 5);
    assert.deepEqual(tableCodes(readme, 'Warnings stop nothing'), codes);
  });
});
