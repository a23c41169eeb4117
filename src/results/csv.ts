import { stringify } from 'csv-stringify/sync';

/** Significant digits of a fractional number in CSV: beyond the precision of any timing here, without float noise (15.600000000000001). */
export const CSV_DIGITS = 6;

/** A cell as written: a fractional number rounded to CSV_DIGITS significant digits; integers and text as they are. */
function cell(value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)
    ? Number(value.toPrecision(CSV_DIGITS))
    : value;
}

/**
 * CSV text of `rows` under a header of `columns`; null is an empty field, a fractional number has
 * CSV_DIGITS significant digits. A text cell that a spreadsheet would run as a formula (one starting
 * with = + - @, a tab or a carriage return) gets a leading apostrophe (csv-stringify's
 * escape_formulas); numbers such as -0.5 stay numbers.
 */
export function toCsv(columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return stringify(
    rows.map((row) => row.map(cell)),
    { header: true, columns: [...columns], escape_formulas: true },
  );
}
