// distil-run's own version, read once from its package.json.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from './package-root.js';

let packageVersion: string | undefined;

/** distil-run's version, from its package.json. */
export function getVersion(): string {
  packageVersion ??= (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
  return packageVersion;
}
