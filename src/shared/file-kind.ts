// What a path is when it is not a regular file: a reader refuses it (a device or a FIFO never ends, or blocks).
import type { Stats } from 'node:fs';

/** `a FIFO (named pipe)`, `a character device`...: what `stats` describe, or undefined for a regular file. */
export function specialFileKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'an unknown kind of file';
}
