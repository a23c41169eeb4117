/**
 * What the tables of the CPU benchmarks that repeat in rounds (evals/cpu_threads.sh,
 * evals/cpu_train.sh) read and print alike: the peer's medians of a round, a median over rounds with
 * its range, and the load averages the scripts record in load.txt.
 */
import * as fs from 'fs';
import * as path from 'path';
import { summarize } from '../src/results/stats';

/** One line of the peer's output in a round's round<r>-peer.jsonl. */
export interface PeerLine {
  model: string;
  mode?: string;
  median_ms?: number;
  error?: string;
}

/** The peer's median ms of each line of `file`, under `key` of that line; a line with an error stops the table. */
export function readPeer(file: string, key: (line: PeerLine) => string): Map<string, number> {
  const rows = fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as PeerLine);
  return new Map(
    rows.map((r) => {
      if (r.median_ms === undefined) throw new Error(`${file}: ${key(r)}: ${r.error}`);
      return [key(r), r.median_ms];
    }),
  );
}

/** "1.23 [1.10-1.31]": the median over rounds and the range. */
export function spread(values: number[], digits = 2): string {
  const s = summarize(values);
  return `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}-${s.max.toFixed(digits)}]`;
}

/** The line on the 1-minute load averages in `dir`/load.txt (one before and one after each run). */
export function loadLine(dir: string, cores: number): string {
  const loads = fs
    .readFileSync(path.join(dir, 'load.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => Number(line.split(' ')[2]));
  return `1-minute load average before and after each of the ${loads.length / 2} runs: ${spread(loads, 1)} (median [min-max]) on ${cores} cores`;
}
