import { InputError } from '../../models/errors';

/** A file or folder (its path in `field`) that cannot be read or written: one line, exit 2. */
export class FileError extends InputError {}

/** "no space left on device (ENOSPC)" from Node's "ENOSPC: no space left on device, write". */
export function describeSystemError(err: unknown): string {
  const { code, message } = err as NodeJS.ErrnoException;
  const match = /^E[A-Z]+: (.*?)(, \w+\b.*)?$/.exec(message ?? '');
  return code && match ? `${match[1]} (${code})` : String(message ?? err);
}
