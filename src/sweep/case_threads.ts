/**
 * How many wasm threads a case runs on when --threads is not given: one for a small call, every core
 * for a large one. XNNPACK splits each matmul over the pool, which pays for a large product but
 * costs a hand-off per op on a small one; a short forward pass or a single decode step is mostly
 * small ops, and measured slower on two threads than on one (docs/measurement.md, "Threads").
 */
import { ModelConfig } from '../../models/config';
import { ONE_THREAD_BELOW_FLOPS } from '../options/defaults';
import { planFor } from '../../models/plan';
import { SweepSettings } from '../results/schema';
import { caseFlops } from './flops';
import { PlannedCase } from './cases';

/**
 * The threads of a case: `cores` (the run's every-core count, or --threads) unless the sweep uses
 * the default rule (sweep.threads null) and one measured call is under ONE_THREAD_BELOW_FLOPS.
 */
export function caseThreads(c: PlannedCase, sweep: SweepSettings, config: ModelConfig, cores: number): number {
  if (sweep.threads !== null) return cores;
  const flops = caseFlops(
    c.model,
    c.mode,
    config,
    c.seqLen,
    sweep.batch_size,
    sweep.warmup,
    sweep.repeats,
    planFor('wasm', 0),
  );
  return flops !== null && flops < ONE_THREAD_BELOW_FLOPS ? 1 : cores;
}
