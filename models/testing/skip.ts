/** Tests that cannot run on this machine (a backend, a tool or a disk missing) are defined skipped, saying why. */

/** Defines a test as jest's `it` does: `define(title, body, timeout?)` and `define.each(table)(title, body, timeout?)`. */
export type TestDefiner = ((title: string, body: jest.ProvidesCallback, timeout?: number) => void) & {
  each: jest.Each;
};

/**
 * jest's `it` where `reason` is null; otherwise a function that defines every test skipped, with
 * ` (skipped: <reason>)` at the end of its title.
 */
export function itOrSkip(reason: string | null): TestDefiner {
  if (reason === null) return it;
  // A title is a format string for it.each: a % in the reason is written %%.
  const suffix = ` (skipped: ${reason.replace(/%/g, '%%')})`;
  const skip = (title: string, body: jest.ProvidesCallback, timeout?: number) => it.skip(title + suffix, body, timeout);
  const each =
    (...table: unknown[]) =>
    (title: string, body: jest.ProvidesCallback, timeout?: number) =>
      (it.skip.each as (...t: unknown[]) => (title: string, body: jest.ProvidesCallback, timeout?: number) => void)(
        ...table,
      )(title + suffix, body, timeout);
  return Object.assign(skip, { each: each as unknown as jest.Each });
}
