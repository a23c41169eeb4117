import * as tf from '@tensorflow/tfjs-core';
import { chunksPerGroup } from './chunk_groups';
import { headDim } from './config';
import { deltaRuleChunkwise, unitLowerInverse } from './deltanet';
import { lcg, maskWhere, randomIds, TINY, useDefaultBackend, withModel } from './testing/harness';
import { itAgreesWithNaive, naiveError } from './testing/agreement';
import { ROWS_PER_GROUP } from './token_groups';
import { dot, headSlice, Mat, matVec, NaiveAttention, outer, relativeError, scaleVec, Vec, zeros, addMat } from './testing/naive';

useDefaultBackend();

const normalize = (x: Vec): Vec => scaleVec(x, 1 / Math.max(Math.sqrt(dot(x, x)), 1e-12));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * The delta rule token by token for one head: S_0 = 0, S_t = S_{t-1} + beta_t (v_t - S_{t-1} k_t) k_t^T,
 * o_t = S_t q_t, with S [value][key]. Tokens with write[t] false leave S unchanged.
 */
function deltaRecurrence(q: Mat, k: Mat, v: Mat, beta: Vec, write: boolean[]): Mat {
  let S = zeros(v[0].length, k[0].length);
  return q.map((qt, t) => {
    if (write[t]) {
      const error = matVec(S, k[t]).map((p, i) => v[t][i] - p);
      S = addMat(S, outer(scaleVec(error, beta[t]), k[t]));
    }
    return matVec(S, qt);
  });
}

/** DeltaNet straight from architectures.md section 4, per head, in float64. */
const naiveDeltaNet: NaiveAttention = (w, prefix, x, mask, config) => {
  const H = config.numHeads;
  const d = headDim(config);
  const q = w.linear(`${prefix}.q_proj`, x);
  const k = w.linear(`${prefix}.k_proj`, x);
  const v = w.linear(`${prefix}.v_proj`, x);
  const learned = config.learnedBeta ? w.linear(`${prefix}.beta_proj`, x) : null;
  const out = zeros(x.length, config.hiddenDim);
  for (let h = 0; h < H; h++) {
    const beta = x.map((_, t) => (learned ? sigmoid(learned[t][h]) : config.beta));
    const o = deltaRecurrence(
      headSlice(q, h, d).map(normalize), headSlice(k, h, d).map(normalize), headSlice(v, h, d), beta, mask.map((m) => m !== 0),
    );
    o.forEach((row, t) => row.forEach((value, i) => { out[t][h * d + i] = value; }));
  }
  return w.linear(`${prefix}.out_proj`, out);
};

describe('DeltaNet efficient form equals the token-by-token delta rule', () => {
  for (const variant of [{}, { beta: 0.5 }, { learnedBeta: true }]) itAgreesWithNaive('DeltaNet', naiveDeltaNet, variant, `, ${JSON.stringify(variant)}`);

  it('carries the state across token groups (batch ROWS_PER_GROUP/128: groups of 128 tokens; n = 150, holes at the boundary)', () => {
    const config = { ...TINY, numLayers: 1, learnedBeta: true };
    const [batch, n] = [ROWS_PER_GROUP / 128, 150];
    expect(chunksPerGroup(batch, config.chunkSize!) * config.chunkSize!).toBeLessThan(n);
    withModel('DeltaNet', config, (model) => {
      const ids = randomIds(batch, n, 50, 8);
      const mask = maskWhere(batch, n, (b, t) => (b % 3 === 0 && t >= 125 && t < 133) || (b % 5 === 1 && t % 7 === 3) || (b % 4 === 2 && t < 4));
      expect(naiveError(model, ids, mask, naiveDeltaNet)).toBeLessThan(1e-4);
    });
  });
});

/** Random [rows][cols] entries in [-1, 1). */
function randomMatrix(rows: number, cols: number, next: () => number): Mat {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => 2 * next() - 1));
}

describe('the chunkwise delta rule in float32', () => {
  it('matches the float64 recurrence at n = 512 with chunks of 64 (unit keys, random beta in (0, 1))', () => {
    const [heads, n, d] = [3, 512, 16];
    const next = lcg(5);
    const q = Array.from({ length: heads }, () => randomMatrix(n, d, next).map(normalize));
    const k = Array.from({ length: heads }, () => randomMatrix(n, d, next).map(normalize));
    const v = Array.from({ length: heads }, () => randomMatrix(n, d, next));
    const beta = Array.from({ length: heads }, () => Array.from({ length: n }, () => next()));
    const result = tf.tidy(() => {
      const { output } = deltaRuleChunkwise(
        tf.tensor4d([q]), tf.tensor4d([k]), tf.tensor4d([v]), tf.tensor3d([beta]), tf.zeros([1, heads, d, d]), 64,
      );
      return output.arraySync()[0];
    });
    const expected = q.map((_, h) => deltaRecurrence(q[h], k[h], v[h], beta[h], beta[h].map(() => true)));
    expect(relativeError(result, expected)).toBeLessThan(1e-4);
  });
});

describe('unitLowerInverse', () => {
  it('inverts I + tril(diag(beta) K K^T, -1) at B = 64 to float32 accuracy', () => {
    const [B, d, batch] = [64, 16, 3];
    const next = lcg(9);
    const a: Mat[] = Array.from({ length: batch }, () => {
      const keys = randomMatrix(B, d, next).map(normalize);
      return keys.map((ki, i) => keys.map((kj, j) => (j < i ? 0.9 * dot(ki, kj) : 0)));
    });
    const inverse = tf.tidy(() => unitLowerInverse(tf.tensor3d(a)).arraySync());
    let worst = 0;
    a.forEach((ab, n) => {
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < B; j++) {
          // ((I + A) X)_ij - I_ij, in float64.
          let sum = inverse[n][i][j];
          for (let l = 0; l < i; l++) sum += ab[i][l] * inverse[n][l][j];
          worst = Math.max(worst, Math.abs(sum - (i === j ? 1 : 0)));
        }
      }
    });
    expect(worst).toBeLessThan(1e-5);
  });
});
