/**
 * `bsbr merge`'s join of checked shard runs into one run (pure: no I/O). The merged run has the
 * sweep's settings and config, every case in the sweep's run order with its raw timings and its
 * shard's run_id, and each shard's environment and calibration under `shards`; its own environment
 * and calibration are the first shard's, so a reader of one run (analyze, regress) reads it as is.
 */
import { planCases } from '../sweep/cases';
import { caseKey, plannedCaseKey } from '../results/case_key';
import { ResultsFile, ShardRun } from '../results/schema';
import { checkShards } from './check_shards';
import { machineWarnings } from './machines';

export interface MergeResult {
  results: ResultsFile;
  /** What the merge lacks (--allow-partial) and how the shards' machines differ. */
  warnings: string[];
}

export function mergeShards(
  runs: ReadonlyArray<{ dir: string; results: ResultsFile }>,
  options: { allowPartial: boolean; runId: string; command: string[]; now: Date },
): MergeResult {
  const { folders, gaps } = checkShards(runs, options.allowPartial);
  const first = folders[0].results;
  const order = new Map(planCases(first.sweep).map((c, i) => [plannedCaseKey(c), i]));
  const cases = folders.flatMap((f) => f.results.cases).sort((a, b) => order.get(caseKey(a))! - order.get(caseKey(b))!);
  const shards: ShardRun[] = folders.map(({ results: r }) => ({
    shard: r.shard,
    run_id: r.run_id,
    created_at: r.created_at,
    command: r.command,
    environment: r.environment,
    calibration: r.calibration,
  }));
  const results: ResultsFile = {
    format: 'bsbr-results',
    version: 1,
    run_id: options.runId,
    created_at: options.now.toISOString(),
    command: options.command,
    config: first.config,
    sweep: first.sweep,
    environment: first.environment,
    calibration: first.calibration,
    shards,
    cases,
  };
  return { results, warnings: [...gaps.map((gap) => `partial merge: ${gap}`), ...machineWarnings(folders)] };
}
