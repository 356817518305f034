// The one ajv instance: all errors collected, defaults filled, schemas compiled once.
import { Ajv } from 'ajv';

let instance: Ajv | undefined;

/**
 * The shared ajv instance. `x-expected` (what a value should be) and `x-limit-hint` (said when a value
 * is above a limit) are annotations our error messages read.
 * NaN and infinities (`.nan`, `.inf` in YAML) are not numbers to it (strictNumbers).
 */
export function getAjv(): Ajv {
  instance ??= new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false, strictNumbers: true });
  return instance;
}
