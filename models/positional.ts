import * as tf from '@tensorflow/tfjs-core';

/** Positions per block of the angle-addition tables below. */
const BLOCK = 1024;

/**
 * sin and cos of pos * w_i for pos = start + p * step (p < count) and every frequency w_i, in
 * float64: [count, D/2] each.
 */
function trigTable(
  start: number,
  step: number,
  count: number,
  frequencies: Float64Array,
): { sin: Float64Array; cos: Float64Array } {
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
 * The angle-addition tables of positions start .. start+length-1 (sinusoidalPositions says why):
 * coarse [blocks, 2, D/2] holds sin and cos of (start + 1024 a) w_i, fine [rows, 2, D/2] those of
 * r w_i (rows = min(length, 1024)), both float32, so that position start + 1024 a + r pairs coarse a
 * with fine r. What the EMBEDDING kernel takes.
 */
export function positionTables(start: number, length: number, dim: number): { coarse: tf.Tensor3D; fine: tf.Tensor3D } {
  const { half, blocks, rows, coarse, fine } = trigTables(start, length, dim);
  const pack = (t: { sin: Float64Array; cos: Float64Array }, count: number) => {
    const packed = new Float32Array(count * 2 * half);
    for (let p = 0; p < count; p++) {
      packed.set(t.sin.subarray(p * half, (p + 1) * half), 2 * p * half);
      packed.set(t.cos.subarray(p * half, (p + 1) * half), (2 * p + 1) * half);
    }
    return tf.tensor3d(packed, [count, 2, half]);
  };
  return { coarse: pack(coarse, blocks), fine: pack(fine, rows) };
}

/** PE [length, dim] from positionTables' coarse and fine tables, by tf ops (float32 angle addition). */
export function positionsFromTables(coarse: tf.Tensor, fine: tf.Tensor, length: number, dim: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [blocks, , half] = coarse.shape;
    const rows = fine.shape[0];
    const [sa, ca] = tf.split(tf.reshape(coarse, [blocks, 1, 2 * half]), 2, 2);
    const [sr, cr] = tf.split(tf.reshape(fine, [1, rows, 2 * half]), 2, 2);
    const sin = tf.add(tf.mul(sa, cr), tf.mul(ca, sr));
    const cos = tf.sub(tf.mul(ca, cr), tf.mul(sa, sr));
    // Interleave: feature 2i is sin_i, 2i + 1 is cos_i; an odd D drops the last cosine.
    const both = tf.reshape(tf.stack([sin, cos], 3), [blocks * rows, 2 * half]);
    return tf.slice(both, [0, 0], [length, dim]) as tf.Tensor2D;
  });
}

/** The float64 tables behind positionTables. */
function trigTables(start: number, length: number, dim: number) {
  const half = Math.ceil(dim / 2);
  const frequencies = Float64Array.from({ length: half }, (_, i) => Math.pow(10000, -(2 * i) / dim));
  const blocks = Math.ceil(length / BLOCK);
  const rows = Math.min(BLOCK, length);
  return {
    half,
    blocks,
    rows,
    coarse: trigTable(start, BLOCK, blocks, frequencies),
    fine: fineTable(dim, frequencies),
  };
}

/**
 * Sinusoidal positions for positions start .. start+length-1 (any length, no fixed maximum):
 * PE[pos, 2i] = sin(pos w_i), PE[pos, 2i+1] = cos(pos w_i), w_i = 10000^(-2i/D) (architectures.md,
 * the shared skeleton). Position pos = start + 1024 a + r is taken by angle addition from two small
 * float64 tables, sin(x + y) = sin x cos y + cos x sin y and cos(x + y) = cos x cos y - sin x sin y,
 * so only (length/1024 + 1024) D sines and cosines are evaluated, and the angles stay exact at
 * millions of positions (a float32 sin of pos * w_i would not). On the host the sums are taken in
 * float64 and the table uploaded (`fillOnHost`); on a GPU the two small tables are uploaded and summed
 * there, in float32 (products of values in [-1, 1]: rounding about 1e-7).
 */
export function sinusoidalPositions(start: number, length: number, dim: number, fillOnHost: boolean): tf.Tensor2D {
  if (!fillOnHost) {
    return tf.tidy(() => {
      const { coarse, fine } = positionTables(start, length, dim);
      return positionsFromTables(coarse, fine, length, dim);
    });
  }
  const { half, coarse, fine } = trigTables(start, length, dim);
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
