import { InputError } from '../../models/errors';

/** A command-line option (its flag in `field`, such as '--out') with a value that cannot be used. */
export class UsageError extends InputError {}

/** The flag of an option by its camelCase key: '--hidden-dim' for hiddenDim. */
export function flag(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
