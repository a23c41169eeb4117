/** Reads back the tables of src/reports/table.ts's textTable in tests, cell by cell (columns from the rule line). */

/**
 * The rows of the first text table whose heading line starts with `firstHead`, as records by column
 * head; the table ends at a blank line or a line that does not start with a cell.
 */
export function readTextTable(text: string, firstHead: string): Record<string, string>[] {
  const lines = text.split('\n');
  const at = lines.findIndex((line, i) => line.startsWith(firstHead) && /^[- ]+$/.test(lines[i + 1] ?? ''));
  if (at < 0) throw new Error(`no table headed '${firstHead}' in:\n${text}`);
  const spans = [...lines[at + 1].matchAll(/-+/g)].map((m) => [m.index!, m.index! + m[0].length] as const);
  const cells = (line: string) =>
    spans.map(([start, end], i) => line.slice(start, i === spans.length - 1 ? undefined : end).trim());
  const heads = cells(lines[at]);
  const body: Record<string, string>[] = [];
  for (const line of lines.slice(at + 2)) {
    if (line.trim() === '' || /^[!(]/.test(line)) break;
    const values = cells(line);
    body.push(Object.fromEntries(heads.map((h, i) => [h, values[i]])));
  }
  return body;
}
