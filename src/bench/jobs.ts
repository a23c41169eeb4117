/** The messages between the sweep and its worker processes (one worker per job). */
import { ModelConfig } from '../../models/config';
import { ActiveBackend, BackendChoice } from '../../models/backends/setup';
import { Calibration } from '../results/schema';
import { CaseSpec, ModelMeasurement } from './measure';

/** --weights: a safetensors file for the model, loaded in place of its seeded weights. */
export interface WeightsToLoad {
  model: string;
  config: ModelConfig;
  file: string;
}

/** threads: the wasm backend's (setupBackend's option; default every core). */
export type WorkerJob =
  | { kind: 'calibration'; backend: BackendChoice; threads?: number; weights?: WeightsToLoad }
  | {
      kind: 'case';
      backend: BackendChoice;
      threads?: number;
      config: ModelConfig;
      spec: CaseSpec;
      weightsFile?: string;
    };

export interface CaseMeasurement extends ModelMeasurement {
  params: number;
  /** The worker process's peak resident set size over the whole case (process.resourceUsage().maxRSS). */
  peak_rss_bytes: number;
  /** The calibration matmul timed after the case, in the same worker (CASE_CALIBRATION). */
  calibration: Calibration;
}

export type WorkerReply =
  | { ok: true; kind: 'calibration'; backend: ActiveBackend; calibration: Calibration }
  | { ok: true; kind: 'case'; backend: ActiveBackend; measurement: CaseMeasurement }
  /**
   * backend: the backend could not be set up (the sweep stops); weights: the --weights file does not
   * fit the model (the sweep stops before it starts); run: the job threw; crash: the
   * process ended without replying. params is known when the model was built before the failure.
   */
  | { ok: false; stage: 'backend' | 'weights' | 'run' | 'crash'; message: string; params?: number };
