import { Option } from 'commander';

/** An option whose default help shows plainly (64 128, not ["64","128"]); values stay strings, as typed. */
export function withDefault(flags: string, description: string, value: number | string | Array<number | string>): Option {
  const shown = Array.isArray(value) ? value.join(' ') : String(value);
  return new Option(flags, description).default(Array.isArray(value) ? value.map(String) : String(value), shown);
}
