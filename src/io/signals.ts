import * as os from 'os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof SIGNALS)[number];

const cleanups = new Set<(signal: StopSignal) => void>();
let handling = false;
let ignoring = false;

/** Runs `cleanup` if a signal ends the process before the returned function is called. */
export function onInterrupt(cleanup: (signal: StopSignal) => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * From now on SIGINT, SIGTERM and SIGHUP end the process with exit code 128 + the signal's number,
 * after the cleanups registered with onInterrupt (newest first). JavaScript takes a signal between
 * two of its steps, so a synchronous write in progress (an atomic write and its rename) is never cut short.
 */
export function exitOnSignals(): void {
  if (handling) return;
  handling = true;
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      for (const cleanup of [...cleanups].reverse()) cleanup(signal);
      process.exit(128 + os.constants.signals[signal]);
    });
  }
}

/** A closed stdout or stderr (`bsbr compare | head -1`) must not stop the work: their write errors are dropped. */
export function ignoreClosedOutput(): void {
  if (ignoring) return;
  ignoring = true;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}
