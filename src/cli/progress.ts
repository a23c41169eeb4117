/** The progress `bsbr compare` shows on stderr while it runs: a bar on a terminal, else a line per case. */
import { Presets, SingleBar } from 'cli-progress';
import { ms } from '../reports/case_columns';
import { SweepProgress } from '../bench/progress';
import { CaseResult } from '../results/schema';

function label(c: { model: string; mode: string }, n: number): string {
  return `${c.model} ${c.mode} n=${n}`;
}

function outcome(row: CaseResult): string {
  return row.status === 'ok' ? `ok, median ${ms(row.median_ms)} ms` : `${row.status}: ${row.message}`;
}

/** A progress bar with the current case and an ETA (for a terminal). */
function progressBar(stream: NodeJS.WritableStream): SweepProgress {
  const bar = new SingleBar(
    {
      format: '{bar} {value}/{total} cases | ETA {eta_formatted} | {current}',
      stream,
    },
    Presets.shades_classic,
  );
  return {
    start: (total, done) => bar.start(total, done, { current: 'starting' }),
    caseStarted: (c) => bar.update({ current: label(c, c.seqLen) }),
    caseFinished: (row) => bar.increment(1, { current: `${label(row, row.seq_len)}: ${row.status}` }),
    stop: () => bar.stop(),
  };
}

/** One plain line per finished case (for logs, when stdout is not a terminal). */
function progressLines(stream: NodeJS.WritableStream): SweepProgress {
  let total = 0;
  let done = 0;
  return {
    start(all, already) {
      total = all;
      done = already;
      stream.write(`${all - already} of ${all} cases to run\n`);
    },
    caseStarted() {},
    caseFinished(row) {
      done += 1;
      stream.write(`[${done}/${total}] ${label(row, row.seq_len)}: ${outcome(row)}\n`);
    },
    stop() {},
  };
}

/** A bar on a terminal, plain lines otherwise; nothing with `quiet`. */
export function createProgress(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): SweepProgress {
  if (quiet) return { start() {}, caseStarted() {}, caseFinished() {}, stop() {} };
  return stream.isTTY ? progressBar(stream) : progressLines(stream);
}
