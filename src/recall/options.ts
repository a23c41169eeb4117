/**
 * Checks every `bsbr recall` option before anything is run or written and turns them into a new run
 * or the resumption of one. Every problem is a UsageError naming the option.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ALL_CORES } from '../../models/backends/wasm_threads';
import { ModelConfig, resolveConfig } from '../../models/config';
import { InputError } from '../../models/errors';
import { runStamp } from '../bench/options';
import { parseShard } from '../options/shard';
import { listValues, parseBackendOption, parseModels, unique } from '../options/lists';
import { parseInteger, parseNumber, parsePositiveInteger, parsePositiveNumber } from '../options/numbers';
import { RECALL_DEFAULTS } from '../options/defaults';
import { UsageError } from '../options/usage_error';
import { readRecallResults } from '../results/recall_read';
import { RecallSweep, RecallTask } from '../results/recall_schema';
import { checkMqarShape } from './mqar';
import { planRecallCases } from './cases';
import { RecallRequest } from './run';
import { RESULTS_JSON } from '../results/write';

/** The options as typed (or set by a preset): text, undefined where not given (RECALL_DEFAULTS fills those). */
export interface RawRecallOptions {
  models?: string[];
  hiddenDims?: string[];
  tasks?: string[];
  vocabSize?: string;
  numLayers?: string;
  numHeads?: string;
  ffFactor?: string;
  chunkSize?: string;
  windowSize?: string;
  bsbrCompression?: string[];
  trainExamples?: string;
  testExamples?: string;
  batchSize?: string;
  steps?: string;
  epochs?: string;
  warmupSteps?: string;
  evalEvery?: string;
  learningRates?: string[];
  targetAccuracy?: string;
  filler?: string;
  seed?: string;
  backend?: string;
  threads?: string;
  jobs?: string;
  caseTimeout?: string;
  out?: string;
  resume?: string;
  shard?: string;
}

/** The options with every default filled in (as text, as if typed). */
type Filled = Required<Omit<RawRecallOptions, 'models' | 'steps' | 'epochs' | 'threads' | 'out' | 'resume' | 'shard'>> &
  Pick<RawRecallOptions, 'models' | 'steps' | 'epochs' | 'threads' | 'out' | 'resume' | 'shard'>;

function fillDefaults(raw: RawRecallOptions): Filled {
  const D = RECALL_DEFAULTS;
  const text = (v: string | undefined, d: number | string) => v ?? String(d);
  const list = (v: string[] | undefined, d: ReadonlyArray<number | string>) => v ?? d.map(String);
  return {
    ...raw,
    hiddenDims: list(raw.hiddenDims, D.hiddenDims),
    tasks: list(raw.tasks, D.tasks),
    vocabSize: text(raw.vocabSize, D.vocabSize),
    numLayers: text(raw.numLayers, D.numLayers),
    numHeads: text(raw.numHeads, D.numHeads),
    ffFactor: text(raw.ffFactor, D.ffFactor),
    chunkSize: text(raw.chunkSize, D.chunkSize),
    windowSize: text(raw.windowSize, D.windowSize),
    bsbrCompression: list(raw.bsbrCompression, D.bsbrCompression),
    trainExamples: text(raw.trainExamples, D.trainExamples),
    testExamples: text(raw.testExamples, D.testExamples),
    batchSize: text(raw.batchSize, D.batchSize),
    warmupSteps: text(raw.warmupSteps, D.warmupSteps),
    evalEvery: text(raw.evalEvery, D.evalEvery),
    learningRates: list(raw.learningRates, D.learningRates),
    targetAccuracy: text(raw.targetAccuracy, D.targetAccuracy),
    filler: text(raw.filler, D.filler),
    seed: text(raw.seed, D.seed),
    backend: text(raw.backend, D.backend),
    jobs: text(raw.jobs, D.jobs),
    caseTimeout: text(raw.caseTimeout, D.caseTimeoutS),
  };
}

function integers(option: string, values: string[]): number[] {
  return unique(listValues(values).map((v) => parsePositiveInteger(option, v)));
}

/** --tasks 64:4 128:8: sequence length and key-value pairs, checked against the task's limits. */
function tasks(values: string[], vocabSize: number): RecallTask[] {
  const parsed = unique(listValues(values)).map((text) => {
    const match = /^(\d+):(\d+)$/.exec(text);
    if (!match) throw new UsageError('--tasks', `--tasks: '${text}' is not SEQ_LEN:KV_PAIRS (e.g. --tasks 64:4 128:8)`);
    const task = { seq_len: Number(match[1]), kv_pairs: Number(match[2]) };
    try {
      checkMqarShape(vocabSize, task.seq_len, task.kv_pairs);
    } catch (err) {
      if (err instanceof InputError) throw new UsageError('--tasks', `--tasks ${text}: ${err.message}`);
      throw err;
    }
    return task;
  });
  if (parsed.length === 0) throw new UsageError('--tasks', '--tasks: give at least one SEQ_LEN:KV_PAIRS');
  return parsed;
}

function compression(values: string[]): Array<number | null> {
  return unique(
    listValues(values).map((v) => (v.toLowerCase() === 'none' ? null : parsePositiveInteger('--bsbr-compression', v))),
  );
}

function filler(value: string): 'zeros' | 'random' {
  if (value !== 'zeros' && value !== 'random')
    throw new UsageError('--filler', `--filler: '${value}' is not zeros or random`);
  return value;
}

/** --steps, or --epochs passes over the training set (not both); default RECALL_DEFAULTS.steps. */
function steps(raw: Filled, trainExamples: number, batchSize: number): number {
  if (raw.steps !== undefined && raw.epochs !== undefined)
    throw new UsageError('--epochs', '--epochs and --steps both set the length of training; give one');
  if (raw.epochs !== undefined)
    return parsePositiveInteger('--epochs', raw.epochs) * Math.max(1, Math.floor(trainExamples / batchSize));
  return raw.steps === undefined ? RECALL_DEFAULTS.steps : parsePositiveInteger('--steps', raw.steps);
}

/** The base model config; each case sets its hidden size, feed-forward size and BSBR's compression. */
function baseConfig(raw: Filled, hiddenDims: number[], seed: number): ModelConfig {
  const config = {
    vocabSize: parsePositiveInteger('--vocab-size', raw.vocabSize),
    numLayers: parsePositiveInteger('--num-layers', raw.numLayers),
    numHeads: parsePositiveInteger('--num-heads', raw.numHeads),
    chunkSize: parsePositiveInteger('--chunk-size', raw.chunkSize),
    windowSize: parsePositiveInteger('--window-size', raw.windowSize),
    // Training without dropout, as the recall recipe (docs/recall.md).
    dropout: 0,
    seed,
  };
  for (const hiddenDim of hiddenDims) {
    if (hiddenDim % config.numHeads !== 0)
      throw new UsageError(
        '--num-heads',
        `--num-heads ${config.numHeads} must divide every --hidden-dims (${hiddenDim} does not divide)`,
      );
  }
  try {
    return resolveConfig({ ...config, hiddenDim: hiddenDims[0] });
  } catch (err) {
    if (err instanceof InputError) throw new UsageError('--num-heads', err.message);
    throw err;
  }
}

function sweepFrom(raw: Filled, vocabSize: number, seed: number): RecallSweep {
  const trainExamples = parsePositiveInteger('--train-examples', raw.trainExamples);
  const batchSize = parsePositiveInteger('--batch-size', raw.batchSize);
  const targetAccuracy = parseNumber('--target-accuracy', raw.targetAccuracy);
  if (!(targetAccuracy > 0 && targetAccuracy <= 1))
    throw new UsageError('--target-accuracy', `--target-accuracy: '${raw.targetAccuracy}' is not in (0, 1]`);
  const learningRates = unique(listValues(raw.learningRates).map((v) => parsePositiveNumber('--learning-rates', v)));
  const hiddenDims = integers('--hidden-dims', raw.hiddenDims);
  if (hiddenDims.length === 0) throw new UsageError('--hidden-dims', '--hidden-dims: give at least one hidden size');
  if (learningRates.length === 0)
    throw new UsageError('--learning-rates', '--learning-rates: give at least one learning rate');
  const sweep: RecallSweep = {
    models: parseModels(raw.models, RECALL_DEFAULTS.models),
    hidden_dims: hiddenDims,
    tasks: tasks(raw.tasks, vocabSize),
    learning_rates: learningRates,
    bsbr_compression: compression(raw.bsbrCompression),
    ff_factor: parsePositiveInteger('--ff-factor', raw.ffFactor),
    train_examples: trainExamples,
    test_examples: parsePositiveInteger('--test-examples', raw.testExamples),
    batch_size: batchSize,
    steps: steps(raw, trainExamples, batchSize),
    warmup_steps: parseInteger('--warmup-steps', raw.warmupSteps, 0, 'an integer >= 0'),
    eval_every: parsePositiveInteger('--eval-every', raw.evalEvery),
    target_accuracy: targetAccuracy,
    filler: filler(raw.filler),
    data_seed: seed,
  };
  for (const cf of sweep.bsbr_compression) {
    const odd = hiddenDims.find((d) => cf !== null && d % cf !== 0);
    if (odd !== undefined)
      throw new UsageError(
        '--bsbr-compression',
        `--bsbr-compression ${cf} must divide every --hidden-dims (${odd} does not divide)`,
      );
  }
  return sweep;
}

/** --jobs and --threads: wasm threads per worker default to the cores shared out among the jobs. */
function execution(raw: Filled): { jobs: number; threads?: number; caseTimeoutS: number } {
  const jobs = parsePositiveInteger('--jobs', raw.jobs);
  const threads =
    raw.threads === undefined
      ? jobs > 1
        ? Math.max(1, Math.floor(ALL_CORES / jobs))
        : undefined
      : parsePositiveInteger('--threads', raw.threads);
  return { jobs, threads, caseTimeoutS: parsePositiveNumber('--case-timeout', raw.caseTimeout) };
}

/**
 * A new run from the options, or with --resume the run in that folder (its own settings; only
 * --jobs, --threads, --case-timeout and the output options may be given with it).
 */
export function parseRecallOptions(typed: RawRecallOptions, now = new Date()): RecallRequest {
  const raw = fillDefaults(typed);
  if (raw.resume !== undefined) {
    const allowed = new Set(['resume', 'jobs', 'threads', 'caseTimeout', 'format', 'quiet', 'preset', 'dryRun']);
    const clash = Object.keys(typed).find(
      (key) => typed[key as keyof RawRecallOptions] !== undefined && !allowed.has(key),
    );
    if (clash)
      throw new UsageError(
        '--resume',
        `--resume finishes a run with its own settings; leave out --${clash.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      );
    const dir = raw.resume;
    const file = path.join(dir, RESULTS_JSON);
    if (!fs.existsSync(file)) throw new UsageError('--resume', `--resume: no recall run in '${dir}' (no results.json)`);
    readRecallResults(file);
    return { kind: 'resume', dir, ...execution(raw) };
  }
  const seed = parseInteger('--seed', raw.seed, 0, 'an integer >= 0');
  if (seed > 2 ** 31 - 1) throw new UsageError('--seed', `--seed: '${raw.seed}' is above ${2 ** 31 - 1}`);
  const vocabSize = parsePositiveInteger('--vocab-size', raw.vocabSize);
  const sweep = sweepFrom(raw, vocabSize, seed);
  const config = baseConfig(raw, sweep.hidden_dims, seed);
  const shard = raw.shard === undefined ? undefined : parseShard(raw.shard);
  if (planRecallCases(sweep).length === 0) throw new UsageError('--models', 'the sweep has no case');
  if (raw.out !== undefined && fs.existsSync(path.join(raw.out, RESULTS_JSON))) {
    throw new UsageError(
      '--out',
      `--out: '${raw.out}' already holds a results.json (finish it with --resume ${raw.out}, or choose another --out)`,
    );
  }
  return {
    kind: 'new',
    runId: shard ? `${runStamp(now)}-shard-${shard.index}-of-${shard.count}` : runStamp(now),
    out: raw.out ?? null,
    backend: parseBackendOption(raw.backend),
    config,
    sweep,
    shard,
    ...execution(raw),
  };
}
