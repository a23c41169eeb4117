/**
 * Every kernel named in models/kernels/names.ts, on every test backend that registers it, against
 * the composite of tf ops that runs where it is not registered. A backend without the kernel shows
 * a skipped test saying so; kernels registered later are picked up as they come.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Dropout, dropoutComposite } from '../dropout';
import { causalAttentionComposite } from '../ops/causal_softmax';
import { chunkAttentionComposite, chunkStatesComposite, retrieveComposite } from '../ops/bsbr_attention';
import { deltaRuleKernelComposite } from '../ops/delta_rule';
import { linearAttentionKernelComposite } from '../ops/linear_attention';
import { dense, denseComposite, DenseOptions, embed, geluComposite, layerNormComposite } from '../ops/position_wise';
import { positionsFromTables, positionTables } from '../positional';
import { unitLowerInverseByBlocks } from '../ops/triangular';
import { vjp } from './gradients';
import { lcg, TEST_BACKENDS, useBackend } from '../testing/harness';
import { randomTensor, readOp } from '../testing/ops';
import { KERNEL_NAMES, registeredKernels } from '../testing/registered_kernels';
import {
  BATCHED_MATMUL,
  CAUSAL_ATTENTION,
  CAUSAL_ATTENTION_GRAD,
  CHUNK_ATTENTION,
  CHUNK_STATES,
  DELTA_RULE,
  DELTA_RULE_GRAD,
  DENSE,
  DropoutAttrs,
  DROPOUT,
  EMBEDDING,
  EXCLUSIVE_SCAN,
  GELU,
  GELU_GRAD,
  LAYER_NORM,
  LAYER_NORM_GRAD,
  SCATTER_ADD,
  LINEAR_ATTENTION,
  RETRIEVE,
  UNIT_LOWER_INVERSE,
} from './names';

interface KernelCase {
  label: string;
  inputs: (next: () => number) => tf.NamedTensorMap;
  attrs?: tf.NamedAttrMap;
  /** Only for the gradient (a size the forward's cases need not repeat). */
  gradientOnly?: boolean;
}

/** q, k, v [batch, L, d], [batch, S, d], [batch, S, e] for CAUSAL_ATTENTION. */
const qkv = (batch: number, L: number, S: number, d: number, e: number) => (next: () => number) => ({
  q: randomTensor([batch, L, d], next),
  k: randomTensor([batch, S, d], next),
  v: randomTensor([batch, S, e], next),
});

/** indices [n] into `rows` (with `runs`, 0 except every ninth, as MQAR's filler) and updates [n, features] for SCATTER_ADD. */
const scatterInputs =
  (n: number, features: number, rows: number, runs = true) =>
  (next: () => number) => ({
    indices: tf.tensor1d(
      Array.from({ length: n }, (_, i) => (runs && i % 9 !== 0 ? 0 : Math.floor(next() * rows))),
      'int32',
    ),
    updates: randomTensor([n, features], next),
  });

/** x (rows offset and spread apart), gamma and dy for LAYER_NORM_GRAD. */
const layerNormGradInputs = (shape: number[]) => (next: () => number) =>
  tf.tidy(() => ({
    x: tf.add(randomTensor(shape, next, -3, 3), 2),
    gamma: randomTensor([shape[shape.length - 1]], next),
    dy: randomTensor(shape, next),
  }));

/** The attention's window attribute as causalAttentionComposite takes it. */
const windowOf = (attrs: tf.NamedAttrMap) => ((attrs.window as number) < 0 ? undefined : (attrs.window as number));

/** q, k, v as qkv, the attention's output for them and a gradient dy of it, for CAUSAL_ATTENTION_GRAD. */
const attentionGradCase = (
  label: string,
  [batch, L, S, d, e]: number[],
  attrs: { scale: number; window: number },
): KernelCase => ({
  label,
  attrs,
  inputs: (next) =>
    tf.tidy(() => {
      const { q, k, v } = qkv(batch, L, S, d, e)(next);
      const out = causalAttentionComposite(q, k, v, attrs.scale, windowOf(attrs), true);
      return { q, k, v, out, dy: randomTensor([batch, L, e], next) };
    }),
});

/** q, k, v [batch, n, h*d], beta [batch, n, h] in [0, 1) with every third token 0, and a state [batch, h, d, d] (zeros unless asked), for DELTA_RULE. */
const deltaInputs =
  (batch: number, n: number, h: number, d: number, fromState: boolean) =>
  (next: () => number): tf.NamedTensorMap =>
    tf.tidy(() => {
      const beta = tf.mul(
        randomTensor([batch, n, h], next, 0, 1),
        tf.reshape(tf.tensor1d(Array.from({ length: n }, (_, t) => (t % 3 === 1 ? 0 : 1))), [1, n, 1]),
      );
      const [q, k, v] = [0, 1, 2].map(() => randomTensor([batch, n, h * d], next));
      return {
        q,
        k,
        v,
        beta,
        memory: fromState ? randomTensor([batch, h, d, d], next, -0.5, 0.5) : tf.zeros([batch, h, d, d]),
      };
    });

/**
 * DELTA_RULE's inputs from a state (deltaInputs) and a gradient dy [batch, n + d, h*d] of its output,
 * the final state's rows too, for DELTA_RULE_GRAD; with `tiny`, token 2's q and k scaled by 1e-14
 * (|x| below the normalisation's clamp of 1e-12).
 */
const deltaGradInputs =
  (batch: number, n: number, h: number, d: number, tiny = false) =>
  (next: () => number): tf.NamedTensorMap =>
    tf.tidy(() => {
      const inputs = deltaInputs(batch, n, h, d, true)(next);
      const scale = tf.reshape(tf.tensor1d(Array.from({ length: n }, (_, t) => (tiny && t === 2 ? 1e-14 : 1))), [
        1,
        n,
        1,
      ]);
      const [q, k] = [tf.mul(inputs.q, scale), tf.mul(inputs.k, scale)];
      return { ...inputs, q, k, dy: randomTensor([batch, n + d, h * d], next) };
    });

/** q, k, v [batch, n, h*d], valid [batch, n] with holes, and sums [S | z] [batch, h, d, d+1] (z positive; zeros unless asked), for LINEAR_ATTENTION. */
const linearInputs =
  (batch: number, n: number, h: number, d: number, fromState: boolean) =>
  (next: () => number): tf.NamedTensorMap =>
    tf.tidy(() => {
      const [q, k, v] = [0, 1, 2].map(() => randomTensor([batch, n, h * d], next, -2, 2));
      const valid = tf.tensor2d(
        Array.from({ length: batch }, (_, b) => Array.from({ length: n }, (_, t) => ((b + t) % 4 === 1 ? 0 : 1))),
      );
      const state = fromState
        ? tf.concat([randomTensor([batch, h, d, d], next), randomTensor([batch, h, d, 1], next, 1, 4)], 3)
        : tf.zeros([batch, h, d, d + 1]);
      return { q, k, v, valid, state };
    });

/** x [...lead, K], weight [K, N], bias [N] for DENSE, with an addend, a LayerNorm's gamma and beta and one or two residuals if asked. */
const layer =
  (lead: number[], K: number, N: number, extras: { addend?: boolean; norm?: boolean; residuals?: number }) =>
  (next: () => number) => ({
    x: tf.tidy(() => tf.add(randomTensor([...lead, K], next, -2, 2), 1)),
    weight: randomTensor([K, N], next),
    bias: randomTensor([N], next),
    ...(extras.addend ? { addend: randomTensor([...lead, K], next) } : {}),
    ...(extras.norm ? { gamma: randomTensor([K], next), beta: randomTensor([K], next) } : {}),
    ...((extras.residuals ?? 0) > 0 ? { residual: randomTensor([...lead, N], next) } : {}),
    ...((extras.residuals ?? 0) > 1 ? { residualAddend: randomTensor([...lead, N], next) } : {}),
  });

/** ids [b, n] below vocab, a table [vocab, D] and the position tables of start .. start+n-1 for EMBEDDING. */
const tokens = (b: number, n: number, vocab: number, D: number, start: number) => (next: () => number) => ({
  ids: tf.tensor2d(
    Array.from({ length: b * n }, () => Math.floor(next() * vocab)),
    [b, n],
    'int32',
  ),
  table: randomTensor([vocab, D], next),
  ...positionTables(start, n, D),
});

/**
 * 1 where (row + position) % every != 1, else 0: flags with holes, [batch, n], made as the models make
 * them, by a cast of a comparison (webgpu keeps such a float32 tensor in its int32 buffer).
 */
const holes = (batch: number, n: number, every: number) =>
  tf.tidy(() =>
    tf.cast(
      tf.notEqual(
        tf.tensor2d(
          Array.from({ length: batch }, (_, b) => Array.from({ length: n }, (_, t) => ((b + t) % every === 1 ? 0 : 1))),
        ),
        0,
      ),
      'float32',
    ),
  );

/** Meta queries [batch, G, h*d], meta keys [batch, J, h*d], states [batch, h, J, S] and flags with holes [batch, J], for RETRIEVE. */
const retrieveInputs =
  (batch: number, G: number, J: number, h: number, d: number, S: number) =>
  (next: () => number): tf.NamedTensorMap => ({
    queries: randomTensor([batch, G, h * d], next, -2, 2),
    keys: randomTensor([batch, J, h * d], next, -2, 2),
    states: randomTensor([batch, h, J, S], next),
    exists: holes(batch, J, 3),
  });

/** q, k, v [batch, C*B, h*d], real keys with holes, retrieved states [batch, h, C, d*d] and flags [batch, C] (chunk 0 none), for CHUNK_ATTENTION. */
const chunkAttentionInputs =
  (batch: number, C: number, B: number, h: number, d: number) =>
  (next: () => number): tf.NamedTensorMap => ({
    q: randomTensor([batch, C * B, h * d], next),
    k: randomTensor([batch, C * B, h * d], next),
    v: randomTensor([batch, C * B, h * d], next),
    valid: holes(batch, C * B, 3),
    retrieved: randomTensor([batch, h, C, d * d], next),
    exists: tf.tensor2d(Array.from({ length: batch }, () => Array.from({ length: C }, (_, c) => (c > 0 ? 1 : 0)))),
  });

/** DROPOUT's attributes for a site at `start`, as the models draw them at `rate` with seed 11. */
const dropoutAttrs = (rate: number, site: string, start: number) => ({
  ...Dropout.of(rate, { training: true, dropoutSeed: 11 })!.attrs(site, start),
});

/** DENSE's optional inputs and attributes as the options of dense() and denseComposite(). */
const denseOptions = (
  { addend, gamma, beta, residual, residualAddend }: tf.NamedTensorMap,
  { activation, epsilon }: tf.NamedAttrMap,
): DenseOptions => ({
  addend,
  norm: gamma ? { gamma: gamma as tf.Tensor1D, beta: beta as tf.Tensor1D, epsilon: epsilon as number } : undefined,
  activation: activation as 'linear' | 'gelu',
  residual: residualAddend ? [residual, residualAddend] : residual,
});

type Run = (inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => tf.Tensor;

/**
 * Per kernel: inputs to try, and the composite it must equal. A kernel with `forwardOnly` registers
 * no gradient by design: `op`, what the models call, runs the composite while a gradient is recorded;
 * `wrt` names the inputs that both the op and the composite differentiate (all float inputs if absent).
 * A kernel with `backwardOf` is that kernel's gradient (its composite returns the gradients, in the
 * order of the kernel's outputs): it has none of its own, and the other's gradient runs it.
 */
const COMPOSITES: Record<
  string,
  {
    cases: KernelCase[];
    composite: (inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => tf.Tensor | tf.Tensor[];
    forwardOnly?: { reason: string; op: Run; wrt?: string[] };
    backwardOf?: string;
    /** The inputs the gradient is checked for (all if absent). */
    wrt?: string[];
  }
> = {
  [BATCHED_MATMUL]: {
    cases: [
      {
        label: '[5, 7, 3] @ [5, 3, 4]',
        inputs: (next) => ({ a: randomTensor([5, 7, 3], next), b: randomTensor([5, 3, 4], next) }),
      },
      {
        label: 'a batch of one on the left: [1, 4, 3] @ [5, 3, 2]',
        inputs: (next) => ({ a: randomTensor([1, 4, 3], next), b: randomTensor([5, 3, 2], next) }),
      },
      {
        label: 'a batch of one on the right: [5, 4, 3] @ [1, 3, 2]',
        inputs: (next) => ({ a: randomTensor([5, 4, 3], next), b: randomTensor([1, 3, 2], next) }),
      },
      {
        label: 'a row by a column: [6, 1, 9] @ [6, 9, 1]',
        inputs: (next) => ({ a: randomTensor([6, 1, 9], next), b: randomTensor([6, 9, 1], next) }),
      },
    ],
    composite: ({ a, b }) =>
      tf.tidy(() => {
        const batch = Math.max(a.shape[0], b.shape[0]);
        return tf.matMul(tf.tile(a, [batch / a.shape[0], 1, 1]), tf.tile(b, [batch / b.shape[0], 1, 1]));
      }),
  },
  [UNIT_LOWER_INVERSE]: {
    cases: [
      // Entries on and above the diagonal too, which both must ignore.
      { label: '[2, 3, 7, 7]', inputs: (next) => ({ a: randomTensor([2, 3, 7, 7], next, -0.3, 0.3) }) },
      { label: '[2, 64, 64]', inputs: (next) => ({ a: randomTensor([2, 64, 64], next, -0.05, 0.05) }) },
    ],
    composite: ({ a }) => unitLowerInverseByBlocks(a),
  },
  [EXCLUSIVE_SCAN]: {
    cases: [
      { label: '[2, 9, 70]', inputs: (next) => ({ x: randomTensor([2, 9, 70], next) }) },
      { label: 'two steps: [3, 2, 5]', inputs: (next) => ({ x: randomTensor([3, 2, 5], next) }) },
    ],
    composite: ({ x }) => tf.cumsum(x, 1, true),
  },
  [CAUSAL_ATTENTION]: {
    // Query tiles of 64 and key tiles of 32: lengths across both edges, queries behind a longer context, bands.
    cases: [
      { label: 'causal, [3, 70, 8] over 70 keys', inputs: qkv(3, 70, 70, 8, 8), attrs: { scale: 0.35, window: -1 } },
      {
        label: 'causal, 5 queries after 40 keys of context, values of 12',
        inputs: qkv(2, 5, 45, 4, 12),
        attrs: { scale: 0.5, window: -1 },
      },
      { label: 'one query over 1 key', inputs: qkv(4, 1, 1, 8, 8), attrs: { scale: 1, window: -1 } },
      {
        label: 'a band of 9 behind each of 130 queries',
        inputs: qkv(2, 130, 130, 8, 8),
        attrs: { scale: 0.35, window: 9 },
      },
      {
        label: 'a band of 40 behind 3 queries after 60 keys',
        inputs: qkv(2, 3, 63, 8, 4),
        attrs: { scale: 0.35, window: 40 },
      },
      // Many query and key tiles of the backward (64 and 32).
      {
        label: 'causal, [1, 1100, 4]: 18 workgroups of queries and of keys in the backward',
        inputs: qkv(1, 1100, 1100, 4, 4),
        attrs: { scale: 0.5, window: -1 },
        gradientOnly: true,
      },
    ],
    composite: ({ q, k, v }, attrs) => causalAttentionComposite(q, k, v, attrs.scale as number, windowOf(attrs), true),
  },
  [CAUSAL_ATTENTION_GRAD]: {
    // Workgroups of 64 queries or keys, tiles of 32 of the other side: edges of both, context before the queries, bands.
    cases: [
      attentionGradCase('causal, [3, 70, 8] over 70 keys', [3, 70, 70, 8, 8], { scale: 0.35, window: -1 }),
      attentionGradCase('5 queries after 40 keys of context, values of 12', [2, 5, 45, 4, 12], {
        scale: 0.5,
        window: -1,
      }),
      attentionGradCase('one query over 1 key', [4, 1, 1, 8, 8], { scale: 1, window: -1 }),
      attentionGradCase('a band of 9 behind each of 130 queries', [2, 130, 130, 8, 8], { scale: 0.35, window: 9 }),
      attentionGradCase('a band of 40 behind 3 queries after 60 keys', [2, 3, 63, 8, 4], { scale: 0.35, window: 40 }),
    ],
    composite: ({ q, k, v, dy }, attrs) =>
      vjp(() => causalAttentionComposite(q, k, v, attrs.scale as number, windowOf(attrs), true), [q, k, v], dy),
    backwardOf: CAUSAL_ATTENTION,
  },
  [DELTA_RULE]: {
    // Token tiles of 16: lengths across the edge; a state before the first token or none; tokens that write nothing (beta 0).
    cases: [
      { label: '2 heads of 8, 11 tokens, from a state', inputs: deltaInputs(2, 11, 2, 8, true), attrs: { heads: 2 } },
      { label: '1 head of 12, 1 token, from zeros', inputs: deltaInputs(3, 1, 1, 12, false), attrs: { heads: 1 } },
      { label: '4 heads of 4, 19 tokens, from zeros', inputs: deltaInputs(1, 19, 4, 4, false), attrs: { heads: 4 } },
    ],
    composite: deltaRuleKernelComposite,
  },
  [DELTA_RULE_GRAD]: {
    // Token tiles of 16 (the walks over value features) and 8 (over key features): lengths across
    // both edges; every third token writes nothing (beta 0); a state before the first token and a
    // gradient of the final state's rows.
    cases: [
      { label: '2 heads of 4, 19 tokens', inputs: deltaGradInputs(2, 19, 2, 4), attrs: { heads: 2 } },
      { label: '2 heads of 8, 37 tokens', inputs: deltaGradInputs(2, 37, 2, 8), attrs: { heads: 2 } },
      { label: '1 head of 12, 1 token', inputs: deltaGradInputs(3, 1, 1, 12), attrs: { heads: 1 } },
      // Its q and k gradients are dx^ / 1e-12 there, far above the others: a case of its own.
      {
        label: '2 heads of 8, 5 tokens, token 2 with |q|, |k| < 1e-12',
        inputs: deltaGradInputs(1, 5, 2, 8, true),
        attrs: { heads: 2 },
      },
    ],
    composite: ({ q, k, v, beta, memory, dy }, attrs) =>
      vjp(() => deltaRuleKernelComposite({ q, k, v, beta, memory }, attrs), [q, k, v, beta, memory], dy),
    backwardOf: DELTA_RULE,
  },
  [LINEAR_ATTENTION]: {
    // Token tiles of 16: lengths across the edge; sums before the first token or none; padded tokens.
    cases: [
      {
        label: '2 heads of 8, 21 tokens, from sums',
        inputs: linearInputs(2, 21, 2, 8, true),
        attrs: { heads: 2, epsilon: 1e-6 },
      },
      {
        label: '1 head of 12, 1 token, from zeros',
        inputs: linearInputs(3, 1, 1, 12, false),
        attrs: { heads: 1, epsilon: 1e-6 },
      },
      {
        label: '4 heads of 4, 35 tokens, from zeros',
        inputs: linearInputs(1, 35, 4, 4, false),
        attrs: { heads: 4, epsilon: 1e-6 },
      },
    ],
    composite: linearAttentionKernelComposite,
  },
  [CHUNK_STATES]: {
    cases: [
      {
        label: '2 heads of 4, 3 chunks of 4',
        inputs: (next) => ({ k: randomTensor([2, 12, 8], next), v: randomTensor([2, 12, 8], next) }),
        attrs: { heads: 2, chunk: 4 },
      },
      {
        label: '1 head of 12, 2 chunks of 5',
        inputs: (next) => ({ k: randomTensor([1, 10, 12], next), v: randomTensor([1, 10, 12], next) }),
        attrs: { heads: 1, chunk: 5 },
      },
    ],
    composite: ({ k, v }, { heads, chunk }) =>
      chunkStatesComposite(k as tf.Tensor3D, v as tf.Tensor3D, heads as number, chunk as number),
  },
  [RETRIEVE]: {
    // Tiles of 64 earlier chunks and 64 features per invocation: counts across both; chunk 0 retrieves nothing.
    cases: [
      {
        label: 'chunks 2 .. 4 over 5 chunks, 2 heads of 4, states of 6',
        inputs: retrieveInputs(2, 3, 5, 2, 4, 6),
        attrs: { heads: 2, first: 2, scale: 0.5 },
      },
      {
        label: 'chunks 0 .. 2 over 3 chunks, states of 70',
        inputs: retrieveInputs(1, 3, 3, 1, 4, 70),
        attrs: { heads: 1, first: 0, scale: 0.5 },
      },
      {
        label: 'chunks 68, 69 over 70 chunks',
        inputs: retrieveInputs(1, 2, 70, 2, 4, 3),
        attrs: { heads: 2, first: 68, scale: 0.3 },
      },
    ],
    composite: ({ queries, keys, states, exists }, { heads, first, scale }) =>
      retrieveComposite(
        queries as tf.Tensor3D,
        keys as tf.Tensor3D,
        states as tf.Tensor4D,
        exists as tf.Tensor2D,
        heads as number,
        first as number,
        scale as number,
      ),
  },
  [CHUNK_ATTENTION]: {
    // Query tiles of 64 and key tiles of 16: chunks across both edges; keys with holes (a query may see none).
    cases: [
      {
        label: '3 chunks of 4, 2 heads of 4',
        inputs: chunkAttentionInputs(2, 3, 4, 2, 4),
        attrs: { heads: 2, chunk: 4, scale: 0.5 },
      },
      {
        label: '2 chunks of 70, 1 head of 8',
        inputs: chunkAttentionInputs(1, 2, 70, 1, 8),
        attrs: { heads: 1, chunk: 70, scale: 0.35 },
      },
    ],
    composite: ({ q, k, v, valid, retrieved, exists }, { heads, chunk, scale }) =>
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
  },
  [LAYER_NORM]: {
    // Rows of more and of fewer features than a workgroup's 64 invocations; an offset and spread per row.
    cases: [
      {
        label: '[3, 5, 200]',
        inputs: (next) =>
          tf.tidy(() => ({
            x: tf.add(randomTensor([3, 5, 200], next, -3, 3), 2),
            gamma: randomTensor([200], next),
            beta: randomTensor([200], next),
          })),
        attrs: { epsilon: 1e-5 },
      },
      {
        label: '[7, 10]',
        inputs: (next) => ({
          x: randomTensor([7, 10], next),
          gamma: randomTensor([10], next),
          beta: randomTensor([10], next),
        }),
        attrs: { epsilon: 1e-5 },
      },
    ],
    composite: ({ x, gamma, beta }, { epsilon }) => layerNormComposite(x, gamma, beta, epsilon as number),
  },
  [LAYER_NORM_GRAD]: {
    // Rows of more and of fewer features than a workgroup's 64 invocations, and more rows than a
    // feature's workgroup has invocations (its sums over rows stride them).
    cases: [
      { label: '[3, 5, 200]', inputs: layerNormGradInputs([3, 5, 200]), attrs: { epsilon: 1e-5 } },
      { label: '[7, 10]', inputs: layerNormGradInputs([7, 10]), attrs: { epsilon: 1e-5 } },
      { label: '[2, 150, 12], epsilon 0.1', inputs: layerNormGradInputs([2, 150, 12]), attrs: { epsilon: 0.1 } },
    ],
    composite: ({ x, gamma, dy }, { epsilon }) =>
      tf.tidy(() => {
        const beta = tf.zerosLike(gamma);
        return vjp(() => layerNormComposite(x, gamma, beta, epsilon as number), [x, gamma, beta], dy);
      }),
    backwardOf: LAYER_NORM,
  },
  [SCATTER_ADD]: {
    // Runs of one index (most rows to row 0, as MQAR's filler token), across the 256 rows of a
    // workgroup and within them; rows no index names; features across a workgroup's 64.
    cases: [
      { label: '600 rows of 5 into 7, mostly row 0', inputs: scatterInputs(600, 5, 7), attrs: { rows: 7 } },
      { label: '40 rows of 70 into 50', inputs: scatterInputs(40, 70, 50, false), attrs: { rows: 50 } },
      { label: '1 row of 3 into 2', inputs: scatterInputs(1, 3, 2), attrs: { rows: 2 } },
    ],
    composite: ({ indices, updates }, { rows }) =>
      tf.tidy(() => tf.scatterND(tf.reshape(indices, [-1, 1]), updates, [rows as number, updates.shape[1]!])),
    wrt: ['updates'],
  },
  [GELU]: {
    cases: [{ label: '[4, 33] over -5 .. 5', inputs: (next) => ({ x: randomTensor([4, 33], next, -5, 5) }) }],
    composite: ({ x }) => geluComposite(x),
  },
  [GELU_GRAD]: {
    cases: [
      {
        label: '[4, 33] over -5 .. 5',
        inputs: (next) => ({ x: randomTensor([4, 33], next, -5, 5), dy: randomTensor([4, 33], next) }),
      },
    ],
    composite: ({ x, dy }) => vjp(() => geluComposite(x), [x], dy)[0],
    backwardOf: GELU,
  },
  [DENSE]: {
    // Output tiles of 32 x 32 and inner tiles of 32: sizes across both edges, one row (a decode step), each prologue and epilogue.
    cases: [
      { label: '[5, 7] @ [7, 3]', inputs: layer([5], 7, 3, {}), attrs: { activation: 'linear', epsilon: 0 } },
      {
        label: 'LayerNorm, GELU: [2, 40, 70] @ [70, 45]',
        inputs: layer([2, 40], 70, 45, { norm: true }),
        attrs: { activation: 'gelu', epsilon: 1e-5 },
      },
      {
        label: 'a residual: [3, 33, 16] @ [16, 36]',
        inputs: layer([3, 33], 16, 36, { residuals: 1 }),
        attrs: { activation: 'linear', epsilon: 0 },
      },
      {
        label: 'one row, an addend, LayerNorm, GELU: [1, 1, 64] @ [64, 40]',
        inputs: layer([1, 1], 64, 40, { addend: true, norm: true }),
        attrs: { activation: 'gelu', epsilon: 1e-5 },
      },
      {
        label: 'an addend, LayerNorm: [2, 35, 40] @ [40, 33]',
        inputs: layer([2, 35], 40, 33, { addend: true, norm: true }),
        attrs: { activation: 'linear', epsilon: 1e-5 },
      },
      {
        label: 'two residuals: [1, 3, 64] @ [64, 40]',
        inputs: layer([1, 3], 64, 40, { residuals: 2 }),
        attrs: { activation: 'linear', epsilon: 0 },
      },
    ],
    composite: (inputs, attrs) =>
      denseComposite(inputs.x, inputs.weight as tf.Tensor2D, inputs.bias as tf.Tensor1D, denseOptions(inputs, attrs)),
    forwardOnly: {
      reason: 'its inputs are optional and a gradient saves a fixed list',
      op: (inputs, attrs) =>
        dense(inputs.x, inputs.weight as tf.Tensor2D, inputs.bias as tf.Tensor1D, denseOptions(inputs, attrs)),
    },
  },
  [DROPOUT]: {
    // Rates with rate * 2^32 not an integer (0.3, 0.1) and an integer (0.5); far positions; widths across a workgroup.
    cases: [
      {
        label: '[2, 5, 7] from 0 at 0.3',
        inputs: (next) => ({ x: randomTensor([2, 5, 7], next) }),
        attrs: dropoutAttrs(0.3, 'layers.0.attention', 0),
      },
      {
        label: '[1, 70, 33] from 1000 at 0.1',
        inputs: (next) => ({ x: randomTensor([1, 70, 33], next) }),
        attrs: dropoutAttrs(0.1, 'layers.1.ff.2', 1000),
      },
      {
        label: '[3, 4, 64] from 262140 at 0.5',
        inputs: (next) => ({ x: randomTensor([3, 4, 64], next) }),
        attrs: dropoutAttrs(0.5, 'layers.0.ff', 262140),
      },
    ],
    composite: ({ x }, attrs) => dropoutComposite(x, attrs as unknown as DropoutAttrs),
  },
  [EMBEDDING]: {
    // Positions across a step of the coarse table, far positions, an odd width.
    cases: [
      { label: '[2, 1100] tokens from 1000, D = 6', inputs: tokens(2, 1100, 50, 6, 1000), attrs: { start: 1000 } },
      { label: '[1, 5] tokens from 123456, D = 7', inputs: tokens(1, 5, 9, 7, 123456), attrs: { start: 123456 } },
      { label: 'one token at 300, D = 16', inputs: tokens(3, 1, 20, 16, 300), attrs: { start: 300 } },
    ],
    composite: ({ ids, table, coarse, fine }) =>
      tf.tidy(() =>
        tf.add(
          tf.gather(table, ids),
          positionsFromTables(coarse, fine, (ids as tf.Tensor2D).shape[1], (table as tf.Tensor2D).shape[1]),
        ),
      ),
    forwardOnly: {
      reason: "the table's gradient is the gather's",
      // `start` (the first position, which the tables hold) is not an attribute of the kernel, only of the op,
      // which makes its positions itself: the table is the one input both differentiate.
      op: ({ ids, table }, { start }) => embed(ids as tf.Tensor2D, table as tf.Tensor2D, start as number, false),
      wrt: ['table'],
    },
  },
};

/** An output's or gradient's largest difference relative to the largest entry of the expected one; absolute where every entry is 0 (one key: q and k get none). */
const entryError = (a: unknown, b: unknown) => {
  const [x, y] = [[a].flat(Infinity) as number[], [b].flat(Infinity) as number[]];
  const scale = Math.max(1e-6, ...y.map(Math.abs));
  return Math.max(...x.map((v, j) => Math.abs(v - y[j]))) / scale;
};

const registered = registeredKernels();

describe.each(TEST_BACKENDS)('the kernels on %s', (backend) => {
  const status = registered[backend];
  if (!('unusable' in status)) useBackend(backend);

  for (const name of KERNEL_NAMES) {
    if ('unusable' in status) {
      it.skip(`${name} (skipped: ${backend} cannot be set up here: ${status.unusable})`, () => undefined);
    } else if (!status.kernels.includes(name)) {
      it.skip(`${name} (skipped: ${backend} registers no such kernel; the ops run the composite there)`, () =>
        undefined);
    } else if (!COMPOSITES[name]) {
      it(`${name} has a composite here to compare with`, () => expect(Object.keys(COMPOSITES)).toContain(name));
    } else {
      const cases = COMPOSITES[name].cases;
      it.each(cases.filter((c) => !c.gradientOnly))(
        `${name} equals its composite: $label`,
        async ({ inputs, attrs = {} }) => {
          const given = inputs(lcg(7));
          const kernel = await readOp(() => tf.engine().runKernel(name, given, attrs) as tf.Tensor);
          let several = false;
          const composite = await readOp(() => {
            const out = COMPOSITES[name].composite(given, attrs);
            several = Array.isArray(out);
            return out;
          });
          // A kernel's several outputs (a backward's gradients) one by one.
          const outputs = (x: unknown) => (several ? (x as unknown[]) : [x]);
          const expected = outputs(composite);
          const errors = outputs(kernel).map((out, i) => entryError(out, expected[i]));
          expect(errors.filter((error) => !(error < 1e-5))).toEqual([]);
          tf.dispose(given);
        },
      );
      const { forwardOnly, backwardOf } = COMPOSITES[name];
      const composite = COMPOSITES[name].composite as Run;
      if (backwardOf) {
        it(`${name} is ${backwardOf}'s gradient: it has none of its own, and ${backwardOf}'s gradient runs it`, async () => {
          expect(tf.getGradient(name)).toBeUndefined();
          const { inputs, attrs = {} } = COMPOSITES[backwardOf].cases[0];
          const given = inputs(lcg(7));
          const xs = Object.values(given);
          const forward = (...args: tf.Tensor[]) =>
            tf
              .engine()
              .runKernel(
                backwardOf,
                Object.fromEntries(Object.keys(given).map((input, i) => [input, args[i]])),
                attrs,
              ) as tf.Tensor;
          const { kernelNames } = await tf.profile(() => tf.dispose(tf.grads(forward)(xs)));
          expect(kernelNames).toContain(name);
          tf.dispose(given);
        });
        continue;
      }
      if (forwardOnly) {
        it.each(cases)(
          `${name} has no gradient by design (${forwardOnly.reason}): under a gradient its op runs no ${name} and differentiates as the composite: $label`,
          async ({ inputs, attrs = {} }) => {
            expect(tf.getGradient(name)).toBeUndefined();
            const given = inputs(lcg(7));
            const names = forwardOnly.wrt ?? Object.keys(given).filter((input) => given[input].dtype === 'float32');
            const xs = names.map((input) => given[input]);
            const as =
              (run: Run) =>
              (...args: tf.Tensor[]) =>
                run({ ...given, ...Object.fromEntries(names.map((input, i) => [input, args[i]])) }, attrs);
            const out = forwardOnly.op(given, attrs);
            const dy = randomTensor(out.shape, lcg(11));
            out.dispose();
            const { kernelNames } = await tf.profile(() => tf.dispose(tf.grads(as(forwardOnly.op))(xs, dy)));
            expect(kernelNames).not.toContain(name);
            const op = await readOp(() => tf.grads(as(forwardOnly.op))(xs, dy));
            const expected = await readOp(() => tf.grads(as(composite))(xs, dy));
            const errors = names.map((input, i) => [input, entryError(op[i], expected[i])] as const);
            expect(errors.filter(([, error]) => !(error < 1e-4))).toEqual([]);
            tf.dispose([given, dy]);
          },
        );
        continue;
      }
      it.each(cases)(`${name}'s gradient equals its composite's: $label`, async ({ inputs, attrs = {} }) => {
        const given = inputs(lcg(7));
        const names = COMPOSITES[name].wrt ?? Object.keys(given);
        const xs = names.map((input) => given[input]);
        const as =
          (run: (inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => tf.Tensor) =>
          (...args: tf.Tensor[]) =>
            run({ ...given, ...Object.fromEntries(names.map((input, i) => [input, args[i]])) }, attrs);
        const out = tf.engine().runKernel(name, given, attrs) as tf.Tensor;
        const dy = randomTensor(out.shape, lcg(11));
        out.dispose();
        const kernel = await readOp(() =>
          tf.grads(as((inputs) => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor))(xs, dy),
        );
        const expected = await readOp(() => tf.grads(as(composite))(xs, dy));
        const errors = names.map((input, i) => [input, entryError(kernel[i], expected[i])] as const);
        expect(errors.filter(([, error]) => !(error < 1e-4))).toEqual([]);
        tf.dispose([given, dy]);
      });
    }
  }
});

it('every kernel named in models/kernels/names.ts has a composite and cases here', () => {
  expect(KERNEL_NAMES.filter((name) => !COMPOSITES[name]?.cases.length)).toEqual([]);
  expect(KERNEL_NAMES.length).toBeGreaterThan(0);
});
