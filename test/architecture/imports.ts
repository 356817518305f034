// Reads every import of a source tree and checks it against the folder table of ../shared/ARCHITECTURE.md:
// imports between folders go through the folder's index.ts, only along the table's edges, and no files
// import each other around a circle.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Which units each unit may import: the folders directly under src/, plus the file at its top
 * (index.ts). Subfolders (plugins/builtin, backend/wasm) belong to their folder.
 */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  shared: [],
  errors: ['shared'],
  registry: ['shared', 'errors'],
  data: ['shared', 'errors'],
  backend: ['shared', 'errors'],
  plugins: ['registry', 'data', 'backend', 'shared', 'errors'],
  config: ['registry', 'shared', 'errors'],
  results: ['shared', 'errors'],
  runner: ['config', 'registry', 'data', 'backend', 'results', 'shared', 'errors'],
  report: ['results', 'shared', 'errors'],
  index: ['shared', 'errors', 'registry', 'data', 'backend', 'plugins', 'config', 'results', 'runner', 'report'],
  cli: ['index'],
};

/** The units that are one file at the top of src/ rather than a folder. */
const FILE_UNITS: Readonly<Record<string, string>> = { 'index.ts': 'index' };

/** One import found in a file: the specifier as written and the file it names. */
interface Edge {
  readonly from: string;
  readonly specifier: string;
  readonly to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [file] : [];
  });
}

/** The text without comments, so an import written in a comment is not read as one. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** Every relative module a file imports or re-exports, statically or with import(). */
function relativeImports(text: string): string[] {
  const source = withoutComments(text);
  const patterns = [
    /(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*'([^']+)'/g,
    /(?:^|[\s;])import\s*'([^']+)'/g,
    /\bimport\(\s*'([^']+)'\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1])).filter((s) => s.startsWith('.'));
}

/** The file a relative specifier names (`./x.js` is `x.ts` in the source tree). */
function resolveSpecifier(from: string, specifier: string): string {
  const target = path.resolve(path.dirname(from), specifier);
  const ts = target.replace(/\.js$/, '.ts');
  return existsSync(ts) ? ts : target;
}

/** The unit of a file: its folder under src/, or errors / index for the top-level files. */
export function unitOf(srcDir: string, file: string): string | undefined {
  const parts = path.relative(srcDir, file).split(path.sep);
  if (parts[0] === '..') return undefined;
  return parts.length === 1 ? FILE_UNITS[parts[0]] : parts[0];
}

/** The file another unit must import: the folder's index.ts, or the top-level file itself. */
function surfaceOf(srcDir: string, unit: string): string {
  const file = Object.entries(FILE_UNITS).find(([, name]) => name === unit)?.[0];
  return file ? path.join(srcDir, file) : path.join(srcDir, unit, 'index.ts');
}

/** Each cycle of the import graph once, as the files around it (shortest first found from each file). */
function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const found = new Map<string, string[]>();
  for (const start of next.keys()) {
    // Breadth-first from start: the shortest way back to it, if there is one.
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const file = queue.shift()!;
      for (const target of next.get(file) ?? []) {
        if (target === start) {
          const circle = [file];
          while (circle[0] !== start) circle.unshift(previous.get(circle[0])!);
          const key = [...circle].sort().join('\0');
          if (!found.has(key)) found.set(key, circle);
          queue.length = 0;
          break;
        }
        if (!previous.has(target) && target !== start) {
          previous.set(target, file);
          queue.push(target);
        }
      }
    }
  }
  return [...found.values()];
}

/**
 * Every import under `srcDir` that breaks the rules, one sentence each (none when the tree keeps them):
 * a top-level file that is no unit of the table, an import of a file that does not exist, an import of
 * another unit's inner file (not its index.ts), of the unit's own index.ts, an edge the table does not
 * allow, and each circle of files.
 */
export function importViolations(srcDir: string): string[] {
  const rel = (file: string) => path.relative(path.dirname(srcDir), file).split(path.sep).join('/');
  const problems: string[] = [];
  const edges: Edge[] = [];
  for (const file of sourceFiles(srcDir)) {
    const unit = unitOf(srcDir, file);
    if (unit === undefined || !(unit in ALLOWED)) {
      problems.push(`${rel(file)}: is in no folder of the table (put it in the folder whose stage it serves)`);
      continue;
    }
    for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
      const to = resolveSpecifier(file, specifier);
      if (!existsSync(to)) {
        problems.push(`${rel(file)}: imports '${specifier}', which does not exist`);
        continue;
      }
      edges.push({ from: file, specifier, to });
      const target = unitOf(srcDir, to);
      if (target === undefined) {
        problems.push(`${rel(file)}: imports ${rel(to)}, outside src/`);
      } else if (target === unit) {
        if (
          unit !== 'index' &&
          unit !== 'errors' &&
          to === surfaceOf(srcDir, unit) &&
          path.dirname(file) === path.dirname(to)
        ) {
          problems.push(`${rel(file)}: imports its own folder's index.ts (import the file beside it)`);
        }
      } else if (!ALLOWED[unit].includes(target)) {
        problems.push(
          `${rel(file)}: imports ${rel(to)}, but ${unit} may not import ${target} (${unit} may import ${ALLOWED[unit].join(', ') || 'nothing of src/'})`,
        );
      } else if (to !== surfaceOf(srcDir, target) && !to.endsWith('.json')) {
        problems.push(
          `${rel(file)}: imports ${rel(to)}, not ${rel(surfaceOf(srcDir, target))} (other folders import a folder through its index.ts)`,
        );
      }
    }
  }
  for (const circle of cycles(edges)) problems.push(`import cycle: ${[...circle, circle[0]].map(rel).join(' -> ')}`);
  return problems;
}
