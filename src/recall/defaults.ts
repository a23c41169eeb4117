/** Every default of `bsbr recall`, in one place: the help text and the option parser read them here. */
import { MODEL_NAMES } from '../../models/registry';

export const RECALL_DEFAULTS = {
  models: MODEL_NAMES,
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
  learningRates: [1e-3, 3e-3],
  targetAccuracy: 0.99,
  filler: 'zeros',
  seed: 0,
  backend: 'auto',
  jobs: 1,
  caseTimeoutS: 3600,
} as const;
