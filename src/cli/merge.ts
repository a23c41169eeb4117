import * as path from 'path';
import { Command } from 'commander';
import { checkNewOut, runStamp } from '../bench/options';
import { createOutput } from '../bench/run';
import { RESULTS_CSV, RESULTS_JSON } from '../bench/write';
import { mergeShards } from '../merge/merge_runs';
import { readResults } from '../results/read';

interface MergeOptions {
  out: string;
  allowPartial?: boolean;
}

function merge(dirs: string[], options: MergeOptions): void {
  const runs = dirs.map((dir) => ({ dir, results: readResults(path.join(dir, RESULTS_JSON)) }));
  checkNewOut(options.out, 'choose another --out');
  const now = new Date();
  const { results, warnings } = mergeShards(runs, {
    allowPartial: options.allowPartial === true, runId: `${runStamp(now)}-merged`, command: ['bsbr', ...process.argv.slice(2)], now,
  });
  createOutput(options.out, results);
  for (const warning of warnings) console.error(`bsbr: warning: ${warning}`);
  console.log(`merged ${results.shards!.length} shards, ${results.cases.length} cases: ${path.join(options.out, RESULTS_JSON)} and ${path.join(options.out, RESULTS_CSV)}`);
}

/** `bsbr merge`: join the run folders of `bsbr compare --shard` into one run. */
export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('join the folders of a sharded sweep (bsbr compare --shard i/n) into one run that analyze and regress read; refuses (exit 2) shards of different sweeps, a shard or case given twice, and a missing shard')
    .argument('<dir...>', 'the shard folders, each holding a results.json')
    .requiredOption('--out <dir>', 'the folder for the merged results.json and results.csv')
    .option('--allow-partial', 'merge even when shards are missing or unfinished (their cases are left out, with a warning)')
    .action(merge);
}
