/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import {
  addMat,
  addVec,
  dot,
  Mat,
  multiHead,
  NaiveAttention,
  outer,
  QKV,
  softmaxOver,
  vecMat,
  Vec,
  zeros,
} from './arrays';
import { softmaxReference } from './standard';

/**
 * Per chunk j of `chunkSize` tokens: the last valid token of chunk j (whose input gives the meta key
 * h_j) and the last valid token before chunk j (whose input gives the meta query r_j); -1 where none.
 */
export function metaTokens(valid: Vec, chunkSize: number): { keys: number[]; queries: number[] } {
  const chunks = Array.from({ length: Math.ceil(valid.length / chunkSize) }, (_, j) => j);
  const lastBefore = (end: number) => {
    for (let t = Math.min(end, valid.length) - 1; t >= 0; t--) if (valid[t] !== 0) return t;
    return -1;
  };
  return {
    keys: chunks.map((j) => {
      const t = lastBefore((j + 1) * chunkSize);
      return t >= j * chunkSize ? t : -1;
    }),
    queries: chunks.map((j) => lastBefore(j * chunkSize)),
  };
}

/** BSBR's optional compression of the flattened chunk states (shared by all heads), and its way back. */
export interface StateCompression {
  compress(state: Vec): Vec;
  decompress(mixture: Vec): Vec;
}

/**
 * BSBR's attention of one head (architectures.md section 7): q, k, v [n][d], valid [n], chunks of
 * `chunkSize`; per chunk c its meta query r_c and meta key h_c (null: no valid token before chunk c,
 * or none in chunk c). F_j = sum of k_s v_s^T over valid s in chunk j, flattened row-major (index
 * a*d + b) and compressed when asked; for chunks c with r_c,
 * G_c = (decompress of) sum_{j<c, h_j} softmax_j(r_c . h_j / sqrt(d)) F_j, else G_c = 0;
 * o_t = local softmax attention over the valid s <= t of t's chunk + q_t^T G_c.
 * Returns the outputs and every chunk's (compressed) state.
 */
export function bsbrReference(
  q: Mat,
  k: Mat,
  v: Mat,
  valid: Vec,
  chunkSize: number,
  metaQueries: Array<Vec | null>,
  metaKeys: Array<Vec | null>,
  compression: StateCompression | null,
): { output: Mat; states: Vec[] } {
  const d = q[0].length;
  const chunkOf = (t: number) => Math.floor(t / chunkSize);
  const states = metaKeys.map((_, j) => {
    let F = zeros(d, d);
    for (let s = j * chunkSize; s < Math.min(q.length, (j + 1) * chunkSize); s++)
      if (valid[s] !== 0) F = addMat(F, outer(k[s], v[s]));
    return compression ? compression.compress(F.flat()) : F.flat();
  });
  const retrieved = metaQueries.map((r, c) => {
    const allowed = metaKeys.map((h, j) => j < c && h !== null);
    if (!r || !allowed.includes(true)) return null;
    const alpha = softmaxOver(
      metaKeys.map((h) => (h ? dot(r, h) / Math.sqrt(d) : 0)),
      allowed,
    );
    const mixed = vecMat(alpha, states);
    const G = compression ? compression.decompress(mixed) : mixed;
    return Array.from({ length: d }, (_, a) => G.slice(a * d, (a + 1) * d));
  });
  const local = softmaxReference(q, k, v, valid, 1 / Math.sqrt(d), (t, s) => chunkOf(s) === chunkOf(t));
  const output = local.map((row, t) => {
    const G = retrieved[chunkOf(t)];
    return G ? addVec(row, vecMat(q[t], G)) : row;
  });
  return { output, states };
}

/** BSBR: meta queries R(x) and meta keys H(x) at the tokens metaTokens picks, compression by compress_proj/decompress_proj when present. */
export const naiveBSBR: NaiveAttention = (w, prefix, x, mask, config) => {
  const { keys, queries } = metaTokens(mask, config.chunkSize);
  const compression = w.has(`${prefix}.compress_proj.weight`)
    ? {
        compress: (f: Vec) => w.linear(`${prefix}.compress_proj`, [f])[0],
        decompress: (m: Vec) => w.linear(`${prefix}.decompress_proj`, [m])[0],
      }
    : null;
  return multiHead(
    w,
    prefix,
    x,
    config.numHeads,
    [...QKV, 'meta_r_proj', 'meta_h_proj'],
    ([q, k, v, r, h]) =>
      bsbrReference(
        q,
        k,
        v,
        mask,
        config.chunkSize,
        queries.map((t) => (t < 0 ? null : r[t])),
        keys.map((t) => (t < 0 ? null : h[t])),
        compression,
      ).output,
  );
};
