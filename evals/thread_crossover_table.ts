/**
 * The table of evals/thread_crossover.sh: per (model, length) case, its FLOPs, its median time on one
 * thread and on every core (each the median over rounds) and the ratio one-thread / every-core per
 * round (median [min-max]): above 1, the threads pay.
 *   node dist/evals/thread_crossover_table.js results/thread-crossover
 */
import * as fs from 'fs';
import * as path from 'path';
import { summarize } from '../src/results/stats';
import { readResults } from '../src/results/read';
import { CaseResult, ResultsFile } from '../src/results/schema';

function okMedian(run: ResultsFile, c: CaseResult): number | null {
  const row = run.cases.find((r) => r.model === c.model && r.mode === c.mode && r.seq_len === c.seq_len);
  return row && row.status === 'ok' ? row.median_ms : null;
}

/** The finished rounds of one length: the one-thread and every-core runs, paired. */
function rounds(dir: string, n: string): { single: ResultsFile[]; cores: ResultsFile[] } {
  const single: ResultsFile[] = [];
  const cores: ResultsFile[] = [];
  for (let r = 1; fs.existsSync(path.join(dir, `n${n}-round${r}-cores`, 'results.json')); r++) {
    single.push(readResults(path.join(dir, `n${n}-round${r}-single`, 'results.json')));
    cores.push(readResults(path.join(dir, `n${n}-round${r}-cores`, 'results.json')));
  }
  return { single, cores };
}

function main(dir: string): void {
  const lengths = [
    ...new Set(
      fs
        .readdirSync(dir)
        .map((name) => /^n(\d+)-round/.exec(name)?.[1])
        .filter((n): n is string => n !== undefined),
    ),
  ].sort((a, b) => Number(a) - Number(b));
  const first = lengths.map((n) => rounds(dir, n)).find((r) => r.cores.length > 0);
  if (first === undefined) throw new Error(`${dir}: no finished round`);
  const env = first.cores[0].environment;
  console.log(
    `wasm ${env.backend_version}, 1 thread against ${env.threads}; ${env.cpu_model} x${env.cpu_count}; Node ${env.node_version}`,
  );
  console.log('');
  console.log(
    `| model | n | MFLOP | rounds | 1 thread, ms | ${env.threads} threads, ms | 1 thread / ${env.threads} threads |`,
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of lengths) table(rounds(dir, n));
  console.log('');
  console.log(fs.readFileSync(path.join(dir, 'load.txt'), 'utf8').trim());
}

function table({ single, cores }: { single: ResultsFile[]; cores: ResultsFile[] }): void {
  if (cores.length === 0) return;
  for (const c of cores[0].cases) {
    const pairs = single
      .map((s, i) => [okMedian(s, c), okMedian(cores[i], c)])
      .filter((p): p is [number, number] => p[0] !== null && p[1] !== null);
    if (pairs.length === 0) continue;
    const one = summarize(pairs.map((p) => p[0])).median;
    const all = summarize(pairs.map((p) => p[1])).median;
    const ratio = summarize(pairs.map((p) => p[0] / p[1]));
    const mflop = c.flops === null ? '-' : (c.flops / 1e6).toFixed(0);
    console.log(
      `| ${c.model} | ${c.seq_len} | ${mflop} | ${pairs.length} | ${one.toFixed(2)} | ${all.toFixed(2)} | ${ratio.median.toFixed(2)} [${ratio.min.toFixed(2)}-${ratio.max.toFixed(2)}] |`,
    );
  }
}

main(process.argv[2] ?? 'results/thread-crossover');
