/**
 * The base of every error that means the caller's input was wrong (a config field, a weight, a
 * backend name, a command-line option, a file): it names what was wrong in `field`. The command line
 * prints such an error as one line and exits 2.
 */
export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The first line of an error's message (of the value itself if it is not an Error): what a one-line report shows. */
export function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}
