// Text from a user's files as it can be printed to a terminal: control and bidirectional characters escaped, long keys shortened.

const KEY_SHOWN = 60;
const PLAIN_KEY = /^[\x20-\x7e]*$/;

/**
 * Text from a spec as it can be printed to a terminal: control characters, line separators and
 * bidirectional overrides (which could reorder what the user sees) escaped as `\uXXXX`.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Control characters are what this pattern is for.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** A key or name from a spec as it can be printed: escaped (see {@link printable}), long ones shortened. */
export function printableKey(key: string): string {
  if (key.length <= KEY_SHOWN && PLAIN_KEY.test(key)) return key;
  const escaped = printable(key).replace(/[\t\n]/g, (c) => (c === '\t' ? '\\t' : '\\n'));
  return escaped.length > KEY_SHOWN ? `${escaped.slice(0, KEY_SHOWN - 3)}...` : escaped;
}
