/**
 * The estimated work of running a whole case, from the cost model in ./flops.ts: every call the
 * worker makes, not only the timed one. Forward: warm-up, timed and profiled calls, each a forward
 * pass over n tokens. Decode: the untimed prefill of n tokens (counted as one forward pass over n,
 * the work the chunked step() calls add up to), then warm-up, timed and profiled single-token steps.
 * The per-case process start and model build are not counted: they are the same for every case.
 * Shards cut by this estimate must agree wherever they run, so it uses the host backends' execution
 * plan whatever backend a shard gets (a GPU plan moves a little work, not the balance).
 */
import { ModelConfig } from '../../models/config';
import { ExecutionPlan, planFor } from '../../models/plan';
import { SweepSettings } from '../results/schema';
import { forwardFlops, stepFlops, trainFlops } from './flops';
import { PlannedCase } from './cases';

/** The plan of the host backends (wasm, cpu, tfjs-node): no adapter, so no row bound. */
const ESTIMATE_PLAN = planFor('wasm', 0);

/** The case's work under `plan`: the host backends' plan unless a caller (the dry-run's time estimate) names another. */
export function caseWork(
  c: PlannedCase,
  sweep: SweepSettings,
  config: ModelConfig,
  plan: ExecutionPlan = ESTIMATE_PLAN,
): number {
  const { batch_size: batch, warmup, repeats } = sweep;
  const calls = warmup + repeats + 1;
  const forward = forwardFlops(c.model, config, c.seqLen, batch, plan);
  if (c.mode === 'forward') return calls * forward;
  if (c.mode === 'train') return calls * trainFlops(c.model, config, c.seqLen, batch, plan);
  let steps = 0;
  for (let i = 0; i < calls; i++) steps += stepFlops(c.model, config, c.seqLen + i, batch, plan);
  return forward + steps;
}
