// The one ajv instance: all errors collected, defaults filled, schemas compiled once.
import { Ajv } from 'ajv';

let instance: Ajv | undefined;

/**
 * The shared ajv instance. `x-expected` (what a value should be), `x-limit-hint` (said when a value
 * is above a limit) and `x-item` (what one item of a list is called) are annotations our error messages read.
 * NaN and infinities (`.nan`, `.inf` in YAML) are not numbers to it (strictNumbers).
 */
export function getAjv(): Ajv {
  instance ??= new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false, strictNumbers: true });
  return instance;
}
