import * as tf from '@tensorflow/tfjs-core';

/** Positions per block of the angle-addition tables below. */
const BLOCK = 1024;

/**
 * sin and cos of pos * w_i for pos = start + p * step (p < count) and every frequency w_i, in
 * float64: [count, D/2] each.
 */
function trigTable(start: number, step: number, count: number, frequencies: Float64Array): { sin: Float64Array; cos: Float64Array } {
  const half = frequencies.length;
  const sin = new Float64Array(count * half);
  const cos = new Float64Array(count * half);
  for (let p = 0; p < count; p++) {
    for (let i = 0; i < half; i++) {
      const angle = (start + p * step) * frequencies[i];
      sin[p * half + i] = Math.sin(angle);
      cos[p * half + i] = Math.cos(angle);
    }
  }
  return { sin, cos };
}

/** The fine table (positions 0 .. BLOCK-1) per model width: the same for every call, so made once. */
const FINE_TABLES = new Map<number, { sin: Float64Array; cos: Float64Array }>();

function fineTable(dim: number, frequencies: Float64Array): { sin: Float64Array; cos: Float64Array } {
  let table = FINE_TABLES.get(dim);
  if (!table) {
    table = trigTable(0, 1, BLOCK, frequencies);
    FINE_TABLES.set(dim, table);
  }
  return table;
}

/**
 * Sinusoidal positions for positions start .. start+length-1 (any length, no fixed maximum):
 * PE[pos, 2i] = sin(pos w_i), PE[pos, 2i+1] = cos(pos w_i), w_i = 10000^(-2i/D) (architectures.md,
 * the shared skeleton). Position pos = start + 1024 a + r is taken by angle addition from two small
 * float64 tables, sin(x + y) = sin x cos y + cos x sin y and cos(x + y) = cos x cos y - sin x sin y,
 * so only (length/1024 + 1024) D sines and cosines are evaluated, and the angles stay exact at
 * millions of positions (a float32 sin of pos * w_i would not). On the host the sums are taken in
 * float64 and the table uploaded (`onHost`); on a GPU the two small tables are uploaded and summed
 * there, in float32 (products of values in [-1, 1]: rounding about 1e-7).
 */
export function sinusoidalPositions(start: number, length: number, dim: number, onHost: boolean): tf.Tensor2D {
  const half = Math.ceil(dim / 2);
  const frequencies = Float64Array.from({ length: half }, (_, i) => Math.pow(10000, -(2 * i) / dim));
  const blocks = Math.ceil(length / BLOCK);
  const rows = Math.min(BLOCK, length);
  const coarse = trigTable(start, BLOCK, blocks, frequencies);
  const fine = fineTable(dim, frequencies);
  if (!onHost) {
    return tf.tidy(() => {
      const table = (t: Float64Array, count: number, axis: number) =>
        tf.tensor(Float32Array.from(t), axis === 0 ? [count, 1, half] : [1, count, half]);
      const [sa, ca] = [table(coarse.sin, blocks, 0), table(coarse.cos, blocks, 0)];
      const [sr, cr] = [table(fine.sin.subarray(0, rows * half), rows, 1), table(fine.cos.subarray(0, rows * half), rows, 1)];
      const sin = tf.add(tf.mul(sa, cr), tf.mul(ca, sr));
      const cos = tf.sub(tf.mul(ca, cr), tf.mul(sa, sr));
      // Interleave: feature 2i is sin_i, 2i + 1 is cos_i; an odd D drops the last cosine.
      const both = tf.reshape(tf.stack([sin, cos], 3), [blocks * rows, 2 * half]);
      return tf.slice(both, [0, 0], [length, dim]) as tf.Tensor2D;
    });
  }
  const values = new Float32Array(length * dim);
  for (let p = 0; p < length; p++) {
    const a = Math.floor(p / BLOCK) * half;
    const r = (p % BLOCK) * half;
    for (let i = 0; i < half; i++) {
      const [sa, ca, sr, cr] = [coarse.sin[a + i], coarse.cos[a + i], fine.sin[r + i], fine.cos[r + i]];
      values[p * dim + 2 * i] = sa * cr + ca * sr;
      if (2 * i + 1 < dim) values[p * dim + 2 * i + 1] = ca * cr - sa * sr;
    }
  }
  return tf.tensor2d(values, [length, dim]);
}
