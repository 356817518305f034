// The catalogue of spec issues stays the only place they are worded: no `{ message }` built in src/config
// (or by the registry's plugin loading), and one code per factory, each documented.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert } from 'chai';
import ts from 'typescript';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function visit(node: ts.Node, each: (node: ts.Node) => void): void {
  each(node);
  ts.forEachChild(node, (child) => visit(child, each));
}

const nameOf = (property: ts.ObjectLiteralElementLike): string | undefined =>
  property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))
    ? property.name.text
    : undefined;

/** Every object literal with a `message` (written `message: ...`, `message,` or as a getter) in the .ts files under `dir`, as `file:line`. */
export function messageLiterals(dir: string, root = path.dirname(dir)): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) return messageLiterals(file, root);
      if (!name.endsWith('.ts')) return [];
      const source = parse(file);
      const found: string[] = [];
      visit(source, (node) => {
        if (!ts.isObjectLiteralExpression(node) || !node.properties.some((p) => nameOf(p) === 'message')) return;
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        found.push(
          `${path.relative(root, file)}:${line}: builds { message } (make it a factory of src/errors/spec-issues.ts)`,
        );
      });
      return found;
    });
}

/** The string literals of the IssueCode union. */
function issueCodes(): string[] {
  const codes: string[] = [];
  visit(parse(path.join(src, 'errors', 'distil-error.ts')), (node) => {
    if (ts.isTypeAliasDeclaration(node) && node.name.text === 'IssueCode' && ts.isUnionTypeNode(node.type)) {
      for (const member of node.type.types) {
        if (ts.isLiteralTypeNode(member) && ts.isStringLiteral(member.literal)) codes.push(member.literal.text);
      }
    }
  });
  return codes;
}

/** Each exported factory of spec-issues.ts returning a SpecProblem: its name, the codes it uses, and its JSDoc's first word. */
function factories(codes: readonly string[]): Array<{ name: string; codes: string[]; doc: string }> {
  const source = parse(path.join(src, 'errors', 'spec-issues.ts'));
  return source.statements.flatMap((statement) => {
    const exported =
      ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (
      !ts.isFunctionDeclaration(statement) ||
      !exported ||
      !statement.name ||
      statement.type?.getText(source) !== 'SpecProblem'
    ) {
      return [];
    }
    const used = new Set<string>();
    visit(statement, (node) => {
      if (ts.isStringLiteral(node) && codes.includes(node.text)) used.add(node.text);
    });
    const doc = ts
      .getJSDocCommentsAndTags(statement)
      .map((d) => d.getText(source))
      .join('');
    return [
      { name: statement.name.text, codes: [...used], doc: /^\/\*\*\s*(?:\*\s*)?([A-Z0-9_]+):/.exec(doc)?.[1] ?? '' },
    ];
  });
}

describe('the catalogue of spec issues', () => {
  it('is the only place that builds a spec issue: no { message } in src/config or the plugin loading', () => {
    assert.deepEqual(
      [...messageLiterals(path.join(src, 'config')), ...messageLiterals(path.join(src, 'registry'))],
      [],
    );
  });

  it('finds { message } built in code, in any of its forms, and not in comments, strings or types', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'distil-catalogue-'));
    writeFileSync(
      path.join(dir, 'a.ts'),
      [
        "// issues.push({ location, path: '', message: 'in a comment' });",
        'const text = "{ message: \'in a string\' }";',
        'interface Shape { message: string }',
        "export const one = { location: 1, path: '', message: 'inline' };",
        'export const two = (message: string) => ({ code: 1, message });',
        "export const three = { get message() { return 'a getter'; } };",
        "export const four = { 'message': 'quoted' };",
        'export const none = { note: text } as unknown as Shape;',
      ].join('\n'),
    );
    assert.deepEqual(
      messageLiterals(dir),
      [4, 5, 6, 7].map(
        (line) =>
          `${path.basename(dir)}/a.ts:${line}: builds { message } (make it a factory of src/errors/spec-issues.ts)`,
      ),
    );
  });

  it('has one code per factory, each code made by one factory and named first in its JSDoc, and no code unused', () => {
    const codes = issueCodes();
    assert.isAbove(codes.length, 50);
    const made = factories(codes);
    assert.isAbove(made.length, 50);
    for (const { name, codes: used, doc } of made) {
      assert.lengthOf(used, 1, `${name} makes one code: ${used.join(', ')}`);
      assert.equal(doc, used[0], `${name}'s JSDoc starts with its code`);
    }
    const byCode = made.map((f) => f.codes[0]);
    assert.deepEqual(
      byCode.filter((code, i) => byCode.indexOf(code) !== i),
      [],
      'codes made by two factories',
    );
    assert.sameMembers(byCode, codes, 'every IssueCode has its factory');
  });
});
