/**
 * Block sparse attention with block retrieval (architectures.md section 7): softmax attention inside
 * chunks of B tokens plus q_t^T G_c, where G_c mixes the states F_j = K_j^T V_j of strictly earlier
 * chunks by a softmax of the chunk's meta query r_c against their meta keys h_j:
 *   alpha_{c,j} = softmax_{j<c}(r_c . h_j / sqrt(d)),  G_c = sum_{j<c} alpha_{c,j} F_j,
 *   o_t = sum_{s in c, s<=t} softmax_s(q_t . k_s / sqrt(d)) v_s + q_t^T G_c.
 * With compression the mixture is taken over compress(F_j) and G_c = decompress(mixture).
 * Nothing of size n x n is built. Two forms: chunkwise (a group of chunks after the states of the
 * chunks before it) and the streaming step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerCompositeGradient } from '../kernels/gradients';
import { CHUNK_ATTENTION, CHUNK_STATES, chunkAttentionTakes, hasKernel, RETRIEVE, runKernel } from '../kernels/names';
import { causalAttention } from './causal_softmax';
import { mergeHeads, splitHeads } from './heads';
import { causalMask } from './masks';
import { bmm } from './matmul';
import { exclusivePrefixMax } from './prefix';
import { maskedSoftmax, softmaxAttend } from './softmax';
import { swapTensor } from './state_tensors';

export interface BSBROptions {
  chunkSize: number;
  headDim: number;
  fillOnHost: boolean;
  /** compress: chunk states [.., d*d] -> [.., D/cf]; decompress back. Null without compression. */
  compression: { compress(x: tf.Tensor4D): tf.Tensor4D; decompress(x: tf.Tensor4D): tf.Tensor4D } | null;
}

/**
 * Which rows of x flattened to [b*n, D] feed the meta keys and meta queries, per batch row and chunk
 * j: the last unmasked token of chunk j (h_j) and the last unmasked token before chunk j (r_j), with
 * whether each exists ([b, C] of 1/0). With a mask they are found on the device (no value is read
 * back); without one they follow from the shape and are filled on the host.
 */
export interface MetaRows {
  keyRows: tf.Tensor1D;
  keyExists: tf.Tensor2D;
  queryRows: tf.Tensor1D;
  queryExists: tf.Tensor2D;
}

export function metaRows(valid: tf.Tensor2D | null, batch: number, n: number, chunk: number): MetaRows {
  return valid ? metaRowsOfMask(valid, batch, n, chunk) : metaRowsUnmasked(batch, n, chunk);
}

/** Without a mask the rows depend only on the shape: chunk j's last token, and the token before chunk j. */
function metaRowsUnmasked(batch: number, n: number, chunk: number): MetaRows {
  const C = Math.ceil(n / chunk);
  const keyRows = new Int32Array(batch * C);
  const queryRows = new Int32Array(batch * C);
  const queryExists = new Float32Array(batch * C);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < C; j++) {
      keyRows[b * C + j] = b * n + Math.min(n, (j + 1) * chunk) - 1;
      queryRows[b * C + j] = b * n + Math.max(0, j * chunk - 1);
      queryExists[b * C + j] = j > 0 ? 1 : 0;
    }
  }
  return {
    keyRows: tf.tensor1d(keyRows, 'int32'),
    keyExists: tf.ones([batch, C]) as tf.Tensor2D,
    queryRows: tf.tensor1d(queryRows, 'int32'),
    queryExists: tf.tensor2d(queryExists, [batch, C]),
  };
}

/** With a mask, on the device: the last real position per chunk, then its running maximum over earlier chunks. */
function metaRowsOfMask(valid: tf.Tensor2D, batch: number, n: number, chunk: number): MetaRows {
  return tf.tidy(() => {
    const C = Math.ceil(n / chunk);
    const pad = C * chunk - n;
    const int = (value: number) => tf.scalar(value, 'int32');
    const positions = tf.range(0, C * chunk, 1, 'int32');
    // last[b, j]: the position of chunk j's last real token, or -1.
    const real = tf.cast(
      tf.pad(valid, [
        [0, 0],
        [0, pad],
      ]),
      'int32',
    );
    const last = tf.max(
      tf.reshape(tf.sub(tf.mul(real, tf.add(positions, int(1))), int(1)), [batch, C, chunk]),
      2,
    ) as tf.Tensor2D;
    const before = exclusivePrefixMax(last);
    const base = tf.reshape(tf.range(0, batch * n, n, 'int32'), [batch, 1]);
    const rows = (at: tf.Tensor2D) => tf.reshape(tf.add(base, tf.maximum(at, int(0))), [-1]) as tf.Tensor1D;
    const exists = (at: tf.Tensor2D) => tf.cast(tf.greaterEqual(at, int(0)), 'float32') as tf.Tensor2D;
    return { keyRows: rows(last), keyExists: exists(last), queryRows: rows(before), queryExists: exists(before) };
  });
}

/**
 * G = sum_j softmax_j(r . h_j / sqrt(d)) F_j for meta queries r [b, h, Q, d] against meta keys
 * [b, h, J, d] and the (compressed) states of those J chunks, given as consecutive parts
 * [b, h, J_p, S]; allowed [.., Q, J] says which j count (a row with none gives 0 weights).
 * Returns [b, h, Q, d, d].
 */
export function retrieve(
  r: tf.Tensor4D,
  metaKeys: tf.Tensor4D,
  stateParts: tf.Tensor4D[],
  allowed: tf.Tensor,
  options: BSBROptions,
): tf.Tensor5D {
  return tf.tidy(() => {
    const [b, h, Q, d] = r.shape;
    const alpha = maskedSoftmax(tf.mul(bmm(r, metaKeys, false, true), 1 / Math.sqrt(d)), allowed);
    let mixed: tf.Tensor4D | null = null;
    for (let p = 0, j0 = 0; p < stateParts.length; p++) {
      const part = stateParts[p];
      const weights = stateParts.length === 1 ? alpha : tf.slice(alpha, [0, 0, 0, j0], [-1, -1, -1, part.shape[2]]);
      const term = bmm(weights as tf.Tensor4D, part);
      mixed = mixed ? (tf.add(mixed, term) as tf.Tensor4D) : term;
      j0 += part.shape[2];
    }
    const g = options.compression ? options.compression.decompress(mixed!) : mixed!;
    return tf.reshape(g, [b, h, Q, d, d]);
  });
}

/** Chunk states F_j = K_j^T V_j of k, v [b, h, G, B, d], flattened row-major (a*d + b) and compressed: [b, h, G, S]. */
export function chunkStates(k: tf.Tensor5D, v: tf.Tensor5D, options: BSBROptions): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, G, , d] = k.shape;
    const states = tf.reshape(bmm(k, v, true, false), [b, h, G, d * d]) as tf.Tensor4D;
    return options.compression ? options.compression.compress(states) : states;
  });
}

/**
 * The chunkwise form for one group of chunks g0 .. g0+G-1: q, k, v [b, h, G, B, d] (padded and
 * masked keys/values zeroed), keyMask [b, 1, G, 1, B] or null; the meta queries of these chunks
 * [b, h, G, d] and the meta keys of chunks 0 .. g0+G-1 [b, h, g0+G, d], with existence flags
 * [b, C] as metaRows gives; `earlier`: the states of chunks 0 .. g0-1 as consecutive parts. Returns
 * the outputs [b, h, G*B, d] and this group's states [b, h, G, S] (which later groups retrieve).
 */
export function bsbrChunkGroup(
  q: tf.Tensor5D,
  k: tf.Tensor5D,
  v: tf.Tensor5D,
  keyMask: tf.Tensor5D | null,
  g0: number,
  metaQueries: tf.Tensor4D,
  metaKeys: tf.Tensor4D,
  keyExists: tf.Tensor2D,
  queryExists: tf.Tensor2D,
  earlier: tf.Tensor4D[],
  options: BSBROptions,
): { output: tf.Tensor4D; states: tf.Tensor4D } {
  return tf.tidy(() => {
    const [b, h, G, B, d] = q.shape;
    const g1 = g0 + G;
    const local = keyMask
      ? softmaxAttend(q, k, v, 1 / Math.sqrt(d), causalMask(B, B, 0, options.fillOnHost), keyMask)
      : causalAttention(q, k, v, 1 / Math.sqrt(d), undefined, options.fillOnHost);
    const states = chunkStates(k, v, options);
    // Chunk c may retrieve chunk j only if j < c and chunk j has an unmasked token; G_c = 0 when none.
    const allowed = tf.mul(
      causalMask(G, g1, g0 - 1, options.fillOnHost),
      tf.reshape(tf.slice(keyExists, [0, 0], [-1, g1]), [b, 1, 1, g1]),
    );
    const retrieved = tf.mul(
      retrieve(metaQueries, metaKeys, [...earlier, states], allowed, options),
      tf.reshape(tf.slice(queryExists, [0, g0], [-1, G]), [b, 1, G, 1, 1]),
    );
    const output = tf.reshape(tf.add(local, bmm(q, retrieved)), [b, h, G * B, d]) as tf.Tensor4D;
    return { output, states };
  });
}

/**
 * Whether the chunkwise form runs as the backend's fused kernels (CHUNK_STATES, RETRIEVE and
 * CHUNK_ATTENTION: models/kernels/webgpu/) for heads of size d, on the projections' layout.
 */
export function fusedBsbr(d: number): boolean {
  return hasKernel(CHUNK_STATES) && hasKernel(RETRIEVE) && hasKernel(CHUNK_ATTENTION) && chunkAttentionTakes(d);
}

/** [b, n, h*d] -> [b, h, n / chunk, chunk, d]. */
function chunkedHeads(t: tf.Tensor3D, heads: number, chunk: number): tf.Tensor5D {
  const [b, n, width] = t.shape;
  return tf.reshape(splitHeads(t, heads), [b, heads, n / chunk, chunk, width / heads]);
}

/** CHUNK_STATES by tf ops (what its kernels must equal): K_c^T V_c per head and chunk, [b, h, n / chunk, d*d]. */
export function chunkStatesComposite(k: tf.Tensor3D, v: tf.Tensor3D, heads: number, chunk: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, n, width] = k.shape;
    const d = width / heads;
    return tf.reshape(bmm(chunkedHeads(k, heads, chunk), chunkedHeads(v, heads, chunk), true, false), [
      b,
      heads,
      n / chunk,
      d * d,
    ]);
  });
}

/** RETRIEVE by tf ops (what its kernels must equal): the masked softmax of the meta scores, then the mixture of the states. */
export function retrieveComposite(
  queries: tf.Tensor3D,
  keys: tf.Tensor3D,
  states: tf.Tensor4D,
  exists: tf.Tensor2D,
  heads: number,
  first: number,
  scale: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, G] = queries.shape;
    const J = keys.shape[1];
    const allowed = tf.mul(causalMask(G, J, first - 1, true), tf.reshape(exists, [b, 1, 1, J]));
    const alpha = maskedSoftmax(
      tf.mul(bmm(splitHeads(queries, heads), splitHeads(keys, heads), false, true), scale),
      allowed,
    );
    return bmm(alpha as tf.Tensor4D, states);
  });
}

/** CHUNK_ATTENTION by tf ops (what its kernels must equal): the softmax inside chunks over real keys plus exists_c q^T G_c. */
export function chunkAttentionComposite(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  valid: tf.Tensor2D,
  retrieved: tf.Tensor4D,
  exists: tf.Tensor2D,
  heads: number,
  chunk: number,
  scale: number,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, n, width] = q.shape;
    const d = width / heads;
    const C = n / chunk;
    const qc = chunkedHeads(q, heads, chunk);
    const local = softmaxAttend(
      qc,
      chunkedHeads(k, heads, chunk),
      chunkedHeads(v, heads, chunk),
      scale,
      causalMask(chunk, chunk, 0, true),
      tf.reshape(valid, [b, 1, C, 1, chunk]),
    );
    const across = tf.mul(bmm(qc, tf.reshape(retrieved, [b, heads, C, d, d])), tf.reshape(exists, [b, 1, C, 1, 1]));
    return mergeHeads(tf.reshape(tf.add(local, across), [b, heads, n, d]) as tf.Tensor4D);
  });
}

registerCompositeGradient(CHUNK_STATES, ['k', 'v'], ({ k, v }, { heads, chunk }) =>
  chunkStatesComposite(k as tf.Tensor3D, v as tf.Tensor3D, heads as number, chunk as number),
);
registerCompositeGradient(
  RETRIEVE,
  ['queries', 'keys', 'states', 'exists'],
  ({ queries, keys, states, exists }, { heads, first, scale }) =>
    retrieveComposite(
      queries as tf.Tensor3D,
      keys as tf.Tensor3D,
      states as tf.Tensor4D,
      exists as tf.Tensor2D,
      heads as number,
      first as number,
      scale as number,
    ),
);
registerCompositeGradient(
  CHUNK_ATTENTION,
  ['q', 'k', 'v', 'valid', 'retrieved', 'exists'],
  ({ q, k, v, valid, retrieved, exists }, { heads, chunk, scale }) =>
    chunkAttentionComposite(
      q as tf.Tensor3D,
      k as tf.Tensor3D,
      v as tf.Tensor3D,
      valid as tf.Tensor2D,
      retrieved as tf.Tensor4D,
      exists as tf.Tensor2D,
      heads as number,
      chunk as number,
      scale as number,
    ),
);

/**
 * The chunkwise form for one group of chunks g0 .. g0+G-1 by the fused kernels (fusedBsbr), in the
 * projections' layout: q, k, v [b, G*B, h*d] (padded and masked keys/values zeroed), valid [b, G*B];
 * the meta queries of these chunks [b, G, h*d], the meta keys of chunks 0 .. g0+G-1 [b, g0+G, h*d]
 * and their existence flags [b, g0+G], these chunks' query flags [b, G]; `earlier` as for
 * bsbrChunkGroup. Returns the outputs [b, G*B, h*d] and this group's states [b, h, G, S].
 */
export function bsbrChunkGroupFused(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  valid: tf.Tensor2D,
  g0: number,
  heads: number,
  metaQueries: tf.Tensor3D,
  metaKeys: tf.Tensor3D,
  keyExists: tf.Tensor2D,
  queryExists: tf.Tensor2D,
  earlier: tf.Tensor4D[],
  options: BSBROptions,
): { output: tf.Tensor3D; states: tf.Tensor4D } {
  return tf.tidy(() => {
    const chunk = options.chunkSize;
    const scale = 1 / Math.sqrt(options.headDim);
    const raw = runKernel(CHUNK_STATES, { k, v }, { heads, chunk }) as tf.Tensor4D;
    const states = options.compression ? options.compression.compress(raw) : raw;
    const all = earlier.length > 0 ? tf.concat([...earlier, states], 2) : states;
    const mixed = runKernel(
      RETRIEVE,
      { queries: metaQueries, keys: metaKeys, states: all, exists: keyExists },
      { heads, first: g0, scale },
    ) as tf.Tensor4D;
    const retrieved = options.compression ? options.compression.decompress(mixed) : mixed;
    const output = runKernel(
      CHUNK_ATTENTION,
      { q, k, v, valid, retrieved, exists: queryExists },
      { heads, chunk, scale },
    ) as tf.Tensor3D;
    return { output, states };
  });
}

/** Streaming state: the current chunk's keys/values and one (compressed) state and meta key per finished chunk. */
export interface BSBRState {
  chunkKeys: tf.Tensor4D | null;
  chunkValues: tf.Tensor4D | null;
  filled: number;
  /** [b, h, chunks, S]: d*d or, with compression, D/cf. */
  chunkStates: tf.Tensor4D | null;
  /** [b, h, chunks, d]. */
  metaKeys: tf.Tensor4D | null;
  /** G_c of the current chunk [b, h, d, d]; null before it is needed or when c = 0. */
  retrieved: tf.Tensor4D | null;
  /** The attention input at the last token consumed [b, D] (the next chunk's meta query input). */
  lastInput: tf.Tensor2D | null;
}

export function bsbrInitialState(): BSBRState {
  return {
    chunkKeys: null,
    chunkValues: null,
    filled: 0,
    chunkStates: null,
    metaKeys: null,
    retrieved: null,
    lastInput: null,
  };
}

/** The meta projections of a layer, on the attention input at one token [b, 1, D] -> heads [b, h, 1, d]. */
export interface MetaProjections {
  query(x: tf.Tensor3D): tf.Tensor4D;
  key(x: tf.Tensor3D): tf.Tensor4D;
}

/**
 * The streaming form, for tokens that all fall in the current chunk: their inputs x [b, L, D] and
 * q, k, v [b, h, L, d]. Local attention over the chunk so far plus q^T G_c, G_c retrieved once when
 * the chunk starts. Returns [b, h, L, d].
 */
export function bsbrStep(
  state: BSBRState,
  x: tf.Tensor3D,
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  meta: MetaProjections,
  options: BSBROptions,
): tf.Tensor4D {
  const [b, L, D] = x.shape;
  const [, h, , d] = q.shape;
  if (state.filled === 0 && state.chunkStates && !state.retrieved) {
    // A new chunk c >= 1 starts: its meta query reads the last token before it; every earlier chunk is real here.
    const query = meta.query(tf.reshape(state.lastInput!, [b, 1, D]) as tf.Tensor3D);
    const g = retrieve(query, state.metaKeys!, [state.chunkStates], tf.ones([1, state.metaKeys!.shape[2]]), options);
    state.retrieved = swapTensor(state.retrieved, tf.reshape(g, [b, h, d, d]) as tf.Tensor4D);
  }
  const keys = state.chunkKeys ? tf.concat([state.chunkKeys, k], 2) : k;
  const values = state.chunkValues ? tf.concat([state.chunkValues, v], 2) : v;
  let o = causalAttention(q, keys, values, 1 / Math.sqrt(d), undefined, options.fillOnHost);
  if (state.retrieved) o = tf.add(o, bmm(q, state.retrieved));
  state.chunkKeys = swapTensor(state.chunkKeys, keys);
  state.chunkValues = swapTensor(state.chunkValues, values);
  state.lastInput = swapTensor(
    state.lastInput,
    tf.reshape(tf.slice(x, [0, L - 1, 0], [b, 1, D]), [b, D]) as tf.Tensor2D,
  );
  state.filled += L;
  return o;
}

/** The current chunk is full: store its state F_j and meta key h_j, start an empty chunk. */
export function bsbrCloseChunk(state: BSBRState, meta: MetaProjections, options: BSBROptions): void {
  const [b, h, B, d] = state.chunkKeys!.shape;
  const chunkState = chunkStates(
    tf.reshape(state.chunkKeys!, [b, h, 1, B, d]) as tf.Tensor5D,
    tf.reshape(state.chunkValues!, [b, h, 1, B, d]) as tf.Tensor5D,
    options,
  );
  const metaKey = meta.key(tf.reshape(state.lastInput!, [b, 1, -1]) as tf.Tensor3D);
  state.chunkStates = swapTensor(
    state.chunkStates,
    state.chunkStates ? tf.concat([state.chunkStates, chunkState], 2) : chunkState,
  );
  state.metaKeys = swapTensor(state.metaKeys, state.metaKeys ? tf.concat([state.metaKeys, metaKey], 2) : metaKey);
  state.chunkKeys = swapTensor(state.chunkKeys, null);
  state.chunkValues = swapTensor(state.chunkValues, null);
  state.retrieved = swapTensor(state.retrieved, null);
  state.filled = 0;
}
