/**
 * `bsbr merge` of `bsbr recall --shard` runs (pure: no I/O): every shard of one sweep, each once and
 * finished, joined into one run whose cases are in the sweep's order, each naming its shard's run
 * by run_id; the shards' environments are kept under `shards`.
 */
import { UsageError } from '../options/usage_error';
import { planRecallCases, shardRecallCases } from '../recall/cases';
import { recallCaseKey, RecallResults } from '../results/recall_schema';

export function mergeRecallShards(
  runs: ReadonlyArray<{ dir: string; results: RecallResults }>,
  options: { allowPartial: boolean; runId: string; command: string[]; now: Date },
): { results: RecallResults; warnings: string[] } {
  const warnings: string[] = [];
  const first = runs[0].results;
  const count = first.shard?.count;
  const seen = new Map<number, string>();
  for (const { dir, results } of runs) {
    if (!results.shard) throw new UsageError('<dir...>', `merge: ${dir} is not a shard (it was not run with --shard)`);
    if (results.shard.count !== count)
      throw new UsageError(
        '<dir...>',
        `merge: ${dir} is shard ${results.shard.index}/${results.shard.count}, not one of ${count}`,
      );
    if (
      JSON.stringify(results.sweep) !== JSON.stringify(first.sweep) ||
      JSON.stringify(results.config) !== JSON.stringify(first.config)
    ) {
      throw new UsageError('<dir...>', `merge: ${dir} ran another sweep or model config than ${runs[0].dir}`);
    }
    const other = seen.get(results.shard.index);
    if (other !== undefined)
      throw new UsageError(
        '<dir...>',
        `merge: shard ${results.shard.index}/${count} is given twice (${other} and ${dir})`,
      );
    seen.set(results.shard.index, dir);
    const planned = shardRecallCases(results.sweep, results.shard).length;
    if (results.cases.length < planned) {
      const gap = `${dir} (shard ${results.shard.index}/${count}) has ${results.cases.length} of its ${planned} cases (finish it with bsbr recall --resume ${dir})`;
      if (!options.allowPartial) throw new UsageError('<dir...>', `merge: ${gap}, or give --allow-partial`);
      warnings.push(`partial merge: ${gap}`);
    }
  }
  for (let index = 1; index <= count!; index++) {
    if (seen.has(index)) continue;
    if (!options.allowPartial)
      throw new UsageError('<dir...>', `merge: shard ${index}/${count} is missing (or give --allow-partial)`);
    warnings.push(`partial merge: shard ${index}/${count} is missing`);
  }
  const order = new Map(planRecallCases(first.sweep).map((c, i) => [recallCaseKey(c), i]));
  const cases = runs
    .flatMap((r) => r.results.cases)
    .sort((a, b) => order.get(recallCaseKey(a))! - order.get(recallCaseKey(b))!);
  const results: RecallResults = {
    format: first.format,
    version: 1,
    run_id: options.runId,
    created_at: options.now.toISOString(),
    command: options.command,
    config: first.config,
    sweep: first.sweep,
    environment: first.environment,
    shards: runs.map(({ results: r }) => ({
      shard: r.shard!,
      run_id: r.run_id,
      created_at: r.created_at,
      command: r.command,
      environment: r.environment,
    })),
    cases,
  };
  return { results, warnings };
}
