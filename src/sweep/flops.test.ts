import * as tf from '@tensorflow/tfjs-core';
import { ModelConfig, resolveConfig } from '../../models/config';
import { CausalLM } from '../../models/model';
import { createModel, MODEL_NAMES } from '../../models/registry';
import { planFor } from '../../models/plan';
import { randomIds, TEST_BACKENDS, testsOn } from '../../models/testing/harness';
import {
  BATCHED_MATMUL,
  CAUSAL_ATTENTION,
  CAUSAL_ATTENTION_GRAD,
  CHUNK_ATTENTION,
  CHUNK_STATES,
  DELTA_RULE,
  DELTA_RULE_GRAD,
  DENSE,
  LINEAR_ATTENTION,
  RETRIEVE,
  UNIT_LOWER_INVERSE,
} from '../../models/kernels/names';
import { caseFlops, forwardFlops, hasCostModel, stepFlops, trainFlops } from './flops';
import { trainingStep } from '../bench/measure';

const MATMUL_KERNELS = new Set(['BatchMatMul', '_FusedMatMul', BATCHED_MATMUL]);

/**
 * The matmul flops a call really performs, from TensorFlow.js's own record of the kernels it ran:
 * 2 * (output elements) * k, where the first operand's last two axes hold m * k values; the fused
 * causal attention 2 (d + e) per (query, key) pair its mask allows (a band of `window` for SlidingWindow);
 * the fused delta rule 6 d^2 (its backward 24 d^2) and the fused linear attention 4 d (d + 1) per token and head; BSBR's
 * fused chunk states, retrieval and chunk attention as each comment below says.
 */
async function countedFlops(call: () => tf.Tensor, window?: number): Promise<number> {
  const info = await tf.profile(() => {
    const out = call();
    out.dispose();
  });
  let flops = 0;
  for (const kernel of info.kernels) {
    if (kernel.name === UNIT_LOWER_INVERSE) {
      // Counted as the row-by-row forward substitution's products, b^2 (b - 1) per b x b matrix.
      const shape = kernel.inputShapes[0]!;
      const b = shape[shape.length - 1];
      flops += (shape.reduce((x, y) => x * y, 1) / (b * b)) * b * b * (b - 1);
      continue;
    }
    if (kernel.name === CAUSAL_ATTENTION || kernel.name === CAUSAL_ATTENTION_GRAD) {
      // Per pair the mask allows: forward q . k and p v; backward the scores in four passes, dO . v
      // in two, dq, dk and dv.
      const [[batch, L, d], [, S], [, , e]] = kernel.inputShapes as number[][];
      const perPair = kernel.name === CAUSAL_ATTENTION ? 2 * (d + e) : 12 * d + 6 * e;
      for (let i = 0; i < L; i++) {
        const position = S - L + i;
        flops += batch * perPair * (window === undefined ? position + 1 : Math.min(position, window) + 1);
      }
      continue;
    }
    if (kernel.name === DELTA_RULE) {
      // Per batch row, token and head: M^T k, the rank-one write and M^T q, 2 d^2 each.
      const [[batch, n, width], , , [, , h]] = kernel.inputShapes as number[][];
      flops += batch * n * h * 6 * (width / h) ** 2;
      continue;
    }
    if (kernel.name === DELTA_RULE_GRAD) {
      // Per batch row, token and head: the errors' walk 4 d^2, the walk back with g 6 d^2, two walks
      // over M's rows 4 d^2 each and one over G's 6 d^2.
      const [[batch, n, width], , , [, , h]] = kernel.inputShapes as number[][];
      flops += batch * n * h * 24 * (width / h) ** 2;
      continue;
    }
    if (kernel.name === LINEAR_ATTENTION) {
      // Per batch row, token and head: phi(k) [v, 1]^T into [S | z] and phi(q)^T [S | z], 2 d (d + 1) each.
      const [[batch, n, width], , , , [, h, d]] = kernel.inputShapes as number[][];
      flops += batch * n * h * 4 * d * (width / h + 1);
      continue;
    }
    if (kernel.name === CHUNK_STATES) {
      // Each entry of each chunk's K^T V: 2 B flops, B = n / chunks.
      const [[, n], [, , C]] = [kernel.inputShapes[0]!, kernel.outputShapes[0]!];
      flops += 2 * (n / C) * kernel.outputShapes[0]!.reduce((x, y) => x * y, 1);
      continue;
    }
    if (kernel.name === RETRIEVE) {
      // Chunks J - G .. J - 1 each against the chunks before it: 2 (d + S) per pair and head.
      const [[batch, G, width], [, J], [, h, , S]] = kernel.inputShapes as number[][];
      for (let g = 0; g < G; g++) flops += batch * h * (J - G + g) * 2 * (width / h + S);
      continue;
    }
    if (kernel.name === CHUNK_ATTENTION) {
      // Per head the causal pairs inside each chunk, 4 d each, and q^T G_c for every query, 2 d^2.
      const [[batch, n, width], , , , [, h, C]] = kernel.inputShapes as number[][];
      const [B, d] = [n / C, width / h];
      flops += batch * h * C * (((B * (B + 1)) / 2) * 4 * d + B * 2 * d * d);
      continue;
    }
    if (kernel.name === DENSE) {
      // x [..., K] @ weight [K, N]: 2 K N per row (the LayerNorm, activation and residual it fuses are not counted).
      const [x, [K, N]] = kernel.inputShapes as number[][];
      flops += 2 * (x.reduce((p, q) => p * q, 1) / K) * K * N;
      continue;
    }
    if (!MATMUL_KERNELS.has(kernel.name)) continue;
    const a = kernel.inputShapes[0]!;
    const out = kernel.outputShapes[0]!;
    const m = out[out.length - 2];
    const k = (a[a.length - 1] * a[a.length - 2]) / m;
    flops += 2 * out.reduce((x, y) => x * y, 1) * k;
  }
  return flops;
}

/** Every architecture's knobs away from their defaults where they change the work. */
const SMALL: Partial<ModelConfig> = {
  vocabSize: 20,
  hiddenDim: 8,
  numHeads: 2,
  ffDim: 12,
  numLayers: 2,
  chunkSize: 4,
  windowSize: 3,
  compressionFactor: 2,
  updateSteps: 2,
  learnedBeta: true,
  expansionFactor: 3,
  seed: 1,
};

test('every registered model has a cost model', () => {
  expect(MODEL_NAMES.filter((name) => !hasCostModel(name))).toEqual([]);
});

describe.each(TEST_BACKENDS)(
  "on %s, the cost model under the backend's plan counts exactly the matmuls each model performs",
  (backend) => {
    const itOn = testsOn(backend);

    describe.each(MODEL_NAMES)('%s', (name) => {
      const window = name === 'SlidingWindow' ? SMALL.windowSize : undefined;
      let model: CausalLM;
      beforeAll(() => {
        model = createModel(name, SMALL);
      });
      afterAll(() => model?.dispose());

      // 5 and 6: partial chunks and windows; 300: more than one Standard query block.
      itOn.each([1, 5, 6, 300])('forward over n = %i, batch 2', async (n) => {
        const ids = randomIds(2, n, 20, n);
        expect(await countedFlops(() => model.forward(ids), window)).toBe(
          forwardFlops(name, model.config, n, 2, model.plan),
        );
      });

      // 5: partial chunks and windows; 300: more than one Standard query block.
      itOn.each([5, 300])(
        'training step over n = %i, batch 2 (forward, layers recomputed, backward, head)',
        async (n) => {
          const ids = tf.tensor2d(randomIds(2, n, 20, n), undefined, 'int32');
          expect(await countedFlops(() => trainingStep(model, ids, 1), window)).toBe(
            trainFlops(name, model.config, n, 2, model.plan),
          );
          ids.dispose();
        },
      );

      itOn('single-token steps at positions 0 .. 9 (chunks opening and closing)', async () => {
        const state = model.initState(2);
        const ids = randomIds(2, 10, 20, 3);
        try {
          for (let p = 0; p < 10; p++) {
            const token = ids.map((row) => [row[p]]);
            expect([p, await countedFlops(() => model.step(state, token).hidden, window)]).toEqual([
              p,
              stepFlops(name, model.config, p, 2, model.plan),
            ]);
          }
        } finally {
          model.disposeState(state);
        }
      });
    });
  },
);

describe('the formulas, by hand (the wasm plan: query blocks of 256, prefix sums by products)', () => {
  const plan = planFor('wasm', 0);
  const c = resolveConfig({ hiddenDim: 4, numHeads: 2, ffDim: 8, numLayers: 1, chunkSize: 2, compressionFactor: 2 });

  test('Standard over 300 tokens: query blocks [0, 256) and [256, 300)', () => {
    // q, k, v, out 4 * 2*300*4*4 = 38400; scores and weights @ v 4*256*256*4 + 4*44*300*4 = 1259776;
    // feed-forward 2 * 2*300*4*8 = 38400.
    expect(forwardFlops('Standard', c, 300, 1, plan)).toBe(38400 + 1259776 + 38400);
  });

  test('BSBR over 3 tokens (two chunks of 2, the last padded), d = 2, compressed to S = 2', () => {
    // q, k, v 3 * 2*4*4*4 = 384; out 2*3*4*4 = 96; local 4*2*2*2*4 = 128; chunk states 2 heads * 2 chunks
    // * 2*2*2*2 = 64; compress + decompress 2 * 2*4*4*2 = 128; meta keys + queries 2 * 2*2*4*4 = 128;
    // r.h 2 * 2*2*2*2 = 32; alpha @ states 2 * 2*2*2*2 = 32; q @ G 2*2 * 2*2*2*2 = 64; feed-forward 2 * 2*3*4*8 = 384.
    expect(forwardFlops('BSBR', c, 3, 1, plan)).toBe(384 + 96 + 128 + 64 + 128 + 128 + 32 + 32 + 64 + 384);
  });

  test('a BSBR step that opens chunk 1 retrieves once', () => {
    // q, k, v, out 4 * 2*4*4 = 128; local over 1 key 4*1*4 = 16; q @ G 2 * 2*2*2 = 16;
    // retrieval: meta query 2*4*4 = 32, r.h 2 * 2*2*1 = 8, alpha @ states 2 * 2*1*2 = 8, decompress 2*2*2*4 = 32;
    // feed-forward 2 * 2*4*8 = 128.
    expect(stepFlops('BSBR', c, 2, 1, plan)).toBe(128 + 16 + 16 + 32 + 8 + 8 + 32 + 128);
  });

  test('DeltaNet over 4 tokens in two chunks of 2', () => {
    // per head and chunk 10*2*2*2 + 2*2*1 + 6*2*2*2 = 132, times 2 heads * 2 chunks; q, k, v, out 4 * 2*4*4*4 = 512;
    // feed-forward 2 * 2*4*4*8 = 512.
    expect(forwardFlops('DeltaNet', c, 4, 1, plan)).toBe(4 * 132 + 512 + 512);
  });

  test('a decode case counts the mean of its timed steps, which start after the warm-up', () => {
    const steps = [6, 7, 8].map((p) => stepFlops('BSBR', c, p, 1, plan));
    expect(caseFlops('BSBR', 'decode', c, 4, 1, 2, 3, plan)).toBe((steps[0] + steps[1] + steps[2]) / 3);
    expect(caseFlops('BSBR', 'forward', c, 4, 3, 2, 3, plan)).toBe(3 * forwardFlops('BSBR', c, 4, 1, plan));
  });
});
