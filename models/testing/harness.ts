/** Shared helpers of the model tests: backend, tiny configs, deterministic inputs. */
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../backends/setup';
import { ModelConfig } from '../config';
import { CausalLM } from '../model';
import { createModel } from '../registry';

/** Call at the top of a test file: every test there runs on the default backend. */
export function useDefaultBackend(): void {
  beforeAll(async () => {
    await setupBackend('auto');
  });
}

/** A tiny config that still exercises heads, chunks, windows and two layers. */
export const TINY: Partial<ModelConfig> = {
  vocabSize: 50, hiddenDim: 16, numLayers: 2, numHeads: 2, ffDim: 24,
  chunkSize: 4, windowSize: 3, seed: 7,
};

/** A small deterministic generator for test inputs (not weights). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function randomIds(batch: number, n: number, vocab: number, seed: number): number[][] {
  const next = lcg(seed);
  return Array.from({ length: batch }, () => Array.from({ length: n }, () => Math.floor(next() * vocab)));
}

/** A mask with padding holes: position t of row b is masked where `holes(b, t)`. */
export function maskWhere(batch: number, n: number, holes: (b: number, t: number) => boolean): number[][] {
  return Array.from({ length: batch }, (_, b) => Array.from({ length: n }, (_, t) => (holes(b, t) ? 0 : 1)));
}

/** Runs forward and returns plain arrays, disposing every tensor it made. */
export function forwardArray(model: CausalLM, ids: number[][], mask?: number[][]): number[][][] {
  const out = model.forward(ids, mask);
  const values = out.arraySync() as number[][][];
  out.dispose();
  return values;
}

/** Builds a model for the test and disposes it afterwards. */
export function withModel<T>(name: string, config: Partial<ModelConfig>, body: (model: CausalLM) => T): T {
  const model = createModel(name, config);
  try {
    return body(model);
  } finally {
    model.dispose();
  }
}

/** Live tensors now: for leak checks. */
export const liveTensors = (): number => tf.memory().numTensors;
