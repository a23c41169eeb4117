import { maskWhere, randomIds, TINY, useDefaultBackend, withModel } from './testing/harness';
import { itAgreesWithNaive, naiveError } from './testing/agreement';
import { addMat, addVec, Mat, naiveSoftmaxHeads, NaiveAttention, outer, scaleVec, vecMat, zeros } from './testing/naive';

useDefaultBackend();

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * GAU straight from architectures.md section 6, with loops: one head of size E; for t in chunk c,
 * local_t = causal softmax over unmasked s in chunk c, cross_t = q_t^T (sum of k_s v_s^T over unmasked
 * s in chunks before c) / max(1, their count), o_t = out_proj((local_t + cross_t) * sigmoid(g_t)).
 */
const naiveGAU: NaiveAttention = (w, prefix, x, mask, config) => {
  const B = config.chunkSize;
  const E = config.expansionFactor * config.hiddenDim;
  const q = w.linear(`${prefix}.q_proj`, x);
  const k = w.linear(`${prefix}.k_proj`, x);
  const v = w.linear(`${prefix}.v_proj`, x);
  const g = w.linear(`${prefix}.gate_proj`, x);
  const chunkOf = (t: number) => Math.floor(t / B);
  const local = naiveSoftmaxHeads(q, k, v, mask, 1, 1 / Math.sqrt(E), (t, s) => chunkOf(s) === chunkOf(t));
  const gated = local.map((row, t) => {
    let sum: Mat = zeros(E, E);
    let count = 0;
    for (let s = 0; s < chunkOf(t) * B; s++) {
      if (mask[s] === 0) continue;
      sum = addMat(sum, outer(k[s], v[s]));
      count++;
    }
    const cross = scaleVec(vecMat(q[t], sum), 1 / Math.max(1, count));
    return addVec(row, cross).map((o, i) => o * sigmoid(g[t][i]));
  });
  return w.linear(`${prefix}.out_proj`, gated);
};

describe('GAU efficient form equals the naive formula', () => {
  itAgreesWithNaive('GAU', naiveGAU);

  it('with expansion factor 3', () => {
    const config = { ...TINY, expansionFactor: 3 };
    withModel('GAU', config, (model) => {
      const ids = randomIds(2, 11, 50, 5);
      expect(naiveError(model, ids, null, naiveGAU)).toBeLessThan(1e-4);
    });
  });

  it('carries the state sum and count across groups of 16 chunks (n = 150: 38 chunks of 4; holes at group boundaries)', () => {
    withModel('GAU', { ...TINY, numLayers: 1 }, (model) => {
      const n = 150;
      const ids = randomIds(2, n, 50, 8);
      const mask = maskWhere(2, n, (b, t) => (b === 0 && t >= 60 && t < 70) || (b === 1 && (t % 5 === 2 || (t >= 124 && t < 132))));
      expect(naiveError(model, ids, mask, naiveGAU)).toBeLessThan(1e-4);
    });
  });
});
