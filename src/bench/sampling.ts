/**
 * How many timed repeats a case gets. Fixed: exactly `minRepeats` (= maxRepeats). Adaptive, in the
 * manner of tachometer's auto-sample: after `minRepeats`, keep timing until the median's 95%
 * interval is narrow enough (`targetCi`), `maxRepeats` calls are done, or the timed calls have
 * used up `budgetMs`.
 */
import { SweepSettings } from '../results/schema';
import { ciHalfWidth } from '../results/stats';
import { runToCompletion, TimedCall, timeOnce } from './timer';

export interface SamplingPlan {
  minRepeats: number;
  maxRepeats: number;
  /** Stop once the interval's farther end is within this fraction of the median; null: a fixed count. */
  targetCi: number | null;
  /** No repeat past minRepeats starts once the timed calls have taken this long in all (ms); null: no budget. */
  budgetMs: number | null;
}

/** A plan of exactly `repeats` timed calls. */
export function fixedPlan(repeats: number): SamplingPlan {
  return { minRepeats: repeats, maxRepeats: repeats, targetCi: null, budgetMs: null };
}

/** The plan a sweep's settings ask for (repeats is the minimum when adaptive). */
export function samplingPlan(sweep: SweepSettings): SamplingPlan {
  const adaptive = sweep.adaptive;
  if (!adaptive) return fixedPlan(sweep.repeats);
  return { minRepeats: sweep.repeats, maxRepeats: adaptive.max_repeats, targetCi: adaptive.target_ci, budgetMs: adaptive.budget_s * 1000 };
}

/** Whether the samples so far are enough under the plan. */
export function samplingDone(samples: readonly number[], plan: SamplingPlan): boolean {
  if (samples.length < plan.minRepeats) return false;
  if (samples.length >= plan.maxRepeats) return true;
  if (plan.targetCi === null) return false;
  if (plan.budgetMs !== null && samples.reduce((sum, x) => sum + x, 0) >= plan.budgetMs) return true;
  const half = ciHalfWidth(samples);
  return half !== null && half <= plan.targetCi;
}

/** `warmup` untimed calls, then timed ones until the plan is satisfied. */
export async function sampleCalls(call: TimedCall, warmup: number, plan: SamplingPlan): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await runToCompletion(call);
  const samples: number[] = [];
  while (!samplingDone(samples, plan)) samples.push(await timeOnce(call));
  return samples;
}
