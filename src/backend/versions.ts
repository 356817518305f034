// The tfjs versions distil-run's fast paths were written against; on any other the stock paths run.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Every fast path (kernels, fused optimizers, row losses) reads tfjs internals as they are in this release. */
export const FAST_PATHS_WRITTEN_FOR = '4.22.0';

/** tfjs package versions by package name without the scope, e.g. `{ 'tfjs-core': '4.22.0' }` (tf.version's shape). */
export type TfjsVersions = Readonly<Record<string, string | undefined>>;

/**
 * The installed version of each tfjs package a run can use (the backends included; absent ones, such as
 * an uninstalled @tensorflow/tfjs-node, left out), read from their package.json files.
 */
export function installedTfjsVersions(): Readonly<Record<string, string>> {
  if (installed) return installed;
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = {};
  for (const name of ['tfjs', 'tfjs-core', 'tfjs-layers', 'tfjs-backend-cpu', 'tfjs-backend-wasm', 'tfjs-node']) {
    try {
      // The package's entry point, then up to the folder that holds its package.json.
      let dir = path.dirname(require.resolve(`@tensorflow/${name}`));
      while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
      versions[name] = (
        JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }
      ).version;
    } catch {
      // Not installed (tfjs-node is optional).
    }
  }
  installed = versions;
  return versions;
}

/** Read once: the installed packages do not change while distil-run runs. */
let installed: Readonly<Record<string, string>> | undefined;

/** The packages whose internals each backend's fast paths use. */
const USED_BY: Record<'wasm' | 'cpu', readonly string[]> = {
  wasm: ['tfjs-core', 'tfjs-backend-wasm'],
  cpu: ['tfjs-core', 'tfjs-backend-cpu'],
};

/**
 * Why the fast paths of `backend` must stay off with these versions, or undefined when they match
 * {@link FAST_PATHS_WRITTEN_FOR}, e.g. "fast paths off: @tensorflow/tfjs-core is 4.23.0, they were written for 4.22.0".
 */
export function fastPathVersionProblem(backend: 'wasm' | 'cpu', versions: TfjsVersions): string | undefined {
  const wrong = USED_BY[backend]
    .filter((name) => versions[name] !== FAST_PATHS_WRITTEN_FOR)
    .map((name) => `@tensorflow/${name} is ${versions[name] ?? 'missing'}`);
  return wrong.length > 0
    ? `fast paths off: ${wrong.join(', ')}, they were written for ${FAST_PATHS_WRITTEN_FOR}`
    : undefined;
}
