import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { checkNewOut, runStamp } from '../bench/options';
import { claimNewFolder } from '../bench/run_folder';
import { RESULTS_CSV, RESULTS_JSON, writeResults } from '../results/write';
import { mergeShards } from '../merge/merge_runs';
import { mergeRecallShards } from '../merge/merge_recall';
import { parseResults, readResults } from '../results/read';
import { checkRecallResults, isRecallRun, readRecallResults } from '../results/recall_read';
import { writeRecallResults } from '../results/recall_write';
import { ShardRun } from '../results/schema';
import { formatListing } from '../reports/listing';
import { Column } from '../reports/table';
import { addOutputOptions, noticeWriter, OutputOptions, printLine, printResult } from './output';

interface MergeOptions extends OutputOptions {
  out: string;
  allowPartial?: boolean;
}

/** A merged shard and how many of the merged run's cases it gave. */
interface MergedShard {
  run: Pick<ShardRun, 'shard' | 'run_id' | 'environment'>;
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
function createOutput(out: string, write: (dir: string) => void): void {
  const existed = fs.existsSync(out);
  const folder = claimNewFolder(out);
  try {
    write(folder.dir);
  } catch (err) {
    folder.release();
    if (!existed) fs.rmSync(folder.dir, { recursive: true, force: true });
    throw err;
  }
  folder.release();
}

/** The warnings, a row per merged shard on stdout, and where the run went. */
function printMerged(
  runs: readonly MergedShard['run'][],
  cases: ReadonlyArray<{ run_id: string }>,
  warnings: readonly string[],
  options: MergeOptions,
): void {
  for (const warning of warnings) printLine(`bsbr: warning: ${warning}`);
  const shards = runs.map((run) => ({ run, cases: cases.filter((c) => c.run_id === run.run_id).length }));
  printResult(
    formatListing(COLUMNS, shards, options.format, (s) => ({
      shard: `${s.run.shard.index}/${s.run.shard.count}`,
      cases: s.cases,
      backend: s.run.environment.backend,
      run_id: s.run.run_id,
    })),
  );
  noticeWriter(options)(
    `merged ${shards.length} shards, ${cases.length} cases: ${path.join(options.out, RESULTS_JSON)} and ${path.join(options.out, RESULTS_CSV)}`,
  );
}

/** Shards of `bsbr recall`: their merged run, with a row per shard like compare's. */
function mergeRecall(dirs: string[], options: MergeOptions): void {
  const runs = dirs.map((dir) => ({ dir, results: readRecallResults(path.join(dir, RESULTS_JSON)) }));
  checkNewOut(options.out, 'choose another --out');
  const now = new Date();
  const { results, warnings } = mergeRecallShards(runs, {
    allowPartial: options.allowPartial === true,
    runId: `${runStamp(now)}-merged`,
    command: ['bsbr', ...process.argv.slice(2)],
    now,
  });
  // Checked as every reader will check it, before anything is written.
  checkRecallResults(JSON.parse(JSON.stringify(results)), path.join(options.out, RESULTS_JSON));
  createOutput(options.out, (dir) => writeRecallResults(dir, results));
  printMerged(results.shards!, results.cases, warnings, options);
}

function merge(dirs: string[], options: MergeOptions): void {
  if (dirs.every((dir) => isRecallRun(path.join(dir, RESULTS_JSON)))) return mergeRecall(dirs, options);
  const runs = dirs.map((dir) => ({ dir, results: readResults(path.join(dir, RESULTS_JSON)) }));
  checkNewOut(options.out, 'choose another --out');
  const now = new Date();
  const { results, warnings } = mergeShards(runs, {
    allowPartial: options.allowPartial === true,
    runId: `${runStamp(now)}-merged`,
    command: ['bsbr', ...process.argv.slice(2)],
    now,
  });
  // Checked as every reader will check it, before anything is written.
  parseResults(JSON.stringify(results), path.join(options.out, RESULTS_JSON));
  createOutput(options.out, (dir) => writeResults(dir, results));
  printMerged(results.shards!, results.cases, warnings, options);
}

/** `bsbr merge`: join the run folders of `bsbr compare --shard` into one run. */
export function registerMerge(program: Command): void {
  const command = program
    .command('merge')
    .description(
      'join the folders of a sharded sweep (bsbr compare or bsbr recall --shard i/n) into one run that analyze and regress read; refuses (exit 2) shards of different sweeps, a shard or case given twice, and a missing shard',
    )
    .argument('<dir...>', 'the shard folders, each holding a results.json')
    .requiredOption('--out <dir>', 'the folder for the merged results.json and results.csv (required)')
    .option(
      '--allow-partial',
      'merge even when shards are missing or unfinished (their cases are left out, with a warning)',
    );
  addOutputOptions(command, 'one row per merged shard').action(merge);
}
