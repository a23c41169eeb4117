import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, disposeAll, swapTensor } from './attention';
import { headDim, ModelConfig } from './config';
import { mergeHeads, splitHeads } from './heads';
import { AttentionProjections, Linear } from './layers';
import { bmm } from './matmul';
import { CausalLM } from './model';
import { ParamStore } from './params';
import { stepThroughChunks } from './chunk_groups';
import { ROWS_PER_GROUP } from './token_groups';
import { causalAllowed, maskedSoftmax, softmaxAttend } from './softmax';

/** Streaming state: the current chunk's keys/values and one (compressed) state and meta key per finished chunk. */
export interface BSBRState {
  chunkKeys: tf.Tensor4D | null;
  chunkValues: tf.Tensor4D | null;
  filled: number;
  /** [b, h, chunks, d*d] or, with compression, [b, h, chunks, D/cf]. */
  chunkStates: tf.Tensor4D | null;
  /** [b, h, chunks, d]. */
  metaKeys: tf.Tensor4D | null;
  /** G_c of the current chunk [b, h, d, d]; null before it is needed or when c = 0. */
  retrieved: tf.Tensor4D | null;
  /** The attention input at the last token consumed [b, D] (the next chunk's meta query input). */
  lastInput: tf.Tensor2D | null;
}

/** Rows of x [b*n, D] that feed the meta keys and meta queries, and which of them exist. */
interface MetaRows {
  keyRows: Int32Array;
  keyExists: Float32Array;
  queryRows: Int32Array;
  queryExists: Float32Array;
}

/**
 * For each batch row and chunk j: the last unmasked token of chunk j (meta key input h_j) and the
 * last unmasked token before chunk j (meta query input r_j), as rows of x flattened to [b*n, D].
 */
function metaRows(mask: Float32Array | Int32Array | Uint8Array | null, batch: number, n: number, chunk: number): MetaRows {
  const chunks = Math.ceil(n / chunk);
  const rows: MetaRows = {
    keyRows: new Int32Array(batch * chunks),
    keyExists: new Float32Array(batch * chunks),
    queryRows: new Int32Array(batch * chunks),
    queryExists: new Float32Array(batch * chunks),
  };
  for (let b = 0; b < batch; b++) {
    let lastReal = -1;
    for (let j = 0; j < chunks; j++) {
      const at = b * chunks + j;
      if (lastReal >= 0) {
        rows.queryRows[at] = b * n + lastReal;
        rows.queryExists[at] = 1;
      }
      const end = Math.min(n, (j + 1) * chunk);
      for (let t = j * chunk; t < end; t++) if (!mask || mask[b * n + t] !== 0) lastReal = t;
      if (lastReal >= j * chunk) {
        rows.keyRows[at] = b * n + lastReal;
        rows.keyExists[at] = 1;
      }
    }
  }
  return rows;
}

/**
 * Block Sparse attention with Block Retrieval (architectures.md section 7): softmax attention
 * inside chunks of B tokens plus q_t^T G_c, where G_c mixes the states F_j = K_j^T V_j of strictly
 * earlier chunks by a softmax of meta query r_c against meta keys h_j. Nothing of size n x n is built.
 */
export class BSBRAttention implements CausalAttention<BSBRState> {
  private readonly proj: AttentionProjections;
  private readonly metaQuery: Linear;
  private readonly metaKey: Linear;
  private readonly compress: Linear | null;
  private readonly decompress: Linear | null;
  private readonly heads: number;
  private readonly d: number;
  private readonly chunk: number;
  private readonly scale: number;

  constructor(store: ParamStore, prefix: string, config: ModelConfig) {
    const D = config.hiddenDim;
    this.heads = config.numHeads;
    this.d = headDim(config);
    this.chunk = config.chunkSize;
    this.scale = 1 / Math.sqrt(this.d);
    this.proj = new AttentionProjections(store, prefix, D);
    this.metaQuery = new Linear(store, `${prefix}.meta_r_proj`, D, D);
    this.metaKey = new Linear(store, `${prefix}.meta_h_proj`, D, D);
    const cf = config.compressionFactor;
    this.compress = cf ? new Linear(store, `${prefix}.compress_proj`, this.d * this.d, D / cf) : null;
    this.decompress = cf ? new Linear(store, `${prefix}.decompress_proj`, D / cf, this.d * this.d) : null;
  }

  /**
   * Works through the sequence in groups of chunks so that the live tensors stay small at any length:
   * per group the local attention, the group's chunk states (kept, one small tensor per group) and
   * the retrieval of every chunk of the group over all chunks up to it.
   */
  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    const [b, n, D] = x.shape;
    const B = this.chunk;
    const C = Math.ceil(n / B);
    const rows = metaRows(mask ? mask.dataSync() as Float32Array : null, b, n, B);
    const chunksPerGroup = Math.max(1, Math.floor(ROWS_PER_GROUP / (b * B)));
    // Meta keys h_j and meta queries r_c of every chunk, from the rows metaRows picked: [b, h, C, d].
    const [metaKeys, metaQueries, keyExists, queryExists] = tf.tidy(() => {
      const flat = tf.reshape(x, [b * n, D]);
      const gatherRows = (rowIds: Int32Array) => tf.reshape(tf.gather(flat, tf.tensor1d(rowIds, 'int32')), [b, C, D]) as tf.Tensor3D;
      return [
        splitHeads(this.metaKey.apply(gatherRows(rows.keyRows)), this.heads),
        splitHeads(this.metaQuery.apply(gatherRows(rows.queryRows)), this.heads),
        tf.tensor4d(rows.keyExists, [b, 1, 1, C]),
        tf.tensor5d(rows.queryExists, [b, 1, C, 1, 1]),
      ];
    });
    const stateParts: tf.Tensor4D[] = [];
    const outputs: tf.Tensor3D[] = [];
    try {
      for (let g0 = 0; g0 < C; g0 += chunksPerGroup) {
        const g1 = Math.min(C, g0 + chunksPerGroup);
        const t0 = g0 * B;
        const length = Math.min(n, g1 * B) - t0;
        const out = tf.tidy(() => {
          const { q, k, v, keyMask } = this.projectChunks(tf.slice(x, [0, t0, 0], [b, length, D]),
            mask ? tf.slice(mask, [0, t0], [b, length]) : null, g1 - g0);
          const local = softmaxAttend(q, k, v, this.scale, causalAllowed(B, B, 0), keyMask);
          // F_j = K_j^T V_j per chunk, flattened row-major (key feature a, value feature b -> a*d + b).
          const states = this.compressStates(tf.reshape(bmm(k, v, true, false), [b, this.heads, g1 - g0, this.d * this.d]));
          stateParts.push(tf.keep(states));
          // Chunk c may retrieve chunk j only if j < c and chunk j has an unmasked token; G_c = 0 when none.
          const allowed = tf.mul(causalAllowed(g1 - g0, g1, g0 - 1), tf.slice(keyExists, [0, 0, 0, 0], [-1, -1, -1, g1]));
          const retrieved = tf.mul(this.retrieve(
            tf.slice(metaQueries, [0, 0, g0, 0], [-1, -1, g1 - g0, -1]),
            tf.slice(metaKeys, [0, 0, 0, 0], [-1, -1, g1, -1]),
            stateParts, allowed,
          ), tf.slice(queryExists, [0, 0, g0, 0, 0], [-1, -1, g1 - g0, -1, -1]));
          const o = tf.reshape(tf.add(local, bmm(q, retrieved)), [b, this.heads, (g1 - g0) * B, this.d]) as tf.Tensor4D;
          const cropped = o.shape[2] > length ? tf.slice(o, [0, 0, 0, 0], [-1, -1, length, -1]) : o;
          return this.proj.out.apply(mergeHeads(cropped));
        });
        outputs.push(out);
      }
      return outputs.length === 1 ? outputs[0] : tf.concat(outputs, 1);
    } finally {
      if (outputs.length > 1) tf.dispose(outputs);
      tf.dispose([metaKeys, metaQueries, keyExists, queryExists, ...stateParts]);
    }
  }

  /**
   * q, k, v of one group of chunks [b, h, chunks, B, d] from its inputs x [b, L, D] (L <= chunks*B;
   * the tail is padded), with padded and masked keys/values zeroed so they drop out of the chunk
   * states, and the key mask [b, 1, chunks, 1, B] for the local softmax (null without a mask).
   */
  private projectChunks(x: tf.Tensor3D, mask: tf.Tensor2D | null, chunks: number) {
    const [b, L] = x.shape;
    const B = this.chunk;
    const pad = chunks * B - L;
    // A padded tail only ever follows every real token of the last chunk: causal masking hides it
    // from real queries, and the last chunk's state is never retrieved.
    const xp = pad > 0 ? tf.pad(x, [[0, 0], [0, pad], [0, 0]]) : x;
    const chunked = (t: tf.Tensor3D) => tf.reshape(splitHeads(t, this.heads), [b, this.heads, chunks, B, this.d]) as tf.Tensor5D;
    const q = chunked(this.proj.q.apply(xp));
    let k = chunked(this.proj.k.apply(xp));
    let v = chunked(this.proj.v.apply(xp));
    let keyMask: tf.Tensor5D | null = null;
    if (mask) {
      const mp = pad > 0 ? tf.pad(mask, [[0, 0], [0, pad]]) : mask;
      k = tf.mul(k, tf.reshape(mp, [b, 1, chunks, B, 1]));
      v = tf.mul(v, tf.reshape(mp, [b, 1, chunks, B, 1]));
      keyMask = tf.reshape(mp, [b, 1, chunks, 1, B]);
    }
    return { q, k, v, keyMask };
  }

  initState(): BSBRState {
    return { chunkKeys: null, chunkValues: null, filled: 0, chunkStates: null, metaKeys: null, retrieved: null, lastInput: null };
  }

  step(state: BSBRState, x: tf.Tensor3D): tf.Tensor3D {
    const outputs = stepThroughChunks(x, this.chunk, state, (piece) => this.stepWithinChunk(state, piece), () => this.closeChunk(state));
    const result = tf.tidy(() => this.proj.out.apply(mergeHeads(outputs.length === 1 ? outputs[0] : tf.concat(outputs, 2))));
    tf.dispose(outputs);
    return result;
  }

  disposeState(state: BSBRState): void {
    disposeAll([state.chunkKeys, state.chunkValues, state.chunkStates, state.metaKeys, state.retrieved, state.lastInput]);
  }

  /** Tokens x [b, L, D] that all fall in the current chunk: local attention plus q^T G_c. */
  private stepWithinChunk(state: BSBRState, x: tf.Tensor3D): tf.Tensor4D {
    const [b, L, D] = x.shape;
    if (state.filled === 0 && state.chunkStates && !state.retrieved) {
      // A new chunk c >= 1 starts: its meta query reads the last token before it; every earlier chunk is real here.
      const query = splitHeads(this.metaQuery.apply(tf.reshape(state.lastInput!, [b, 1, D]) as tf.Tensor3D), this.heads);
      const g = this.retrieve(query, state.metaKeys!, [state.chunkStates], tf.ones([1, state.metaKeys!.shape[2]]));
      state.retrieved = swapTensor(state.retrieved, tf.reshape(g, [b, this.heads, this.d, this.d]) as tf.Tensor4D);
    }
    const q = splitHeads(this.proj.q.apply(x), this.heads);
    const k = splitHeads(this.proj.k.apply(x), this.heads);
    const v = splitHeads(this.proj.v.apply(x), this.heads);
    const keys = state.chunkKeys ? tf.concat([state.chunkKeys, k], 2) : k;
    const values = state.chunkValues ? tf.concat([state.chunkValues, v], 2) : v;
    let o = softmaxAttend(q, keys, values, this.scale, causalAllowed(L, keys.shape[2], state.filled), null);
    if (state.retrieved) o = tf.add(o, bmm(q, state.retrieved));
    state.chunkKeys = swapTensor(state.chunkKeys, keys);
    state.chunkValues = swapTensor(state.chunkValues, values);
    state.lastInput = swapTensor(state.lastInput, tf.reshape(tf.slice(x, [0, L - 1, 0], [b, 1, D]), [b, D]) as tf.Tensor2D);
    state.filled += L;
    return o;
  }

  /** The current chunk is full: store its state F_j and meta key h_j, start an empty chunk. */
  private closeChunk(state: BSBRState): void {
    const [b, h] = state.chunkKeys!.shape;
    const chunkState = this.compressStates(tf.reshape(bmm(state.chunkKeys!, state.chunkValues!, true, false), [b, h, 1, this.d * this.d]));
    const metaKey = splitHeads(this.metaKey.apply(tf.reshape(state.lastInput!, [b, 1, -1]) as tf.Tensor3D), this.heads);
    state.chunkStates = swapTensor(state.chunkStates, state.chunkStates ? tf.concat([state.chunkStates, chunkState], 2) : chunkState);
    state.metaKeys = swapTensor(state.metaKeys, state.metaKeys ? tf.concat([state.metaKeys, metaKey], 2) : metaKey);
    state.chunkKeys = swapTensor(state.chunkKeys, null);
    state.chunkValues = swapTensor(state.chunkValues, null);
    state.retrieved = swapTensor(state.retrieved, null);
    state.filled = 0;
  }

  /** Chunk states [b, h, J, d*d] -> the space the softmax mixture is taken in. */
  private compressStates(states: tf.Tensor4D): tf.Tensor4D {
    return this.compress ? this.compress.apply(states) : states;
  }

  /**
   * G = sum_j softmax_j(r . h_j / sqrt(d)) F_j for meta queries r [b, h, Q, d] against meta keys
   * [b, h, J, d] and the (compressed) states of those J chunks, given as consecutive parts
   * [b, h, J_p, S]; allowed [.., Q, J] says which j count. Returns [b, h, Q, d, d].
   */
  private retrieve(r: tf.Tensor4D, metaKeys: tf.Tensor4D, stateParts: tf.Tensor4D[], allowed: tf.Tensor): tf.Tensor5D {
    const [b, , Q] = r.shape;
    const alpha = maskedSoftmax(tf.mul(bmm(r, metaKeys, false, true), this.scale), allowed);
    let mixed: tf.Tensor4D | null = null;
    for (let p = 0, j0 = 0; p < stateParts.length; p++) {
      const part = stateParts[p];
      const weights = stateParts.length === 1 ? alpha : tf.slice(alpha, [0, 0, 0, j0], [-1, -1, -1, part.shape[2]]);
      const term = bmm(weights as tf.Tensor4D, part);
      mixed = mixed ? tf.add(mixed, term) as tf.Tensor4D : term;
      j0 += part.shape[2];
    }
    const g = this.decompress ? this.decompress.apply(mixed!) : mixed!;
    return tf.reshape(g, [b, this.heads, Q, this.d, this.d]);
  }
}

export class BSBRModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super('BSBR', config, (store, prefix, cfg) => new BSBRAttention(store, prefix, cfg));
  }
}
