/**
 * The table of evals/cpu_train.sh: per model, our training step and forward pass against the PyTorch
 * peer's, the ratio of each, and each side's training step over its forward, as the median over
 * rounds with the range; and the load averages seen before and after the runs.
 *   node dist/evals/cpu_train_table.js results/cpu-train
 */
import * as fs from 'fs';
import * as path from 'path';
import { readResults } from '../src/results/read';
import { ResultsFile } from '../src/results/schema';
import { loadLine, readPeer, spread } from './rounds';

type Mode = 'forward' | 'train';

interface Round {
  ours: ResultsFile;
  /** The peer's median ms by model and mode. */
  peer: Map<string, number>;
}

function ours(run: ResultsFile, model: string, mode: Mode): number {
  const row = run.cases.find((c) => c.model === model && c.mode === mode && c.status === 'ok');
  if (!row) throw new Error(`${run.run_id}: no ok ${mode} case of ${model}`);
  return row.median_ms!;
}

function main(dir: string): void {
  const rounds: Round[] = [];
  for (let r = 1; fs.existsSync(path.join(dir, `round${r}-peer.jsonl`)); r++) {
    rounds.push({
      ours: readResults(path.join(dir, `round${r}-ours`, 'results.json')),
      peer: readPeer(path.join(dir, `round${r}-peer.jsonl`), (line) => `${line.model} ${line.mode}`),
    });
  }
  if (rounds.length === 0) throw new Error(`${dir}: no finished round`);
  const env = rounds[0].ours.environment;
  const n = rounds[0].ours.sweep.seq_lengths[0];
  console.log(
    `${rounds.length} rounds at ${n} tokens; ours on wasm ${env.backend_version} with ${env.threads} threads; ${env.cpu_model} x${env.cpu_count}; Node ${env.node_version}`,
  );
  console.log('');
  console.log(
    '| model | ours train, ms | peer train, ms | train: ours / peer | ours forward, ms | peer forward, ms | forward: ours / peer | ours train / forward | peer train / forward |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const model of rounds[0].ours.sweep.models) {
    const get = (mode: Mode) => ({
      ours: rounds.map((r) => ours(r.ours, model, mode)),
      peer: rounds.map((r) => r.peer.get(`${model} ${mode}`)!),
    });
    const [train, forward] = [get('train'), get('forward')];
    const ratio = (a: number[], b: number[]) => spread(a.map((x, i) => x / b[i]));
    console.log(
      `| ${model} | ${spread(train.ours, 0)} | ${spread(train.peer, 0)} | ${ratio(train.ours, train.peer)} | ${spread(forward.ours, 0)} | ${spread(forward.peer, 0)} | ${ratio(forward.ours, forward.peer)} | ${ratio(train.ours, forward.ours)} | ${ratio(train.peer, forward.peer)} |`,
    );
  }
  console.log('');
  console.log(loadLine(dir, env.cpu_count));
}

main(process.argv[2] ?? 'results/cpu-train');
