/**
 * DELTA_RULE_GRAD on webgpu: the backward of DELTA_RULE (docs/architectures.md section 4, "The
 * backward") in nine dispatches per call, however many tokens. Per batch row, head and value
 * feature c, with m_t = M_t[:, c], e_t = v_t[c] - m_{t-1} . k_t, w_t = beta_t e_t and k, q normalised
 * (k = 0 where beta = 0), the backward walks the tokens down from g = dM_final[:, c]:
 *   g += dO_t[c] q_t,  dw_t[c] = g . k_t,  g -= beta_t dw_t[c] k_t,      and dM_init[:, c] = g.
 * With G_t the matrix of the g after adding dO_t[c] q_t and before the update, the sums over c give
 * the normalised q's and k's gradients (step 4 takes them through the normalisation) and the others:
 *   dq_t = M_t dO_t,   dk_t = G_t w_t - beta_t M_{t-1} dw_t,   dv_t = beta_t dw_t,   dbeta_t = e_t . dw_t.
 * Every state M_t follows from M_init and the writes k_s w_s^T in order, and every G_t from
 * dM_final and q_s dO_s^T, k_s dw_s^T in reverse, so:
 *   1. the forward's walk (delta_rule.ts) writes e_t per token (one invocation per value feature);
 *   2. one invocation per value feature walks back with g (the sums over key features are its own):
 *      dw_t, then dM_init;
 *   3. one invocation per key feature i holds row i of M, walking forward, for dq_t[i] and (a walk of
 *      its own) the M term of dk_t[i]; then one holds row i of G, walking back, for dk_t[i]; each sum
 *      over c is the invocation's own;
 *   4. per token and head, the normalisation's backward for q and k, dv and dbeta; dM_init copied out.
 * No state is stored or walked backward by undoing its updates: both walks go their own way. Every
 * intermediate is [b, n, h d] or [b, n + d, h d], no wider per token than the forward's output, so
 * what the plan's groups fit in a storage binding (models/plan.ts) these do too: hence step 3's
 * separate walks for dq and the M term (4 d^2 each) rather than one walk writing both (6 d^2).
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { DELTA_RULE_GRAD, KernelArgs } from '../names';
import { deltaRuleWalk, loadStateColumn, stageWalkTile, storeStateColumn, walkDeclarations } from './delta_rule';
import { dispatch, Uniform, WebGpuBackend, workgroupsFor } from './program';
import { headWalkStart } from './token_recurrence';

/** Tokens staged at once by the walk over value features (q, k: 8 KiB at d = 64). */
const COLUMN_TOKENS = 16;
/** Tokens staged at once by the walks over key features (q, k, e, dw, dO: 10 KiB at d = 64). */
const ROW_TOKENS = 8;

/**
 * Step 2, for head size d: one workgroup per (batch row, head), invocation c walking the tokens
 * back with g = dM[:, c] from dy's final-state rows. Writes [b, n + d, h d]: dw_t[c] per token (0
 * where beta = 0), then dM_init as DELTA_RULE lays out its final state.
 */
function columnShader(d: number): string {
  const d4 = d / 4;
  const state = `(row * (n + ${d}) + n) * width + head * ${d * d}`;
  return `
    ${walkDeclarations(COLUMN_TOKENS, d, ['tileQ', 'tileK'])}

    fn main(index : i32) {
      ${headWalkStart(d)}
      var g : array<vec4<f32>, ${d4}>;
      ${loadStateColumn(d, 'g', 'dy', state)}

      let tiles = (n + TOKENS - 1) / TOKENS;
      for (var tile = tiles - 1; tile >= 0; tile--) {
        let t0 = tile * TOKENS;
        ${stageWalkTile(d)}
        if (owner) {
          for (var s = min(TOKENS, n - t0) - 1; s >= 0; s--) {
            let scale = tileScale[s];
            let at = (row * (n + ${d}) + t0 + s) * width + head * ${d} + c;
            // dO_t[c] times the normalised q.
            let dOq = dy[at] * scale.x;
            var gk = vec4<f32>(0.0);
            for (var i4 = 0; i4 < ${d4}; i4++) {
              g[i4] += dOq * tileQ[s * ${d4} + i4];
              gk += g[i4] * tileK[s * ${d4} + i4];
            }
            let dw = (gk.x + gk.y + gk.z + gk.w) * scale.y;
            result[at] = dw;
            let update = scale.z * dw * scale.y;
            for (var i4 = 0; i4 < ${d4}; i4++) { g[i4] -= update * tileK[s * ${d4} + i4]; }
          }
        }
      }
      ${storeStateColumn(d, 'g', state)}
    }
  `;
}

/**
 * Step 3's walks, each over one row of a matrix per invocation (i, the key feature), its entries
 * over the value features 4 c4 .. 4 c4 + 3 in r[c4]: 'dq' and 'dkState' hold row i of M, tokens in
 * order from M_init, and write M_t dO_t and -beta_t M_{t-1} dw_t; 'dk' holds row i of G, tokens in
 * reverse from dM_final, and writes G_t w_t plus dkState's term: the normalised k's gradient.
 */
type RowWalk = 'dq' | 'dkState' | 'dk';

/** Step 3, for head size d: one workgroup per (batch row, head); writes [b, n, h d]. */
function rowShader(walk: RowWalk, d: number): string {
  const d4 = d / 4;
  const backward = walk === 'dk';
  const at = (tile: string) => `${tile}[s * ${d4} + c4]`;
  const [from, base] = backward
    ? ['dy', `(row * (n + ${d}) + n) * width + head * ${d * d} + i * ${d}`]
    : ['initial', `((row * h + head) * ${d} + i) * ${d}`];
  const step = {
    // G += q dO^T; G . w (w = beta e); G -= beta k dw^T.
    dk: `let qi = tileQ[s * ${d4} + i / 4][i % 4] * scale.x;
              var gw = vec4<f32>(0.0);
              for (var c4 = 0; c4 < ${d4}; c4++) {
                r[c4] += qi * ${at('tileO')};
                gw += r[c4] * ${at('tileE')};
                r[c4] -= (scale.z * ki) * ${at('tileW')};
              }
              result[dest] = stateTerm[dest] + scale.z * (gw.x + gw.y + gw.z + gw.w);`,
    // M_{t-1} . dw; M += k w^T (w = beta e).
    dkState: `var mw = vec4<f32>(0.0);
              for (var c4 = 0; c4 < ${d4}; c4++) {
                mw += r[c4] * ${at('tileW')};
                r[c4] += (scale.z * ki) * ${at('tileE')};
              }
              result[dest] = -scale.z * (mw.x + mw.y + mw.z + mw.w);`,
    // M += k w^T; M_t . dO.
    dq: `var mo = vec4<f32>(0.0);
              for (var c4 = 0; c4 < ${d4}; c4++) {
                r[c4] += (scale.z * ki) * ${at('tileE')};
                mo += r[c4] * ${at('tileO')};
              }
              result[dest] = mo.x + mo.y + mo.z + mo.w;`,
  }[walk];
  return `
    ${walkDeclarations(ROW_TOKENS, d, ['tileQ', 'tileK', 'tileE', 'tileW', 'tileO'])}

    fn main(index : i32) {
      ${headWalkStart(d)}
      // This invocation's key feature (c, as the helpers name it, counts invocations).
      let i = min(c, ${d - 1});
      var r : array<vec4<f32>, ${d4}>;
      let base = ${base};
      for (var c4 = 0; c4 < ${d4}; c4++) {
        r[c4] = vec4<f32>(${from}[base + 4 * c4], ${from}[base + 4 * c4 + 1], ${from}[base + 4 * c4 + 2], ${from}[base + 4 * c4 + 3]);
      }

      let tiles = (n + TOKENS - 1) / TOKENS;
      for (var done = 0; done < tiles; done++) {
        let t0 = ${backward ? '(tiles - 1 - done)' : 'done'} * TOKENS;
        ${stageWalkTile(d, [
          { tile: 'tileE', binding: 'errors', rows: 'n' },
          { tile: 'tileW', binding: 'dw', rows: `n + ${d}` },
          { tile: 'tileO', binding: 'dy', rows: `n + ${d}` },
        ])}
        if (owner) {
          let here = min(TOKENS, n - t0);
          for (var u = 0; u < here; u++) {
            let s = ${backward ? 'here - 1 - u' : 'u'};
            let scale = tileScale[s];
            let ki = tileK[s * ${d4} + i / 4][i % 4] * scale.y;
            let dest = (row * n + t0 + s) * width + head * ${d} + i;
            ${step}
          }
        }
      }
    }
  `;
}

/** Step 4's per-token outputs: q's and k's gradients through the normalisation, dv and dbeta. */
type TokenGrad = 'dq' | 'dk' | 'dv' | 'dbeta';

/**
 * Step 4, for head size d: one invocation per (batch row, token, head). dq, dk: x = q or k and dx^
 * (grads) from step 3, dx = (dx^ - x (x . dx^) / |x|^2) / |x|, or dx^ / 1e-12 where |x| < 1e-12 (x / max(|x|,
 * 1e-12) is then x / 1e-12); dv = beta dw, dbeta = e . dw.
 */
function tokenShader(part: TokenGrad, d: number): string {
  const normalised = part === 'dq' || part === 'dk';
  const body = {
    dv: `for (var j = 0; j < ${d}; j++) { result[at + j] = strength[index] * dw[packed + j]; }`,
    dbeta: `var total = 0.0;
      for (var j = 0; j < ${d}; j++) { total += errors[at + j] * dw[packed + j]; }
      result[index] = total;`,
    normalised: `var xx = 0.0;
      var xg = 0.0;
      for (var j = 0; j < ${d}; j++) {
        let x = features[at + j];
        xx += x * x;
        xg += x * grads[at + j];
      }
      let norm = sqrt(xx);
      for (var j = 0; j < ${d}; j++) {
        let g = grads[at + j];
        result[at + j] = select(g / 1e-12, (g - features[at + j] * (xg / xx)) / norm, norm >= 1e-12);
      }`,
  };
  return `
    fn main(index : i32) {
      let n = uniforms.tokens;
      let width = uniforms.heads * ${d};
      if (index >= uniforms.batch * n * uniforms.heads) { return; }
      // index = (row n + t) h + head: at is this head's features of token t in [b, n, h d], packed in [b, n + d, h d].
      let token = index / uniforms.heads;
      let at = token * width + (index % uniforms.heads) * ${d};
      let packed = at + (token / n) * ${d} * width;
      ${normalised ? body.normalised : body[part as 'dv' | 'dbeta']}
    }
  `;
}

/** Step 4's dM_init: rows n .. n + d - 1 of each batch row of step 2's output, as [b, h, d, d]. */
function memoryShader(d: number): string {
  return `
    fn main(index : i32) {
      let n = uniforms.tokens;
      let size = uniforms.heads * ${d * d};
      if (index >= uniforms.batch * size) { return; }
      result[index] = dw[((index / size) * (n + ${d}) + n) * uniforms.heads * ${d} + index % size];
    }
  `;
}

function deltaRuleGrad({
  inputs: { q, k, v, beta, memory, dy },
  attrs: { heads },
  backend,
}: KernelArgs<typeof DELTA_RULE_GRAD, WebGpuBackend>): tf.TensorInfo[] {
  const [batch, n, width] = q.shape;
  const d = width / heads;
  // Checks the head size and beta's shape.
  const errors = deltaRuleWalk(backend, { q, k, v, beta, memory }, heads, 'errors');
  if (dy.shape.join() !== [batch, n + d, width].join()) {
    backend.disposeData(errors.dataId);
    throw new Error(`${DELTA_RULE_GRAD}: dy must be [${batch}, ${n + d}, ${width}] (got [${dy.shape}])`);
  }
  const uniforms: Record<string, Uniform> = { batch: ['i32', batch], tokens: ['i32', n], heads: ['i32', heads] };
  const dw = dispatch(backend, {
    key: `deltaRuleGrad_walk_columns_${d}`,
    inputs: { queries: q, keys: k, strength: beta, dy },
    outputShape: [batch, n + d, width],
    workgroups: batch * heads,
    uniforms,
    code: () => columnShader(d),
  });
  // Each walk binds what it reads: the walks over M start from memory, the walk over G from dy.
  const walk = (kind: RowWalk, start: Record<string, tf.TensorInfo>) =>
    dispatch(backend, {
      key: `deltaRuleGrad_walk_${kind}_${d}`,
      inputs: { queries: q, keys: k, strength: beta, errors, dw, dy, ...start },
      outputShape: [batch, n, width],
      workgroups: batch * heads,
      uniforms,
      code: () => rowShader(kind, d),
    });
  const dqHat = walk('dq', { initial: memory });
  const stateTerm = walk('dkState', { initial: memory });
  const dkHat = walk('dk', { stateTerm });
  const perToken = (part: TokenGrad, inputs: Record<string, tf.TensorInfo>, outputShape: number[]) =>
    dispatch(backend, {
      key: `deltaRuleGrad_token_${part}_${d}`,
      inputs,
      outputShape,
      workgroups: workgroupsFor(batch * n * heads),
      uniforms,
      code: () => tokenShader(part, d),
    });
  const grads = [
    perToken('dq', { features: q, grads: dqHat }, [batch, n, width]),
    perToken('dk', { features: k, grads: dkHat }, [batch, n, width]),
    perToken('dv', { strength: beta, dw }, [batch, n, width]),
    perToken('dbeta', { errors, dw }, [batch, n, heads]),
    dispatch(backend, {
      key: `deltaRuleGrad_memory_${d}`,
      inputs: { dw },
      outputShape: [batch, heads, d, d],
      workgroups: workgroupsFor(batch * heads * d * d),
      uniforms,
      code: () => memoryShader(d),
    }),
  ];
  for (const scratch of [errors, dw, dqHat, stateTerm, dkHat]) backend.disposeData(scratch.dataId);
  return grads;
}

export function registerDeltaRuleGrad(): void {
  registerOnce(DELTA_RULE_GRAD, 'webgpu', deltaRuleGrad);
}
