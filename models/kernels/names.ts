import * as tf from '@tensorflow/tfjs-core';

/**
 * The kernels this package adds to TensorFlow.js's kernel registry, each name beside its contract
 * (the inputs and attributes it takes, as TF.js's kernel_names.ts pairs BatchMatMul with
 * BatchMatMulInputs and BatchMatMulAttrs). An op runs the kernel where the active backend registered
 * one under the name and its tf-op composite otherwise; the kernels live in models/kernels/<backend>/.
 * Ops call runKernel and kernels are registered through register.ts, both typed by KernelContracts.
 */

/** [batch, m, k] @ [batch, k, p], both untransposed float32 (a batch of 1 on either side broadcasts). */
export const BATCHED_MATMUL = 'BsbrBatchedMatMul';
export interface BatchedMatMulInputs {
  a: tf.TensorInfo;
  b: tf.TensorInfo;
}

/** (I + A)^-1 for every strictly lower-triangular A of a float32 [..., B, B] (entries on and above the diagonal ignored). */
export const UNIT_LOWER_INVERSE = 'BsbrUnitLowerInverse';
export interface UnitLowerInverseInputs {
  a: tf.TensorInfo;
}

/**
 * softmax(q k^T * scale) v for float32 q [batch, L, d] at the last L of the S key positions of
 * k [batch, S, d] and v [batch, S, e]: query i (position S - L + i) sees the keys s at or before its
 * position and, when attrs.window >= 0, not more than window positions behind it. Takes head and
 * value sizes that causalAttentionTakes accepts.
 */
export const CAUSAL_ATTENTION = 'BsbrCausalAttention';
export interface CausalAttentionInputs {
  q: tf.TensorInfo;
  k: tf.TensorInfo;
  v: tf.TensorInfo;
}
export interface CausalAttentionAttrs {
  /** Multiplies q . k. */
  scale: number;
  /** A query at position p sees keys s >= p - window too; -1 for no lower bound. */
  window: number;
}

/**
 * CAUSAL_ATTENTION's backward: for its inputs q, k, v and attributes, its output `out` and that
 * output's gradient dy [batch, L, e], the gradients [dq, dk, dv] (three outputs), the scores
 * recomputed rather than stored. A backend that registers CAUSAL_ATTENTION registers this too.
 */
export const CAUSAL_ATTENTION_GRAD = 'BsbrCausalAttentionGrad';
export interface CausalAttentionGradInputs extends CausalAttentionInputs {
  out: tf.TensorInfo;
  dy: tf.TensorInfo;
}

/** The head and value sizes a CAUSAL_ATTENTION kernel must take: multiples of 4, at most 128. */
export function causalAttentionTakes(d: number, e: number): boolean {
  return d % 4 === 0 && e % 4 === 0 && d <= 128 && e <= 128;
}

/** Exclusive prefix sum along axis 1 of a float32 [b, G, F]: out[:, c] = sum_{j<c} x[:, j] (row 0 is zero). */
export const EXCLUSIVE_SCAN = 'BsbrExclusiveScan';
export interface ExclusiveScanInputs {
  x: tf.TensorInfo;
}

/** LayerNorm over the last axis of float32 x [..., F] with gamma, beta [F] and attrs.epsilon (the biased variance, as PyTorch). */
export const LAYER_NORM = 'BsbrLayerNorm';
export interface LayerNormInputs {
  x: tf.TensorInfo;
  gamma: tf.TensorInfo;
  beta: tf.TensorInfo;
}
export interface LayerNormAttrs {
  epsilon: number;
}

/**
 * LAYER_NORM's backward: for its inputs x [..., F] and gamma, its attributes and its output's
 * gradient dy, the gradients [dx, dgamma, dbeta] (three outputs), the rows' mean and variance
 * recomputed. Where a backend registers it, LAYER_NORM's gradient runs it; elsewhere, the vjp of
 * the composite.
 */
export const LAYER_NORM_GRAD = 'BsbrLayerNormGrad';
export interface LayerNormGradInputs {
  x: tf.TensorInfo;
  gamma: tf.TensorInfo;
  dy: tf.TensorInfo;
}

/**
 * Rows added by index: for int32 indices [N] (each in [0, attrs.rows)) and float32 updates [N, F],
 * out [rows, F] with out[r] = the sum of updates[i] over the i with indices[i] = r (zero where none).
 * The gradient of a gather of rows (an embedding's table).
 */
export const SCATTER_ADD = 'BsbrScatterAdd';
export interface ScatterAddInputs {
  indices: tf.TensorInfo;
  updates: tf.TensorInfo;
}
export interface ScatterAddAttrs {
  rows: number;
}

/** Exact GELU of float32 x, elementwise: 0.5 x (1 + erf(x / sqrt 2)). */
export const GELU = 'BsbrGelu';
export interface GeluInputs {
  x: tf.TensorInfo;
}

/**
 * GELU's backward, elementwise: dy (Phi(x) + x phi(x)), Phi and phi the standard normal's
 * distribution and density. Where a backend registers it, GELU's gradient runs it; elsewhere, the
 * vjp of the composite.
 */
export const GELU_GRAD = 'BsbrGeluGrad';
export interface GeluGradInputs {
  x: tf.TensorInfo;
  dy: tf.TensorInfo;
}

/**
 * The delta rule (docs/architectures.md section 4) token by token, for every batch row and head j of
 * float32 projections q, k, v [b, n, h*d] (head j: features j*d .. j*d+d-1; q and k are L2-normalised
 * per head here, x / max(|x|, 1e-12)), write strengths beta [b, n, h] (0: the token writes nothing)
 * and the state before the first token `memory` M = S^T [b, h, d, d].
 * Returns [b, n + d, h*d]: rows 0 .. n-1 the outputs o_t = S_t q_t, heads merged; rows n .. n+d-1 the
 * state after the last token, [h, d, d] flattened row-major. attrs.heads: h. Takes head sizes that
 * deltaRuleTakes accepts.
 */
export const DELTA_RULE = 'BsbrDeltaRule';
export interface DeltaRuleInputs {
  q: tf.TensorInfo;
  k: tf.TensorInfo;
  v: tf.TensorInfo;
  beta: tf.TensorInfo;
  memory: tf.TensorInfo;
}
export interface DeltaRuleAttrs {
  heads: number;
}

/**
 * DELTA_RULE's backward: for its inputs and attributes and its output's gradient dy [b, n + d, h*d]
 * (the outputs' rows, then the final state's), the gradients [dq, dk, dv, dbeta, dmemory] (five
 * outputs, shaped as q, k, v, beta, memory), the states recomputed rather than stored. A token with
 * beta = 0 gets dk = 0 and dbeta = 0 (its normalised k is 0, as in the composite). Where |x| < 1e-12
 * for x a head of q or k, dx = dx^ / 1e-12 (the normalisation's clamp). A backend that registers
 * DELTA_RULE registers this too.
 */
export const DELTA_RULE_GRAD = 'BsbrDeltaRuleGrad';
export interface DeltaRuleGradInputs extends DeltaRuleInputs {
  dy: tf.TensorInfo;
}

/** The head sizes a DELTA_RULE kernel must take: multiples of 4, at most 64. */
export function deltaRuleTakes(d: number): boolean {
  return d % 4 === 0 && d <= 64;
}

/**
 * Linear attention (docs/architectures.md section 3) token by token, for every batch row and head j
 * of float32 projections q, k, v [b, n, h*d] (head j: features j*d .. j*d+d-1; phi = elu + 1 is
 * applied to q and k here), valid [b, n] (1 real, 0 padding: the token adds nothing to any sum) and
 * the sums before the first token `state` [S | z] [b, h, d, d+1]: S += phi(k) v^T, z += phi(k), then
 * o_t = phi(q_t)^T S / (phi(q_t) . z + attrs.epsilon). Returns [b, n + d + 1, h*d]: rows 0 .. n-1
 * the outputs, heads merged; rows n .. n+d the sums after the last token, [h, d, d+1] flattened
 * row-major. attrs.heads: h. Takes head sizes that linearAttentionTakes accepts.
 */
export const LINEAR_ATTENTION = 'BsbrLinearAttention';
export interface LinearAttentionInputs {
  q: tf.TensorInfo;
  k: tf.TensorInfo;
  v: tf.TensorInfo;
  valid: tf.TensorInfo;
  state: tf.TensorInfo;
}
export interface LinearAttentionAttrs {
  heads: number;
  epsilon: number;
}

/** The head sizes a LINEAR_ATTENTION kernel must take: multiples of 4, at most 64. */
export function linearAttentionTakes(d: number): boolean {
  return d % 4 === 0 && d <= 64;
}

/**
 * The position-wise layer in one pass: y = act(norm(x + addend) @ weight + bias) + residual +
 * residualAddend for float32 x [..., K] (rows flattened), weight [K, N], bias [N] and, each if given
 * (else 0), addend [..., K], residual and residualAddend [..., N]. With gamma and beta [K], norm is
 * LayerNorm over K with attrs.epsilon (as LAYER_NORM); without, the identity.
 */
export const DENSE = 'BsbrDense';
export interface DenseInputs {
  x: tf.TensorInfo;
  weight: tf.TensorInfo;
  bias: tf.TensorInfo;
  addend?: tf.TensorInfo;
  gamma?: tf.TensorInfo;
  beta?: tf.TensorInfo;
  residual?: tf.TensorInfo;
  residualAddend?: tf.TensorInfo;
}
export interface DenseAttrs {
  activation: 'linear' | 'gelu';
  /** LayerNorm's epsilon, read when gamma and beta are given. */
  epsilon: number;
}

/**
 * Token embedding plus sinusoidal positions: out[b, t] = table[ids[b, t]] + PE(start + t) for int32
 * ids [b, n] and float32 table [V, D]. PE is taken by angle addition from float32 tables of sines and
 * cosines (models/positional.ts, positionTables): coarse [ceil(n / 1024), 2, D/2] at start + 1024 a
 * and fine [min(n, 1024), 2, D/2] at r, so that PE(start + 1024 a + r) pairs coarse a with fine r.
 */
export const EMBEDDING = 'BsbrEmbedding';
export interface EmbeddingInputs {
  ids: tf.TensorInfo;
  table: tf.TensorInfo;
  coarse: tf.TensorInfo;
  fine: tf.TensorInfo;
}

/**
 * BSBR's chunk states (docs/architectures.md section 7) for every head: from float32 k, v [b, n, h*d]
 * with n a multiple of attrs.chunk, F_c = K_c^T V_c of each chunk c and head j, [b, h, n / chunk, d*d]
 * (entry a*d + e: the sum over the chunk's tokens of k[a] v[e], features of head j). attrs.heads: h.
 */
export const CHUNK_STATES = 'BsbrChunkStates';
export interface ChunkStatesInputs {
  k: tf.TensorInfo;
  v: tf.TensorInfo;
}
export interface ChunkStatesAttrs {
  heads: number;
  chunk: number;
}

/**
 * BSBR's retrieval (docs/architectures.md section 7): for meta queries [b, G, h*d] of chunks
 * attrs.first .. first+G-1, meta keys [b, J, h*d] of chunks 0 .. J-1, their states [b, h, J, S] and
 * exists [b, J] (1: chunk j has a real token), the mixture sum_j softmax_j(r . h_j * attrs.scale) F_j
 * over the chunks j < first + g that exist, per head: [b, h, G, S] (0 where no chunk counts).
 */
export const RETRIEVE = 'BsbrRetrieve';
export interface RetrieveInputs {
  queries: tf.TensorInfo;
  keys: tf.TensorInfo;
  states: tf.TensorInfo;
  exists: tf.TensorInfo;
}
export interface RetrieveAttrs {
  heads: number;
  first: number;
  scale: number;
}

/**
 * BSBR's output (docs/architectures.md section 7) for every head: from float32 q, k, v [b, n, h*d]
 * with n a multiple of attrs.chunk, valid [b, n] (1: a real key), the retrieved states G [b, h, n / chunk,
 * d*d] (row-major d x d) and exists [b, n / chunk], o_t = softmax over the keys s <= t of t's chunk
 * that are real (q_t . k_s * attrs.scale) v_s (0 where none) + exists_c q_t^T G_c: [b, n, h*d].
 * Takes head sizes that chunkAttentionTakes accepts.
 */
export const CHUNK_ATTENTION = 'BsbrChunkAttention';
export interface ChunkAttentionInputs {
  q: tf.TensorInfo;
  k: tf.TensorInfo;
  v: tf.TensorInfo;
  valid: tf.TensorInfo;
  retrieved: tf.TensorInfo;
  exists: tf.TensorInfo;
}
export interface ChunkAttentionAttrs {
  heads: number;
  chunk: number;
  scale: number;
}

/** The head sizes a CHUNK_ATTENTION kernel must take: multiples of 4, at most 64. */
export function chunkAttentionTakes(d: number): boolean {
  return d % 4 === 0 && d <= 64;
}

/**
 * Seeded dropout (docs/architectures.md, "Training") of float32 x [b, L, F] at positions attrs.start ..
 * start+L-1: x * mask, the mask 0 where mix(rowKey ^ i) < attrs.threshold and attrs.keep elsewhere, for
 * sequence s, row t and feature i, with rowKey = mix(mix(attrs.siteKey ^ s) ^ mix(start + t)), mix the
 * lowbias32 hash of u32 words (models/dropout.ts) and the hash compared as an unsigned integer.
 */
export const DROPOUT = 'BsbrDropout';
export interface DropoutInputs {
  x: tf.TensorInfo;
}
export interface DropoutAttrs {
  /** The site's u32 key: mix(hashName(site) ^ mix(seed)). */
  siteKey: number;
  /** The position of row 0. */
  start: number;
  /**
   * The number of hashes dropped, ceil(rate * 2^32), in 1 .. 2^32 for a rate in (0, 1): for an
   * integer hash h, h < ceil(r) exactly when h < r, so the mask is the one drawn against rate * 2^32.
   */
  threshold: number;
  /** The kept elements' factor, 1 / (1 - rate) (as float32). */
  keep: number;
}

/** For kernels that take no attributes. */
export type NoAttrs = Record<string, never>;

/** Each kernel's inputs and attributes, by name: what ops pass and what kernels receive. */
export interface KernelContracts {
  [BATCHED_MATMUL]: { inputs: BatchedMatMulInputs; attrs: NoAttrs };
  [UNIT_LOWER_INVERSE]: { inputs: UnitLowerInverseInputs; attrs: NoAttrs };
  [CAUSAL_ATTENTION]: { inputs: CausalAttentionInputs; attrs: CausalAttentionAttrs };
  [CAUSAL_ATTENTION_GRAD]: { inputs: CausalAttentionGradInputs; attrs: CausalAttentionAttrs; outputs: tf.Tensor[] };
  [EXCLUSIVE_SCAN]: { inputs: ExclusiveScanInputs; attrs: NoAttrs };
  [LAYER_NORM]: { inputs: LayerNormInputs; attrs: LayerNormAttrs };
  [LAYER_NORM_GRAD]: { inputs: LayerNormGradInputs; attrs: LayerNormAttrs; outputs: tf.Tensor[] };
  [SCATTER_ADD]: { inputs: ScatterAddInputs; attrs: ScatterAddAttrs };
  [GELU]: { inputs: GeluInputs; attrs: NoAttrs };
  [GELU_GRAD]: { inputs: GeluGradInputs; attrs: NoAttrs };
  [DELTA_RULE]: { inputs: DeltaRuleInputs; attrs: DeltaRuleAttrs };
  [DELTA_RULE_GRAD]: { inputs: DeltaRuleGradInputs; attrs: DeltaRuleAttrs; outputs: tf.Tensor[] };
  [LINEAR_ATTENTION]: { inputs: LinearAttentionInputs; attrs: LinearAttentionAttrs };
  [DENSE]: { inputs: DenseInputs; attrs: DenseAttrs };
  [EMBEDDING]: { inputs: EmbeddingInputs; attrs: NoAttrs };
  [CHUNK_STATES]: { inputs: ChunkStatesInputs; attrs: ChunkStatesAttrs };
  [RETRIEVE]: { inputs: RetrieveInputs; attrs: RetrieveAttrs };
  [CHUNK_ATTENTION]: { inputs: ChunkAttentionInputs; attrs: ChunkAttentionAttrs };
  [DROPOUT]: { inputs: DropoutInputs; attrs: DropoutAttrs };
}

export type KernelName = keyof KernelContracts;
export type KernelInputs<K extends KernelName> = KernelContracts[K]['inputs'];
export type KernelAttrs<K extends KernelName> = KernelContracts[K]['attrs'];
/** What runKernel returns: one tensor, unless the contract names several outputs. */
export type KernelOutputs<K extends KernelName> = KernelContracts[K] extends { outputs: infer O } ? O : tf.Tensor;

/** What a kernel function of backend B receives for kernel K. */
export interface KernelArgs<K extends KernelName, B> {
  inputs: KernelInputs<K>;
  attrs: KernelAttrs<K>;
  backend: B;
}

/** Whether the active backend registered the kernel `name`. */
export function hasKernel(name: KernelName): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/**
 * Runs kernel `name` on the active backend (which must have registered it) with inputs and
 * attributes checked against its contract; the one place they meet TF.js's untyped maps. Returns
 * the kernel's output, or its outputs for a kernel with several.
 */
export function runKernel<K extends KernelName>(
  name: K,
  inputs: { [I in keyof KernelInputs<K>]: tf.Tensor },
  ...attrs: KernelAttrs<K> extends NoAttrs ? [] : [KernelAttrs<K>]
): KernelOutputs<K> {
  return tf
    .engine()
    .runKernel(
      name,
      inputs as unknown as tf.NamedTensorMap,
      (attrs[0] ?? {}) as unknown as tf.NamedAttrMap,
    ) as KernelOutputs<K>;
}
