/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import { addMat, addVec, Mat, NaiveAttention, outer, scaleVec, vecMat, Vec, zeros } from './arrays';
import { softmaxReference } from './standard';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** What GAU carries from earlier chunks: the sum of k_s v_s^T [key feature][value feature] over their unmasked tokens, and how many. */
export interface GAUSums {
  sum: Mat;
  count: number;
}

/**
 * GAU's attention before the gate (architectures.md section 6), one head of size E: q, k, v [n][E],
 * valid [n], chunks of `chunkSize` counted from the first token, after the chunks summed in
 * `carry` (none: nothing before). For t in chunk c: local_t = softmax attention over the valid
 * s <= t of chunk c (scale 1/sqrt(E)); cross_t = q_t^T (carry.sum + sum of k_s v_s^T over valid s in
 * chunks before c) / max(1, carry.count + their count). Returns local + cross and the carry after
 * every token.
 */
export function gauReference(
  q: Mat,
  k: Mat,
  v: Mat,
  valid: Vec,
  chunkSize: number,
  carry?: GAUSums,
): { output: Mat; carry: GAUSums } {
  const E = q[0].length;
  const chunkOf = (t: number) => Math.floor(t / chunkSize);
  const before = (end: number): GAUSums => {
    let sum = carry?.sum ?? zeros(E, E);
    let count = carry?.count ?? 0;
    for (let s = 0; s < end; s++) {
      if (valid[s] === 0) continue;
      sum = addMat(sum, outer(k[s], v[s]));
      count++;
    }
    return { sum, count };
  };
  const local = softmaxReference(q, k, v, valid, 1 / Math.sqrt(E), (t, s) => chunkOf(s) === chunkOf(t));
  const output = local.map((row, t) => {
    const { sum, count } = before(chunkOf(t) * chunkSize);
    return addVec(row, scaleVec(vecMat(q[t], sum), 1 / Math.max(1, count)));
  });
  return { output, carry: before(q.length) };
}

/** GAU: E = expansionFactor * D, o_t = out_proj((local_t + cross_t) * sigmoid(g_t)). */
export const naiveGAU: NaiveAttention = (w, prefix, x, mask, config) => {
  const [q, k, v, g] = ['q_proj', 'k_proj', 'v_proj', 'gate_proj'].map((name) => w.linear(`${prefix}.${name}`, x));
  const { output } = gauReference(q, k, v, mask, config.chunkSize);
  return w.linear(
    `${prefix}.out_proj`,
    output.map((row, t) => row.map((o, i) => o * sigmoid(g[t][i]))),
  );
};
