/** Shared helpers of the model tests: backends, tiny configs, deterministic inputs, async reads. */
import * as tf from '@tensorflow/tfjs-core';
import * as path from 'path';
import { setupBackend } from '../backends/setup';
import { ModelConfig } from '../config';
import { CausalLM } from '../model';
import { createModel } from '../registry';
import { callInChild } from './in_child';
import { itOrSkip, TestDefiner } from './skip';

/** The backends the shared suites run on: the embedded default, the reference, and a GPU (lavapipe in CI). */
export const TEST_BACKENDS = ['wasm', 'cpu', 'webgpu'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

/** Call at the top of a describe (or file): `backend` is set up before its tests (a failure if it cannot be). */
export function useBackend(backend: TestBackend): void {
  beforeAll(async () => {
    await setupBackend(backend);
  });
}

/**
 * Why `backend` cannot run on this machine, or null where it can. wasm and cpu are dependencies and
 * always run; webgpu needs a Vulkan adapter (lavapipe will do), which a child process looks for.
 * Under CI=true, null: .ci/run installs lavapipe, and a missing adapter there fails the tests.
 */
export function unusableHere(backend: TestBackend): string | null {
  if (backend !== 'webgpu' || process.env.CI === 'true') return null;
  const reason = callInChild<string | null>(path.join(__dirname, 'webgpu_here.ts'), 'whyWebGpuUnusable');
  return reason === null ? null : `${backend} cannot run here: ${reason}`;
}

/**
 * Call at the top of a describe (or file) whose tests run on `backend`, and define them with the
 * function it returns: jest's `it`, the backend set up before the tests, where it can run here (see
 * unusableHere); elsewhere one that defines each test skipped, saying why in its title.
 */
export function testsOn(backend: TestBackend): TestDefiner {
  const reason = unusableHere(backend);
  if (reason === null) useBackend(backend);
  return itOrSkip(reason);
}

/** Call at the top of a test file: every test there runs on the default backend (wasm). */
export function useDefaultBackend(): void {
  useBackend('wasm');
}

/** A tiny config that still exercises heads, chunks, windows and two layers. */
export const TINY: Partial<ModelConfig> = {
  vocabSize: 50,
  hiddenDim: 16,
  numLayers: 2,
  numHeads: 2,
  ffDim: 24,
  chunkSize: 4,
  windowSize: 3,
  seed: 7,
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
    return (await t.array()) as T;
  } finally {
    t.dispose();
  }
}

/** Runs forward and returns plain arrays, disposing every tensor it made. */
export function forwardArray(model: CausalLM, ids: number[][], mask?: number[][]): Promise<number[][][]> {
  return readAndDispose(model.forward(ids, mask));
}

/** Builds a model for the test and disposes it afterwards. */
export async function withModel<T>(
  name: string,
  config: Partial<ModelConfig>,
  body: (model: CausalLM) => T | Promise<T>,
): Promise<T> {
  const model = createModel(name, config);
  try {
    return await body(model);
  } finally {
    model.dispose();
  }
}

/** Live tensors now: for leak checks. */
export const liveTensors = (): number => tf.memory().numTensors;
