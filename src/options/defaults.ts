/**
 * What `bsbr compare` runs when an option is not given (and the model options `bsbr weights save`
 * shares): one home for these defaults. The help shows them from here, and they fill, once, what
 * neither the command line nor a preset gives. The default run is chosen to answer the first
 * question about efficient attention in about a minute on two cores: BSBR against causal softmax
 * attention (Standard) and linear attention, from 256 tokens (where fixed per-call costs still
 * dominate) to 2,048 (where Standard's n^2 shows), with enough repeats for the median's 95% interval
 * (docs/measurement.md, "The default run").
 */
import { DEFAULT_CONFIG, ModelConfig } from '../../models/config';
import { MODEL_NAMES } from '../../models/registry';
import { Mode } from '../results/schema';

export const COMPARE_DEFAULTS = {
  models: ['BSBR', 'Standard', 'Linear'],
  seqLengths: [256, 512, 1024, 2048],
  modes: ['forward'] as readonly Mode[],
  batchSize: 1,
  warmup: 2,
  /** 7: the fewest repeats whose [min, max] is a 95% interval of the median, with one to spare (6 give 96.9%). */
  repeats: 7,
  backend: 'auto',
  /** Seconds (--case-timeout). */
  caseTimeout: 1800,
} as const;

/** --models all: every architecture. */
export const ALL_MODELS = 'all';

/**
 * Without --threads, a case whose measured call is under this many FLOPs (analytic, src/sweep/flops.ts)
 * runs on one wasm thread, a larger one on every core (docs/measurement.md, "Threads", gives the
 * measurements behind the bound).
 */
export const ONE_THREAD_BELOW_FLOPS = 10e9;

/** Adaptive sampling's (--target-ci): 6 is the fewest repeats with a 95% interval of the median; --max-repeats is at least --min-repeats. */
export const ADAPTIVE_DEFAULTS = { minRepeats: 6, maxRepeats: 100, sampleBudget: 30 } as const;

/** The model config of the original comparison: the library's, with BSBR's state compression 2 (README, "The command line's defaults differ in one knob"). */
export const MODEL_DEFAULTS: Readonly<ModelConfig> = { ...DEFAULT_CONFIG, compressionFactor: 2 };

/** What `bsbr recall` runs when an option is not given (docs/recall.md, "Recipe"). */
export const RECALL_DEFAULTS = {
  models: MODEL_NAMES as readonly string[],
  hiddenDims: [64, 128],
  /** seq_len:kv_pairs. */
  tasks: ['64:4', '128:8', '256:16'],
  vocabSize: 8192,
  numLayers: 2,
  numHeads: 2,
  ffFactor: 2,
  chunkSize: 32,
  windowSize: 32,
  /** 'none' or compression factors. */
  bsbrCompression: ['none'],
  trainExamples: 20000,
  testExamples: 1000,
  batchSize: 64,
  steps: 1000,
  warmupSteps: 50,
  evalEvery: 100,
  learningRates: [3e-3, 1e-2],
  targetAccuracy: 0.99,
  filler: 'zeros',
  seed: 0,
  backend: 'auto',
  jobs: 1,
  caseTimeoutS: 3600,
} as const;
