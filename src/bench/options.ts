/**
 * Checks every `bsbr compare` option before anything is run or written, and turns them into either a
 * new sweep or the resumption of an earlier one. Every problem is a UsageError naming the option.
 * A run being resumed is checked by the same rules, as if its stored settings had been typed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_CONFIG, ModelConfig, resolveConfig } from '../../models/config';
import { canonicalModelName, MODEL_NAMES } from '../../models/registry';
import { BACKEND_NAMES, BackendChoice, BackendError, parseBackendChoice } from '../../models/backends/setup';
import { InputError } from '../../models/errors';
import { openRegularFile } from '../io/read_file';
import { modelConfigFromOptions, ModelOptions } from '../options/model_options';
import { parseInteger, parsePositiveInteger, parsePositiveNumber } from '../options/numbers';
import { ALL_MODELS, COMPARE_DEFAULTS } from '../options/defaults';
import { flag, UsageError } from '../options/usage_error';
import { readResults } from '../results/read';
import { AdaptiveSampling, Mode, MODES, ResultsFile, ShardSpec, SweepSettings } from '../results/schema';
import { parseShard, shardLabel } from '../options/shard';
import { RESULTS_JSON } from '../results/write';

/** The options as commander hands them over: text as typed. */
export interface RawCompareOptions extends ModelOptions {
  seqLengths: string[];
  models?: string[];
  mode: string[];
  batchSize: string;
  warmup: string;
  repeats: string;
  targetCi?: string;
  minRepeats?: string;
  maxRepeats?: string;
  sampleBudget?: string;
  backend: string;
  threads?: string;
  timeLimit?: string;
  maxMemory?: string;
  caseTimeout: string;
  weights?: string;
  out?: string;
  resume?: string;
  retryFailed?: boolean;
  shard?: string;
}

/** Whether the user typed the option (commander's value source 'cli'), by its key in RawCompareOptions. */
export type OptionGiven = (key: keyof RawCompareOptions) => boolean;

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

/** Each value once, in the order first given. */
function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** A list option given with spaces, commas or both: `--models BSBR,Linear GAU`. */
function listValues(values: readonly string[]): string[] {
  return values.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function seqLengths(values: string[]): number[] {
  const lengths = listValues(values).map((v) => parseInteger('--seq-lengths', v, 1, 'a positive integer (give whole numbers of tokens >= 1, e.g. --seq-lengths 64 128 256)'));
  // Ascending, so "the longer lengths" of a model are the ones after it.
  return unique(lengths).sort((a, b) => a - b);
}

function models(names: string[] | undefined): string[] {
  if (names === undefined) return [...COMPARE_DEFAULTS.models];
  const listed = listValues(names);
  if (listed.some((name) => name.toLowerCase() === ALL_MODELS)) return [...MODEL_NAMES];
  return unique(listed.map((name) => {
    const canonical = canonicalModelName(name);
    if (!canonical) throw new UsageError('--models', `--models: unknown model '${name}' (valid: ${MODEL_NAMES.join(', ')}, or ${ALL_MODELS} for every one; case does not matter)`);
    return canonical;
  }));
}

function modes(values: string[]): Mode[] {
  return unique(listValues(values).map((value) => {
    const mode = MODES.find((m) => m === value.toLowerCase());
    if (!mode) throw new UsageError('--mode', `--mode: unknown mode '${value}' (valid: ${MODES.join(', ')})`);
    return mode;
  }));
}

/** A backend name in any case, as models/backends reads it. */
function backend(value: string): BackendChoice {
  try {
    return parseBackendChoice(value);
  } catch (err) {
    if (err instanceof BackendError) throw new UsageError('--backend', `--backend: ${err.message}`);
    throw err;
  }
}

/** --weights: a regular file, for exactly one model (its shapes are checked by the calibration worker). */
function weightsFile(file: string | undefined, names: string[] | undefined): string | null {
  if (file === undefined) return null;
  if (names === undefined || listValues(names).length !== 1) throw new UsageError('--weights', `--weights: loads one model's weights; give exactly one --models NAME (valid: ${MODEL_NAMES.join(', ')})`);
  try {
    fs.closeSync(openRegularFile(file, 'safetensors file').fd);
  } catch (err) {
    throw new UsageError('--weights', `--weights: ${(err as Error).message}`);
  }
  return path.resolve(file);
}

/** The sweep's settings: what the command line says, or what a stored run says, read by the same rules. */
type SweepOptions = Pick<
  RawCompareOptions,
  'seqLengths' | 'models' | 'mode' | 'batchSize' | 'warmup' | 'repeats' | 'targetCi' | 'minRepeats' | 'maxRepeats' | 'sampleBudget' | 'timeLimit' | 'maxMemory' | 'weights'
>;

/** Defaults of adaptive sampling: 6 is the fewest repeats with a 95% interval of the median. */
export const ADAPTIVE_DEFAULTS = { minRepeats: 6, maxRepeats: 100, budgetS: 30 } as const;

/**
 * --target-ci turns on adaptive sampling, with --min-repeats, --max-repeats and --sample-budget;
 * --repeats is the fixed count otherwise. Each of the two sets is refused with the other
 * (`repeatsTyped`: whether --repeats was given, not defaulted).
 */
function sampling(raw: SweepOptions, repeatsTyped: boolean): { repeats: number; adaptive: AdaptiveSampling | null } {
  const adaptiveOnly = (['minRepeats', 'maxRepeats', 'sampleBudget'] as const).find((key) => raw[key] !== undefined);
  if (raw.targetCi === undefined) {
    if (adaptiveOnly) throw new UsageError(flag(adaptiveOnly), `${flag(adaptiveOnly)}: only with --target-ci (adaptive sampling); --repeats sets a fixed count`);
    return { repeats: parsePositiveInteger('--repeats', raw.repeats), adaptive: null };
  }
  if (repeatsTyped) throw new UsageError('--repeats', '--repeats: a fixed count; with --target-ci give --min-repeats and --max-repeats instead');
  const target = parsePositiveNumber('--target-ci', raw.targetCi);
  const min = raw.minRepeats === undefined ? ADAPTIVE_DEFAULTS.minRepeats : parsePositiveInteger('--min-repeats', raw.minRepeats);
  const max = raw.maxRepeats === undefined ? Math.max(min, ADAPTIVE_DEFAULTS.maxRepeats) : parsePositiveInteger('--max-repeats', raw.maxRepeats);
  if (max < min) throw new UsageError('--max-repeats', `--max-repeats: ${max} is fewer than --min-repeats ${min}`);
  const budget = raw.sampleBudget === undefined ? ADAPTIVE_DEFAULTS.budgetS : parsePositiveNumber('--sample-budget', raw.sampleBudget);
  return { repeats: min, adaptive: { target_ci: target / 100, max_repeats: max, budget_s: budget } };
}

function sweepSettings(raw: SweepOptions, repeatsTyped = false): SweepSettings {
  const { repeats, adaptive } = sampling(raw, repeatsTyped);
  return {
    models: models(raw.models),
    seq_lengths: seqLengths(raw.seqLengths),
    modes: modes(raw.mode),
    batch_size: parsePositiveInteger('--batch-size', raw.batchSize),
    warmup: parseInteger('--warmup', raw.warmup, 0, 'a non-negative integer'),
    repeats,
    time_limit_s: raw.timeLimit === undefined ? null : parsePositiveNumber('--time-limit', raw.timeLimit),
    max_memory_mb: raw.maxMemory === undefined ? null : parsePositiveNumber('--max-memory', raw.maxMemory),
    weights_file: weightsFile(raw.weights, raw.models),
    adaptive,
  };
}

function threadsOption(raw: RawCompareOptions): number | undefined {
  return raw.threads === undefined ? undefined : parsePositiveInteger('--threads', raw.threads);
}

/** A run id and default folder name from the start time: 2025-01-31T12-00-00Z. */
export function runStamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** An --out that a new run can be written to: no file of that name, no results.json in it; `advice` says what to do instead. */
export function checkNewOut(out: string, advice: string): void {
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory()) throw new UsageError('--out', `--out: '${out}' exists and is not a folder`);
  if (fs.existsSync(path.join(out, RESULTS_JSON))) throw new UsageError('--out', `--out: '${out}' already holds a ${RESULTS_JSON} (${advice})`);
}

function newSweep(raw: RawCompareOptions, given: OptionGiven, now: Date): NewSweep {
  if (raw.retryFailed) throw new UsageError('--retry-failed', '--retry-failed: only with --resume <dir> (it runs the failed cases of that run again)');
  const shard = raw.shard === undefined ? undefined : parseShard(raw.shard);
  return {
    kind: 'new',
    // A shard's name says which it is, so shards started in the same second never share a run id.
    runId: shard ? `${runStamp(now)}-shard-${shard.index}-of-${shard.count}` : runStamp(now),
    out: raw.out ?? null,
    config: modelConfigFromOptions(raw),
    sweep: { ...sweepSettings(raw, given('repeats')), threads: threadsOption(raw) ?? null },
    backend: backend(raw.backend),
    caseTimeoutS: parsePositiveNumber('--case-timeout', raw.caseTimeout),
    shard,
    threads: threadsOption(raw),
  };
}

/** The stored sweep as the options that would have made it; a value of the wrong JSON type is refused here. */
function storedSweepOptions(sweep: Record<string, unknown>): SweepOptions {
  const fail = (key: string, what: string) => new UsageError('--resume', `sweep.${key} must be ${what} (got ${JSON.stringify(sweep[key])})`);
  const list = (key: string, type: 'number' | 'string'): string[] => {
    const value = sweep[key];
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === type)) throw fail(key, `a non-empty list of ${type}s`);
    return value.map(String);
  };
  const scalar = (key: string, type: 'number' | 'string', nullable: boolean): string | undefined => {
    const value = sweep[key];
    if (nullable && (value === null || value === undefined)) return undefined;
    if (typeof value !== type) throw fail(key, `a ${type}${nullable ? ' or null' : ''}`);
    return String(value);
  };
  const adaptive = sweep.adaptive as Record<string, unknown> | null | undefined;
  const adaptiveValue = (key: string): string | undefined => {
    if (adaptive === null || adaptive === undefined) return undefined;
    if (typeof adaptive[key] !== 'number') throw fail(`adaptive.${key}`, 'a number');
    return String(key === 'target_ci' ? 100 * (adaptive[key] as number) : adaptive[key]);
  };
  return {
    targetCi: adaptiveValue('target_ci'),
    minRepeats: adaptive ? scalar('repeats', 'number', false) : undefined,
    maxRepeats: adaptiveValue('max_repeats'),
    sampleBudget: adaptiveValue('budget_s'),
    seqLengths: list('seq_lengths', 'number'),
    models: list('models', 'string'),
    mode: list('modes', 'string'),
    batchSize: scalar('batch_size', 'number', false)!,
    warmup: scalar('warmup', 'number', false)!,
    repeats: scalar('repeats', 'number', false)!,
    timeLimit: scalar('time_limit_s', 'number', true),
    maxMemory: scalar('max_memory_mb', 'number', true),
    weights: scalar('weights_file', 'string', true),
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
    if (results.shards) throw new UsageError('--resume', `${dir} is a merged run; resume the shard that lacks cases, then merge again`);
    const sweep = sweepSettings(storedSweepOptions(results.sweep as unknown as Record<string, unknown>));
    // Every field, as bsbr writes them (compressionFactor is absent for none): a default is not what the run used.
    const missing = Object.keys(DEFAULT_CONFIG).filter((key) => key !== 'compressionFactor' && !(key in results.config));
    if (missing.length) throw new UsageError('--resume', `config has no ${missing.join(', ')}`);
    const config = resolveConfig(results.config);
    if (!(BACKEND_NAMES as readonly string[]).includes(results.environment.backend)) {
      throw new UsageError('--resume', `the run used backend '${results.environment.backend}', which this bsbr does not know (valid: ${BACKEND_NAMES.join(', ')})`);
    }
    return { ...results, sweep: { ...sweep, threads: results.sweep.threads }, config };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new UsageError('--resume', `--resume: ${file} cannot be resumed: ${err.message}`);
  }
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  return Array.isArray(value) ? value.join(' ') : String(value);
}

/**
 * The run stored in `dir`, to be finished with its own settings and config. An option given
 * alongside --resume must agree with what the run used.
 */
function resumedSweep(raw: RawCompareOptions, given: OptionGiven): ResumedSweep {
  const dir = raw.resume!;
  const results = readResumable(dir);
  const requested = { config: modelConfigFromOptions(raw), sweep: sweepSettings(raw, given('repeats')), backend: backend(raw.backend),
    shard: raw.shard === undefined ? undefined : parseShard(raw.shard), threads: threadsOption(raw) };
  const { sweep, config } = results;
  const stored: Partial<Record<keyof RawCompareOptions, unknown>> = {
    seqLengths: sweep.seq_lengths, models: sweep.models, mode: sweep.modes, batchSize: sweep.batch_size,
    warmup: sweep.warmup, repeats: sweep.repeats, timeLimit: sweep.time_limit_s, maxMemory: sweep.max_memory_mb,
    weights: sweep.weights_file ?? null, shard: results.shard ? shardLabel(results.shard) : null,
    targetCi: sweep.adaptive ? 100 * sweep.adaptive.target_ci : null, maxRepeats: sweep.adaptive?.max_repeats ?? null,
    sampleBudget: sweep.adaptive?.budget_s ?? null, minRepeats: sweep.adaptive ? sweep.repeats : null,
    backend: results.environment.backend, threads: results.environment.threads ?? null, out: path.resolve(dir),
    ...config, compressionFactor: config.compressionFactor ?? 0,
  };
  const asked: Partial<Record<keyof RawCompareOptions, unknown>> = {
    seqLengths: requested.sweep.seq_lengths, models: requested.sweep.models, mode: requested.sweep.modes,
    batchSize: requested.sweep.batch_size, warmup: requested.sweep.warmup, repeats: requested.sweep.repeats,
    timeLimit: requested.sweep.time_limit_s, maxMemory: requested.sweep.max_memory_mb, backend: requested.backend,
    weights: requested.sweep.weights_file, shard: requested.shard ? shardLabel(requested.shard) : null,
    targetCi: requested.sweep.adaptive ? 100 * requested.sweep.adaptive.target_ci : null, maxRepeats: requested.sweep.adaptive?.max_repeats ?? null,
    sampleBudget: requested.sweep.adaptive?.budget_s ?? null, minRepeats: requested.sweep.adaptive ? requested.sweep.repeats : null,
    threads: requested.threads,
    out: raw.out === undefined ? undefined : path.resolve(raw.out),
    ...requested.config, compressionFactor: requested.config.compressionFactor ?? 0,
  };
  for (const key of Object.keys(stored) as Array<keyof RawCompareOptions>) {
    if (given(key) && JSON.stringify(asked[key]) !== JSON.stringify(stored[key])) {
      throw new UsageError(flag(key), `${flag(key)} ${show(asked[key])} conflicts with the run being resumed, which used ${show(stored[key])} (leave ${flag(key)} out to resume it)`);
    }
  }
  return { kind: 'resume', dir, retryFailed: raw.retryFailed === true, caseTimeoutS: parsePositiveNumber('--case-timeout', raw.caseTimeout) };
}

/** Checks every option; nothing has been run or written when this throws. */
export function parseCompareOptions(raw: RawCompareOptions, given: OptionGiven, now = new Date()): CompareRequest {
  return raw.resume === undefined ? newSweep(raw, given, now) : resumedSweep(raw, given);
}
