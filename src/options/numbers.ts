/**
 * How every numeric option is read: decimal text only (no hex, no empty string, no 'Infinity'), the
 * same for every option and for a value stored in a run being resumed.
 */
import { UsageError } from './usage_error';

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A decimal number (any sign, fraction or exponent) as typed for `option`. */
export function parseNumber(option: string, value: string): number {
  const text = String(value).trim();
  if (!NUMBER.test(text) || !Number.isFinite(Number(text)))
    throw new UsageError(option, `${option}: '${value}' is not a number`);
  return Number(text);
}

/** A decimal integer >= min; `what` says which in the message ('a positive integer'). */
export function parseInteger(option: string, value: string, min: number, what: string): number {
  const text = String(value).trim();
  if (!INTEGER.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new UsageError(option, `${option}: '${value}' is not ${what}`);
  }
  return Number(text);
}

export const parsePositiveInteger = (option: string, value: string): number =>
  parseInteger(option, value, 1, 'a positive integer');

export function parsePositiveNumber(option: string, value: string): number {
  const text = String(value).trim();
  if (!NUMBER.test(text) || !(Number(text) > 0) || !Number.isFinite(Number(text))) {
    throw new UsageError(option, `${option}: '${value}' is not a positive number`);
  }
  return Number(text);
}

/** `value` as read for `option`, refused outside [min, max] (every count and time has a bound; docs/measurement.md). */
export function within(option: string, value: number, min: number, max: number): number {
  if (!(value >= min && value <= max)) throw new UsageError(option, `${option}: ${value} is outside [${min}, ${max}]`);
  return value;
}

/** A list option with nothing in it (`--models ""`): refused, as its run could not be resumed. */
export function nonEmpty<T>(option: string, values: T[]): T[] {
  if (values.length === 0) throw new UsageError(option, `${option}: no value given (an empty list)`);
  return values;
}
