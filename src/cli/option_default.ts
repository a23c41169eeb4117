import { Option } from 'commander';

/**
 * An option whose help shows its default plainly (64 128, not ["64","128"]). The default is not
 * filled in: an option not typed stays undefined, and src/options/defaults.ts fills it once.
 */
export function withDefault(
  flags: string,
  description: string,
  value: number | string | boolean | readonly (number | string)[],
): Option {
  const shown = Array.isArray(value) ? value.join(' ') : String(value);
  return new Option(flags, `${description} (default: ${shown})`);
}
