/** The cases of a recall sweep, in run order, and the share of them a shard runs. */
import { balancedSplit } from '../sweep/shards';
import { RecallCaseKey, RecallSweep } from '../results/recall_schema';
import { ShardSpec } from '../results/schema';

/** Model by model (BSBR once per compression factor), then hidden size, task and learning rate. */
export function planRecallCases(sweep: RecallSweep): RecallCaseKey[] {
  const cases: RecallCaseKey[] = [];
  for (const model of sweep.models) {
    for (const compression_factor of model === 'BSBR' ? sweep.bsbr_compression : [null]) {
      for (const hidden_dim of sweep.hidden_dims) {
        for (const { seq_len, kv_pairs } of sweep.tasks) {
          for (const learning_rate of sweep.learning_rates) {
            cases.push({ model, compression_factor, hidden_dim, seq_len, kv_pairs, learning_rate });
          }
        }
      }
    }
  }
  return cases;
}

/**
 * A case's relative work per training step: the position-wise work (L D^2) plus attention's over
 * the sequence (L^2 D) as an upper bound for every model. It orders parallel jobs and balances shards.
 */
export function recallCaseWork(c: RecallCaseKey): number {
  return c.seq_len * c.hidden_dim * (c.hidden_dim + c.seq_len);
}

/** The cases of one shard (contiguous, balanced by recallCaseWork); with no shard, all. */
export function shardRecallCases(sweep: RecallSweep, shard: ShardSpec | undefined): RecallCaseKey[] {
  const plan = planRecallCases(sweep);
  if (shard === undefined) return plan;
  const bounds = balancedSplit(plan.map(recallCaseWork), shard.count);
  return plan.slice(bounds[shard.index - 1], bounds[shard.index]);
}
