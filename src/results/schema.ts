/**
 * The results of one `bsbr compare` run: what results.json holds, and what `bsbr analyze` and
 * `bsbr regress` read back. results.csv holds the same cases with CASE_COLUMNS and no raw samples.
 */
import { AdapterInfo } from '../../models/backends/webgpu';
import { ModelConfig } from '../../models/config';

export type Mode = 'forward' | 'decode' | 'train';
export const MODES: readonly Mode[] = ['forward', 'decode', 'train'];

/**
 * ok: measured; non-finite: measured, but its output holds NaN or Infinity (the timings are kept, the
 * case is not ok); error: the case threw or its worker died (message says why); skipped: a per-case
 * limit was hit, or a case failed, at a shorter length.
 */
export type CaseStatus = 'ok' | 'non-finite' | 'error' | 'skipped';
export const CASE_STATUSES: readonly CaseStatus[] = ['ok', 'non-finite', 'error', 'skipped'];

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
  /**
   * webgpu: the device memory the backend holds after the measured calls (tf.memory()'s
   * numBytesAllocatedInGPU: its buffer pool never shrinks, so this is the high-water mark), minus
   * what it held before them (weights, inputs, a prefilled decode state); null elsewhere.
   */
  peak_device_bytes?: number | null;
  /** webgpu with timestamp-query: the GPU's own time for the call's kernels (median of 3 calls, tf.time's kernelMs); null elsewhere. */
  gpu_kernel_ms?: number | null;
  /**
   * webgpu: the GPU dispatches one call makes (the backend's programs run, counted in one more untimed
   * call); null elsewhere. Each costs host work before the GPU sees it.
   */
  dispatches?: number | null;
  /**
   * webgpu with timestamp-query: the part of the median wall time the GPU was not running the call's
   * kernels (median_ms - gpu_kernel_ms, at least 0): host work, dispatch and synchronisation; null elsewhere.
   */
  host_ms?: number | null;
  // The fields below are absent in files written before bsbr recorded them (still format version 1).
  // spread and median_ci95_ms follow from samples_ms (src/results/stats.ts), stored for readers of
  // the JSON; load_before / load_after: the machine's 1-minute load average just before the case's
  // worker started and just after it ended (null where the platform reports none).
  /** Robust relative spread of the samples, 1.4826 MAD / median. */
  spread?: number | null;
  /** Distribution-free 95% interval of the median; null below 6 samples. */
  median_ci95_ms?: [number, number] | null;
  load_before?: number | null;
  load_after?: number | null;
  /** The threads the case's kernels ran on (wasm's pool; 1 for cpu; null where bsbr does not set them). */
  threads?: number | null;
  /**
   * The run's calibration matmul timed again in the case's own worker, on its threads, right after
   * its timed calls (CASE_CALIBRATION): the median and its samples. `bsbr regress` divides the case
   * by it, so a machine that slowed down during the run does not look like a slower model.
   */
  calibration_ms?: number | null;
  calibration_samples_ms?: number[];
}

/** The columns every case has: the first results.csv columns, in order (docs/measurement.md, "results.csv"). */
export const REQUIRED_CASE_COLUMNS = [
  'run_id',
  'model',
  'mode',
  'backend',
  'seq_len',
  'batch_size',
  'params',
  'status',
  'median_ms',
  'min_ms',
  'max_ms',
  'mean_ms',
  'std_ms',
  'repeats',
  'tokens_per_s',
  'flops',
  'gflops_per_s',
  'peak_tensor_bytes',
  'peak_rss_bytes',
  'message',
] as const satisfies ReadonlyArray<keyof CaseResult>;

/** Columns added later (GPU measurements): written by every run, absent from older files. */
export const LATER_CASE_COLUMNS = [
  'peak_device_bytes',
  'gpu_kernel_ms',
  'dispatches',
  'host_ms',
] as const satisfies ReadonlyArray<keyof CaseResult>;

/** The results.csv columns, in order. */
export const CASE_COLUMNS = [...REQUIRED_CASE_COLUMNS, ...LATER_CASE_COLUMNS] as const;

/** A fixed-size 2-D matmul timed in the same run on the same backend: the yardstick for normalising. */
export interface Calibration {
  /** e.g. "matmul 1024x1024x1024 float32". */
  description: string;
  flops: number;
  median_ms: number;
  gflops_per_s: number;
  samples_ms: number[];
  /** Robust relative spread of samples_ms (as a case's spread); absent in older files. */
  spread?: number;
  /** 1-minute load average before and after the calibration worker; absent in older files. */
  load_before?: number | null;
  load_after?: number | null;
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
  /** Whether tracked files differed from git_commit when the run started; absent in older runs. */
  git_modified?: boolean | null;
  /** SHA-256 of the built code that ran (src/bench/environment.ts, codeHash); absent in older runs. */
  code_sha256?: string | null;
  /** webgpu: the adapter the run used (vendor, device, driver description). */
  adapter?: AdapterInfo | null;
  /** The variables that choose a GPU (CUDA_VISIBLE_DEVICES, BSBR_WEBGPU_ADAPTER) as the run saw them, where set. */
  device_selection?: Record<string, string>;
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
  /**
   * SHA-256 of the weights file's bytes when the run began (null without --weights): --resume
   * refuses a file that has changed since. Absent in runs from before it was recorded.
   */
  weights_sha256?: string | null;
  /**
   * --threads as given: every case on that many threads; null: the default rule, one thread for
   * small cases and every core for large ones (src/sweep/case_threads.ts). Absent in older runs,
   * whose cases all ran on environment.threads.
   */
  threads?: number | null;
  /** Adaptive sampling (--target-ci): repeats is then the minimum. Absent or null: exactly `repeats` timed calls. */
  adaptive?: AdaptiveSampling | null;
}

/** --target-ci, --max-repeats, --sample-budget (src/bench/sampling.ts). */
export interface AdaptiveSampling {
  /** Stop when the median's 95% interval is within this fraction of the median. */
  target_ci: number;
  max_repeats: number;
  /** Seconds of timed calls per case after which no more repeats are added. */
  budget_s: number;
}

/** One share of a sweep's cases (`bsbr compare --shard index/count`), index 1..count. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** The most shards a sweep is cut into (a Slurm array's default MaxArraySize is 1001): a count past it is refused, not computed. */
export const MAX_SHARDS = 1000;

/** A shard run that `bsbr merge` joined: what its cases were measured with and on. */
export interface ShardRun {
  shard: ShardSpec;
  run_id: string;
  created_at: string;
  command: string[];
  environment: RunEnvironment;
  calibration: Calibration | null;
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
  /** A shard run: which share of the sweep's cases it holds. */
  shard?: ShardSpec;
  /**
   * A merged run: every shard it joins. Each case's run_id names its shard run, whose environment
   * and calibration it was measured with; the file's own environment and calibration are the first shard's.
   */
  shards?: ShardRun[];
  cases: CaseResult[];
}
