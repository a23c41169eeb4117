import * as tf from '@tensorflow/tfjs-core';

/**
 * Sinusoidal positions for positions start .. start+length-1 (any length, no fixed maximum):
 * PE[pos, 2i] = sin(pos / 10000^(2i/D)), PE[pos, 2i+1] = cos(pos / 10000^(2i/D)).
 */
export function sinusoidalPositions(start: number, length: number, dim: number): tf.Tensor2D {
  const values = new Float32Array(length * dim);
  for (let p = 0; p < length; p++) {
    const pos = start + p;
    for (let i = 0; 2 * i < dim; i++) {
      const angle = pos / Math.pow(10000, (2 * i) / dim);
      values[p * dim + 2 * i] = Math.sin(angle);
      if (2 * i + 1 < dim) values[p * dim + 2 * i + 1] = Math.cos(angle);
    }
  }
  return tf.tensor2d(values, [length, dim]);
}
