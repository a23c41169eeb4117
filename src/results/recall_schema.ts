/**
 * The results of one `bsbr recall` run (docs/recall.md): what its results.json holds and what
 * `bsbr analyze` reads back. results.csv holds the cases with RECALL_CSV_COLUMNS.
 */
import { ModelConfig } from '../../models/config';
import { RunEnvironment, ShardSpec } from './schema';

export const RECALL_FORMAT = 'bsbr-recall';

/** One MQAR task: sequence length and key-value pairs per example. */
export interface RecallTask {
  seq_len: number;
  kv_pairs: number;
}

/** The sweep: every (model, BSBR compression, hidden size, task, learning rate) is one case. */
export interface RecallSweep {
  models: string[];
  hidden_dims: number[];
  tasks: RecallTask[];
  learning_rates: number[];
  /** BSBR's compression factors to run (null: none); other models run once. */
  bsbr_compression: Array<number | null>;
  /** ffDim = ff_factor * hidden size. */
  ff_factor: number;
  train_examples: number;
  test_examples: number;
  batch_size: number;
  /** Optimizer steps per case (an early stop ends sooner). */
  steps: number;
  warmup_steps: number;
  /** Steps between test evaluations. */
  eval_every: number;
  target_accuracy: number;
  filler: 'zeros' | 'random';
  /** The data's seed (train and test sets derive distinct seeds from it). */
  data_seed: number;
}

/** ok: trained and tested; error: the case threw or its worker died (message says why). */
export type RecallStatus = 'ok' | 'error';

export interface RecallEvaluation {
  step: number;
  accuracy: number;
  loss: number;
}

/** One case, one results.csv row (the evaluations in JSON only). */
export interface RecallCase extends RecallCaseKey {
  run_id: string;
  backend: string;
  status: RecallStatus;
  /** Test accuracy over every query of the test set, at the last evaluation. */
  accuracy: number | null;
  /** Mean training loss over the steps before the last evaluation. */
  final_loss: number | null;
  steps: number | null;
  /** Wall time of the case's training and evaluations, in seconds (not comparable across --jobs). */
  wall_s: number | null;
  /** Floats of the decode state for one sequence of seq_len tokens (models/state_size.ts). */
  state_floats: number;
  params: number | null;
  message: string;
  evaluations: RecallEvaluation[];
}

export const RECALL_CSV_COLUMNS = [
  'run_id',
  'model',
  'compression_factor',
  'hidden_dim',
  'seq_len',
  'kv_pairs',
  'learning_rate',
  'backend',
  'status',
  'accuracy',
  'final_loss',
  'steps',
  'wall_s',
  'state_floats',
  'params',
  'message',
] as const satisfies ReadonlyArray<keyof RecallCase>;

/** A shard run joined by `bsbr merge`. */
export interface RecallShardRun {
  shard: ShardSpec;
  run_id: string;
  created_at: string;
  command: string[];
  environment: RunEnvironment;
}

export interface RecallResults {
  format: typeof RECALL_FORMAT;
  version: 1;
  run_id: string;
  created_at: string;
  command: string[];
  /** The model config every case starts from (hiddenDim and ffDim are set per case, compressionFactor for BSBR). */
  config: ModelConfig;
  sweep: RecallSweep;
  environment: RunEnvironment;
  shard?: ShardSpec;
  shards?: RecallShardRun[];
  cases: RecallCase[];
}

/** A case before it runs: what identifies it. */
export interface RecallCaseKey {
  model: string;
  /** BSBR's compression factor, null for none and for the other models. */
  compression_factor: number | null;
  hidden_dim: number;
  seq_len: number;
  kv_pairs: number;
  learning_rate: number;
}

export function recallCaseKey(c: RecallCaseKey): string {
  return `${c.model}|${c.compression_factor ?? 'none'}|${c.hidden_dim}|${c.seq_len}|${c.kv_pairs}|${c.learning_rate}`;
}

/** The name a case's model goes by in tables and charts: BSBR with its compression factor. */
export function recallModelLabel(c: { model: string; compression_factor: number | null }): string {
  return c.compression_factor === null ? c.model : `${c.model} cf${c.compression_factor}`;
}

/** The model config of a case. */
export function recallCaseConfig(base: ModelConfig, sweep: RecallSweep, c: RecallCaseKey): ModelConfig {
  return {
    ...base,
    hiddenDim: c.hidden_dim,
    ffDim: sweep.ff_factor * c.hidden_dim,
    compressionFactor: c.compression_factor ?? undefined,
  };
}
