/** Builds the results row of a case from what its worker measured (or why it has no measurement). */
import { ModelConfig } from '../../models/config';
import { CaseResult, SweepSettings } from '../results/schema';
import { PlannedCase } from '../sweep/cases';
import { CaseMeasurement } from './jobs';
import { medianCi95, relativeSpread, summarize } from '../results/stats';

/** The 1-minute load average just before a case's worker started and just after it ended. */
export interface LoadSpan {
  load_before: number | null;
  load_after: number | null;
}

interface RowContext {
  runId: string;
  backend: string;
  sweep: SweepSettings;
  config: ModelConfig;
}

function emptyRow(ctx: RowContext, c: PlannedCase, params: number): CaseResult {
  return {
    run_id: ctx.runId,
    model: c.model,
    mode: c.mode,
    backend: ctx.backend,
    seq_len: c.seqLen,
    batch_size: ctx.sweep.batch_size,
    params,
    status: 'ok',
    median_ms: null,
    min_ms: null,
    max_ms: null,
    mean_ms: null,
    std_ms: null,
    repeats: 0,
    tokens_per_s: null,
    flops: null,
    gflops_per_s: null,
    peak_tensor_bytes: null,
    peak_rss_bytes: null,
    message: '',
    samples_ms: [],
    peak_device_bytes: null,
    gpu_kernel_ms: null,
    dispatches: null,
    host_ms: null,
  };
}

/**
 * A measured case. tokens_per_s: forward and train batch*n / median, decode batch / median (one token per
 * sequence per step); gflops_per_s = flops / median. An output with values that are not finite makes
 * the status non-finite (timings kept). threads: those the worker's backend ran on.
 */
export function measuredRow(
  ctx: RowContext,
  c: PlannedCase,
  m: CaseMeasurement,
  load: LoadSpan,
  threads: number | null,
): CaseResult {
  const stats = summarize(m.samples_ms);
  const seconds = stats.median / 1000;
  const batch = ctx.sweep.batch_size;
  const flops = m.flops;
  return {
    ...emptyRow(ctx, c, m.params),
    median_ms: stats.median,
    min_ms: stats.min,
    max_ms: stats.max,
    mean_ms: stats.mean,
    std_ms: stats.std,
    repeats: m.samples_ms.length,
    tokens_per_s: (c.mode === 'decode' ? batch : batch * c.seqLen) / seconds,
    flops,
    gflops_per_s: flops === null ? null : flops / seconds / 1e9,
    peak_tensor_bytes: m.peak_tensor_bytes,
    peak_rss_bytes: m.peak_rss_bytes,
    samples_ms: m.samples_ms,
    peak_device_bytes: m.peak_device_bytes,
    gpu_kernel_ms: m.gpu_kernel_ms,
    dispatches: m.dispatches,
    host_ms: m.gpu_kernel_ms === null ? null : Math.max(0, stats.median - m.gpu_kernel_ms),
    spread: relativeSpread(m.samples_ms),
    median_ci95_ms: medianCi95(m.samples_ms),
    ...load,
    threads,
    calibration_ms: m.calibration.median_ms,
    calibration_samples_ms: m.calibration.samples_ms,
    ...(m.output.non_finite > 0 && {
      status: 'non-finite',
      message: `the output holds ${m.output.non_finite} of ${m.output.values} values that are NaN or infinite`,
    }),
  };
}

/** A case that failed (status error, with the load of its worker) or was not run (status skipped); params 0 when never known. */
export function unmeasuredRow(
  ctx: RowContext,
  c: PlannedCase,
  status: 'error' | 'skipped',
  message: string,
  params: number,
  load?: LoadSpan,
): CaseResult {
  return { ...emptyRow(ctx, c, params), status, message, ...load };
}
