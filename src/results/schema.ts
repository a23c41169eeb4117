/**
 * The results of one `bsbr compare` run: what results.json holds, and what `bsbr analyze` and
 * `bsbr regress` read back. results.csv holds the same cases with CASE_COLUMNS and no raw samples.
 */
import { ModelConfig } from '../../models/config';

export type Mode = 'forward' | 'decode';
export const MODES: readonly Mode[] = ['forward', 'decode'];

/** ok: measured; error: the case threw (message says why); skipped: a per-case limit was hit earlier. */
export type CaseStatus = 'ok' | 'error' | 'skipped';

/** One (model, mode, length) case, one results.csv row (plus the raw samples in JSON). */
export interface CaseResult {
  run_id: string;
  model: string;
  mode: Mode;
  backend: string;
  seq_len: number;
  batch_size: number;
  params: number;
  status: CaseStatus;
  median_ms: number | null;
  min_ms: number | null;
  max_ms: number | null;
  mean_ms: number | null;
  std_ms: number | null;
  repeats: number;
  tokens_per_s: number | null;
  flops: number | null;
  gflops_per_s: number | null;
  /** TensorFlow.js's own accounting: the peak bytes of live tensors during the measured call. */
  peak_tensor_bytes: number | null;
  /** The process's peak resident set size (OS view, includes the wasm heap and Node itself). */
  peak_rss_bytes: number | null;
  message: string;
  /** Every timed repeat in milliseconds (JSON only). */
  samples_ms: number[];
}

/** The results.csv columns, in order (toolkit.md). */
export const CASE_COLUMNS = [
  'run_id', 'model', 'mode', 'backend', 'seq_len', 'batch_size', 'params', 'status', 'median_ms', 'min_ms',
  'max_ms', 'mean_ms', 'std_ms', 'repeats', 'tokens_per_s', 'flops', 'gflops_per_s', 'peak_tensor_bytes',
  'peak_rss_bytes', 'message',
] as const satisfies ReadonlyArray<keyof CaseResult>;

/** A fixed-size 2-D matmul timed in the same run on the same backend: the yardstick for normalising. */
export interface Calibration {
  /** e.g. "matmul 1024x1024x1024 float32". */
  description: string;
  flops: number;
  median_ms: number;
  gflops_per_s: number;
  samples_ms: number[];
}

export interface RunEnvironment {
  backend: string;
  backend_version: string;
  tfjs_core_version: string;
  bsbr_version: string;
  node_version: string;
  platform: string;
  arch: string;
  cpu_model: string;
  cpu_count: number;
  /**
   * The threads the backend's kernels ran on (ActiveBackend.threads): wasm's pool, 1 for cpu, null
   * where bsbr does not set them. Absent in runs made before it was recorded (wasm ran on one then).
   */
  threads?: number | null;
  total_memory_bytes: number;
  hostname: string;
  git_commit: string | null;
}

/** The sweep's own settings (everything but the model config). */
export interface SweepSettings {
  models: string[];
  seq_lengths: number[];
  modes: Mode[];
  batch_size: number;
  warmup: number;
  repeats: number;
  time_limit_s: number | null;
  max_memory_mb: number | null;
  /** A safetensors file loaded into the (single) model instead of its seeded weights (--weights). */
  weights_file: string | null;
}

export interface ResultsFile {
  format: 'bsbr-results';
  version: 1;
  run_id: string;
  created_at: string;
  command: string[];
  config: ModelConfig;
  sweep: SweepSettings;
  environment: RunEnvironment;
  calibration: Calibration | null;
  cases: CaseResult[];
}
