/** Builders of synthetic shard runs for the merge and regress tests: a whole run cut as --shard cuts it. */
import { shardCases } from '../../sweep/shards';
import { caseKey, plannedCaseKey } from '../../results/case_key';
import { ResultsFile } from '../../results/schema';

/** The shard runs `bsbr compare --shard i/count` would leave for the cases of `whole`, as folders shard-1 .. shard-count. */
export function cutIntoShards(whole: ResultsFile, count: number): Array<{ dir: string; results: ResultsFile }> {
  return Array.from({ length: count }, (_, i) => {
    const shard = { index: i + 1, count };
    const run_id = `${whole.run_id}-shard-${shard.index}-of-${count}`;
    const keys = new Set(shardCases(whole.sweep, whole.config, shard).map(plannedCaseKey));
    const cases = whole.cases.filter((c) => keys.has(caseKey(c))).map((c) => ({ ...c, run_id }));
    return { dir: `shard-${shard.index}`, results: { ...whole, run_id, shard, cases } };
  });
}
