/**
 * Every rule by which `bsbr merge` refuses its shard folders (a UsageError: exit 2, nothing written):
 *   - a folder that is not a shard run (made without --shard, or already merged);
 *   - shards of different sweeps: another shard count, backend, calibration, sweep setting or model config;
 *   - a shard given twice, or a case held by two shards;
 *   - a case that is not one of the sweep's;
 *   - a missing shard, or a shard that lacks some of its cases (interrupted), unless --allow-partial,
 *     where they are returned as notices instead.
 */
import { UsageError } from '../options/usage_error';
import { everyShard } from '../sweep/shards';
import { planCases } from '../sweep/cases';
import { shardLabel } from '../options/shard';
import { caseKey, plannedCaseKey } from '../results/case_key';
import { ResultsFile, ShardSpec } from '../results/schema';

/** A shard run and the folder it was read from. */
export interface ShardFolder {
  dir: string;
  results: ResultsFile & { shard: ShardSpec };
}

function shardRun(dir: string, results: ResultsFile): ShardFolder {
  if (!results.shard) {
    const what = results.shards ? 'a merged run' : 'a run made without --shard';
    throw new UsageError(
      'DIR',
      `${dir} is not a shard run (it is ${what}); bsbr merge joins the folders of bsbr compare --shard i/n`,
    );
  }
  return { dir, results: results as ShardFolder['results'] };
}

/** The first field in which two shards' runs differ, as [what, a, b], or null. */
function firstDifference(a: ResultsFile, b: ResultsFile): [string, unknown, unknown] | null {
  const fields: Array<[string, unknown, unknown]> = [
    ['the shard count', a.shard?.count, b.shard?.count],
    ['the backend', a.environment.backend, b.environment.backend],
    ['the calibration', a.calibration?.description, b.calibration?.description],
    ...Object.keys({ ...a.sweep, ...b.sweep }).map((k): [string, unknown, unknown] => [
      `the sweep's ${k}`,
      (a.sweep as never)[k],
      (b.sweep as never)[k],
    ]),
    ...Object.keys({ ...a.config, ...b.config }).map((k): [string, unknown, unknown] => [
      `the model config's ${k}`,
      (a.config as never)[k],
      (b.config as never)[k],
    ]),
  ];
  return fields.find(([, x, y]) => JSON.stringify(x) !== JSON.stringify(y)) ?? null;
}

function checkSameSweep(folders: readonly ShardFolder[]): void {
  const [first] = folders;
  for (const other of folders.slice(1)) {
    const difference = firstDifference(first.results, other.results);
    if (difference) {
      const [what, x, y] = difference;
      throw new UsageError(
        'DIR',
        `${first.dir} and ${other.dir} are shards of different sweeps: ${what} is ${JSON.stringify(x) ?? 'unset'} in one and ${JSON.stringify(y) ?? 'unset'} in the other`,
      );
    }
  }
}

/** Each shard once, each case once, and only the sweep's cases. */
function checkDisjoint(folders: readonly ShardFolder[]): void {
  const shardDirs = new Map<number, string>();
  const caseDirs = new Map<string, string>();
  const sweepCases = new Set(planCases(folders[0].results.sweep).map(plannedCaseKey));
  for (const { dir, results } of folders) {
    const seen = shardDirs.get(results.shard.index);
    if (seen !== undefined)
      throw new UsageError('DIR', `shard ${shardLabel(results.shard)} is given twice: ${seen} and ${dir}`);
    shardDirs.set(results.shard.index, dir);
    for (const c of results.cases) {
      const key = caseKey(c);
      const other = caseDirs.get(key);
      if (other !== undefined) throw new UsageError('DIR', `the case ${key} is in two shards: ${other} and ${dir}`);
      if (c.run_id !== results.run_id)
        throw new UsageError(
          'DIR',
          `${dir} holds the case ${key} of run ${JSON.stringify(c.run_id)}, not of its own run ${JSON.stringify(results.run_id)}`,
        );
      if (!sweepCases.has(key))
        throw new UsageError('DIR', `${dir} holds the case ${key}, which is not one of its sweep's cases`);
      caseDirs.set(key, dir);
    }
  }
}

/** What a complete merge would have and these folders lack: missing shards, unfinished shards. */
function gaps(folders: readonly ShardFolder[]): string[] {
  const { sweep, config, shard } = folders[0].results;
  const held = new Set(folders.flatMap((f) => f.results.cases.map(caseKey)));
  const problems: string[] = [];
  const shards = everyShard(sweep, config, shard.count);
  for (let index = 1; index <= shard.count; index++) {
    const spec = { index, count: shard.count };
    const folder = folders.find((f) => f.results.shard.index === index);
    const lacking = shards[index - 1].map(plannedCaseKey).filter((key) => !held.has(key));
    // A shard with no case (more shards than cases) wrote no folder.
    if (!folder) {
      if (lacking.length > 0) problems.push(`shard ${shardLabel(spec)} is missing`);
    } else if (lacking.length) {
      problems.push(
        `shard ${shardLabel(spec)} in ${folder.dir} lacks ${lacking.length} of its cases (${lacking[0]}${lacking.length > 1 ? ', ...' : ''}): finish it with bsbr compare --resume ${folder.dir}`,
      );
    }
  }
  return problems;
}

/**
 * Checks the shard runs read from their folders (in the order given) and returns them ordered by shard
 * index, with what they lack when `allowPartial` lets that pass.
 */
export function checkShards(
  runs: ReadonlyArray<{ dir: string; results: ResultsFile }>,
  allowPartial: boolean,
): { folders: ShardFolder[]; gaps: string[] } {
  const folders = runs.map(({ dir, results }) => shardRun(dir, results));
  checkSameSweep(folders);
  checkDisjoint(folders);
  const missing = gaps(folders);
  if (missing.length && !allowPartial)
    throw new UsageError(
      'DIR',
      `${missing.join('; ')} (give every shard's folder, or --allow-partial to merge what there is)`,
    );
  return { folders: [...folders].sort((a, b) => a.results.shard.index - b.results.shard.index), gaps: missing };
}
