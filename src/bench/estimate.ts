/**
 * `bsbr compare --dry-run`: the cases a sweep would run, each with its analytic FLOPs and a time
 * estimate, without running anything. The estimate divides the FLOPs by the rate each model achieved
 * in a reference run (the package's example data) and adds the start of a worker process, so it is
 * only as good as that machine and backend are like this one.
 */
import { ModelConfig } from '../../models/config';
import { ExecutionPlan } from '../../models/plan';
import { CaseResult, Mode, ResultsFile, SweepSettings } from '../results/schema';
import { caseFlops } from '../sweep/flops';
import { caseWork } from '../sweep/work_estimate';
import { PlannedCase } from '../sweep/cases';

/**
 * The fixed costs in seconds: per case (a worker process, its backend, its model) and per run (the
 * calibration worker and the analysis). docs/measurement.md (`--dry-run`) says how they were measured.
 */
export const WORKER_START_S = 0.9;
export const RUN_START_S = 9.8;

export interface CaseEstimate {
  model: string;
  mode: Mode;
  seq_len: number;
  /** One measured call (decode: one step); null for a model without a cost model. */
  flops: number | null;
  /** Worker start, prefill (decode), warm-up, timed and profiled calls; null without a rate. */
  seconds: number | null;
}

/** GFLOP/s per model: the median over the reference run's ok forward cases. */
export function referenceRates(reference: ResultsFile): Map<string, number> {
  const rates = new Map<string, number>();
  for (const model of new Set(reference.cases.map((c) => c.model))) {
    const measured = reference.cases
      .filter(
        (c): c is CaseResult & { gflops_per_s: number } =>
          c.model === model && c.mode === 'forward' && c.status === 'ok' && c.gflops_per_s !== null,
      )
      .map((c) => c.gflops_per_s)
      .sort((a, b) => a - b);
    if (measured.length > 0) rates.set(model, measured[Math.floor(measured.length / 2)]);
  }
  return rates;
}

/**
 * The estimate of each planned case, its FLOPs counted under `execution` (the reference run's
 * backend's plan), its time the whole case's work (./work_estimate.ts, as shards are cut by) at the
 * model's reference rate; adaptive sampling is counted at its minimum repeats.
 */
export function estimateCases(
  cases: readonly PlannedCase[],
  sweep: SweepSettings,
  config: ModelConfig,
  rates: ReadonlyMap<string, number>,
  execution: ExecutionPlan,
): CaseEstimate[] {
  const { warmup, repeats, batch_size: batch } = sweep;
  return cases.map((c) => {
    const flops = caseFlops(c.model, c.mode, config, c.seqLen, batch, warmup, repeats, execution);
    const rate = rates.get(c.model);
    if (flops === null || rate === undefined)
      return { model: c.model, mode: c.mode, seq_len: c.seqLen, flops, seconds: null };
    return {
      model: c.model,
      mode: c.mode,
      seq_len: c.seqLen,
      flops,
      seconds: WORKER_START_S + caseWork(c, sweep, config, execution) / (rate * 1e9),
    };
  });
}
