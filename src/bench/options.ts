/**
 * Checks every `bsbr compare` option before anything is run or written, and turns them into either a
 * new sweep or the resumption of an earlier one. Every problem is a UsageError naming the option.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, ModelConfig, resolveConfig } from '../../models/config';
import { canonicalModelName, MODEL_NAMES } from '../../models/registry';
import { BACKEND_NAMES, BackendChoice } from '../../models/backends/setup';
import { UsageError } from '../cli/errors';
import { modelConfigFrom, ModelOptions } from '../cli/model_options';
import { readResults } from '../results/read';
import { Mode, MODES, ResultsFile, SweepSettings } from '../results/schema';
import { RESULTS_JSON } from './write';

/** The options as commander hands them over (the model config already parsed to numbers). */
export interface RawCompareOptions extends ModelOptions {
  seqLengths: string[];
  models?: string[];
  mode: string[];
  batchSize: string;
  warmup: string;
  repeats: string;
  backend: string;
  threads?: string;
  timeLimit?: string;
  maxMemory?: string;
  weights?: string;
  out?: string;
  resume?: string;
}

/** Whether the user typed the option (commander's value source 'cli'), by its key in RawCompareOptions. */
export type OptionGiven = (key: keyof RawCompareOptions) => boolean;

export interface NewSweep {
  kind: 'new';
  runId: string;
  out: string;
  config: ModelConfig;
  sweep: SweepSettings;
  backend: BackendChoice;
  /** The wasm backend's threads; undefined: every core. */
  threads?: number;
}

export interface ResumedSweep {
  kind: 'resume';
  dir: string;
  results: ResultsFile;
}

export type CompareRequest = NewSweep | ResumedSweep;

/** '--hidden-dim' for hiddenDim. */
function flag(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function integer(key: string, value: string, min: number, what: string): number {
  const text = String(value).trim();
  if (!INTEGER.test(text) || Number(text) < min) throw new UsageError(`${flag(key)}: '${value}' is not ${what}`);
  return Number(text);
}

const positiveInteger = (key: string, value: string) => integer(key, value, 1, 'a positive integer');

function positiveNumber(key: string, value: string): number {
  const text = String(value).trim();
  if (!NUMBER.test(text) || !(Number(text) > 0)) throw new UsageError(`${flag(key)}: '${value}' is not a positive number`);
  return Number(text);
}

/** Each value once, in the order first given. */
function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function seqLengths(values: string[]): number[] {
  const lengths = values.map((v) => {
    const text = String(v).trim();
    if (!INTEGER.test(text) || Number(text) < 1) {
      throw new UsageError(`--seq-lengths: '${v}' is not a positive integer (give whole numbers of tokens >= 1, e.g. --seq-lengths 64 128 256)`);
    }
    return Number(text);
  });
  // Ascending, so "the longer lengths" of a model are the ones after it.
  return unique(lengths).sort((a, b) => a - b);
}

function models(names: string[] | undefined): string[] {
  if (names === undefined) return [...MODEL_NAMES];
  return unique(names.map((name) => {
    const canonical = canonicalModelName(name);
    if (!canonical) throw new UsageError(`--models: unknown model '${name}' (valid: ${MODEL_NAMES.join(', ')}; case does not matter)`);
    return canonical;
  }));
}

function modes(values: string[]): Mode[] {
  return unique(values.map((value) => {
    const mode = MODES.find((m) => m === value.toLowerCase());
    if (!mode) throw new UsageError(`--mode: unknown mode '${value}' (valid: ${MODES.join(', ')})`);
    return mode;
  }));
}

function backend(value: string): BackendChoice {
  const choices: readonly string[] = ['auto', ...BACKEND_NAMES];
  if (!choices.includes(value)) throw new UsageError(`--backend: unknown backend '${value}' (valid: ${choices.join(', ')})`);
  return value as BackendChoice;
}

/** The model config; resolveConfig checks each field and the relations between them (heads dividing D...). */
function modelConfig(raw: RawCompareOptions): ModelConfig {
  try {
    return resolveConfig(modelConfigFrom(raw));
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`${flag(err.field)}: ${err.message}`);
    throw err;
  }
}

/** --weights: an existing file, for exactly one model (its shapes are checked by the calibration worker). */
function weightsFile(file: string | undefined, names: string[] | undefined): string | null {
  if (file === undefined) return null;
  if (names?.length !== 1) throw new UsageError(`--weights: loads one model's weights; give exactly one --models NAME (valid: ${MODEL_NAMES.join(', ')})`);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`--weights: no such file '${file}'`);
  return path.resolve(file);
}

interface Settings {
  config: ModelConfig;
  sweep: SweepSettings;
  backend: BackendChoice;
  threads?: number;
}

function settings(raw: RawCompareOptions): Settings {
  const sweep: SweepSettings = {
    models: models(raw.models),
    seq_lengths: seqLengths(raw.seqLengths),
    modes: modes(raw.mode),
    batch_size: positiveInteger('batchSize', raw.batchSize),
    warmup: integer('warmup', raw.warmup, 0, 'a non-negative integer'),
    repeats: positiveInteger('repeats', raw.repeats),
    time_limit_s: raw.timeLimit === undefined ? null : positiveNumber('timeLimit', raw.timeLimit),
    max_memory_mb: raw.maxMemory === undefined ? null : positiveNumber('maxMemory', raw.maxMemory),
    weights_file: weightsFile(raw.weights, raw.models),
  };
  const threads = raw.threads === undefined ? undefined : positiveInteger('threads', raw.threads);
  return { config: modelConfig(raw), sweep, backend: backend(raw.backend), threads };
}

/** A run id and default folder name from the start time: 2025-01-31T12-00-00Z. */
export function runStamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

function newSweep(raw: RawCompareOptions, now: Date): NewSweep {
  const { config, sweep, backend: choice, threads } = settings(raw);
  const runId = runStamp(now);
  const out = raw.out ?? path.join('results', runId);
  if (fs.existsSync(out)) {
    if (!fs.statSync(out).isDirectory()) throw new UsageError(`--out: '${out}' exists and is not a folder`);
    if (fs.existsSync(path.join(out, RESULTS_JSON))) {
      throw new UsageError(`--out: '${out}' already holds a ${RESULTS_JSON} (finish it with --resume ${out}, or choose another --out)`);
    }
  }
  return { kind: 'new', runId, out, config, sweep, backend: choice, threads };
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
  let results: ResultsFile;
  try {
    results = readResults(path.join(dir, RESULTS_JSON));
  } catch (err) {
    throw new UsageError(`--resume: ${(err as Error).message}`);
  }
  const unknown = results.sweep.models.filter((m) => canonicalModelName(m) !== m);
  if (unknown.length) throw new UsageError(`--resume: the run uses models this bsbr does not have: ${unknown.join(', ')} (valid: ${MODEL_NAMES.join(', ')})`);
  if (!(BACKEND_NAMES as readonly string[]).includes(results.environment.backend)) {
    throw new UsageError(`--resume: the run used backend '${results.environment.backend}', which this bsbr does not know (valid: ${BACKEND_NAMES.join(', ')})`);
  }
  const requested = settings(raw);
  const { sweep, config } = results;
  const stored: Partial<Record<keyof RawCompareOptions, unknown>> = {
    seqLengths: sweep.seq_lengths, models: sweep.models, mode: sweep.modes, batchSize: sweep.batch_size,
    warmup: sweep.warmup, repeats: sweep.repeats, timeLimit: sweep.time_limit_s, maxMemory: sweep.max_memory_mb,
    weights: sweep.weights_file ?? null,
    backend: results.environment.backend, threads: results.environment.threads ?? null, out: path.resolve(dir),
    ...config, compressionFactor: config.compressionFactor ?? 0,
  };
  const asked: Partial<Record<keyof RawCompareOptions, unknown>> = {
    seqLengths: requested.sweep.seq_lengths, models: requested.sweep.models, mode: requested.sweep.modes,
    batchSize: requested.sweep.batch_size, warmup: requested.sweep.warmup, repeats: requested.sweep.repeats,
    timeLimit: requested.sweep.time_limit_s, maxMemory: requested.sweep.max_memory_mb, backend: requested.backend,
    threads: requested.threads,
    weights: requested.sweep.weights_file,
    out: raw.out === undefined ? undefined : path.resolve(raw.out),
    ...requested.config, compressionFactor: requested.config.compressionFactor ?? 0,
  };
  for (const key of Object.keys(stored) as Array<keyof RawCompareOptions>) {
    if (given(key) && JSON.stringify(asked[key]) !== JSON.stringify(stored[key])) {
      throw new UsageError(`${flag(key)} ${show(asked[key])} conflicts with the run being resumed, which used ${show(stored[key])} (leave ${flag(key)} out to resume it)`);
    }
  }
  return { kind: 'resume', dir, results };
}

/** Checks every option; nothing has been run or written when this throws. */
export function parseCompareOptions(raw: RawCompareOptions, given: OptionGiven, now = new Date()): CompareRequest {
  return raw.resume === undefined ? newSweep(raw, now) : resumedSweep(raw, given);
}
