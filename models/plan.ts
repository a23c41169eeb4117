/**
 * Execution plans: every schedule choice of the models, per backend, in one place. The math is the
 * same on every backend; what differs is how it is cut into work. The wasm backend has a 4 GiB heap
 * that fragments, fast batch-1 matmuls and slow elementwise ops, so work goes in groups of a few
 * thousand rows with masks filled on the host. A GPU wants few, large dispatches: whole sequences
 * or groups sized to what one buffer may bind, masks made on the device.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activeBackend } from './backends/setup';
import { AdapterInfo } from './backends/webgpu';

export interface ExecutionPlan {
  /** The backend this plan is for. */
  readonly backend: string;
  /**
   * Rows (batch x tokens) handled at once by position-wise work (embedding, LayerNorm, the
   * feed-forward) and by one group of chunks of the chunked attentions.
   */
  readonly groupRows: number;
  /** Standard and Hopfield forward: queries per block (scores [b, h, queryBlock, keys]). */
  readonly queryBlock: number;
  /**
   * Standard and Hopfield forward: keys per block of the online softmax, or null for each query
   * block's keys in one softmax. Fixed-size key blocks keep every score tensor one shape.
   */
  readonly keyBlock: number | null;
  /** Standard and Hopfield decode: tokens per block of the key/value cache. */
  readonly cacheBlock: number;
  /** Decode benchmarks: the untimed prefill of a context goes in steps of this many tokens. */
  readonly prefillStep: number;
  /**
   * GAU forward: at most this many chunks per group (by products their prefix sums cost G^2 E^2;
   * by a scan G E^2, and the group's [G, E^2] states bound the memory).
   */
  readonly gauChunksPerGroup: number;
  /**
   * Causal and band masks and the positional table filled in JS and uploaded (true), or built by
   * tensor ops on the device from small inputs.
   */
  readonly fillOnHost: boolean;
  /**
   * How exclusive prefix sums over chunks are taken: by one product with a strictly lower-triangular
   * ones matrix (fast where matmul is the only fast op) or by cumsum.
   */
  readonly prefixSums: 'matmul' | 'cumsum';
  /**
   * The language-model loss: at most this many logits (rows x vocabulary) computed at once, one
   * group of positions at a time.
   */
  readonly logitsPerGroup: number;
  /**
   * Training loops of fixed shapes (`bsbr recall`) capture a step and replay it
   * (backends/webgpu_replay.ts) rather than run every step through TensorFlow.js op by op.
   */
  readonly replaySteps: boolean;
}

/**
 * The CPU backends (wasm, cpu, tfjs-node): tuned on wasm, whose heap bounds every group
 * (docs/performance.md explains each figure).
 */
const HOST: Omit<ExecutionPlan, 'backend'> = {
  groupRows: 8192,
  queryBlock: 256,
  keyBlock: null,
  cacheBlock: 1024,
  prefillStep: 256,
  gauChunksPerGroup: 16,
  fillOnHost: true,
  prefixSums: 'matmul',
  logitsPerGroup: 1 << 22,
  replaySteps: false,
};

/**
 * A GPU: groups as large as one bound buffer allows. The widest per-row tensor of a group is the
 * feed-forward's or a chunk group's scores; `groupRows` is set from the adapter's binding limit by
 * planFor (gpuGroupRows), the rest here.
 */
const GPU: Omit<ExecutionPlan, 'backend' | 'groupRows' | 'logitsPerGroup'> = {
  queryBlock: 2048,
  keyBlock: 2048,
  cacheBlock: 4096,
  prefillStep: 16384,
  gauChunksPerGroup: 512,
  fillOnHost: false,
  prefixSums: 'cumsum',
  replaySteps: true,
};

/**
 * Rows per group on a GPU: the largest power of two whose widest tensor (rows x widest floats)
 * fits in one storage binding, capped at 2^20 rows.
 */
function gpuGroupRows(maxBindingBytes: number, widestRow: number): number {
  let rows = 1 << 20;
  while (rows > 1024 && rows * widestRow * 4 > maxBindingBytes) rows /= 2;
  return rows;
}

/**
 * The plan for a backend (as TensorFlow.js names it), on a GPU adapter or not. `widestRow` is the
 * most float32 values one row (token) of a model's position-wise work holds at once (for example
 * the feed-forward size), which bounds how many rows a GPU group may take.
 */
export function planFor(backend: string, widestRow: number, adapter?: AdapterInfo): ExecutionPlan {
  if (adapter) {
    const maxBinding = adapter.maxStorageBufferBindingSize;
    return {
      backend,
      ...GPU,
      groupRows: gpuGroupRows(maxBinding, widestRow),
      logitsPerGroup: Math.min(1 << 26, Math.floor(maxBinding / 4)),
    };
  }
  return { backend, ...HOST };
}

/** The plan for the active backend. */
export function currentPlan(widestRow: number): ExecutionPlan {
  const backend = tf.getBackend();
  if (backend === undefined) throw new Error('no TensorFlow.js backend is ready');
  const active = activeBackend();
  return planFor(backend, widestRow, active?.name === backend ? active.adapter : undefined);
}
