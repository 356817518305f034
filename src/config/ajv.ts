// The one ajv instance: all errors collected, defaults filled, schemas compiled once.
import { Ajv } from 'ajv';

let instance: Ajv | undefined;

/** The shared ajv instance. `x-expected` is an annotation our error messages read. */
export function getAjv(): Ajv {
  instance ??= new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false });
  return instance;
}
