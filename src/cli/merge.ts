import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { checkNewOut, runStamp } from '../bench/options';
import { claimNewFolder } from '../bench/run_folder';
import { RESULTS_CSV, RESULTS_JSON, writeResults } from '../results/write';
import { mergeShards } from '../merge/merge_runs';
import { parseResults, readResults } from '../results/read';
import { ResultsFile, ShardRun } from '../results/schema';
import { formatListing } from '../reports/listing';
import { Column } from '../reports/table';
import { addOutputOptions, noticeWriter, OutputOptions, printLine, printResult } from './output';

interface MergeOptions extends OutputOptions {
  out: string;
  allowPartial?: boolean;
}

/** A merged shard and how many of the merged run's cases it gave. */
interface MergedShard {
  run: ShardRun;
  cases: number;
}

const COLUMNS: readonly Column<MergedShard>[] = [
  { head: 'shard', text: (s) => `${s.run.shard.index}/${s.run.shard.count}` },
  { head: 'cases', text: (s) => String(s.cases), align: 'right' },
  { head: 'backend', text: (s) => s.run.environment.backend },
  { head: 'run id', text: (s) => s.run.run_id, wrap: true },
];

/**
 * Writes a finished run (bsbr merge's) into a new folder: claimed and locked like compare's --out
 * (a folder holding anything is refused), written atomically; on failure a folder it made is removed.
 */
function createOutput(out: string, results: ResultsFile): void {
  const existed = fs.existsSync(out);
  const folder = claimNewFolder(out);
  try {
    writeResults(folder.dir, results);
  } catch (err) {
    folder.release();
    if (!existed) fs.rmSync(folder.dir, { recursive: true, force: true });
    throw err;
  }
  folder.release();
}

function merge(dirs: string[], options: MergeOptions): void {
  const runs = dirs.map((dir) => ({ dir, results: readResults(path.join(dir, RESULTS_JSON)) }));
  checkNewOut(options.out, 'choose another --out');
  const now = new Date();
  const { results, warnings } = mergeShards(runs, {
    allowPartial: options.allowPartial === true, runId: `${runStamp(now)}-merged`, command: ['bsbr', ...process.argv.slice(2)], now,
  });
  // Checked as every reader will check it, before anything is written.
  parseResults(JSON.stringify(results), path.join(options.out, RESULTS_JSON));
  createOutput(options.out, results);
  for (const warning of warnings) printLine(`bsbr: warning: ${warning}`);
  const shards = results.shards!.map((run) => ({ run, cases: results.cases.filter((c) => c.run_id === run.run_id).length }));
  printResult(formatListing(COLUMNS, shards, options.format, (s) => ({
    shard: `${s.run.shard.index}/${s.run.shard.count}`, cases: s.cases, backend: s.run.environment.backend, run_id: s.run.run_id,
  })));
  noticeWriter(options)(`merged ${shards.length} shards, ${results.cases.length} cases: ${path.join(options.out, RESULTS_JSON)} and ${path.join(options.out, RESULTS_CSV)}`);
}

/** `bsbr merge`: join the run folders of `bsbr compare --shard` into one run. */
export function registerMerge(program: Command): void {
  const command = program
    .command('merge')
    .description('join the folders of a sharded sweep (bsbr compare --shard i/n) into one run that analyze and regress read; refuses (exit 2) shards of different sweeps, a shard or case given twice, and a missing shard')
    .argument('<dir...>', 'the shard folders, each holding a results.json')
    .requiredOption('--out <dir>', 'the folder for the merged results.json and results.csv (required)')
    .option('--allow-partial', 'merge even when shards are missing or unfinished (their cases are left out, with a warning)');
  addOutputOptions(command, 'one row per merged shard').action(merge);
}
