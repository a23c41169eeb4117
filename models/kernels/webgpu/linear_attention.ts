/**
 * LINEAR_ATTENTION on webgpu: a layer's linear attention in one dispatch, the running sums
 * [S | z] never leaving the GPU. The tf-op form takes about twenty dispatches (feature maps, the
 * chunks' masked products, their sums, a prefix scan over chunks, the normalisation) and writes
 * the per-chunk states [chunks, d, d+1] to memory between them.
 *
 * With phi = elu + 1, per token t: S += phi(k_t) v_t^T, z += phi(k_t), o_t = phi(q_t)^T S /
 * (phi(q_t) . z + eps) (docs/architectures.md section 3). Each column c of S evolves on its own, so
 * one workgroup per (batch row, head) has one invocation per value feature c holding S[:, c] in
 * registers; z is held by key feature, invocation i holding z_i, and each token's denominator is
 * summed over the workgroup from a tile of TOKENS tokens staged (feature-mapped) in workgroup memory.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { KernelArgs, LINEAR_ATTENTION, linearAttentionTakes } from '../names';
import { dispatch, WebGpuBackend, WORKGROUP } from './program';
import { headWalkStart, stageQueryKeyTile } from './token_recurrence';

const TOKENS = 16;

/** WGSL for head size d (a multiple of 4, at most WORKGROUP). */
function shader(d: number): string {
  const d4 = d / 4;
  const w = d + 1;
  return `
    const TOKENS = ${TOKENS};
    var<workgroup> tileQ : array<vec4<f32>, ${TOKENS * d4}>;
    var<workgroup> tileK : array<vec4<f32>, ${TOKENS * d4}>;
    // phi(q_t)_i z_i after token t, per token and key feature i; then per token the sum over i.
    var<workgroup> tileTerms : array<f32, ${TOKENS * d}>;
    var<workgroup> tileDenominator : array<f32, TOKENS>;
    var<workgroup> tileValid : array<f32, TOKENS>;
    var<workgroup> groupSlot : i32;

    fn phi(x : vec4<f32>) -> vec4<f32> {
      return select(exp(x), x + 1.0, x > vec4<f32>(0.0));
    }

    fn main(index : i32) {
      ${headWalkStart(d)}
      let column = min(c, ${d - 1});

      // s = S[:, c] (s[i4]: key features 4 i4 .. 4 i4 + 3) and z_c, from the state before the first token.
      let stateBase = (row * h + head) * ${d * w};
      var s : array<vec4<f32>, ${d4}>;
      for (var i4 = 0; i4 < ${d4}; i4++) {
        let at = stateBase + 4 * i4 * ${w} + column;
        s[i4] = select(vec4<f32>(0.0), vec4<f32>(initial[at], initial[at + ${w}], initial[at + ${2 * w}], initial[at + ${3 * w}]), owner);
      }
      var z = select(0.0, initial[stateBase + column * ${w} + ${d}], owner);

      for (var t0 = 0; t0 < n; t0 += TOKENS) {
        workgroupBarrier();
        ${stageQueryKeyTile(d, 'phi')}
        for (var x = c; x < TOKENS; x += ${WORKGROUP}) { tileValid[x] = f32(valid[row * n + min(t0 + x, n - 1)]); }
        workgroupBarrier();
        let tiles = min(TOKENS, n - t0);
        if (owner) {
          for (var u = 0; u < tiles; u++) {
            z += tileK[u * ${d4} + c / 4][c % 4] * tileValid[u];
            tileTerms[u * ${d} + c] = tileQ[u * ${d4} + c / 4][c % 4] * z;
          }
        }
        workgroupBarrier();
        for (var u = c; u < tiles; u += ${WORKGROUP}) {
          var total = 0.0;
          for (var i = 0; i < ${d}; i++) { total += tileTerms[u * ${d} + i]; }
          tileDenominator[u] = total + uniforms.epsilon;
        }
        workgroupBarrier();
        if (owner) {
          for (var u = 0; u < tiles; u++) {
            let t = t0 + u;
            let value = values[(row * n + t) * width + head * ${d} + c] * tileValid[u];
            var numerator = vec4<f32>(0.0);
            for (var i4 = 0; i4 < ${d4}; i4++) {
              s[i4] += value * tileK[u * ${d4} + i4];
              numerator += s[i4] * tileQ[u * ${d4} + i4];
            }
            result[(row * (n + ${w}) + t) * width + head * ${d} + c] = (numerator.x + numerator.y + numerator.z + numerator.w) / tileDenominator[u];
          }
        }
      }
      // The sums after the last token, [S | z] of this head row-major in rows n .. n+d of this batch row.
      if (owner) {
        let base = (row * (n + ${w}) + n) * width + head * ${d * w};
        for (var i4 = 0; i4 < ${d4}; i4++) {
          result[base + (4 * i4) * ${w} + c] = s[i4].x;
          result[base + (4 * i4 + 1) * ${w} + c] = s[i4].y;
          result[base + (4 * i4 + 2) * ${w} + c] = s[i4].z;
          result[base + (4 * i4 + 3) * ${w} + c] = s[i4].w;
        }
        result[base + c * ${w} + ${d}] = z;
      }
    }
  `;
}

function linearAttention({
  inputs: { q, k, v, valid, state },
  attrs: { heads, epsilon },
  backend,
}: KernelArgs<typeof LINEAR_ATTENTION, WebGpuBackend>): tf.TensorInfo {
  const [batch, n, width] = q.shape;
  const d = width / heads;
  if (!linearAttentionTakes(d) || valid.shape.join() !== [batch, n].join()) {
    throw new Error(
      `${LINEAR_ATTENTION}: head size ${d} must be a multiple of 4 (at most ${WORKGROUP}), valid [${batch}, ${n}] (got [${valid.shape}])`,
    );
  }
  return dispatch(backend, {
    key: `linearAttention_${d}`,
    inputs: { queries: q, keys: k, values: v, valid, initial: state },
    outputShape: [batch, n + d + 1, width],
    workgroups: batch * heads,
    uniforms: { batch: ['i32', batch], tokens: ['i32', n], heads: ['i32', heads], epsilon: ['f32', epsilon] },
    code: () => shader(d),
  });
}

export function registerLinearAttention(): void {
  registerOnce(LINEAR_ATTENTION, 'webgpu', linearAttention);
}
