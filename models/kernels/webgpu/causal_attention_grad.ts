/**
 * CAUSAL_ATTENTION_GRAD on webgpu: the backward of CAUSAL_ATTENTION as FlashAttention-2 computes it
 * (docs/architectures.md, "The online softmax"), the scores recomputed tile by tile and never stored.
 * With P = softmax(S), S = q k^T * scale over the keys each query sees, and dO the output's gradient:
 *   lse_i = log sum_j exp(S_ij),  D_i = dO_i . O_i = sum_j P_ij (dO_i . v_j),
 *   dS_ij = P_ij (dO_i . v_j - D_i),  dq_i = scale sum_j dS_ij k_j,
 *   dk_j = scale sum_i dS_ij q_i,  dv_j = sum_i P_ij dO_i.
 * Four dispatches: the per-query statistics (lse, D), then dq walking each query's keys, and dk and
 * dv walking each key's queries (WGSL has no float atomics to add dq from the key side).
 *
 * One workgroup holds ROWS queries (or keys) of one batch row, one per invocation, its own vectors
 * in registers; it walks the other side TILE at a time, staged in workgroup memory and read by all.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { CAUSAL_ATTENTION_GRAD, causalAttentionTakes, KernelArgs } from '../names';
import { SEES } from './causal_attention';
import { dispatch, FLAT_WORKGROUP_INDEX, Uniform, WebGpuBackend, WORKGROUP } from './program';

/** Queries (or keys) per workgroup, one per invocation. */
const ROWS = WORKGROUP;
/** Keys (or queries) staged in workgroup memory at once. */
const TILE = 32;

/** The start of main: the workgroup's batch row and first row `r0` of `count` rows, this invocation's row `r`. */
const ROW_OF_WORKGROUP = (count: string) => `
  let tiles = (${count} + ROWS - 1) / ROWS;
  ${FLAT_WORKGROUP_INDEX}
  let group = workgroupUniformLoad(&groupSlot);
  if (group >= uniforms.batch * tiles) { return; }
  let row = group / tiles;
  let r0 = (group % tiles) * ROWS;
  let r = r0 + i32(localId.x);
`;

type QueryPart = 'stats' | 'dq';

/**
 * Query side, for head size d and value size e: 'stats' writes [lse, D, 0, 0] per query, 'dq' the
 * query's gradient from those statistics. Both walk the key tiles the workgroup's queries may see.
 */
function queryShader(part: QueryPart, d: number, e: number): string {
  const [d4, e4] = [d / 4, e / 4];
  const dq = part === 'dq';
  return `
    const ROWS = ${ROWS};
    const TILE = ${TILE};
    var<workgroup> tileK : array<vec4<f32>, ${TILE * d4}>;
    ${dq ? `var<workgroup> tileV : array<vec4<f32>, ${TILE * e4}>;` : ''}
    var<workgroup> groupSlot : i32;
    ${SEES}

    fn main(index : i32) {
      let L = uniforms.queries;
      let S = uniforms.keys;
      ${ROW_OF_WORKGROUP('L')}
      let i = min(r, L - 1);
      var q : array<vec4<f32>, ${d4}>;
      for (var c = 0; c < ${d4}; c++) { q[c] = q_[(row * L + i) * ${d4} + c] * uniforms.scale; }
      ${
        dq
          ? `var dO : array<vec4<f32>, ${e4}>;
      var acc : array<vec4<f32>, ${d4}>;
      for (var c = 0; c < ${e4}; c++) { dO[c] = dy_[(row * L + i) * ${e4} + c]; }
      for (var c = 0; c < ${d4}; c++) { acc[c] = vec4<f32>(0.0); }
      let stats = stats_[row * L + i];`
          : `var runningMax = -3.4e38;
      var total = 0.0;`
      }

      // The keys any query of this workgroup may see: [first, last].
      let offset = S - L;
      let last = offset + min(r0 + ROWS, L) - 1;
      var first = 0;
      if (uniforms.window >= 0) { first = max(0, offset + r0 - uniforms.window); }
      for (var k0 = (first / TILE) * TILE; k0 <= last; k0 += TILE) {
        workgroupBarrier();
        for (var x = i32(localId.x); x < TILE * ${d4}; x += ROWS) {
          let s = min(k0 + x / ${d4}, S - 1);
          tileK[x] = k_[(row * S + s) * ${d4} + x % ${d4}];
        }
        ${
          dq
            ? `for (var x = i32(localId.x); x < TILE * ${e4}; x += ROWS) {
          let s = min(k0 + x / ${e4}, S - 1);
          tileV[x] = v_[(row * S + s) * ${e4} + x % ${e4}];
        }`
            : ''
        }
        workgroupBarrier();
        for (var j = 0; j < TILE; j++) {
          if (!sees(r, k0 + j)) { continue; }
          var score = 0.0;
          for (var c = 0; c < ${d4}; c++) { score += dot(q[c], tileK[j * ${d4} + c]); }
          ${
            dq
              ? `var dp = 0.0;
          for (var c = 0; c < ${e4}; c++) { dp += dot(dO[c], tileV[j * ${e4} + c]); }
          let ds = exp(score - stats.x) * (dp - stats.y);
          for (var c = 0; c < ${d4}; c++) { acc[c] += ds * tileK[j * ${d4} + c]; }`
              : `if (score > runningMax) {
            total = total * exp(runningMax - score) + 1.0;
            runningMax = score;
          } else {
            total += exp(score - runningMax);
          }`
          }
        }
      }
      if (r >= L) { return; }
      ${
        dq
          ? `for (var c = 0; c < ${d4}; c++) { result[(row * L + r) * ${d4} + c] = acc[c] * uniforms.scale; }`
          : `var D = 0.0;
      for (var c = 0; c < ${e4}; c++) {
        D += dot(dy_[(row * L + r) * ${e4} + c], o_[(row * L + r) * ${e4} + c]);
      }
      result[row * L + r] = vec4<f32>(runningMax + log(total), D, 0.0, 0.0);`
      }
    }
  `;
}

type KeyPart = 'dk' | 'dv';

/**
 * Key side, for head size d and value size e: the key's gradient ('dk') or the value's ('dv'),
 * walking the query tiles that may see the workgroup's keys.
 */
function keyShader(part: KeyPart, d: number, e: number): string {
  const [d4, e4] = [d / 4, e / 4];
  const dk = part === 'dk';
  const width = dk ? d4 : e4;
  return `
    const ROWS = ${ROWS};
    const TILE = ${TILE};
    var<workgroup> tileQ : array<vec4<f32>, ${TILE * d4}>;
    var<workgroup> tileDO : array<vec4<f32>, ${TILE * e4}>;
    var<workgroup> tileStats : array<vec4<f32>, TILE>;
    var<workgroup> groupSlot : i32;
    ${SEES}

    fn main(index : i32) {
      let L = uniforms.queries;
      let S = uniforms.keys;
      ${ROW_OF_WORKGROUP('S')}
      let s = min(r, S - 1);
      var k : array<vec4<f32>, ${d4}>;
      for (var c = 0; c < ${d4}; c++) { k[c] = k_[(row * S + s) * ${d4} + c]; }
      ${
        dk
          ? `var v : array<vec4<f32>, ${e4}>;
      for (var c = 0; c < ${e4}; c++) { v[c] = v_[(row * S + s) * ${e4} + c]; }`
          : ''
      }
      var acc : array<vec4<f32>, ${width}>;
      for (var c = 0; c < ${width}; c++) { acc[c] = vec4<f32>(0.0); }

      // The queries that may see any key of this workgroup: [first, last].
      let offset = S - L;
      let first = max(0, r0 - offset);
      var last = L - 1;
      if (uniforms.window >= 0) { last = min(L - 1, r0 + ROWS - 1 + uniforms.window - offset); }
      for (var i0 = (first / TILE) * TILE; i0 <= last; i0 += TILE) {
        workgroupBarrier();
        for (var x = i32(localId.x); x < TILE * ${d4}; x += ROWS) {
          let i = min(i0 + x / ${d4}, L - 1);
          tileQ[x] = q_[(row * L + i) * ${d4} + x % ${d4}];
        }
        for (var x = i32(localId.x); x < TILE * ${e4}; x += ROWS) {
          let i = min(i0 + x / ${e4}, L - 1);
          tileDO[x] = dy_[(row * L + i) * ${e4} + x % ${e4}];
        }
        if (i32(localId.x) < TILE) { tileStats[localId.x] = stats_[row * L + min(i0 + i32(localId.x), L - 1)]; }
        workgroupBarrier();
        for (var j = 0; j < TILE; j++) {
          if (!sees(i0 + j, r)) { continue; }
          var score = 0.0;
          for (var c = 0; c < ${d4}; c++) { score += dot(k[c], tileQ[j * ${d4} + c]); }
          let p = exp(score * uniforms.scale - tileStats[j].x);
          ${
            dk
              ? `var dp = 0.0;
          for (var c = 0; c < ${e4}; c++) { dp += dot(v[c], tileDO[j * ${e4} + c]); }
          let ds = p * (dp - tileStats[j].y);
          for (var c = 0; c < ${d4}; c++) { acc[c] += ds * tileQ[j * ${d4} + c]; }`
              : `for (var c = 0; c < ${e4}; c++) { acc[c] += p * tileDO[j * ${e4} + c]; }`
          }
        }
      }
      if (r >= S) { return; }
      for (var c = 0; c < ${width}; c++) {
        result[(row * S + r) * ${width} + c] = acc[c]${dk ? ' * uniforms.scale' : ''};
      }
    }
  `;
}

function causalAttentionGrad({
  inputs: { q, k, v, out, dy },
  attrs: { scale, window },
  backend,
}: KernelArgs<typeof CAUSAL_ATTENTION_GRAD, WebGpuBackend>): tf.TensorInfo[] {
  const [batch, L, d] = q.shape;
  const [, S, e] = v.shape;
  if (!causalAttentionTakes(d, e) || S < L)
    throw new Error(
      `${CAUSAL_ATTENTION_GRAD}: head size ${d} and value size ${e} must be multiples of 4 (at most 128), with no more queries (${L}) than keys (${S})`,
    );
  const uniforms: Record<string, Uniform> = {
    batch: ['i32', batch],
    queries: ['i32', L],
    keys: ['i32', S],
    window: ['i32', window],
    scale: ['f32', scale],
  };
  const [queryGroups, keyGroups] = [batch * Math.ceil(L / ROWS), batch * Math.ceil(S / ROWS)];
  const run = (
    key: string,
    inputs: Record<string, tf.TensorInfo>,
    outputShape: number[],
    workgroups: number,
    code: () => string,
  ) => dispatch(backend, { key: `${key}_${d}_${e}`, inputs, outputShape, workgroups, uniforms, components: 4, code });
  const stats = run('attentionStats', { q_: q, k_: k, o_: out, dy_: dy }, [batch, L, 4], queryGroups, () =>
    queryShader('stats', d, e),
  );
  const grads = [
    run('attentionGradQ', { q_: q, k_: k, v_: v, dy_: dy, stats_: stats }, [batch, L, d], queryGroups, () =>
      queryShader('dq', d, e),
    ),
    run('attentionGradK', { q_: q, k_: k, v_: v, dy_: dy, stats_: stats }, [batch, S, d], keyGroups, () =>
      keyShader('dk', d, e),
    ),
    run('attentionGradV', { q_: q, k_: k, dy_: dy, stats_: stats }, [batch, S, e], keyGroups, () =>
      keyShader('dv', d, e),
    ),
  ];
  backend.disposeData(stats.dataId);
  return grads;
}

export function registerCausalAttentionGrad(): void {
  registerOnce(CAUSAL_ATTENTION_GRAD, 'webgpu', causalAttentionGrad);
}
