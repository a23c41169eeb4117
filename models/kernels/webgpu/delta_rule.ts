/**
 * DELTA_RULE on webgpu: the whole delta-rule recurrence of a layer in one dispatch. The tf-op form
 * carries the state from chunk to chunk in a JavaScript loop (a few products and slices per chunk,
 * thousands of dispatches at long lengths); here the state never leaves the GPU's registers.
 *
 * The rule S_t = S_{t-1} + beta_t (v_t - S_{t-1} k_t) k_t^T acts on each value feature c (a row of
 * S, a column of M = S^T) on its own: with m = M[:, c],
 *   m += beta_t (v_t[c] - m . k_t) k_t,   o_t[c] = m . q_t.
 * So one workgroup per (batch row, head) has one invocation per value feature c (d <= WORKGROUP),
 * holding m in registers, and walks the tokens in order; each tile of TOKENS tokens' q and k is
 * staged in workgroup memory and normalised once, then read by every invocation.
 *
 * The same walk gives the backward (delta_rule_grad.ts) each token's error v_t[c] - m . k_t.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { DELTA_RULE, deltaRuleTakes, KernelArgs, KernelInputs } from '../names';
import { dispatch, WebGpuBackend, WORKGROUP } from './program';
import { headWalkStart, QUERY_KEY_ROWS, stageTokenRows, TokenRows } from './token_recurrence';

const TOKENS = 16;

/**
 * WGSL: stages the tile of tokens t0 .. t0 + TOKENS - 1 for a walk: tileQ, tileK, the tiles of
 * `more`, and tileScale, between barriers (every invocation reads them after; none is still reading
 * the last tile's).
 */
export function stageWalkTile(d: number, more: readonly TokenRows[] = []): string {
  return `workgroupBarrier();
        ${stageTokenRows(d, [...QUERY_KEY_ROWS, ...more])}
        workgroupBarrier();
        ${stageTileScales(d)}
        workgroupBarrier();`;
}

/**
 * WGSL: the workgroup declarations of a delta-rule walk of `tokens` tokens per tile, head size d:
 * TOKENS, a tile of vec4s per name in `tiles` (tileQ, tileK, ...), tileScale (per token 1 / |q|,
 * 1 / |k| and beta; see stageTileScales) and groupSlot.
 */
export function walkDeclarations(tokens: number, d: number, tiles: string[]): string {
  return [
    `const TOKENS = ${tokens};`,
    ...tiles.map((name) => `var<workgroup> ${name} : array<vec4<f32>, ${(tokens * d) / 4}>;`),
    'var<workgroup> tileScale : array<vec3<f32>, TOKENS>;',
    'var<workgroup> groupSlot : i32;',
  ].join('\n    ');
}

/**
 * WGSL: after tileQ and tileK of tokens t0 .. t0 + TOKENS - 1 are staged, sets tileScale[s]
 * (`array<vec3<f32>, TOKENS>`) to 1 / |q|, 1 / |k| and beta of token t0 + s from the binding
 * `strength` ([batch, n, h]). A token with beta = 0 gets 1 / |k| = 0: its normalised k is 0, as
 * deltaRuleComposite makes it.
 */
function stageTileScales(d: number): string {
  const d4 = d / 4;
  return `
        for (var s = c; s < TOKENS; s += ${WORKGROUP}) {
          var qq = 0.0;
          var kk = 0.0;
          for (var i4 = 0; i4 < ${d4}; i4++) {
            qq += dot(tileQ[s * ${d4} + i4], tileQ[s * ${d4} + i4]);
            kk += dot(tileK[s * ${d4} + i4], tileK[s * ${d4} + i4]);
          }
          let beta = strength[(row * n + min(t0 + s, n - 1)) * h + head];
          tileScale[s] = vec3<f32>(1.0 / max(sqrt(qq), 1e-12), select(1.0 / max(sqrt(kk), 1e-12), 0.0, beta == 0.0), beta);
        }`;
}

/**
 * WGSL: column c of a head's state M [d, d] (row-major from `base` in `binding`: key feature i at
 * base + i d + c) into the registers named `m` (`array<vec4<f32>, d / 4>`, key features 4 i4 .. 4 i4 + 3);
 * zeros where c is past d.
 */
export function loadStateColumn(d: number, m: string, binding: string, base: string): string {
  return `
      for (var i4 = 0; i4 < ${d / 4}; i4++) {
        let at = ${base} + 4 * i4 * ${d} + min(c, ${d - 1});
        ${m}[i4] = select(vec4<f32>(0.0), vec4<f32>(${binding}[at], ${binding}[at + ${d}], ${binding}[at + ${2 * d}], ${binding}[at + ${3 * d}]), owner);
      }`;
}

/** WGSL: the registers named `m` back as column c of a state in `result` from `base` (loadStateColumn's layout). */
export function storeStateColumn(d: number, m: string, base: string): string {
  return `
      if (owner) {
        for (var i4 = 0; i4 < ${d / 4}; i4++) {
          let at = ${base} + 4 * i4 * ${d} + c;
          result[at] = ${m}[i4].x;
          result[at + ${d}] = ${m}[i4].y;
          result[at + ${2 * d}] = ${m}[i4].z;
          result[at + ${3 * d}] = ${m}[i4].w;
        }
      }`;
}

/** What a walk writes: DELTA_RULE's outputs and final state, or each token's error v_t[c] - m . k_t ([b, n, h d]). */
type Writes = 'outputs' | 'errors';

/** WGSL for head size d (a multiple of 4, at most WORKGROUP). */
function shader(d: number, writes: Writes): string {
  const d4 = d / 4;
  const outputs = writes === 'outputs';
  return `
    ${walkDeclarations(TOKENS, d, ['tileQ', 'tileK'])}

    fn main(index : i32) {
      ${headWalkStart(d)}

      // m = M[:, c]: m[i4] holds key features 4 i4 .. 4 i4 + 3.
      var m : array<vec4<f32>, ${d4}>;
      ${loadStateColumn(d, 'm', 'initial', `(row * h + head) * ${d * d}`)}

      for (var t0 = 0; t0 < n; t0 += TOKENS) {
        ${stageWalkTile(d)}
        if (owner) {
          for (var s = 0; s < min(TOKENS, n - t0); s++) {
            let t = t0 + s;
            let scale = tileScale[s];
            var mk = vec4<f32>(0.0);
            for (var i4 = 0; i4 < ${d4}; i4++) { mk += m[i4] * tileK[s * ${d4} + i4]; }
            let value = values[(row * n + t) * width + head * ${d} + c];
            // v[c] - m . k with k normalised; beta times that, times the normalised k, is the write.
            let error = value - (mk.x + mk.y + mk.z + mk.w) * scale.y;
            let write = scale.z * error * scale.y;
            ${
              outputs
                ? `var mq = vec4<f32>(0.0);
            for (var i4 = 0; i4 < ${d4}; i4++) {
              m[i4] += write * tileK[s * ${d4} + i4];
              mq += m[i4] * tileQ[s * ${d4} + i4];
            }
            result[(row * (n + ${d}) + t) * width + head * ${d} + c] = (mq.x + mq.y + mq.z + mq.w) * scale.x;`
                : `for (var i4 = 0; i4 < ${d4}; i4++) { m[i4] += write * tileK[s * ${d4} + i4]; }
            result[(row * n + t) * width + head * ${d} + c] = error;`
            }
          }
        }
      }
      // The state after the last token: M[head] row-major in rows n .. n+d-1 of this batch row.
      ${outputs ? storeStateColumn(d, 'm', `(row * (n + ${d}) + n) * width + head * ${d * d}`) : ''}
    }
  `;
}

/**
 * The walk over the tokens of DELTA_RULE's inputs: its output [b, n + d, h d], or for the backward
 * each token's error v_t[c] - m_{t-1} . k_t [b, n, h d].
 */
export function deltaRuleWalk(
  backend: WebGpuBackend,
  { q, k, v, beta, memory }: KernelInputs<typeof DELTA_RULE>,
  heads: number,
  writes: Writes,
): tf.TensorInfo {
  const [batch, n, width] = q.shape;
  const d = width / heads;
  if (!deltaRuleTakes(d) || beta.shape.join() !== [batch, n, heads].join()) {
    throw new Error(
      `${DELTA_RULE}: head size ${d} must be a multiple of 4 (at most ${WORKGROUP}), beta [${batch}, ${n}, ${heads}] (got [${beta.shape}])`,
    );
  }
  return dispatch(backend, {
    key: `deltaRule_${writes}_${d}`,
    inputs: { queries: q, keys: k, values: v, strength: beta, initial: memory },
    outputShape: [batch, writes === 'outputs' ? n + d : n, width],
    workgroups: batch * heads,
    uniforms: { batch: ['i32', batch], tokens: ['i32', n], heads: ['i32', heads] },
    code: () => shader(d, writes),
  });
}

function deltaRule({ inputs, attrs: { heads }, backend }: KernelArgs<typeof DELTA_RULE, WebGpuBackend>): tf.TensorInfo {
  return deltaRuleWalk(backend, inputs, heads, 'outputs');
}

export function registerDeltaRule(): void {
  registerOnce(DELTA_RULE, 'webgpu', deltaRule);
}
