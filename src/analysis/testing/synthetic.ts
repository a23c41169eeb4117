/** Typed builders of synthetic results files for tests (no measurement involved). */
import { DEFAULT_CONFIG } from '../../../models/config';
import { CaseResult, Mode, ResultsFile } from '../../results/schema';

export interface CaseSpec {
  model: string;
  seq_len: number;
  mode?: Mode;
  status?: CaseResult['status'];
  median_ms?: number | null;
  peak_tensor_bytes?: number | null;
  params?: number;
  flops?: number | null;
  message?: string;
}

/** A full CaseResult from the few fields a test cares about; an ok case gets consistent timing fields. */
export function syntheticCase(spec: CaseSpec): CaseResult {
  const status = spec.status ?? 'ok';
  const median = status === 'ok' ? (spec.median_ms ?? 1) : null;
  const flops = spec.flops ?? null;
  return {
    run_id: 'synthetic',
    model: spec.model,
    mode: spec.mode ?? 'forward',
    backend: 'wasm',
    seq_len: spec.seq_len,
    batch_size: 1,
    params: spec.params ?? 1000,
    status,
    median_ms: median,
    min_ms: median === null ? null : median * 0.95,
    max_ms: median === null ? null : median * 1.05,
    mean_ms: median,
    std_ms: median === null ? null : median * 0.03,
    repeats: median === null ? 0 : 3,
    tokens_per_s: median === null ? null : (spec.seq_len * 1000) / median,
    flops,
    gflops_per_s: median === null || flops === null ? null : flops / (median * 1e6),
    peak_tensor_bytes:
      status === 'ok' ? (spec.peak_tensor_bytes === undefined ? spec.seq_len * 1024 : spec.peak_tensor_bytes) : null,
    peak_rss_bytes: status === 'ok' ? 300 * 2 ** 20 : null,
    message: spec.message ?? (status === 'skipped' ? 'skipped: time limit exceeded at a shorter length' : ''),
    samples_ms: median === null ? [] : [median * 0.95, median, median * 1.05],
  };
}

/** Cases of one model at each length with time(n) and peak tensor bytes memory(n). */
export function powerLawCases(
  model: string,
  mode: Mode,
  lengths: readonly number[],
  time: (n: number) => number,
  memory: (n: number) => number,
): CaseResult[] {
  return lengths.map((n) =>
    syntheticCase({ model, mode, seq_len: n, median_ms: time(n), peak_tensor_bytes: memory(n), flops: 1e6 * n }),
  );
}

/** A results file holding the given cases, with a plausible environment and calibration. */
export function syntheticResults(cases: CaseResult[]): ResultsFile {
  const models = [...new Set(cases.map((c) => c.model))];
  return {
    format: 'bsbr-results',
    version: 1,
    run_id: 'synthetic',
    created_at: '2025-01-01T00:00:00.000Z',
    command: ['bsbr', 'compare', '--synthetic'],
    config: { ...DEFAULT_CONFIG },
    sweep: {
      models,
      seq_lengths: [...new Set(cases.map((c) => c.seq_len))].sort((a, b) => a - b),
      modes: [...new Set(cases.map((c) => c.mode))],
      batch_size: 1,
      warmup: 1,
      repeats: 3,
      time_limit_s: null,
      max_memory_mb: null,
      weights_file: null,
    },
    environment: {
      backend: 'wasm',
      backend_version: '4.22.0',
      tfjs_core_version: '4.22.0',
      bsbr_version: '0.1.0',
      node_version: 'v20.20.2',
      platform: 'linux',
      arch: 'x64',
      cpu_model: 'Synthetic CPU <with> "markup" & quotes',
      cpu_count: 2,
      total_memory_bytes: 24 * 2 ** 30,
      hostname: 'test-host',
      git_commit: null,
    },
    calibration: {
      description: 'matmul 512x512x512 float32',
      flops: 2 * 512 ** 3,
      median_ms: 10,
      gflops_per_s: (2 * 512 ** 3) / 1e7,
      samples_ms: [10, 10, 10],
    },
    cases,
  };
}

/**
 * A small run with everything the report shows: forward and decode, models of known exponents,
 * an error case, a skipped case and a model with a single ok length (no fit).
 */
export function exampleResults(): ResultsFile {
  const lengths = [64, 128, 256, 512];
  const params: Record<string, number> = { Standard: 3_200_000, Linear: 3_200_000, BSBR: 3_700_000, GAU: 3_900_000 };
  const cases = [
    ...powerLawCases(
      'Standard',
      'forward',
      lengths,
      (n) => 3e-4 * n ** 2,
      (n) => 16 * n ** 2,
    ),
    ...powerLawCases(
      'Linear',
      'forward',
      lengths,
      (n) => 0.02 * n,
      (n) => 2048 * n,
    ),
    ...powerLawCases(
      'BSBR',
      'forward',
      lengths.slice(0, 3),
      (n) => 0.03 * n,
      (n) => 3000 * n,
    ),
    syntheticCase({ model: 'BSBR', seq_len: 512, status: 'error', message: 'out of memory' }),
    syntheticCase({ model: 'GAU', seq_len: 64, median_ms: 2 }),
    syntheticCase({ model: 'GAU', seq_len: 128, status: 'skipped' }),
    ...powerLawCases(
      'Standard',
      'decode',
      lengths,
      (n) => 0.01 * n,
      (n) => 512 * n,
    ),
    ...powerLawCases(
      'Linear',
      'decode',
      lengths,
      () => 0.5,
      () => 65536,
    ),
  ];
  return syntheticResults(cases.map((c) => ({ ...c, params: params[c.model] })));
}
