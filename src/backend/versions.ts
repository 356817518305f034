// The tfjs versions distil-run's fast paths were written against; on any other the stock paths run.

/** Every fast path (kernels, fused optimizers, row losses) reads tfjs internals as they are in this release. */
export const FAST_PATHS_WRITTEN_FOR = '4.22.0';

/** tfjs package versions by package name without the scope, e.g. `{ 'tfjs-core': '4.22.0' }` (tf.version's shape). */
export type TfjsVersions = Readonly<Record<string, string | undefined>>;

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
  return wrong.length > 0 ? `fast paths off: ${wrong.join(', ')}, they were written for ${FAST_PATHS_WRITTEN_FOR}` : undefined;
}
