/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import { headDim } from '../../config';
import { addVec, dot, headSlice, Mat, naiveSoftmaxHeads, NaiveAttention, outer, softmaxOver, vecMat, Vec, zeros, addMat } from './arrays';

/**
 * BSBR straight from architectures.md section 7, with loops: local causal softmax inside the chunk,
 * plus q_t^T G_c where G_c = sum_{j<c} softmax_j(r_c . h_j / sqrt(d)) F_j over chunks that have an
 * unmasked token, r_c from the last unmasked token before chunk c, h_j from chunk j's last unmasked one.
 */
export const naiveBSBR: NaiveAttention = (w, prefix, x, mask, config) => {
  const n = x.length;
  const B = config.chunkSize;
  const H = config.numHeads;
  const d = headDim(config);
  const q = w.linear(`${prefix}.q_proj`, x);
  const k = w.linear(`${prefix}.k_proj`, x);
  const v = w.linear(`${prefix}.v_proj`, x);
  const r = w.linear(`${prefix}.meta_r_proj`, x);
  const hk = w.linear(`${prefix}.meta_h_proj`, x);
  const chunkOf = (t: number) => Math.floor(t / B);
  const local = naiveSoftmaxHeads(q, k, v, mask, H, 1 / Math.sqrt(d), (t, s) => chunkOf(s) === chunkOf(t));
  const C = Math.ceil(n / B);
  const lastReal = (upTo: number) => { for (let t = upTo - 1; t >= 0; t--) if (mask[t] !== 0) return t; return -1; };
  const out = local.map((row) => [...row]);
  for (let h = 0; h < H; h++) {
    const kh = headSlice(k, h, d);
    const vh = headSlice(v, h, d);
    // F_j = sum over unmasked s in chunk j of k_s v_s^T.
    const F: Mat[] = [];
    for (let j = 0; j < C; j++) {
      let f = zeros(d, d);
      for (let s = j * B; s < Math.min(n, (j + 1) * B); s++) if (mask[s] !== 0) f = addMat(f, outer(kh[s], vh[s]));
      F.push(f);
    }
    const flatStates = F.map((f) => f.flat());
    const compressed = w.has(`${prefix}.compress_proj.weight`);
    const compressedStates = compressed ? w.linear(`${prefix}.compress_proj`, flatStates) : [];
    for (let c = 1; c < C; c++) {
      const rt = lastReal(c * B);
      if (rt < 0) continue; // nothing real before chunk c: G_c = 0
      const rc = headSlice([r[rt]], h, d)[0];
      const keyOf = (j: number) => { const t = lastReal(Math.min(n, (j + 1) * B)); return t >= j * B ? t : -1; };
      const js = Array.from({ length: c }, (_, j) => j);
      const alpha = softmaxOver(js.map((j) => (keyOf(j) >= 0 ? dot(rc, headSlice([hk[keyOf(j)]], h, d)[0]) / Math.sqrt(d) : 0)), js.map((j) => keyOf(j) >= 0));
      let G: Vec;
      if (compressed) {
        G = w.linear(`${prefix}.decompress_proj`, [vecMat(alpha, compressedStates.slice(0, c))])[0];
      } else {
        G = vecMat(alpha, flatStates.slice(0, c));
      }
      const Gm: Mat = Array.from({ length: d }, (_, a) => G.slice(a * d, (a + 1) * d));
      for (let t = c * B; t < Math.min(n, (c + 1) * B); t++) {
        const qh = headSlice([q[t]], h, d)[0];
        const add = vecMat(qh, Gm);
        const o = addVec(out[t].slice(h * d, (h + 1) * d), add);
        for (let i = 0; i < d; i++) out[t][h * d + i] = o[i];
      }
    }
  }
  return w.linear(`${prefix}.out_proj`, out);
};
