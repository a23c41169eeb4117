/**
 * Where JSON.parse failed ("at position 7"), or '' where its message does not say. Never the
 * parser's whole message: V8 quotes the start of the text, and a file given by mistake (a key, a
 * password file) would be echoed to the terminal.
 */
export function jsonErrorPlace(err: unknown): string {
  const at = /position (\d+)/.exec((err as Error).message);
  return at ? `at position ${at[1]}` : '';
}
