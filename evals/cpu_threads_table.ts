/**
 * The table of evals/cpu_threads.sh: per model, ours on every core against the PyTorch peer, and our
 * speed-up from threads, each as the median over rounds with the range; the same speed-up of the
 * calibration matmul; and the load averages seen before and after the runs.
 *   node dist/evals/cpu_threads_table.js results/cpu-threads
 */
import * as fs from 'fs';
import * as path from 'path';
import { readResults } from '../src/results/read';
import { ResultsFile } from '../src/results/schema';
import { loadLine, readPeer, spread } from './rounds';

interface Round {
  threaded: ResultsFile;
  single: ResultsFile;
  /** The peer's median ms by model. */
  peer: Map<string, number>;
}

function median(run: ResultsFile, model: string): number {
  const row = run.cases.find((c) => c.model === model && c.status === 'ok');
  if (!row) throw new Error(`${run.run_id}: no ok case of ${model}`);
  return row.median_ms!;
}

function main(dir: string): void {
  const rounds: Round[] = [];
  for (let r = 1; fs.existsSync(path.join(dir, `round${r}-peer.jsonl`)); r++) {
    rounds.push({
      threaded: readResults(path.join(dir, `round${r}-ours-threaded`, 'results.json')),
      single: readResults(path.join(dir, `round${r}-ours-single`, 'results.json')),
      peer: readPeer(path.join(dir, `round${r}-peer.jsonl`), (line) => line.model),
    });
  }
  if (rounds.length === 0) throw new Error(`${dir}: no finished round`);
  const threads = rounds[0].threaded.environment.threads;
  const env = rounds[0].threaded.environment;
  console.log(
    `${rounds.length} rounds; ours on wasm ${env.backend_version} with ${threads} threads and with 1; ${env.cpu_model} x${env.cpu_count}; Node ${env.node_version}`,
  );
  console.log('');
  console.log(
    `| model | ours, ${threads} threads, ms | peer, ms | ours / peer | ours, 1 thread, ms | speed-up from threads |`,
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const model of rounds[0].threaded.sweep.models) {
    const ours = rounds.map((r) => median(r.threaded, model));
    const peer = rounds.map((r) => r.peer.get(model)!);
    const single = rounds.map((r) => median(r.single, model));
    console.log(
      `| ${model} | ${spread(ours, 0)} | ${spread(peer, 0)} | ${spread(ours.map((x, i) => x / peer[i]))} | ${spread(single, 0)} | ${spread(single.map((x, i) => x / ours[i]))} |`,
    );
  }
  const cal = (run: ResultsFile) => run.calibration!.median_ms;
  const calThreaded = rounds.map((r) => cal(r.threaded));
  const calSingle = rounds.map((r) => cal(r.single));
  console.log(
    `| calibration matmul 1024^3 | ${spread(calThreaded, 1)} | | | ${spread(calSingle, 1)} | ${spread(calSingle.map((x, i) => x / calThreaded[i]))} |`,
  );
  console.log('');
  console.log(loadLine(dir, env.cpu_count));
}

main(process.argv[2] ?? 'results/cpu-threads');
