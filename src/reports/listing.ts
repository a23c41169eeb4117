/** A command's single table in any --format: columns for a terminal and markdown, plain records for JSON and CSV. */
import { toCsv } from '../results/csv';
import { Format } from './output_format';
import { Column, markdownTable, outputWidth, textTable, wrapLine } from './table';

/** A record's values: plain values, or an object (JSON keeps it; a CSV cell is its JSON text). */
export type ListingRecord = Record<string, string | number | boolean | null | object>;

/** `remarks` are lines under the table (text and markdown only). */
export function formatListing<T>(
  columns: readonly Column<T>[],
  rows: readonly T[],
  format: Format,
  record: (row: T) => ListingRecord,
  remarks: readonly string[] = [],
): string {
  if (format === 'json') return JSON.stringify(rows.map(record), null, 2);
  if (format === 'csv') {
    const records = rows.map(record);
    const keys = records.length > 0 ? Object.keys(records[0]) : [];
    return toCsv(
      keys,
      records.map((r) => keys.map((k) => r[k])),
    ).trimEnd();
  }
  if (format === 'markdown')
    return [markdownTable(columns, rows), ...(remarks.length ? ['', ...remarks] : [])].join('\n');
  const width = outputWidth();
  const table = textTable(columns, rows, width);
  const dropped = table.dropped.length
    ? [`(left out at ${width} columns: ${table.dropped.join(', ')}; --format markdown has every column)`]
    : [];
  return [
    table.text,
    ...[...dropped, ...(remarks.length ? ['', ...remarks] : [])].map((line) => wrapLine('', line, width)),
  ].join('\n');
}
