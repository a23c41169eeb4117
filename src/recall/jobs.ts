/** The messages between `bsbr recall` and its worker processes (one worker per job). */
import { ActiveBackend, BackendChoice } from '../../models/backends/setup';
import { ModelConfig } from '../../models/config';
import { TrainOutcome, TrainSpec } from './train';

/** threads: the wasm backend's (setupBackend's option; default every core). */
export type RecallJob =
  | { kind: 'setup'; backend: BackendChoice; threads?: number }
  | { kind: 'case'; backend: BackendChoice; threads?: number; model: string; config: ModelConfig; spec: TrainSpec };

export type RecallReply =
  | { ok: true; kind: 'setup'; backend: ActiveBackend }
  | { ok: true; kind: 'case'; backend: ActiveBackend; outcome: TrainOutcome; params: number; wall_s: number }
  /** backend: the backend could not be set up (the run stops); run: the case threw; crash: the worker died. */
  | { ok: false; stage: 'backend' | 'run' | 'crash'; message: string; params?: number };
