/**
 * Checks every `bsbr compare` option before anything is run or written, and turns them into either a
 * new sweep or the resumption of an earlier one. Every problem is a UsageError naming the option.
 * A run being resumed is checked by the same rules, as if its stored settings had been typed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_CONFIG, ModelConfig, resolveConfig } from '../../models/config';
import { MODEL_NAMES } from '../../models/registry';
import { BACKEND_NAMES, BackendChoice } from '../../models/backends/setup';
import { InputError } from '../../models/errors';
import { fileSha256 } from '../io/file_sha256';
import { ADAPTIVE_DEFAULTS, COMPARE_DEFAULTS } from '../options/defaults';
import { modelConfigFromOptions, ModelOptions } from '../options/model_options';
import { nonEmpty, parseInteger, parsePositiveInteger, parsePositiveNumber, within } from '../options/numbers';
import { flag, UsageError } from '../options/usage_error';
import { readResults } from '../results/read';
import { AdaptiveSampling, Mode, MODES, ResultsFile, ShardSpec, SweepSettings } from '../results/schema';
import { listValues, parseBackendOption as backend, parseModels, unique } from '../options/lists';
import { parseShard, shardLabel } from '../options/shard';
import { RESULTS_JSON } from '../results/write';

/** The options as typed (or set by a preset): text, undefined where not given (src/options/defaults.ts fills those). */
export interface RawCompareOptions extends ModelOptions {
  seqLengths?: string[];
  models?: string[];
  mode?: string[];
  batchSize?: string;
  warmup?: string;
  repeats?: string;
  targetCi?: string;
  minRepeats?: string;
  maxRepeats?: string;
  sampleBudget?: string;
  backend?: string;
  threads?: string;
  timeLimit?: string;
  maxMemory?: string;
  caseTimeout?: string;
  weights?: string;
  out?: string;
  resume?: string;
  retryFailed?: boolean;
  shard?: string;
}

export interface NewSweep {
  kind: 'new';
  runId: string;
  /** The --out folder; null: a new folder results/<runId> (or <runId>-2, ... when taken). */
  out: string | null;
  config: ModelConfig;
  sweep: SweepSettings;
  backend: BackendChoice;
  /** Hard wall-clock bound on one case's worker, in seconds (--case-timeout). */
  caseTimeoutS: number;
  /** --shard: the share of the sweep's cases this run holds (undefined: all of them). */
  shard?: ShardSpec;
  /** The wasm backend's threads (--threads); undefined: every core. */
  threads?: number;
}

/** The run in `dir`, checked here; it is read again once its folder is locked. */
export interface ResumedSweep {
  kind: 'resume';
  dir: string;
  /** --retry-failed: the rows that are not ok are dropped and their cases run again. */
  retryFailed: boolean;
  caseTimeoutS: number;
}

export type CompareRequest = NewSweep | ResumedSweep;

/**
 * The bounds of the sweep's counts and times, far past any real sweep: a value past them is a typo
 * or a crafted file, and would make the planning loops or the workers' allocations run away.
 */
const LIMITS = {
  seqLength: 2 ** 24,
  batchSize: 65536,
  repeats: 10_000,
  memoryMb: 2 ** 30,
  /** Seconds: every time at most a week; --case-timeout at least 10 ms (a case's worker needs more to start). */
  seconds: 604_800,
  caseTimeout: 0.01,
} as const;

function seqLengths(values: readonly string[]): number[] {
  const lengths = nonEmpty('--seq-lengths', listValues(values)).map((v) =>
    within(
      '--seq-lengths',
      parseInteger(
        '--seq-lengths',
        v,
        1,
        'a positive integer (give whole numbers of tokens >= 1, e.g. --seq-lengths 64 128 256)',
      ),
      1,
      LIMITS.seqLength,
    ),
  );
  // Ascending, so "the longer lengths" of a model are the ones after it.
  return unique(lengths).sort((a, b) => a - b);
}

function modes(values: readonly string[]): Mode[] {
  return unique(
    nonEmpty('--mode', listValues(values)).map((value) => {
      const mode = MODES.find((m) => m === value.toLowerCase());
      if (!mode) throw new UsageError('--mode', `--mode: unknown mode '${value}' (valid: ${MODES.join(', ')})`);
      return mode;
    }),
  );
}

/**
 * --weights: a regular file, for exactly one model (its shapes are checked by the calibration
 * worker), with the SHA-256 of its bytes.
 */
function weightsFile(
  file: string | undefined,
  names: string[] | undefined,
): Pick<SweepSettings, 'weights_file' | 'weights_sha256'> {
  if (file === undefined) return { weights_file: null, weights_sha256: null };
  if (names === undefined || listValues(names).length !== 1)
    throw new UsageError(
      '--weights',
      `--weights: loads one model's weights; give exactly one --models NAME (valid: ${MODEL_NAMES.join(', ')})`,
    );
  try {
    return { weights_file: path.resolve(file), weights_sha256: fileSha256(file, 'safetensors file') };
  } catch (err) {
    throw new UsageError('--weights', `--weights: ${(err as Error).message}`);
  }
}

/** The sweep's settings: what the command line says, or what a stored run says, read by the same rules. */
type SweepOptions = Pick<
  RawCompareOptions,
  | 'seqLengths'
  | 'models'
  | 'mode'
  | 'batchSize'
  | 'warmup'
  | 'repeats'
  | 'targetCi'
  | 'minRepeats'
  | 'maxRepeats'
  | 'sampleBudget'
  | 'timeLimit'
  | 'maxMemory'
  | 'weights'
>;

/**
 * --target-ci turns on adaptive sampling, with --min-repeats, --max-repeats and --sample-budget;
 * --repeats is the fixed count otherwise. Each of the two sets is refused with the other.
 */
function sampling(raw: SweepOptions): { repeats: number; adaptive: AdaptiveSampling | null } {
  const adaptiveOnly = (['minRepeats', 'maxRepeats', 'sampleBudget'] as const).find((key) => raw[key] !== undefined);
  if (raw.targetCi === undefined) {
    if (adaptiveOnly)
      throw new UsageError(
        flag(adaptiveOnly),
        `${flag(adaptiveOnly)}: only with --target-ci (adaptive sampling); --repeats sets a fixed count`,
      );
    return {
      repeats:
        raw.repeats === undefined
          ? COMPARE_DEFAULTS.repeats
          : within('--repeats', parsePositiveInteger('--repeats', raw.repeats), 1, LIMITS.repeats),
      adaptive: null,
    };
  }
  if (raw.repeats !== undefined)
    throw new UsageError(
      '--repeats',
      '--repeats: a fixed count; with --target-ci give --min-repeats and --max-repeats instead',
    );
  const target = parsePositiveNumber('--target-ci', raw.targetCi);
  const min =
    raw.minRepeats === undefined
      ? ADAPTIVE_DEFAULTS.minRepeats
      : within('--min-repeats', parsePositiveInteger('--min-repeats', raw.minRepeats), 1, LIMITS.repeats);
  const max =
    raw.maxRepeats === undefined
      ? Math.max(min, ADAPTIVE_DEFAULTS.maxRepeats)
      : within('--max-repeats', parsePositiveInteger('--max-repeats', raw.maxRepeats), 1, LIMITS.repeats);
  if (max < min) throw new UsageError('--max-repeats', `--max-repeats: ${max} is fewer than --min-repeats ${min}`);
  const budget =
    raw.sampleBudget === undefined
      ? ADAPTIVE_DEFAULTS.sampleBudget
      : within('--sample-budget', parsePositiveNumber('--sample-budget', raw.sampleBudget), 0, LIMITS.seconds);
  return { repeats: min, adaptive: { target_ci: target / PERCENT, max_repeats: max, budget_s: budget } };
}

/** --target-ci is a percent; results.json's target_ci a fraction. */
const PERCENT = 100;

/** The sweep the options ask for: each option not given takes its default, here and nowhere else. */
function sweepSettings(raw: SweepOptions): SweepSettings {
  const { repeats, adaptive } = sampling(raw);
  return {
    models: parseModels(raw.models, COMPARE_DEFAULTS.models),
    seq_lengths: seqLengths(raw.seqLengths ?? COMPARE_DEFAULTS.seqLengths.map(String)),
    modes: modes(raw.mode ?? COMPARE_DEFAULTS.modes),
    batch_size:
      raw.batchSize === undefined
        ? COMPARE_DEFAULTS.batchSize
        : within('--batch-size', parsePositiveInteger('--batch-size', raw.batchSize), 1, LIMITS.batchSize),
    warmup:
      raw.warmup === undefined
        ? COMPARE_DEFAULTS.warmup
        : within('--warmup', parseInteger('--warmup', raw.warmup, 0, 'a non-negative integer'), 0, LIMITS.repeats),
    repeats,
    time_limit_s:
      raw.timeLimit === undefined
        ? null
        : within('--time-limit', parsePositiveNumber('--time-limit', raw.timeLimit), 0, LIMITS.seconds),
    max_memory_mb:
      raw.maxMemory === undefined
        ? null
        : within('--max-memory', parsePositiveNumber('--max-memory', raw.maxMemory), 1, LIMITS.memoryMb),
    ...weightsFile(raw.weights, raw.models),
    adaptive,
  };
}

/**
 * A sweep as the options that ask for it: the one mapping between the options and results.json's
 * sweep. A stored run is read back through it, and an option given with --resume is compared by it.
 */
function sweepAsOptions(sweep: SweepSettings): SweepOptions {
  const adaptive = sweep.adaptive;
  return {
    seqLengths: sweep.seq_lengths.map(String),
    models: [...sweep.models],
    mode: [...sweep.modes],
    batchSize: String(sweep.batch_size),
    warmup: String(sweep.warmup),
    repeats: adaptive ? undefined : String(sweep.repeats),
    targetCi: adaptive ? String(PERCENT * adaptive.target_ci) : undefined,
    minRepeats: adaptive ? String(sweep.repeats) : undefined,
    maxRepeats: adaptive ? String(adaptive.max_repeats) : undefined,
    sampleBudget: adaptive ? String(adaptive.budget_s) : undefined,
    timeLimit: sweep.time_limit_s === null ? undefined : String(sweep.time_limit_s),
    maxMemory: sweep.max_memory_mb === null ? undefined : String(sweep.max_memory_mb),
    weights: sweep.weights_file ?? undefined,
  };
}

function backendOption(raw: RawCompareOptions): BackendChoice {
  return backend(raw.backend ?? COMPARE_DEFAULTS.backend);
}

function caseTimeoutS(raw: RawCompareOptions): number {
  return raw.caseTimeout === undefined
    ? COMPARE_DEFAULTS.caseTimeout
    : within(
        '--case-timeout',
        parsePositiveNumber('--case-timeout', raw.caseTimeout),
        LIMITS.caseTimeout,
        LIMITS.seconds,
      );
}

function threadsOption(raw: RawCompareOptions): number | undefined {
  return raw.threads === undefined ? undefined : parsePositiveInteger('--threads', raw.threads);
}

/** A run id and default folder name from the start time: 2025-01-31T12-00-00Z. */
export function runStamp(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

/** An --out that a new run can be written to: no file of that name, no results.json in it; `advice` says what to do instead. */
export function checkNewOut(out: string, advice: string): void {
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory()) throw new UsageError('--out', `--out: '${out}' exists and is not a folder`);
  if (fs.existsSync(path.join(out, RESULTS_JSON)))
    throw new UsageError('--out', `--out: '${out}' already holds a ${RESULTS_JSON} (${advice})`);
}

function newSweep(raw: RawCompareOptions, now: Date): NewSweep {
  if (raw.retryFailed)
    throw new UsageError(
      '--retry-failed',
      '--retry-failed: only with --resume <dir> (it runs the failed cases of that run again)',
    );
  const shard = raw.shard === undefined ? undefined : parseShard(raw.shard);
  return {
    kind: 'new',
    // A shard's name says which it is, so shards started in the same second never share a run id.
    runId: shard ? `${runStamp(now)}-shard-${shard.index}-of-${shard.count}` : runStamp(now),
    out: raw.out ?? null,
    config: modelConfigFromOptions(raw),
    sweep: { ...sweepSettings(raw), threads: threadsOption(raw) ?? null },
    backend: backendOption(raw),
    caseTimeoutS: caseTimeoutS(raw),
    shard,
    threads: threadsOption(raw),
  };
}

/**
 * The run stored in `dir`, with its settings and config checked by the command line's rules (a
 * sweep or config edited by hand into something bsbr cannot run is refused), its backend a known one.
 */
export function readResumable(dir: string): ResultsFile {
  const file = path.join(dir, RESULTS_JSON);
  try {
    const results = readResults(file);
    if (results.shards)
      throw new UsageError('--resume', `${dir} is a merged run; resume the shard that lacks cases, then merge again`);
    const sweep = sweepSettings(sweepAsOptions(results.sweep));
    // Runs from before the digest was recorded have none to compare.
    const recorded = results.sweep.weights_sha256;
    if (recorded && sweep.weights_sha256 !== recorded) {
      throw new UsageError(
        '--resume',
        `the weights file ${sweep.weights_file} has changed since the run began (SHA-256 ${sweep.weights_sha256!.slice(0, 12)}..., the run recorded ${recorded.slice(0, 12)}...); restore it, or start a new run`,
      );
    }
    // Every field, as bsbr writes them (compressionFactor is absent for none): a default is not what the run used.
    const missing = Object.keys(DEFAULT_CONFIG).filter(
      (key) => key !== 'compressionFactor' && !(key in results.config),
    );
    if (missing.length) throw new UsageError('--resume', `config has no ${missing.join(', ')}`);
    const config = resolveConfig(results.config);
    if (!(BACKEND_NAMES as readonly string[]).includes(results.environment.backend)) {
      throw new UsageError(
        '--resume',
        `the run used backend '${results.environment.backend}', which this bsbr does not know (valid: ${BACKEND_NAMES.join(', ')})`,
      );
    }
    return { ...results, sweep: { ...sweep, threads: results.sweep.threads, weights_sha256: recorded }, config };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new UsageError('--resume', `--resume: ${file} cannot be resumed: ${err.message}`);
  }
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  return Array.isArray(value) ? value.join(' ') : String(value);
}

/** What a run is asked to be, by option, for comparing a resumed run with the options given alongside --resume. */
function requestAsOptions(
  sweep: SweepSettings,
  config: ModelConfig,
  backendName: string,
  threads: number | undefined,
  shard: ShardSpec | undefined,
  out: string | undefined,
): Partial<Record<keyof RawCompareOptions, unknown>> {
  return {
    ...sweepAsOptions(sweep),
    ...config,
    compressionFactor: config.compressionFactor ?? 0,
    backend: backendName,
    threads,
    shard: shard ? shardLabel(shard) : undefined,
    out: out === undefined ? undefined : path.resolve(out),
  };
}

/**
 * The run stored in `dir`, to be finished with its own settings and config. An option given
 * alongside --resume must agree with what the run used.
 */
function resumedSweep(raw: RawCompareOptions): ResumedSweep {
  const dir = raw.resume!;
  const results = readResumable(dir);
  const stored = requestAsOptions(
    results.sweep,
    results.config,
    results.environment.backend,
    results.environment.threads ?? undefined,
    results.shard,
    dir,
  );
  const asked = requestAsOptions(
    sweepSettings(raw),
    modelConfigFromOptions(raw),
    backendOption(raw),
    threadsOption(raw),
    raw.shard === undefined ? undefined : parseShard(raw.shard),
    raw.out,
  );
  for (const key of Object.keys(stored) as Array<keyof RawCompareOptions>) {
    if (raw[key] !== undefined && JSON.stringify(asked[key]) !== JSON.stringify(stored[key])) {
      throw new UsageError(
        flag(key),
        `${flag(key)} ${show(asked[key])} conflicts with the run being resumed, which used ${show(stored[key])} (leave ${flag(key)} out to resume it)`,
      );
    }
  }
  return { kind: 'resume', dir, retryFailed: raw.retryFailed === true, caseTimeoutS: caseTimeoutS(raw) };
}

/** Checks every option; nothing has been run or written when this throws. */
export function parseCompareOptions(raw: RawCompareOptions, now = new Date()): CompareRequest {
  return raw.resume === undefined ? newSweep(raw, now) : resumedSweep(raw);
}
