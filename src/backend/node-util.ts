// Puts back the node:util type checks Node 23 removed: @tensorflow/tfjs-node 4.22 (its latest release) calls them.
import { createRequire } from 'node:module';
import { types } from 'node:util';

/** The functions Node 23 removed from node:util (DEP0044-DEP0058), as Node 20 defined them. */
const LEGACY_UTIL: Record<string, (value: unknown) => boolean> = {
  isArray: (value) => Array.isArray(value),
  isBoolean: (value) => typeof value === 'boolean',
  isNull: (value) => value === null,
  isNullOrUndefined: (value) => value === null || value === undefined,
  isNumber: (value) => typeof value === 'number',
  isString: (value) => typeof value === 'string',
  isSymbol: (value) => typeof value === 'symbol',
  isUndefined: (value) => value === undefined,
  isRegExp: (value) => types.isRegExp(value),
  isObject: (value) => value !== null && typeof value === 'object',
  isDate: (value) => types.isDate(value),
  isError: (value) => Object.prototype.toString.call(value) === '[object Error]' || value instanceof Error,
  isFunction: (value) => typeof value === 'function',
  isPrimitive: (value) => value === null || (typeof value !== 'object' && typeof value !== 'function'),
};

export const LEGACY_UTIL_NAMES: readonly string[] = Object.keys(LEGACY_UTIL);

/**
 * Adds each removed function to node:util where it is missing; Node's own are never replaced. Must run
 * before tfjs-node is used: its compiled code calls `(0, util_1.isNullOrUndefined)(x)` on the CommonJS
 * export of node:util (tensorflow/tfjs#8609), so the functions go on that object.
 * @returns the names it added (none on Node 22 and earlier).
 */
export function provideLegacyNodeUtil(): string[] {
  const util = createRequire(import.meta.url)('node:util') as Record<string, unknown>;
  const added: string[] = [];
  for (const [name, fn] of Object.entries(LEGACY_UTIL)) {
    if (typeof util[name] === 'function') continue;
    Object.defineProperty(util, name, { value: fn, writable: true, configurable: true, enumerable: true });
    added.push(name);
  }
  return added;
}
