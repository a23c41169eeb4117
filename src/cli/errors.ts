/** Bad input on the command line: printed as one line, exit code 2, nothing written. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of every bsbr command. */
export const EXIT = { ok: 0, regression: 1, usage: 2 } as const;
