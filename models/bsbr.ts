import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, chunkedRow } from './attention';
import { disposeAll } from './ops/state_tensors';
import { headDim, ModelConfig } from './config';
import { AttentionProjections, Linear } from './layers';
import { CausalLM } from './model';
import {
  bsbrChunkGroup,
  bsbrChunkGroupFused,
  bsbrCloseChunk,
  bsbrInitialState,
  BSBROptions,
  BSBRState,
  bsbrStep,
  fusedBsbr,
  MetaProjections,
  metaRows,
} from './ops/bsbr_attention';
import { mergeHeads, splitHeads } from './ops/heads';
import { chunksPerGroup, stepThroughChunks } from './ops/scan';
import { ParamStore } from './params';
import { ExecutionPlan } from './plan';

/**
 * Block Sparse attention with Block Retrieval (architectures.md section 7): the projections (q, k, v,
 * the meta query R and meta key H, and with a compression factor the shared compress/decompress
 * layers) around the chunkwise and streaming forms of models/ops/bsbr_attention.ts.
 */
export class BSBRAttention implements CausalAttention<BSBRState> {
  private readonly proj: AttentionProjections;
  private readonly metaQuery: Linear;
  private readonly metaKey: Linear;
  private readonly heads: number;
  private readonly chunk: number;
  private readonly options: BSBROptions;
  private readonly meta: MetaProjections;

  constructor(
    store: ParamStore,
    prefix: string,
    config: ModelConfig,
    private readonly plan: ExecutionPlan,
  ) {
    const D = config.hiddenDim;
    const d = headDim(config);
    this.heads = config.numHeads;
    this.chunk = config.chunkSize;
    this.proj = new AttentionProjections(store, prefix, D);
    this.metaQuery = new Linear(store, `${prefix}.meta_r_proj`, D, D);
    this.metaKey = new Linear(store, `${prefix}.meta_h_proj`, D, D);
    const cf = config.compressionFactor;
    const compress = cf ? new Linear(store, `${prefix}.compress_proj`, d * d, D / cf) : null;
    const decompress = cf ? new Linear(store, `${prefix}.decompress_proj`, D / cf, d * d) : null;
    this.options = {
      chunkSize: this.chunk,
      headDim: d,
      fillOnHost: plan.fillOnHost,
      compression:
        compress && decompress ? { compress: (x) => compress.apply(x), decompress: (x) => decompress.apply(x) } : null,
    };
    this.meta = {
      query: (x) => splitHeads(this.metaQuery.apply(x), this.heads),
      key: (x) => splitHeads(this.metaKey.apply(x), this.heads),
    };
  }

  /**
   * Works through the sequence in groups of chunks (plan.groupRows rows each) so that the live tensors
   * stay bounded at any length: per group the projections, the local attention, the group's chunk
   * states (kept, one small tensor per group) and the retrieval over all chunks up to it.
   */
  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    const [b, n, D] = x.shape;
    // Fewer tokens than a chunk are one chunk of their own length: the same output (one chunk
    // retrieves nothing; architectures.md section 7) at the cost of n, not of the chunk size.
    const B = Math.min(this.chunk, n);
    const options = B === this.chunk ? this.options : { ...this.options, chunkSize: B };
    const C = Math.ceil(n / B);
    const perGroup = chunksPerGroup(this.plan.groupRows, b, B);
    const fused = fusedBsbr(this.options.headDim);
    // Meta keys h_j and meta queries r_c of every chunk, from the rows metaRows picks: [b, C, D]
    // for the fused kernels, [b, h, C, d] otherwise.
    const [metaKeys, metaQueries, keyExists, queryExists] = tf.tidy(() => {
      const rows = metaRows(mask, b, n, B);
      const flat = tf.reshape(x, [b * n, D]);
      const gathered = (at: tf.Tensor1D) => tf.reshape(tf.gather(flat, at), [b, C, D]) as tf.Tensor3D;
      const [keys, queries] = [
        this.metaKey.apply(gathered(rows.keyRows)),
        this.metaQuery.apply(gathered(rows.queryRows)),
      ];
      return fused
        ? [keys, queries, rows.keyExists, rows.queryExists]
        : [splitHeads(keys, this.heads), splitHeads(queries, this.heads), rows.keyExists, rows.queryExists];
    });
    // Chunks [from, to) along `axis`, the whole tensor when that is all of it.
    const chunksOf = <T extends tf.Tensor>(t: T, axis: number, from: number, to: number): T =>
      from === 0 && to === t.shape[axis]
        ? t
        : tf.slice(
            t,
            t.shape.map((_, i) => (i === axis ? from : 0)),
            t.shape.map((size, i) => (i === axis ? to - from : size)),
          );
    const earlier: tf.Tensor4D[] = [];
    const outputs: tf.Tensor3D[] = [];
    try {
      for (let g0 = 0; g0 < C; g0 += perGroup) {
        const g1 = Math.min(C, g0 + perGroup);
        const t0 = g0 * B;
        const length = Math.min(n, g1 * B) - t0;
        const out = tf.tidy(() => {
          const xg = chunksOf(x, 1, t0, t0 + length);
          const maskg = mask ? chunksOf(mask, 1, t0, t0 + length) : null;
          let output: tf.Tensor3D;
          if (fused) {
            const { q, k, v, valid } = this.projectTokens(xg, maskg, g1 - g0, B);
            const group = bsbrChunkGroupFused(
              q,
              k,
              v,
              valid,
              g0,
              this.heads,
              chunksOf(metaQueries as tf.Tensor3D, 1, g0, g1),
              chunksOf(metaKeys as tf.Tensor3D, 1, 0, g1),
              chunksOf(keyExists, 1, 0, g1),
              chunksOf(queryExists, 1, g0, g1),
              earlier,
              options,
            );
            earlier.push(tf.keep(group.states));
            output = group.output;
          } else {
            const { q, k, v, keyMask } = this.projectChunks(xg, maskg, g1 - g0, B);
            const group = bsbrChunkGroup(
              q,
              k,
              v,
              keyMask,
              g0,
              chunksOf(metaQueries as tf.Tensor4D, 2, g0, g1),
              chunksOf(metaKeys as tf.Tensor4D, 2, 0, g1),
              keyExists,
              queryExists,
              earlier,
              options,
            );
            earlier.push(tf.keep(group.states));
            output = mergeHeads(group.output);
          }
          return this.proj.out.apply(output.shape[1] > length ? tf.slice(output, [0, 0, 0], [-1, length, -1]) : output);
        });
        outputs.push(out);
      }
      return outputs.length === 1 ? outputs[0] : tf.concat(outputs, 1);
    } finally {
      if (outputs.length > 1) tf.dispose(outputs);
      tf.dispose([metaKeys, metaQueries, keyExists, queryExists, ...earlier]);
    }
  }

  /**
   * q, k, v of one group of chunks of B tokens [b, chunks*B, D] from its inputs x [b, L, D]
   * (L <= chunks*B; the tail is padded), with masked keys/values zeroed so that they drop out of the
   * chunk states, and which keys are real [b, chunks*B] (the padded tail counts: see projectChunks).
   */
  private projectTokens(x: tf.Tensor3D, mask: tf.Tensor2D | null, chunks: number, B: number) {
    const [b, L] = x.shape;
    const pad = chunks * B - L;
    const xp =
      pad > 0
        ? tf.pad(x, [
            [0, 0],
            [0, pad],
            [0, 0],
          ])
        : x;
    const q = this.proj.q.apply(xp);
    let k = this.proj.k.apply(xp);
    let v = this.proj.v.apply(xp);
    let valid = tf.ones([b, chunks * B]) as tf.Tensor2D;
    if (mask) {
      valid =
        pad > 0
          ? tf.pad(mask, [
              [0, 0],
              [0, pad],
            ])
          : mask;
      k = tf.mul(k, tf.expandDims(valid, 2));
      v = tf.mul(v, tf.expandDims(valid, 2));
    }
    return { q, k, v, valid };
  }

  /**
   * q, k, v of one group of chunks of B tokens [b, h, chunks, B, d] from its inputs x [b, L, D] (L <= chunks*B;
   * the tail is padded), with padded and masked keys/values zeroed so they drop out of the chunk
   * states, and the key mask [b, 1, chunks, 1, B] for the local softmax (null without a mask).
   */
  private projectChunks(x: tf.Tensor3D, mask: tf.Tensor2D | null, chunks: number, B: number) {
    const [b, L] = x.shape;
    const d = this.options.headDim;
    const pad = chunks * B - L;
    // A padded tail only ever follows every real token of the last chunk: causal masking hides it
    // from real queries, and the last chunk's state is never retrieved.
    const xp =
      pad > 0
        ? tf.pad(x, [
            [0, 0],
            [0, pad],
            [0, 0],
          ])
        : x;
    const chunked = (t: tf.Tensor3D) =>
      tf.reshape(splitHeads(t, this.heads), [b, this.heads, chunks, B, d]) as tf.Tensor5D;
    const q = chunked(this.proj.q.apply(xp));
    let k = chunked(this.proj.k.apply(xp));
    let v = chunked(this.proj.v.apply(xp));
    let keyMask: tf.Tensor5D | null = null;
    if (mask) {
      const mp =
        pad > 0
          ? tf.pad(mask, [
              [0, 0],
              [0, pad],
            ])
          : mask;
      k = tf.mul(k, tf.reshape(mp, [b, 1, chunks, B, 1]));
      v = tf.mul(v, tf.reshape(mp, [b, 1, chunks, B, 1]));
      keyMask = tf.reshape(mp, [b, 1, chunks, 1, B]);
    }
    return { q, k, v, keyMask };
  }

  initState(): BSBRState {
    return bsbrInitialState();
  }

  step(state: BSBRState, x: tf.Tensor3D): tf.Tensor3D {
    const outputs = stepThroughChunks(
      x,
      this.chunk,
      state,
      (piece) => {
        const xp = piece as tf.Tensor3D;
        const [q, k, v] = [this.proj.q, this.proj.k, this.proj.v].map((p) => splitHeads(p.apply(xp), this.heads));
        return bsbrStep(state, xp, q, k, v, this.meta, this.options);
      },
      () => bsbrCloseChunk(state, this.meta, this.options),
    );
    const result = tf.tidy(() =>
      this.proj.out.apply(mergeHeads(outputs.length === 1 ? outputs[0] : tf.concat(outputs, 2))),
    );
    tf.dispose(outputs);
    return result;
  }

  disposeState(state: BSBRState): void {
    disposeAll([
      state.chunkKeys,
      state.chunkValues,
      state.chunkStates,
      state.metaKeys,
      state.retrieved,
      state.lastInput,
    ]);
    Object.assign(state, bsbrInitialState());
  }
}

export class BSBRModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super('BSBR', config, (store, prefix, cfg, plan) => new BSBRAttention(store, prefix, cfg, plan), chunkedRow);
  }
}
