/** Shared helpers of the model tests: backends, tiny configs, deterministic inputs, async reads. */
import * as tf from '@tensorflow/tfjs-core';
import { probeBackends, setupBackend } from '../backends/setup';
import { ModelConfig } from '../config';
import { CausalLM } from '../model';
import { createModel } from '../registry';

/** The backends the shared suites run on: the embedded default, the reference, and a GPU (lavapipe in CI). */
export const TEST_BACKENDS = ['wasm', 'cpu', 'webgpu'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

/**
 * Call at the top of a describe (or file): its tests run on `backend`. Returns a function that tells
 * whether the backend is available: webgpu needs a Vulkan driver (lavapipe: .ci/run installs it).
 * Where it is missing the tests pass with a notice, except under CI=true, where they fail.
 */
export function useBackend(backend: TestBackend): () => boolean {
  let available = false;
  beforeAll(async () => {
    if (backend === 'webgpu') {
      const status = (await probeBackends()).find((s) => s.name === 'webgpu')!;
      if (!status.usable) {
        if (process.env.CI === 'true') throw new Error(`webgpu is not usable under CI: ${status.reason}`);
        console.warn(`skipping the webgpu tests: ${status.reason}`);
        return;
      }
    }
    await setupBackend(backend);
    available = true;
  });
  return () => available;
}

/**
 * useBackend(backend), and a wrapper for test bodies (taking it.each's arguments, if any) that run
 * only where the backend is available: `const on = runsOn(backend); it('...', on(async () => ...))`.
 */
export function runsOn(backend: TestBackend): <A extends unknown[]>(body: (...args: A) => Promise<void>) => (...args: A) => Promise<void> {
  const available = useBackend(backend);
  return (body) => async (...args) => {
    if (available()) await body(...args);
  };
}

/** Call at the top of a test file: every test there runs on the default backend (wasm). */
export function useDefaultBackend(): void {
  useBackend('wasm');
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

/** A tensor's values as nested arrays, read asynchronously (the only read the webgpu backend has in Node), then disposed. */
export async function readAndDispose<T = number[][][]>(t: tf.Tensor): Promise<T> {
  try {
    return await t.array() as T;
  } finally {
    t.dispose();
  }
}

/** Runs forward and returns plain arrays, disposing every tensor it made. */
export function forwardArray(model: CausalLM, ids: number[][], mask?: number[][]): Promise<number[][][]> {
  return readAndDispose(model.forward(ids, mask));
}

/** Builds a model for the test and disposes it afterwards. */
export async function withModel<T>(name: string, config: Partial<ModelConfig>, body: (model: CausalLM) => T | Promise<T>): Promise<T> {
  const model = createModel(name, config);
  try {
    return await body(model);
  } finally {
    model.dispose();
  }
}

/** Live tensors now: for leak checks. */
export const liveTensors = (): number => tf.memory().numTensors;
