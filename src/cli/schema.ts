// `distil-run schema`: the JSON Schema of specs with every registered component's params (for editors).
import { createRegistry, experimentSchemaText, writeOutputFile } from '../index.js';
import type { Command } from './command.js';
import type { Values } from './flags.js';

async function schema(_files: readonly string[], values: Values): Promise<number> {
  const text = experimentSchemaText(await createRegistry({ plugins: values.plugin }));
  if (values.out === undefined) process.stdout.write(text);
  else writeOutputFile(values.out, text);
  return 0;
}

export const schemaCommand: Command = {
  name: 'schema',
  usage: 'schema [--plugin P] [--out FILE]',
  summary: "the JSON Schema of specs with every component's params (for editors)",
  section: 'List and schema options',
  files: { min: 0, max: 0, expected: 'no files' },
  flags: {
    plugin: { help: 'load a plugin (repeatable): its components are listed, with their params' },
    out: { value: 'FILE', help: 'write the schema to FILE instead of stdout' },
  },
  run: schema,
};
