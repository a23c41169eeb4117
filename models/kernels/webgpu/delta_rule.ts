/**
 * DELTA_RULE on webgpu: the whole delta-rule recurrence of a layer in one dispatch. The tf-op form
 * carries the state from chunk to chunk in a JavaScript loop (a few products and slices per chunk,
 * thousands of dispatches at long lengths); here the state never leaves the GPU's registers.
 *
 * The rule S_t = S_{t-1} + beta_t (v_t - S_{t-1} k_t) k_t^T acts on each value feature c (a row of
 * S, a column of M = S^T) on its own: with m = M[:, c],
 *   m += beta_t (v_t[c] - m . k_t) k_t,   o_t[c] = m . q_t.
 * So one workgroup per (batch row, head) has one invocation per value feature c, holding m in
 * registers, and walks the tokens in order; each tile of TOKENS tokens' q and k is staged in
 * workgroup memory and normalised once, then read by every invocation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { DELTA_RULE, deltaRuleTakes } from '../names';
import { FLAT_WORKGROUP_INDEX, WebGpuBackend, WebGpuProgram } from './program';

const TOKENS = 8;

/** The kernel's attributes (models/kernels/names.ts says what it computes). */
export interface DeltaRuleAttrs {
  heads: number;
}

/** WGSL for head size d (a multiple of 4), with or without a state before the first token. */
function shader(d: number, fromState: boolean): string {
  const d4 = d / 4;
  return `
    const TOKENS = ${TOKENS};
    var<workgroup> tileQ : array<vec4<f32>, ${TOKENS * d4}>;
    var<workgroup> tileK : array<vec4<f32>, ${TOKENS * d4}>;
    // Per token of the tile: 1 / |q|, 1 / |k| and beta.
    var<workgroup> tileScale : array<vec3<f32>, TOKENS>;
    var<workgroup> groupSlot : i32;

    fn main(index : i32) {
      let n = uniforms.tokens;
      let h = uniforms.heads;
      let width = h * ${d};
      ${FLAT_WORKGROUP_INDEX}
      let group = workgroupUniformLoad(&groupSlot);
      if (group >= uniforms.batch * h) { return; }
      let row = group / h;
      let head = group % h;
      let c = i32(localId.x);

      // m = M[:, c]: m[i4] holds key features 4 i4 .. 4 i4 + 3.
      var m : array<vec4<f32>, ${d4}>;
      for (var i4 = 0; i4 < ${d4}; i4++) {
        ${fromState
    ? `let at = ((row * h + head) * ${d} + 4 * i4) * ${d} + c;
        m[i4] = vec4<f32>(initial[at], initial[at + ${d}], initial[at + ${2 * d}], initial[at + ${3 * d}]);`
    : 'm[i4] = vec4<f32>(0.0);'}
      }

      for (var t0 = 0; t0 < n; t0 += TOKENS) {
        workgroupBarrier();
        for (var x = c; x < TOKENS * ${d4}; x += ${d}) {
          let t = min(t0 + x / ${d4}, n - 1);
          let at = ((row * n + t) * width + head * ${d}) / 4 + x % ${d4};
          tileQ[x] = queries[at];
          tileK[x] = keys[at];
        }
        workgroupBarrier();
        for (var s = c; s < TOKENS; s += ${d}) {
          var qq = 0.0;
          var kk = 0.0;
          for (var i4 = 0; i4 < ${d4}; i4++) {
            qq += dot(tileQ[s * ${d4} + i4], tileQ[s * ${d4} + i4]);
            kk += dot(tileK[s * ${d4} + i4], tileK[s * ${d4} + i4]);
          }
          let t = min(t0 + s, n - 1);
          tileScale[s] = vec3<f32>(1.0 / max(sqrt(qq), 1e-12), 1.0 / max(sqrt(kk), 1e-12), strength[(row * n + t) * h + head]);
        }
        workgroupBarrier();
        let tiles = min(TOKENS, n - t0);
        for (var s = 0; s < tiles; s++) {
          let t = t0 + s;
          let scale = tileScale[s];
          var mk = vec4<f32>(0.0);
          for (var i4 = 0; i4 < ${d4}; i4++) { mk += m[i4] * tileK[s * ${d4} + i4]; }
          let value = values[(row * n + t) * width + head * ${d} + c];
          // beta (v[c] - m . k) with k normalised, then times the normalised k.
          let write = scale.z * (value - (mk.x + mk.y + mk.z + mk.w) * scale.y) * scale.y;
          var mq = vec4<f32>(0.0);
          for (var i4 = 0; i4 < ${d4}; i4++) {
            m[i4] += write * tileK[s * ${d4} + i4];
            mq += m[i4] * tileQ[s * ${d4} + i4];
          }
          result[(row * (n + ${d}) + t) * width + head * ${d} + c] = (mq.x + mq.y + mq.z + mq.w) * scale.x;
        }
      }
      // The state after the last token: M[head] row-major in rows n .. n+d-1 of this batch row.
      let base = (row * (n + ${d}) + n) * width + head * ${d * d} + c;
      for (var i4 = 0; i4 < ${d4}; i4++) {
        result[base + (4 * i4) * ${d}] = m[i4].x;
        result[base + (4 * i4 + 1) * ${d}] = m[i4].y;
        result[base + (4 * i4 + 2) * ${d}] = m[i4].z;
        result[base + (4 * i4 + 3) * ${d}] = m[i4].w;
      }
    }
  `;
}

class DeltaRuleProgram implements WebGpuProgram {
  variableNames: string[];
  variableComponents: number[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1, 2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms = 'batch : i32, tokens : i32, heads : i32,';

  constructor(batch: number, n: number, heads: number, private readonly d: number, private readonly fromState: boolean) {
    this.variableNames = ['queries', 'keys', 'values', 'strength', ...(fromState ? ['initial'] : [])];
    this.variableComponents = [4, 4, 1, 1, ...(fromState ? [1] : [])];
    this.outputShape = [batch, n + d, heads * d];
    this.dispatch = [batch * heads, 1, 1];
    this.workgroupSize = [d, 1, 1];
    this.shaderKey = `bsbrDeltaRule_${d}_${fromState}`;
  }

  getUserCode(): string {
    return shader(this.d, this.fromState);
  }
}

function deltaRule(args: { inputs: { q: tf.TensorInfo; k: tf.TensorInfo; v: tf.TensorInfo; beta: tf.TensorInfo; memory?: tf.TensorInfo }; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { q, k, v, beta, memory } = args.inputs;
  const { heads } = args.attrs as unknown as DeltaRuleAttrs;
  const [batch, n, width] = q.shape;
  const d = width / heads;
  if (!deltaRuleTakes(d) || beta.shape.join() !== [batch, n, heads].join()) {
    throw new Error(`${DELTA_RULE}: head size ${d} must be a multiple of 4 (at most 128), beta [${batch}, ${n}, ${heads}] (got [${beta.shape}])`);
  }
  const program = new DeltaRuleProgram(batch, n, heads, d, memory !== undefined);
  return (args.backend as WebGpuBackend).runWebGPUProgram(program, memory ? [q, k, v, beta, memory] : [q, k, v, beta], 'float32', [
    { type: 'int32', data: [batch] }, { type: 'int32', data: [n] }, { type: 'int32', data: [heads] },
  ]);
}

export function registerDeltaRule(): void {
  registerOnce(DELTA_RULE, 'webgpu', deltaRule);
}
