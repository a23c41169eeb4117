/** The run could not go on for a reason that is not the user's input (the calibration worker crashed): one line, exit 1. */
export class RunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunError';
  }
}
