/**
 * The analytic floating-point operation count of a measured call: matmuls only, an [m, k] @ [k, p]
 * product counted as 2*m*k*p. Softmax, normalisation, activations, masks and other elementwise work
 * are not counted. Each architecture counts the products its efficient form (models/*.ts) performs,
 * padding included (a partial last chunk is computed as a whole chunk).
 *
 * Notation: n tokens, D hidden size, h heads, d = D / h, B chunk size, w window, E = expansionFactor*D,
 * C = ceil(n / B) chunks, ff the feed-forward size. The counts below are per sequence and per layer;
 * the whole call multiplies by batch size and numLayers and adds the feed-forward 4*n*D*ff.
 * The execution plan (models/plan.ts) decides some of the work: Standard's query blocks, whether
 * prefix sums over chunks are products (counted) or cumsums (not), GAU's chunk groups.
 */
import * as tf from '@tensorflow/tfjs-core';
import { headDim, ModelConfig } from '../../models/config';
import { canonicalModelName, ModelName } from '../../models/descriptors';
import {
  CAUSAL_ATTENTION,
  causalAttentionTakes,
  CHUNK_ATTENTION,
  CHUNK_STATES,
  chunkAttentionTakes,
  DELTA_RULE,
  deltaRuleTakes,
  LINEAR_ATTENTION,
  linearAttentionTakes,
  RETRIEVE,
  UNIT_LOWER_INVERSE,
} from '../../models/kernels/names';
import { chunksPerGroup } from '../../models/ops/scan';
import { ExecutionPlan } from '../../models/plan';
import { Mode } from '../results/schema';

/** 2*m*k*p: one [m, k] @ [k, p] product. */
function mm(m: number, k: number, p: number): number {
  return 2 * m * k * p;
}

/** One layer's attention, for one sequence. */
interface AttentionCost {
  /** A forward pass over n tokens (batch: the call's batch, where it decides how work is grouped). */
  forward(c: ModelConfig, n: number, batch: number, plan: ExecutionPlan): number;
  /** One single-token step() for the token at position p (p tokens of context before it). */
  step(c: ModelConfig, p: number, plan: ExecutionPlan): number;
  /**
   * The backward of a forward pass over n tokens (the recomputation of the forward not included).
   * Absent: each forward product twice, the gradients of both its operands.
   */
  backward?(c: ModelConfig, n: number, batch: number, plan: ExecutionPlan): number;
}

/**
 * CAUSAL_ATTENTION's backward (CAUSAL_ATTENTION_GRAD) per batch row of n queries over their own n
 * keys, within a window w or none: per (query, key) pair the mask allows, the scores in each of its
 * four passes (2 d each), dO . v in two (2 e each), and dq, dk (2 d each) and dv (2 e).
 */
function fusedAttentionBackward(n: number, d: number, e: number, w?: number): number {
  return causalPairs(n, w) * (12 * d + 6 * e);
}

/**
 * An exclusive prefix sum over G chunk states of F values each (models/ops/prefix.ts), after a
 * carried sum or not: by product [G, G (+1)] @ [G (+1), F], or a cumsum (no matmul).
 */
function prefixSum(plan: ExecutionPlan, G: number, F: number, carried: boolean): number {
  return plan.prefixSums === 'matmul' ? mm(G, carried ? G + 1 : G, F) : 0;
}

/**
 * Whether the plan's backend runs causal attention as its fused kernel (models/ops/causal_softmax.ts)
 * for heads of size d: it then computes only the (query, key) pairs the mask allows, 2 (d + e) flops each.
 */
function fusedAttention(plan: ExecutionPlan, d: number): boolean {
  return tf.getKernel(CAUSAL_ATTENTION, plan.backend) !== undefined && causalAttentionTakes(d, d);
}

/**
 * The (query, key) pairs of causal attention for n queries over their own n keys, each query at
 * position t seeing t + 1 keys, or min(t, w) + 1 within a window of w: n (n + 1) / 2 without one.
 */
function causalPairs(n: number, w?: number): number {
  if (w === undefined || w >= n - 1) return (n * (n + 1)) / 2;
  return ((w + 1) * (w + 2)) / 2 + (n - w - 1) * (w + 1);
}

/**
 * Softmax attention over query blocks of plan.queryBlock, block [s, e) against keys [0, e), with
 * `passes` softmax-weighted products per block (Standard 1, Hopfield updateSteps):
 *   forward = 8 n D^2 + passes * sum_blocks 4 (e - s) e D;   step at p = 8 D^2 + passes * 4 (p + 1) D.
 * Fused, the whole sequence at once over the causal pairs: 8 n D^2 + passes * 4 D n (n + 1) / 2.
 */
function blockedSoftmax(passes: (c: ModelConfig) => number): AttentionCost {
  return {
    forward(c, n, _batch, plan) {
      const D = c.hiddenDim;
      if (fusedAttention(plan, headDim(c))) return 4 * mm(n, D, D) + passes(c) * 4 * D * causalPairs(n);
      let scores = 0;
      for (let s = 0; s < n; s += plan.queryBlock) {
        const e = Math.min(n, s + plan.queryBlock);
        scores += 4 * (e - s) * e * D;
      }
      return 4 * mm(n, D, D) + passes(c) * scores;
    },
    step(c, p) {
      const D = c.hiddenDim;
      return 4 * mm(1, D, D) + passes(c) * 4 * (p + 1) * D;
    },
    // Fused, each pass's kernel has its own backward; the projections twice.
    backward(c, n, batch, plan) {
      const d = headDim(c);
      if (!fusedAttention(plan, d)) return 2 * this.forward(c, n, batch, plan);
      return 2 * 4 * mm(n, c.hiddenDim, c.hiddenDim) + passes(c) * c.numHeads * fusedAttentionBackward(n, d, d);
    },
  };
}

/** Standard: q, k, v, out projections 8 n D^2; scores and weights @ v over the blocked causal keys. */
const standard = blockedSoftmax(() => 1);

/** Hopfield: as Standard with updateSteps softmax passes (each update step xi @ K^T then weights @ K). */
const hopfield = blockedSoftmax((c) => c.updateSteps);

/**
 * SlidingWindow: 8 n D^2 projections; for n <= w one block of n queries over n keys (4 n^2 D), else
 * ceil(n / w) query blocks of w against 2w keys: 8 ceil(n / w) w^2 D; fused (n > w), the band's pairs
 * 4 D causalPairs(n, w). Step at p: 8 D^2 + 4 (min(w, p) + 1) D (the rolling cache holds the last
 * min(w, p) keys).
 */
const slidingWindow: AttentionCost = {
  forward(c, n, _batch, plan) {
    const D = c.hiddenDim;
    const w = c.windowSize;
    const band = fusedAttention(plan, headDim(c)) ? 4 * D * causalPairs(n, w) : Math.ceil(n / w) * 8 * w * w * D;
    const attention = n <= w ? 4 * n * n * D : band;
    return 4 * mm(n, D, D) + attention;
  },
  step(c, p) {
    const D = c.hiddenDim;
    return 4 * mm(1, D, D) + 4 * (Math.min(c.windowSize, p) + 1) * D;
  },
  backward(c, n, batch, plan) {
    const d = headDim(c);
    if (!fusedAttention(plan, d) || n <= c.windowSize) return 2 * this.forward(c, n, batch, plan);
    return 2 * 4 * mm(n, c.hiddenDim, c.hiddenDim) + c.numHeads * fusedAttentionBackward(n, d, d, c.windowSize);
  },
};

/**
 * The sum of `work` over the groups of whole chunks a chunked attention's forward runs in
 * (models/ops/scan.ts: plan.groupRows rows each): each group of L tokens in C chunks of
 * B = min(chunkSize, L), the first group flagged.
 */
function sumOverGroups(
  c: ModelConfig,
  n: number,
  batch: number,
  plan: ExecutionPlan,
  work: (L: number, B: number, C: number, first: boolean) => number,
): number {
  const groupLength = chunksPerGroup(plan.groupRows, batch, c.chunkSize) * c.chunkSize;
  let total = 0;
  for (let start = 0; start < n; start += groupLength) {
    const L = Math.min(groupLength, n - start);
    const B = Math.min(c.chunkSize, L);
    total += work(L, B, Math.ceil(L / B), start === 0);
  }
  return total;
}

/**
 * Linear, chunkwise with values widened to [v, 1] (d + 1 columns), the heads padded to C*B tokens
 * after the projections: q, k, v, out 8 n D^2, and per head and chunk phi(Q) phi(K)^T 2 B^2 d,
 *   masked scores @ [V, 1] 2 B^2 (d+1), chunk sums phi(K)^T [V, 1] 2 B d (d+1), phi(Q) @ earlier sums 2 B d (d+1).
 * with B = min(chunkSize, n): fewer tokens than a chunk form one chunk of their own size, so a
 * single-token step is the same computation with B = 1. The prefix sums run per group of chunks
 * (plan.groupRows rows), each group but the first after the carried sums, as does every step but
 * the first. Where the backend runs it as its fused kernel (the recurrence token by token), per head
 * and token phi(k) [v, 1]^T into [S | z] and phi(q)^T [S | z]: 4 d (d + 1).
 */
function linearWork(
  c: ModelConfig,
  n: number,
  batch: number,
  plan: ExecutionPlan,
  carriedFirst: boolean,
  prefixTimes = 1,
): number {
  const D = c.hiddenDim;
  const d = headDim(c);
  if (tf.getKernel(LINEAR_ATTENTION, plan.backend) !== undefined && linearAttentionTakes(d))
    return 4 * mm(n, D, D) + c.numHeads * n * 4 * d * (d + 1);
  return sumOverGroups(c, n, batch, plan, (L, B, C, first) => {
    const perChunk = mm(B, d, B) + mm(B, B, d + 1) + mm(d, B, d + 1) + mm(B, d, d + 1);
    return (
      4 * mm(L, D, D) +
      c.numHeads * (C * perChunk + prefixTimes * prefixSum(plan, C, d * (d + 1), !first || carriedFirst))
    );
  });
}

/**
 * The backward: every product twice but the prefix sums' (a constant triangular matrix times the
 * chunk sums: only the chunk sums' gradient), once.
 */
const linear: AttentionCost = {
  forward: (c, n, batch, plan) => linearWork(c, n, batch, plan, false),
  step: (c, p, plan) => linearWork(c, 1, 1, plan, p > 0),
  // Fused, the kernel's gradient is its chunkwise composite's (chunks of 32, prefix sums by products
  // after the state given) recomputed and differentiated, per call (group of tokens).
  backward(c, n, batch, plan) {
    const D = c.hiddenDim;
    const d = headDim(c);
    if (tf.getKernel(LINEAR_ATTENTION, plan.backend) === undefined || !linearAttentionTakes(d))
      return 2 * linearWork(c, n, batch, plan, false, 0.5);
    const groupLength = chunksPerGroup(plan.groupRows, batch, c.chunkSize) * c.chunkSize;
    let composite = 0;
    for (let start = 0; start < n; start += groupLength) {
      const L = Math.min(groupLength, n - start);
      const B = Math.min(32, L);
      const C = Math.ceil(L / B);
      const perChunk = mm(B, d, B) + mm(B, B, d + 1) + mm(d, B, d + 1) + mm(B, d, d + 1);
      composite += 3 * C * perChunk + 2 * mm(C, C + 1, d * (d + 1));
    }
    return 2 * 4 * mm(n, D, D) + c.numHeads * composite;
  },
};

/**
 * The products of (I + A)^-1 for one b x b matrix (models/ops/triangular.ts): with the backend's
 * kernel counted as row-by-row forward substitution, sum_{i<b} 2 i b = b^2 (b - 1) (on wasm a JS
 * kernel that skips the zero upper triangle does about a third of that); by blocks, on b padded to
 * a power of two P, two s x s x s products per pair of blocks at each level: sum_{s<P} 2 P s^2.
 */
function unitLowerInverseWork(b: number, plan: ExecutionPlan): number {
  if (tf.getKernel(UNIT_LOWER_INVERSE, plan.backend)) return b * b * (b - 1);
  let P = 1;
  while (P < b) P *= 2;
  let total = 0;
  for (let s = 1; s < P; s *= 2) total += 2 * P * s * s;
  return total;
}

/**
 * DeltaNet, chunkwise WY/UT form with chunk b = min(B, n), C = ceil(n / b), per head and chunk:
 *   K K^T and Q K^T 4 b^2 d, the inverse (unitLowerInverseWork), W = T K and
 *   U = T V 4 b^2 d, then W M, Q M and K^T Delta 6 b d^2 and the masked scores @ Delta 2 b^2 d:
 *   10 b^2 d + b^2 (b - 1) + 6 b d^2, plus the projections 8 n D^2 (and 2 n D h for learnedBeta).
 * Where the backend runs the delta rule as its fused kernel (the recurrence token by token), per
 * head and token M^T k, the rank-one write and M^T q: 6 d^2.
 * A single-token step is the same with n = 1 (b = 1): 8 D^2 + h (10 d + 6 d^2), fused 8 D^2 + 6 h d^2.
 */
const deltaNet: AttentionCost = {
  forward(c, n, batch, plan) {
    const D = c.hiddenDim;
    const d = headDim(c);
    const fused = tf.getKernel(DELTA_RULE, plan.backend) !== undefined && deltaRuleTakes(d);
    const chunkWork = fused
      ? 6 * n * d * d
      : sumOverGroups(
          c,
          n,
          batch,
          plan,
          (_L, b, C) => C * (10 * b * b * d + unitLowerInverseWork(b, plan) + 6 * b * d * d),
        );
    return 4 * mm(n, D, D) + (c.learnedBeta ? mm(n, D, c.numHeads) : 0) + c.numHeads * chunkWork;
  },
  step(c, _p, plan) {
    return deltaNet.forward(c, 1, 1, plan);
  },
  /**
   * The backward. Chunkwise: each product twice, except the first chunk's W M (M the initial state,
   * a constant: W's gradient only), the last chunk's state update (its result is not used: none),
   * and in each inverse, with the backend's kernel its gradient's two b x b products (4 b^3), by
   * blocks the first level's products (by ones, constant: once, 2 P flops less). Fused, the backward
   * kernel (DELTA_RULE_GRAD; docs/architectures.md section 4, "The backward") per head and token: the
   * errors' walk m . k and the write 4 d^2, the walk back with g (g += dO q, g . k, g -= beta dw k)
   * 6 d^2, two walks over M's rows (the write and M . dO; M . dw and the write) 4 d^2 each and one
   * over G's (G += q dO, G . w, G -= beta k dw) 6 d^2: 24 d^2.
   */
  backward(c, n, batch, plan) {
    const D = c.hiddenDim;
    const d = headDim(c);
    const projections = 2 * (4 * mm(n, D, D) + (c.learnedBeta ? mm(n, D, c.numHeads) : 0));
    if (tf.getKernel(DELTA_RULE, plan.backend) !== undefined && deltaRuleTakes(d))
      return projections + c.numHeads * 24 * n * d * d;
    const kernel = tf.getKernel(UNIT_LOWER_INVERSE, plan.backend) !== undefined;
    const inverseBackward = (b: number) => {
      if (kernel) return 4 * b * b * b;
      let P = 1;
      while (P < b) P *= 2;
      return 2 * unitLowerInverseWork(b, plan) - 2 * P;
    };
    const chunks = (b: number, C: number) => C * (10 * b * b * d + 6 * b * d * d);
    const groupLength = chunksPerGroup(plan.groupRows, batch, c.chunkSize) * c.chunkSize;
    const lastB = Math.min(c.chunkSize, n - Math.floor((n - 1) / groupLength) * groupLength);
    const chunkwise = sumOverGroups(
      c,
      n,
      batch,
      plan,
      (_L, b, C, first) => 2 * chunks(b, C) + C * inverseBackward(b) - (first ? mm(b, d, d) : 0),
    );
    return projections + c.numHeads * (chunkwise - 2 * mm(d, lastB, d));
  },
};

/**
 * GAU, one head of size E, padded to C*B tokens after the projections (B = min(chunkSize, n), as Linear's): q, k, v, gate 8 n D E, out 2 n E D;
 * per chunk local softmax 4 B^2 E, chunk state K^T V 2 B E^2 and q @ earlier states 2 B E^2; and the
 * prefix sums of the chunk states, per group of G chunks (G = chunksPerGroup(plan.groupRows, batch,
 * B, plan.gauChunksPerGroup)) one [G, G (+1 for the carry after the first group)] @ [G (+1), E^2]
 * product where the plan takes prefix sums by products.
 * Step at p (f = p mod B filled, J = floor(p / B) chunks done): 8 D E + 2 E D + 4 (f + 1) E,
 * + 2 E^2 when J >= 1 (q @ past sum), + 2 B E^2 when the step closes its chunk.
 */
const gau: AttentionCost = {
  forward(c, n, batch, plan) {
    const D = c.hiddenDim;
    const E = c.expansionFactor * D;
    const B = Math.min(c.chunkSize, n);
    const C = Math.ceil(n / B);
    const G = chunksPerGroup(plan.groupRows, batch, B, plan.gauChunksPerGroup);
    let prefix = 0;
    for (let first = 0; first < C; first += G) prefix += prefixSum(plan, Math.min(G, C - first), E * E, first > 0);
    return 4 * mm(n, D, E) + mm(n, E, D) + C * (4 * B * B * E + mm(E, B, E) + mm(B, E, E)) + prefix;
  },
  // Every product twice but the prefix sums' (a constant matrix times the states), once.
  backward(c, n, batch, plan) {
    const E = c.expansionFactor * c.hiddenDim;
    const C = Math.ceil(n / c.chunkSize);
    const G = chunksPerGroup(plan.groupRows, batch, c.chunkSize, plan.gauChunksPerGroup);
    let prefix = 0;
    for (let first = 0; first < C; first += G) prefix += prefixSum(plan, Math.min(G, C - first), E * E, first > 0);
    return 2 * this.forward(c, n, batch, plan) - prefix;
  },
  step(c, p) {
    const D = c.hiddenDim;
    const E = c.expansionFactor * D;
    const B = c.chunkSize;
    const f = p % B;
    const J = Math.floor(p / B);
    return (
      4 * mm(1, D, E) + mm(1, E, D) + 4 * (f + 1) * E + (J >= 1 ? mm(1, E, E) : 0) + (f + 1 === B ? mm(E, B, E) : 0)
    );
  },
};

/**
 * BSBR on the input padded to C*B tokens (B = min(chunkSize, n), as Linear's), S = D/cf with compression (d^2 without):
 *   q, k, v 6 C B D^2, out 2 n D^2, local softmax 4 C B^2 D (fused: its causal pairs, 2 C B (B + 1) D),
 *   chunk states K^T V 2 C B d D,
 *   compress and decompress 2 h C d^2 S each (with compression), meta keys and meta queries
 *   2 C D^2 each, r . h 2 C^2 D, alpha @ states 2 h C^2 S, q @ G 2 C B d D.
 * Step at p (f = p mod B, J = floor(p / B) chunks done): 8 D^2 + 4 (f + 1) D, + 2 d D (q @ G) when
 * J >= 1; a chunk's first token (f = 0, J >= 1) retrieves: 2 D^2 + 2 J D + 2 h J S (+ 2 h S d^2
 * decompress); its last token (f = B - 1) closes it: 2 B d D + 2 D^2 (+ 2 h d^2 S compress).
 * Where the backend runs the chunkwise form as its fused kernels (models/ops/bsbr_attention.ts,
 * fusedBsbr), the retrieval scores and mixes only the C (C - 1) / 2 pairs of a chunk and an earlier
 * one, 2 (d + S) each per head, and the local softmax its causal pairs; the rest is as above.
 */
const bsbr: AttentionCost = {
  forward(c, n, _batch, plan) {
    const D = c.hiddenDim;
    const h = c.numHeads;
    const d = headDim(c);
    const B = Math.min(c.chunkSize, n);
    const C = Math.ceil(n / B);
    const S = c.compressionFactor ? D / c.compressionFactor : d * d;
    const compression = c.compressionFactor ? 2 * mm(h * C, d * d, S) : 0;
    const fused =
      [CHUNK_STATES, RETRIEVE, CHUNK_ATTENTION].every((name) => tf.getKernel(name, plan.backend) !== undefined) &&
      chunkAttentionTakes(d);
    if (fused) {
      return (
        3 * mm(C * B, D, D) +
        mm(n, D, D) +
        4 * D * C * causalPairs(B) +
        h * C * mm(d, B, d) +
        compression +
        2 * mm(C, D, D) +
        h * ((C * (C - 1)) / 2) * 2 * (d + S) +
        h * C * mm(B, d, d)
      );
    }
    const local = fusedAttention(plan, d) ? 4 * D * C * causalPairs(B) : 4 * C * B * B * D;
    return (
      3 * mm(C * B, D, D) +
      mm(n, D, D) +
      local +
      h * C * mm(d, B, d) +
      compression +
      2 * mm(C, D, D) +
      h * mm(C, d, C) +
      h * mm(C, C, S) +
      h * C * mm(B, d, d)
    );
  },
  step(c, p) {
    const D = c.hiddenDim;
    const h = c.numHeads;
    const d = headDim(c);
    const B = c.chunkSize;
    const f = p % B;
    const J = Math.floor(p / B);
    const S = c.compressionFactor ? D / c.compressionFactor : d * d;
    const compressOne = c.compressionFactor ? mm(h, d * d, S) : 0;
    let flops = 4 * mm(1, D, D) + 4 * (f + 1) * D + (J >= 1 ? h * mm(1, d, d) : 0);
    if (f === 0 && J >= 1) flops += mm(1, D, D) + h * mm(1, d, J) + h * mm(1, J, S) + compressOne;
    if (f + 1 === B) flops += h * mm(d, B, d) + compressOne + mm(1, D, D);
    return flops;
  },
  /**
   * With the three fused kernels, each kernel's gradient is its composite's (models/ops/bsbr_attention.ts)
   * recomputed and differentiated, per group of G chunks over the J = g0 + G chunks up to it: chunk
   * states h G 2 B d^2, retrieval h (2 G d J + 2 G J S) dense, chunk attention h G (4 B^2 d + 2 B d^2),
   * three times each; the other products twice. With the causal attention kernel alone, its own
   * backward in every chunk.
   */
  backward(c, n, batch, plan) {
    const d = headDim(c);
    const h = c.numHeads;
    const fused =
      [CHUNK_STATES, RETRIEVE, CHUNK_ATTENTION].every((name) => tf.getKernel(name, plan.backend) !== undefined) &&
      chunkAttentionTakes(d);
    if (fused) {
      const B = Math.min(c.chunkSize, n);
      const C = Math.ceil(n / B);
      const S = c.compressionFactor ? c.hiddenDim / c.compressionFactor : d * d;
      const kernels =
        h * C * mm(d, B, d) +
        h * ((C * (C - 1)) / 2) * 2 * (d + S) +
        4 * c.hiddenDim * C * causalPairs(B) +
        h * C * mm(B, d, d);
      const perGroup = chunksPerGroup(plan.groupRows, batch, c.chunkSize);
      let composites = 0;
      for (let g0 = 0; g0 < C; g0 += perGroup) {
        const G = Math.min(perGroup, C - g0);
        const J = g0 + G;
        composites += h * (G * mm(d, B, d) + mm(G, d, J) + mm(G, J, S) + G * (2 * mm(B, d, B) + mm(B, d, d)));
      }
      return 2 * (this.forward(c, n, batch, plan) - kernels) + 3 * composites;
    }
    const B = c.chunkSize;
    if (!fusedAttention(plan, d)) return 2 * this.forward(c, n, batch, plan);
    const C = Math.ceil(n / B);
    const local = C * c.numHeads * fusedAttentionBackward(B, d, d);
    return 2 * (this.forward(c, n, batch, plan) - 4 * c.hiddenDim * C * causalPairs(B)) + local;
  },
};

const COSTS: Record<ModelName, AttentionCost> = {
  Standard: standard,
  SlidingWindow: slidingWindow,
  Linear: linear,
  DeltaNet: deltaNet,
  Hopfield: hopfield,
  GAU: gau,
  BSBR: bsbr,
};

/** The cost of an architecture named in any case; undefined for one the cost model does not know. */
function costOf(model: string): AttentionCost | undefined {
  const name = canonicalModelName(model);
  return name === undefined ? undefined : COSTS[name];
}

/** Whether the cost model knows this architecture. */
export function hasCostModel(model: string): boolean {
  return costOf(model) !== undefined;
}

function knownCost(model: string): AttentionCost {
  const cost = costOf(model);
  if (cost === undefined) throw new Error(`no cost model for model '${model}'`);
  return cost;
}

/** The feed-forward of one layer on `tokens` tokens: Linear(D, ff) and Linear(ff, D). */
function feedForward(c: ModelConfig, tokens: number): number {
  return mm(tokens, c.hiddenDim, c.ffDim) + mm(tokens, c.ffDim, c.hiddenDim);
}

/** A whole forward pass over [batch, n] tokens. */
export function forwardFlops(model: string, c: ModelConfig, n: number, batch: number, plan: ExecutionPlan): number {
  return batch * c.numLayers * (knownCost(model).forward(c, n, batch, plan) + feedForward(c, n));
}

/**
 * One training step over [batch, n] tokens (models/model.ts loss() under tf.variableGrads): the
 * forward; the tied head's logits 2 n D V; the backward, in which each layer is first recomputed
 * (its forward again) and then each forward product costs two (the gradients of both operands; an
 * architecture's backward() states where it differs), and the head is recomputed and costs two.
 * So train = 2 forward + the layers' backward + 4 heads, about 4 forwards.
 */
export function trainFlops(model: string, c: ModelConfig, n: number, batch: number, plan: ExecutionPlan): number {
  const cost = knownCost(model);
  const attention = cost.forward(c, n, batch, plan);
  const backward = cost.backward ? cost.backward(c, n, batch, plan) : 2 * attention;
  const ff = feedForward(c, n);
  const head = mm(n, c.hiddenDim, c.vocabSize);
  return batch * (c.numLayers * (2 * (attention + ff) + backward + 2 * ff) + 4 * head);
}

/** One single-token step() of a whole model for the token at position p (context of p tokens). */
export function stepFlops(model: string, c: ModelConfig, p: number, batch: number, plan: ExecutionPlan): number {
  return batch * c.numLayers * (knownCost(model).step(c, p, plan) + feedForward(c, 1));
}

/**
 * The flops of one measured call of a case, or null for an architecture without a cost model.
 * Decode: the mean over the timed steps, which run at positions n + warmup .. n + warmup + repeats - 1
 * (the chunked models' steps differ by position).
 */
export function caseFlops(
  model: string,
  mode: Mode,
  c: ModelConfig,
  n: number,
  batch: number,
  warmup: number,
  repeats: number,
  plan: ExecutionPlan,
): number | null {
  if (!hasCostModel(model)) return null;
  if (mode === 'forward') return forwardFlops(model, c, n, batch, plan);
  if (mode === 'train') return trainFlops(model, c, n, batch, plan);
  let total = 0;
  for (let i = 0; i < repeats; i++) total += stepFlops(model, c, n + warmup + i, batch, plan);
  return total / repeats;
}
