/** Helpers of the op tests (models/ops/*.test.ts): random inputs as plain arrays, reads of op results with leak checks, shared cases. */
import * as tf from '@tensorflow/tfjs-core';
import { Mat, relativeError } from '../ops/reference/arrays';
import { currentPlan } from '../plan';
import { lcg, liveTensors, readAndDispose } from './harness';

/** Per batch row and head, [n][d] rows: the layout [b, h, n, d] of the ops' inputs. */
export type Heads = number[][][][];

/** Entries uniform in [lo, hi). */
export function randomMatrix(rows: number, cols: number, next: () => number, lo = -1, hi = 1): Mat {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => lo + (hi - lo) * next()));
}

/** [b][h][n][d] entries uniform in [lo, hi). */
export function randomHeads(b: number, h: number, n: number, d: number, next: () => number, lo = -1, hi = 1): Heads {
  return Array.from({ length: b }, () => Array.from({ length: h }, () => randomMatrix(n, d, next, lo, hi)));
}

/** q, k and v [b][h][n][d], entries uniform in [-1, 1), from one seed. */
export function randomQKV(b: number, h: number, n: number, d: number, seed: number): Heads[] {
  const next = lcg(seed);
  return [0, 1, 2].map(() => randomHeads(b, h, n, d, next));
}

/** A float32 tensor of `shape`, entries uniform in [lo, hi). */
export function randomTensor(shape: number[], next: () => number, lo = -1, hi = 1): tf.Tensor {
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, s) => a * s, 1) }, () => lo + (hi - lo) * next()),
    shape,
  );
}

/** relativeError over every batch row and head of [b][h][n][d] arrays, at the positions where valid [b][n] is 1 if given. */
export function headsError(actual: Heads, expected: Heads, valid?: number[][]): number {
  const heads = expected[0].length;
  return relativeError(
    actual.flat(),
    expected.flat(),
    valid ? (bh, t) => valid[Math.floor(bh / heads)][t] !== 0 : undefined,
  );
}

/** A result with every tensor in it replaced by its values as nested arrays. */
export type Values<T> = T extends tf.Tensor
  ? Awaited<ReturnType<T['array']>>
  : T extends object
    ? { [K in keyof T]: Values<T[K]> }
    : T;

/** Reads every tensor of a result (a tensor, or arrays and objects holding tensors) asynchronously, and disposes it. */
async function readAll<T>(result: T): Promise<Values<T>> {
  if (result instanceof tf.Tensor) return readAndDispose(result) as Promise<Values<T>>;
  if (Array.isArray(result)) return Promise.all(result.map(readAll)) as Promise<Values<T>>;
  if (result && typeof result === 'object') {
    const entries = await Promise.all(Object.entries(result).map(async ([key, value]) => [key, await readAll(value)]));
    return Object.fromEntries(entries) as Values<T>;
  }
  return result as Values<T>;
}

/**
 * Calls an op whose result is the caller's, reads and disposes that result (asynchronously: webgpu
 * has no synchronous read in Node), and expects the op to have left no other tensor behind.
 */
export async function readOp<T>(op: () => T): Promise<Values<T>> {
  const before = liveTensors();
  const values = await readAll(op());
  expect(liveTensors()).toBe(before);
  return values;
}

/** The token ranges [start, end) of steps over n tokens whose sizes cycle through `pattern` (the last one cut at n). */
export function stepSpans(n: number, pattern: number[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (let start = 0, i = 0; start < n; i++) {
    const end = Math.min(n, start + pattern[i % pattern.length]);
    spans.push([start, end]);
    start = end;
  }
  return spans;
}

/** Outputs [b][h][m][d] of consecutive steps joined along the tokens. */
export const joinSteps = (parts: Heads[]): Heads =>
  parts[0].map((pb, b) => pb.map((_, h) => parts.flatMap((part) => part[b][h])));

/** Lengths and chunk sizes for the chunked ops: a partial last chunk, whole chunks, fewer tokens than a chunk, one token (a decode step). */
export const CHUNKED_CASES = [
  { n: 37, chunk: 8, masked: true },
  { n: 32, chunk: 8, masked: false },
  { n: 5, chunk: 8, masked: true },
  { n: 1, chunk: 4, masked: false },
];

/** The active backend's plan choices in the form the ops take them: masks on the host or the device, prefix sums by matmul or cumsum. */
export function opOptions(): { fillOnHost: boolean; prefixSums: 'matmul' | 'cumsum' } {
  const plan = currentPlan(1);
  return { fillOnHost: plan.fillOnHost, prefixSums: plan.prefixSums };
}
