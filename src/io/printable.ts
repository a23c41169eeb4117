/**
 * Text from files (results.json, a safetensors header, a lock) reaches the terminal only through
 * these: every control character (C0, DEL, C1), the line and paragraph separators and the
 * bidirectional overrides are shown as a \uXXXX escape, so a file cannot move the cursor, set the
 * title, clear the screen, overwrite a line or reorder one (docs/measurement.md, "What is printed").
 */
const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const CONTROL_BUT_LINES = /[^\P{Cc}\n\t]|[\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const escape = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One value (a name, a cell, a line): every control character escaped, newlines and tabs too. */
export function printable(value: string): string {
  return value.replace(CONTROL, escape);
}

/** A whole output of several lines: as printable, but its own newlines and tabs kept. */
export function printableText(text: string): string {
  return text.replace(CONTROL_BUT_LINES, escape);
}
