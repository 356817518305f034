// `distil-run --help`: the usage and option sections, made from the commands' own tables.
import { getVersion } from '../index.js';
import type { Command } from './command.js';
import { FLAGS } from './flags.js';
import type { FlagName } from './flags.js';

/** Where a line's words start after its left column: usage lines and flag lines align here when they fit. */
const USAGE_COLUMN = 44;
const FLAG_COLUMN = 22;

function columns(left: string, right: readonly string[], width: number): string[] {
  const first = left.length + 2 <= width ? `${left.padEnd(width)}${right[0]}` : `${left}  ${right[0]}`;
  return [first, ...right.slice(1).map((line) => `${' '.repeat(width)}${line}`)];
}

/** One flag's line (and continuation lines) as a section lists it. */
function flagLines(name: FlagName, value: string | undefined, help: string | readonly string[]): string[] {
  const placeholder = value ?? ('value' in FLAGS[name] ? FLAGS[name].value : undefined);
  const left = `  --${name}${placeholder ? ` ${placeholder}` : ''}`;
  return columns(left, typeof help === 'string' ? [help] : help, FLAG_COLUMN);
}

/** The commands' sections in order, each listing every flag its commands read once (the first description wins). */
function sections(commands: readonly Command[]): string[] {
  const order: string[] = [];
  const flags = new Map<string, Map<FlagName, string[]>>();
  for (const command of commands) {
    if (!flags.has(command.section)) {
      order.push(command.section);
      flags.set(command.section, new Map());
    }
    const section = flags.get(command.section)!;
    for (const [name, help] of Object.entries(command.flags) as Array<
      [FlagName, NonNullable<Command['flags'][FlagName]>]
    >) {
      if (!section.has(name)) section.set(name, flagLines(name, help.value, help.help));
    }
  }
  const titled = (title: string) =>
    `${title} (${commands
      .filter((c) => c.section === title)
      .map((c) => c.name)
      .join(', ')})`;
  return order
    .filter((title) => flags.get(title)!.size > 0)
    .flatMap((title) => ['', titled(title), ...[...flags.get(title)!.values()].flat()]);
}

/** The whole help text: what distil-run is, one usage line per command, the flags by section, the exit codes. */
export function helpText(commands: readonly Command[]): string {
  return [
    `distil-run ${getVersion()}: knowledge-distillation experiments from YAML`,
    '',
    'Usage',
    ...commands.flatMap((command) => columns(`  distil-run ${command.usage}`, [command.summary], USAGE_COLUMN)),
    ...sections(commands),
    '',
    'Exit codes: 0 done, 1 a run or comparison failed, 2 invalid input, 130 interrupted (143 SIGTERM, 129 SIGHUP).',
  ].join('\n');
}
