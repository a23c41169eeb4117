/** What `bsbr compare` shows while it runs and when it ends. */
import { Presets, SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import { CaseResult } from '../results/schema';
import { MB } from './limits';
import { PlannedCase } from './rows';

export interface SweepReporter {
  /** `done` of `total` cases already have rows (a resumed sweep). */
  start(total: number, done: number): void;
  caseStarted(c: PlannedCase): void;
  caseFinished(row: CaseResult): void;
  stop(): void;
}

function label(c: { model: string; mode: string }, n: number): string {
  return `${c.model} ${c.mode} n=${n}`;
}

function ms(value: number | null): string {
  return value === null ? '-' : value.toFixed(value < 10 ? 3 : 1);
}

function outcome(row: CaseResult): string {
  return row.status === 'ok' ? `ok, median ${ms(row.median_ms)} ms` : `${row.status}: ${row.message}`;
}

/** A progress bar with the current case and an ETA (for a terminal). */
function barReporter(stream: NodeJS.WritableStream): SweepReporter {
  const bar = new SingleBar({
    format: '{bar} {value}/{total} cases | ETA {eta_formatted} | {current}',
    stream,
  }, Presets.shades_classic);
  return {
    start: (total, done) => bar.start(total, done, { current: 'starting' }),
    caseStarted: (c) => bar.update({ current: label(c, c.seqLen) }),
    caseFinished: (row) => bar.increment(1, { current: `${label(row, row.seq_len)}: ${row.status}` }),
    stop: () => bar.stop(),
  };
}

/** One plain line per finished case (for logs, when stdout is not a terminal). */
function lineReporter(stream: NodeJS.WritableStream): SweepReporter {
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

/** A bar on a terminal, plain lines otherwise. */
export function createReporter(stream: NodeJS.WriteStream = process.stdout): SweepReporter {
  return stream.isTTY ? barReporter(stream) : lineReporter(stream);
}

function fixed(value: number | null, digits: number): string {
  return value === null ? '-' : value.toFixed(digits);
}

function megabytes(bytes: number | null): string {
  return bytes === null ? '-' : (bytes / MB).toFixed(1);
}

/** The end-of-run table of every case, then the message of each case that is not ok. */
export function summaryTable(rows: readonly CaseResult[]): string {
  const table = new Table({
    head: ['model', 'mode', 'n', 'status', 'median ms', 'tok/s', 'GFLOP/s', 'peak tensor MB', 'peak RSS MB', 'params'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of rows) {
    table.push([r.model, r.mode, r.seq_len, r.status, ms(r.median_ms), fixed(r.tokens_per_s, 0), fixed(r.gflops_per_s, 2),
      megabytes(r.peak_tensor_bytes), megabytes(r.peak_rss_bytes), r.params]);
  }
  const notes = rows.filter((r) => r.status !== 'ok' || r.message).map((r) => `${label(r, r.seq_len)}: ${r.status}: ${r.message}`);
  return [table.toString(), ...notes].join('\n');
}
