/**
 * How many timed repeats a case gets. Fixed: exactly `minRepeats` (= maxRepeats). Adaptive, in the
 * manner of tachometer's auto-sample: after `minRepeats`, keep timing until the median's 95%
 * interval is narrow enough (`targetCi`), `maxRepeats` calls are done, or the timed calls have
 * used up `budgetMs`.
 */
import { SweepSettings } from '../results/schema';
import { ciHalfWidth } from '../results/stats';
import { runToCompletion, TimedCall, timeOnce } from './timer';

export interface Sampling {
  minRepeats: number;
  maxRepeats: number;
  /** Stop once the interval's farther end is within this fraction of the median; null: a fixed count. */
  targetCi: number | null;
  /** No repeat past minRepeats starts once the timed calls have taken this long in all (ms); null: no budget. */
  budgetMs: number | null;
}

/** Exactly `repeats` timed calls. */
export function fixedSampling(repeats: number): Sampling {
  return { minRepeats: repeats, maxRepeats: repeats, targetCi: null, budgetMs: null };
}

/** The sampling a sweep's settings ask for (repeats is the minimum when adaptive). */
export function samplingOf(sweep: SweepSettings): Sampling {
  const adaptive = sweep.adaptive;
  if (!adaptive) return fixedSampling(sweep.repeats);
  return {
    minRepeats: sweep.repeats,
    maxRepeats: adaptive.max_repeats,
    targetCi: adaptive.target_ci,
    budgetMs: adaptive.budget_s * 1000,
  };
}

/** Whether the samples so far are enough under `sampling`. */
export function samplingDone(samples: readonly number[], sampling: Sampling): boolean {
  if (samples.length < sampling.minRepeats) return false;
  if (samples.length >= sampling.maxRepeats) return true;
  if (sampling.targetCi === null) return false;
  if (sampling.budgetMs !== null && samples.reduce((sum, x) => sum + x, 0) >= sampling.budgetMs) return true;
  const half = ciHalfWidth(samples);
  return half !== null && half <= sampling.targetCi;
}

/** `warmup` untimed calls, then timed ones until `sampling` is satisfied. */
export async function sampleCalls(call: TimedCall, warmup: number, sampling: Sampling): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await runToCompletion(call);
  const samples: number[] = [];
  while (!samplingDone(samples, sampling)) samples.push(await timeOnce(call));
  return samples;
}
