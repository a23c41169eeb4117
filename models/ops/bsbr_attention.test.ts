/**
 * BSBR's attention: chunk groups after the states of earlier groups, and the streaming step over the
 * same tokens, against the float64 reference; metaRows against a loop over the mask.
 */
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll } from './state_tensors';
import { headSlice, Mat, vecMat } from './reference/arrays';
import { bsbrReference, metaTokens } from './reference/bsbr';
import { lcg, liveTensors, maskWhere, readAndDispose, testsOn, TEST_BACKENDS } from '../testing/harness';
import { Heads, headsError, joinSteps, opOptions, randomHeads, randomMatrix, readOp, stepSpans } from '../testing/ops';
import {
  bsbrChunkGroup,
  bsbrCloseChunk,
  bsbrInitialState,
  BSBROptions,
  bsbrStep,
  MetaProjections,
  metaRows,
} from './bsbr_attention';
import { splitHeads } from './heads';
import { stepThroughChunks } from './scan';

const [B, H, d, CHUNK] = [2, 2, 4, 4];
/** Compressed state size (instead of d*d = 16). */
const S = 6;

/** Row 0: a fully masked first chunk and a hole; row 1: holes and a masked tail. */
const MASK = (b: number, t: number) => (b === 0 ? t < CHUNK || t === 9 : t % 5 === 2 || t >= 17);

/** x [b, n, D] @ w [D, D']. */
const linearMap = (x: tf.Tensor, w: tf.Tensor2D) =>
  tf.reshape(tf.matMul(tf.reshape(x, [-1, w.shape[0]]), w), [...x.shape.slice(0, -1), w.shape[1]]);

/** Random q, k, v, the attention inputs x that the meta projections (R, H) read, and compression maps. */
function bsbrInputs(n: number, seed: number) {
  const next = lcg(seed);
  const [q, k, v] = [0, 1, 2].map(() => randomHeads(B, H, n, d, next));
  const x = Array.from({ length: B }, () => randomMatrix(n, H * d, next));
  const [R, Hm] = [0, 1].map(() => randomMatrix(H * d, H * d, next));
  const [compress, decompress] = [randomMatrix(d * d, S, next, -0.5, 0.5), randomMatrix(S, d * d, next, -0.5, 0.5)];
  return { q, k, v, x, R, H: Hm, compress, decompress };
}
type Inputs = ReturnType<typeof bsbrInputs>;

/** The reference per batch row and head, meta queries and keys from R and H at the tokens metaTokens picks. */
function reference(inputs: Inputs, valid: number[][], compressed: boolean) {
  const { q, k, v, x } = inputs;
  const compression = compressed
    ? {
        compress: (f: number[]) => vecMat(f, inputs.compress),
        decompress: (m: number[]) => vecMat(m, inputs.decompress),
      }
    : null;
  return q.map((qb, b) =>
    qb.map((qh, h) => {
      const meta = (W: Mat, t: number) => (t < 0 ? null : headSlice([vecMat(x[b][t], W)], h, d)[0]);
      const { keys, queries } = metaTokens(valid[b], CHUNK);
      const [metaKeys, metaQueries] = [keys.map((t) => meta(inputs.H, t)), queries.map((t) => meta(inputs.R, t))];
      return {
        ...bsbrReference(qh, k[b][h], v[b][h], valid[b], CHUNK, metaQueries, metaKeys, compression),
        metaKeys,
        metaQueries,
      };
    }),
  );
}

/** The op's options, with the compression maps as tensors when `compressed` (disposed by the caller). */
function bsbrOptions(inputs: Inputs, compressed: boolean): { options: BSBROptions; weights: tf.Tensor2D[] } {
  const weights = compressed ? [tf.tensor2d(inputs.compress), tf.tensor2d(inputs.decompress)] : [];
  const compression = compressed
    ? {
        compress: (f: tf.Tensor4D) => linearMap(f, weights[0]) as tf.Tensor4D,
        decompress: (m: tf.Tensor4D) => linearMap(m, weights[1]) as tf.Tensor4D,
      }
    : null;
  return { options: { chunkSize: CHUNK, headDim: d, fillOnHost: opOptions().fillOnHost, compression }, weights };
}

describe.each(TEST_BACKENDS)('BSBR attention on %s', (backend) => {
  const itOn = testsOn(backend);

  itOn.each([
    { n: 19, masked: true, compressed: false, group: 2 },
    { n: 16, masked: false, compressed: true, group: 2 },
    { n: 3, masked: false, compressed: false, group: 1 },
  ])(
    "chunk groups of $group chunks, each after the earlier groups' states: n = $n (mask: $masked, compressed: $compressed) equal the reference, the states too",
    async ({ n, masked, compressed, group }) => {
      const inputs = bsbrInputs(n, n + group);
      const valid = maskWhere(B, n, (b, t) => masked && MASK(b, t));
      const expected = reference(inputs, valid, compressed);
      const C = Math.ceil(n / CHUNK);
      // The op's inputs: whole chunks [b, h, C, B, d], padded and masked keys and values zeroed.
      const padded = (x: Heads, zeroMasked: boolean) =>
        tf.tensor5d(
          x.map((xb, b) =>
            xb.map((xh) =>
              Array.from({ length: C }, (_, c) =>
                Array.from({ length: CHUNK }, (_, i) => c * CHUNK + i).map((t) =>
                  t < n && (!zeroMasked || valid[b][t]) ? xh[t] : xh[0].map(() => 0),
                ),
              ),
            ),
          ),
        );
      const [q, k, v] = [padded(inputs.q, false), padded(inputs.k, true), padded(inputs.v, true)];
      const keyMask = masked
        ? tf.tensor5d(
            valid.map((row) => [
              Array.from({ length: C }, (_, c) => [Array.from({ length: CHUNK }, (_, i) => row[c * CHUNK + i] ?? 0)]),
            ]),
          )
        : null;
      // Per chunk [b, h, C, d], zero where there is none (existence says so).
      const perChunk = (key: 'metaKeys' | 'metaQueries') =>
        tf.tensor4d(expected.map((eb) => eb.map((e) => e[key].map((m) => m ?? new Array(d).fill(0)))));
      const [metaKeys, metaQueries] = [perChunk('metaKeys'), perChunk('metaQueries')];
      const exists = (key: 'keys' | 'queries') =>
        tf.tensor2d(valid.map((row) => metaTokens(row, CHUNK)[key].map((t) => (t < 0 ? 0 : 1))));
      const [keyExists, queryExists] = [exists('keys'), exists('queries')];
      const { options, weights } = bsbrOptions(inputs, compressed);
      const before = liveTensors();
      const earlier: tf.Tensor4D[] = [];
      const outputs: Heads[] = [];
      for (let g0 = 0; g0 < C; g0 += group) {
        const G = Math.min(group, C - g0);
        const [qg, kg, vg, maskg, queriesg] = [q, k, v, keyMask, metaQueries].map((t) =>
          t ? tf.slice(t, [0, 0, g0], [-1, -1, G]) : null,
        );
        const keysg = tf.slice(metaKeys, [0, 0, 0], [-1, -1, g0 + G]);
        const { output, states } = bsbrChunkGroup(
          qg as tf.Tensor5D,
          kg as tf.Tensor5D,
          vg as tf.Tensor5D,
          maskg as tf.Tensor5D | null,
          g0,
          queriesg as tf.Tensor4D,
          keysg,
          keyExists,
          queryExists,
          earlier,
          options,
        );
        outputs.push(await readAndDispose(output));
        earlier.push(states);
        disposeAll([qg, kg, vg, maskg, queriesg, keysg]);
      }
      const states = await Promise.all(earlier.map((s) => readAndDispose<Heads>(s)));
      expect(liveTensors()).toBe(before);
      const output = joinSteps(outputs).map((ob) => ob.map((oh) => oh.slice(0, n)));
      expect(
        headsError(
          output,
          expected.map((eb) => eb.map((e) => e.output)),
        ),
      ).toBeLessThan(1e-5);
      expect(
        headsError(
          joinSteps(states),
          expected.map((eb) => eb.map((e) => e.states)),
        ),
      ).toBeLessThan(1e-5);
      disposeAll([q, k, v, keyMask, metaKeys, metaQueries, keyExists, queryExists, ...weights]);
    },
  );

  itOn.each([
    { n: 19, steps: [1], compressed: false },
    { n: 19, steps: [3, 6, 2], compressed: true },
    { n: 8, steps: [8], compressed: false },
  ])(
    "steps of $steps: n = $n (compressed: $compressed) equal the reference, the finished chunks' states and meta keys too",
    async ({ n, steps, compressed }) => {
      const inputs = bsbrInputs(n, n * steps.length);
      const expected = reference(
        inputs,
        maskWhere(B, n, () => false),
        compressed,
      );
      const [q, k, v] = [inputs.q, inputs.k, inputs.v].map((t) => tf.tensor4d(t));
      const x = tf.tensor3d(inputs.x);
      const [R, Hm] = [tf.tensor2d(inputs.R), tf.tensor2d(inputs.H)];
      const meta: MetaProjections = {
        query: (xt) => splitHeads(linearMap(xt, R) as tf.Tensor3D, H),
        key: (xt) => splitHeads(linearMap(xt, Hm) as tf.Tensor3D, H),
      };
      const { options, weights } = bsbrOptions(inputs, compressed);
      const before = liveTensors();
      const state = bsbrInitialState();
      const parts: Heads[] = [];
      for (const [start, end] of stepSpans(n, steps)) {
        const xs = tf.slice(x, [0, start, 0], [-1, end - start, -1]);
        // As BSBRAttention.step: the step's tokens split where a chunk fills.
        const heads = (t: tf.Tensor4D, at: number, length: number) =>
          tf.slice(t, [0, 0, start + at, 0], [-1, -1, length, -1]);
        const outputs = stepThroughChunks(
          xs,
          CHUNK,
          state,
          (piece, at) =>
            bsbrStep(
              state,
              piece as tf.Tensor3D,
              heads(q, at, piece.shape[1]!),
              heads(k, at, piece.shape[1]!),
              heads(v, at, piece.shape[1]!),
              meta,
              options,
            ),
          () => bsbrCloseChunk(state, meta, options),
        );
        for (const o of outputs) parts.push(await readAndDispose(o));
        xs.dispose();
      }
      expect(
        headsError(
          joinSteps(parts),
          expected.map((eb) => eb.map((e) => e.output)),
        ),
      ).toBeLessThan(1e-5);
      const finished = Math.floor(n / CHUNK);
      expect(
        headsError(
          await readAndDispose(state.chunkStates!),
          expected.map((eb) => eb.map((e) => e.states.slice(0, finished))),
        ),
      ).toBeLessThan(1e-5);
      expect(
        headsError(
          await readAndDispose(state.metaKeys!),
          expected.map((eb) => eb.map((e) => e.metaKeys.slice(0, finished) as Mat)),
        ),
      ).toBeLessThan(1e-5);
      disposeAll([state.chunkKeys, state.chunkValues, state.retrieved, state.lastInput]);
      expect(liveTensors()).toBe(before);
      disposeAll([q, k, v, x, R, Hm, ...weights]);
    },
  );

  itOn.each([
    { n: 19, masked: true },
    { n: 19, masked: false },
    { n: 8, masked: true },
  ])(
    'metaRows for n = $n (mask: $masked) picks the tokens of the meta keys and queries that a loop over the mask picks',
    async ({ n, masked }) => {
      const valid = maskWhere(B, n, (b, t) => masked && MASK(b, t));
      const validTensor = masked ? tf.tensor2d(valid) : null;
      const rows = await readOp(() => metaRows(validTensor, B, n, CHUNK));
      const tokens = valid.map((row) => metaTokens(row, CHUNK));
      for (const [key, rowsOf, existsOf] of [
        ['keys', rows.keyRows, rows.keyExists],
        ['queries', rows.queryRows, rows.queryExists],
      ] as const) {
        expect(rowsOf).toEqual(tokens.flatMap((picked, b) => picked[key].map((t) => b * n + Math.max(t, 0))));
        expect(existsOf).toEqual(tokens.map((picked) => picked[key].map((t) => (t < 0 ? 0 : 1))));
      }
      validTensor?.dispose();
    },
  );
});
