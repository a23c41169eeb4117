/**
 * Tables as text for a terminal (fitted to a width: low-priority columns dropped, one column
 * wrapped), as GitHub markdown, and as HTML, all from one list of typed columns.
 */
import { printable } from '../io/printable';
import { largest } from '../results/stats';

export interface Column<T> {
  head: string;
  text: (row: T) => string;
  /** Numbers are right-aligned. */
  align?: 'left' | 'right';
  /** Dropped when the text table is too wide, the highest number first; never dropped when absent. */
  drop?: number;
  /** The column whose cells wrap (at spaces) when the table is still too wide after the drops. */
  wrap?: boolean;
}

/** The width a text table must fit: the terminal's, else 80 columns. */
export function outputWidth(stream: NodeJS.WriteStream = process.stdout): number {
  return stream.isTTY && stream.columns ? stream.columns : 80;
}

const GAP = '  ';
/** A wrapped column keeps at least this many characters, and at least its longest word. */
const MIN_WRAP = 12;

/** Splits text into lines of at most `width` characters at spaces (a longer word stays whole). */
function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

/** A line of text as lines of at most `width` characters; continuation lines indented as far as `prefix` is long. */
export function wrapLine(prefix: string, text: string, width: number): string {
  const [first, ...rest] = wrapText(text, Math.max(MIN_WRAP, width - prefix.length));
  return [prefix + first, ...rest.map((line) => ' '.repeat(prefix.length) + line)].join('\n');
}

export interface TextTable {
  text: string;
  /** The heads of the columns left out to fit the width. */
  dropped: string[];
}

/**
 * A plain table: heads, a rule, one line per row (more where a cell wraps), columns two spaces
 * apart, no line longer than `width` unless even the kept columns cannot fit.
 */
export function textTable<T>(columns: readonly Column<T>[], rows: readonly T[], width: number): TextTable {
  let kept = [...columns];
  const cells = (cols: readonly Column<T>[]) => rows.map((row) => cols.map((c) => printable(c.text(row))));
  const widths = (cols: readonly Column<T>[]) => {
    const all = cells(cols);
    return cols.map((c, i) =>
      largest(
        all.map((r) => r[i].length),
        c.head.length,
      ),
    );
  };
  const total = (w: number[]) => w.reduce((a, b) => a + b, 0) + GAP.length * (w.length - 1);
  const wrapIndex = () => kept.findIndex((c) => c.wrap);
  const narrowest = (col: number) =>
    largest(
      rows.flatMap((row) =>
        printable(kept[col].text(row))
          .split(' ')
          .map((word) => word.length),
      ),
      Math.max(MIN_WRAP, kept[col].head.length),
    );
  // Drop while even the narrowest wrap cannot make it fit.
  const fits = () => {
    const w = widths(kept);
    const i = wrapIndex();
    if (i >= 0) w[i] = Math.min(w[i], narrowest(i));
    return total(w) <= width;
  };
  while (!fits()) {
    const droppable = kept.filter((c) => c.drop !== undefined);
    if (droppable.length === 0) break;
    const victim = droppable.reduce((a, b) => (b.drop! > a.drop! ? b : a));
    kept = kept.filter((c) => c !== victim);
  }
  const w = widths(kept);
  const i = wrapIndex();
  if (i >= 0 && total(w) > width) w[i] = Math.max(narrowest(i), w[i] - (total(w) - width));
  const pad = (text: string, col: number) =>
    kept[col].align === 'right' ? text.padStart(w[col]) : text.padEnd(w[col]);
  const line = (values: string[]) => values.map(pad).join(GAP).trimEnd();
  const body = cells(kept).flatMap((values) => {
    const wrapped = values.map((v, col) => (col === i ? wrapText(v, w[col]) : [v]));
    const height = Math.max(...wrapped.map((lines) => lines.length));
    return Array.from({ length: height }, (_, k) => line(wrapped.map((lines) => lines[k] ?? '')));
  });
  const text = [line(kept.map((c) => c.head)), w.map((n) => '-'.repeat(n)).join(GAP), ...body].join('\n');
  return { text, dropped: columns.filter((c) => !kept.includes(c)).map((c) => c.head) };
}

/**
 * A markdown cell: HTML escaped (a job summary renders it), control characters shown, pipes
 * escaped so that a value cannot break the row.
 */
function markdownCell(text: string): string {
  return printable(escapeHtml(text)).replace(/\|/g, '\\|');
}

/** A GitHub markdown table with every column. */
export function markdownTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const line = (values: string[]) => `| ${values.map(markdownCell).join(' | ')} |`;
  return [
    line(columns.map((c) => c.head)),
    line(columns.map((c) => (c.align === 'right' ? '---:' : '---'))),
    ...rows.map((row) => line(columns.map((c) => c.text(row)))),
  ].join('\n');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An HTML table with every column; `rowClass` may mark rows (warnings). */
export function htmlTable<T>(
  columns: readonly Column<T>[],
  rows: readonly T[],
  rowClass: (row: T) => string = () => '',
): string {
  const cell = (tag: string, c: Column<T>, text: string) =>
    `<${tag}${c.align === 'right' ? ' class="num"' : ''}>${escapeHtml(text)}</${tag}>`;
  const head = `<tr>${columns.map((c) => cell('th', c, c.head)).join('')}</tr>`;
  const body = rows.map((row) => {
    const cls = rowClass(row);
    return `<tr${cls ? ` class="${cls}"` : ''}>${columns.map((c) => cell('td', c, c.text(row))).join('')}</tr>`;
  });
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}
