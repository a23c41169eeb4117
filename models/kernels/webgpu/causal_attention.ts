/**
 * CAUSAL_ATTENTION on webgpu: softmax attention of a block of queries over keys under a causal (or
 * banded) mask in one dispatch, the scores never leaving the workgroup (the tiled online softmax of
 * FlashAttention: docs/architectures.md, "The online softmax"). The stock ops take six to ten dispatches
 * for the same (scores, mask, max, exp, sum, divide, product) and write the full score tensor to
 * memory between each; on a GPU those dispatches and that traffic are most of the time.
 *
 * One workgroup holds QUERIES queries of one batch row, one per invocation (its query row and
 * output accumulator in registers); it walks the key tiles its queries may see, KEYS keys at a time,
 * staged in workgroup memory and read by every invocation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { CAUSAL_ATTENTION, causalAttentionTakes, KernelArgs } from '../names';
import { dispatch, FLAT_WORKGROUP_INDEX, WebGpuBackend, WORKGROUP } from './program';

/**
 * WGSL: the attention's mask, for programs whose uniforms hold `queries` (L), `keys` (S) and
 * `window`: whether query i, at position S - L + i, sees key s.
 */
export const SEES = `
  fn sees(i : i32, s : i32) -> bool {
    let position = uniforms.keys - uniforms.queries + i;
    return i < uniforms.queries && s < uniforms.keys && s <= position &&
      (uniforms.window < 0 || s >= position - uniforms.window);
  }
`;

/** Queries per workgroup, one per invocation. */
const QUERIES = WORKGROUP;
const KEYS = 32;

/** WGSL for head size d and value size e (both multiples of 4). */
function shader(d: number, e: number): string {
  const d4 = d / 4;
  const e4 = e / 4;
  return `
    const QUERIES = ${QUERIES};
    const KEYS = ${KEYS};
    var<workgroup> tileK : array<vec4<f32>, ${KEYS * d4}>;
    var<workgroup> tileV : array<vec4<f32>, ${KEYS * e4}>;
    var<workgroup> groupSlot : i32;
    ${SEES}

    fn main(index : i32) {
      let L = uniforms.queries;
      let S = uniforms.keys;
      let queryTiles = (L + QUERIES - 1) / QUERIES;
      ${FLAT_WORKGROUP_INDEX}
      let group = workgroupUniformLoad(&groupSlot);
      if (group >= uniforms.batch * queryTiles) { return; }
      let row = group / queryTiles;
      let q0 = (group % queryTiles) * QUERIES;
      let t = i32(localId.x);
      let i = q0 + t;
      let real = i < L;
      let offset = S - L;

      var q : array<vec4<f32>, ${d4}>;
      var acc : array<vec4<f32>, ${e4}>;
      for (var c = 0; c < ${d4}; c++) {
        q[c] = select(vec4<f32>(0.0), q_[(row * L + min(i, L - 1)) * ${d4} + c] * uniforms.scale, real);
      }
      for (var c = 0; c < ${e4}; c++) { acc[c] = vec4<f32>(0.0); }
      var runningMax = -3.4e38;
      var total = 0.0;

      // The keys any query of this tile may see: [first, last], walked in tiles of KEYS.
      let last = offset + min(q0 + QUERIES, L) - 1;
      var first = 0;
      if (uniforms.window >= 0) { first = max(0, offset + q0 - uniforms.window); }
      for (var k0 = (first / KEYS) * KEYS; k0 <= last; k0 += KEYS) {
        workgroupBarrier();
        for (var x = t; x < KEYS * ${d4}; x += QUERIES) {
          let s = k0 + x / ${d4};
          tileK[x] = select(vec4<f32>(0.0), k_[(row * S + min(s, S - 1)) * ${d4} + x % ${d4}], s < S);
        }
        for (var x = t; x < KEYS * ${e4}; x += QUERIES) {
          let s = k0 + x / ${e4};
          tileV[x] = select(vec4<f32>(0.0), v_[(row * S + min(s, S - 1)) * ${e4} + x % ${e4}], s < S);
        }
        workgroupBarrier();
        if (real) {
          var scores : array<f32, KEYS>;
          var tileMax = -3.4e38;
          for (var j = 0; j < KEYS; j++) {
            let s = k0 + j;
            var dotQK = 0.0;
            for (var c = 0; c < ${d4}; c++) { dotQK += dot(q[c], tileK[j * ${d4} + c]); }
            scores[j] = select(-3.4e38, dotQK, sees(i, s));
            tileMax = max(tileMax, scores[j]);
          }
          if (tileMax > -3.0e38) {
            let newMax = max(runningMax, tileMax);
            let rescale = exp(runningMax - newMax);
            total *= rescale;
            for (var c = 0; c < ${e4}; c++) { acc[c] *= rescale; }
            for (var j = 0; j < KEYS; j++) {
              let p = select(0.0, exp(scores[j] - newMax), scores[j] > -3.0e38);
              total += p;
              for (var c = 0; c < ${e4}; c++) { acc[c] += p * tileV[j * ${e4} + c]; }
            }
            runningMax = newMax;
          }
        }
      }
      if (real) {
        let norm = select(0.0, 1.0 / total, total > 0.0);
        for (var c = 0; c < ${e4}; c++) { result[(row * L + i) * ${e4} + c] = acc[c] * norm; }
      }
    }
  `;
}

function causalAttention({
  inputs: { q, k, v },
  attrs: { scale, window },
  backend,
}: KernelArgs<typeof CAUSAL_ATTENTION, WebGpuBackend>): tf.TensorInfo {
  const [batch, L, d] = q.shape;
  const [, S, e] = v.shape;
  if (!causalAttentionTakes(d, e) || S < L)
    throw new Error(
      `${CAUSAL_ATTENTION}: head size ${d} and value size ${e} must be multiples of 4 (at most 128), with no more queries (${L}) than keys (${S})`,
    );
  return dispatch(backend, {
    key: `causalAttention_${d}_${e}`,
    inputs: { q_: q, k_: k, v_: v },
    outputShape: [batch, L, e],
    workgroups: batch * Math.ceil(L / QUERIES),
    uniforms: {
      batch: ['i32', batch],
      queries: ['i32', L],
      keys: ['i32', S],
      window: ['i32', window],
      scale: ['f32', scale],
    },
    components: 4,
    code: () => shader(d, e),
  });
}

export function registerCausalAttention(): void {
  registerOnce(CAUSAL_ATTENTION, 'webgpu', causalAttention);
}
