import { stringify } from 'csv-stringify/sync';

/**
 * CSV text of `rows` under a header of `columns`; null is an empty field. A text cell that a
 * spreadsheet would run as a formula (one starting with = + - @, a tab or a carriage return) gets a
 * leading apostrophe (csv-stringify's escape_formulas); numbers such as -0.5 stay numbers.
 */
export function toCsv(columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return stringify(rows.map((row) => [...row]), { header: true, columns: [...columns], escape_formulas: true });
}
