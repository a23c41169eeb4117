/**
 * The properties every architecture must have, run over all registered models on one backend:
 * agreement with the float64 reference, shapes, causality (with a check that later outputs do
 * move), decode equals forward, padding masks, exact parameter counts from the closed form, seeded
 * initialisation, no leaked tensors, config errors. Each backend's test file calls describeModelSuite.
 */
import { ConfigError, ModelConfig, resolveConfig } from '../config';
import { NAIVE_ATTENTIONS, relativeError } from '../ops/reference';
import { createModel, MODEL_NAMES, ModelName } from '../registry';
import { chunkEdgeMask, naiveError, TINY_LENGTHS } from './agreement';
import {
  forwardArray,
  liveTensors,
  maskWhere,
  randomIds,
  readAndDispose,
  testsOn,
  TestBackend,
  TINY,
  withModel,
} from './harness';

const linear = (i: number, o: number) => i * o + o;

/** Closed-form parameter count of one layer's attention, per architecture (architectures.md). */
const ATTENTION_PARAMS: Record<ModelName, (c: ModelConfig) => number> = {
  Standard: (c) => 4 * linear(c.hiddenDim, c.hiddenDim),
  BSBR: (c) => {
    const D = c.hiddenDim;
    const d = D / c.numHeads;
    const compression = c.compressionFactor
      ? linear(d * d, D / c.compressionFactor) + linear(D / c.compressionFactor, d * d)
      : 0;
    return 6 * linear(D, D) + compression;
  },
  Linear: (c) => 4 * linear(c.hiddenDim, c.hiddenDim),
  DeltaNet: (c) => 4 * linear(c.hiddenDim, c.hiddenDim) + (c.learnedBeta ? linear(c.hiddenDim, c.numHeads) : 0),
  SlidingWindow: (c) => 4 * linear(c.hiddenDim, c.hiddenDim),
  Hopfield: (c) => 4 * linear(c.hiddenDim, c.hiddenDim),
  GAU: (c) => {
    const E = c.expansionFactor * c.hiddenDim;
    return 4 * linear(c.hiddenDim, E) + linear(E, c.hiddenDim);
  },
};

/** Embedding + per layer (attention, two LayerNorms, feed-forward) + final LayerNorm. */
function expectedParams(name: ModelName, partial: Partial<ModelConfig>): number {
  const c = resolveConfig(partial);
  const D = c.hiddenDim;
  const perLayer = ATTENTION_PARAMS[name](c) + 2 * (2 * D) + linear(D, c.ffDim) + linear(c.ffDim, D);
  return c.vocabSize * D + c.numLayers * perLayer + 2 * D;
}

/** Per-model variants of the tiny config that switch on optional features. */
const VARIANTS: Partial<Record<ModelName, Partial<ModelConfig>[]>> = {
  BSBR: [{ compressionFactor: 2 }],
  DeltaNet: [{ learnedBeta: true }],
  Hopfield: [{ updateSteps: 3, temperature: 0.5 }],
};

const N = 13; // not a multiple of the chunk (4) or of window + 1

export function describeModelSuite(backend: TestBackend): void {
  /** Defines a test that runs on the backend, or is skipped saying why where the backend cannot run here (see testsOn). */
  const itOn = testsOn(backend);

  describe.each(
    MODEL_NAMES.flatMap((name) => [{}, ...(VARIANTS[name] ?? [])].map((variant) => [name, variant] as const)),
  )(`${backend}: %s %j`, (name, variant) => {
    const config = { ...TINY, ...variant };
    const naive = NAIVE_ATTENTIONS[name];

    itOn.each(TINY_LENGTHS)('equals the float64 reference at n = %i', async (n) => {
      await withModel(name, config, async (model) =>
        expect(await naiveError(model, randomIds(2, n, 50, n), null, naive)).toBeLessThan(1e-4),
      );
    });

    itOn(
      'equals the float64 reference under a padding mask (a masked first chunk, holes, a masked tail and middle chunk)',
      async () => {
        await withModel(name, config, async (model) =>
          expect(await naiveError(model, randomIds(3, 18, 50, 99), chunkEdgeMask(), naive)).toBeLessThan(1e-4),
        );
      },
    );

    itOn('gives finite hidden states [b, n, D]', async () => {
      await withModel(name, config, async (model) => {
        const out = model.forward(randomIds(2, N, 50, 1));
        expect(out.shape).toEqual([2, N, 16]);
        expect((await readAndDispose<number[][][]>(out)).flat(2).every(Number.isFinite)).toBe(true);
      });
    });

    itOn.each([6, 8])('is causal: changing tokens from %i on moves only outputs from there on', async (p) => {
      await withModel(name, config, async (model) => {
        const ids = randomIds(1, N, 50, 2);
        const changed = ids.map((row) => row.map((id, t) => (t >= p ? (id + 1 + t) % 50 : id)));
        const a = (await forwardArray(model, ids))[0];
        const b = (await forwardArray(model, changed))[0];
        const diff = a.map((row, t) => Math.max(...row.map((x, i) => Math.abs(x - b[t][i]))));
        for (let t = 0; t < p; t++) expect(diff[t]).toBeLessThan(1e-6);
        expect(diff[p]).toBeGreaterThan(1e-3);
        expect(diff[N - 1]).toBeGreaterThan(1e-3);
      });
    });

    itOn.each([[[1]], [[3, 1, 6, 1, 2]], [[N]], [[5, 8]]])(
      'decode in steps of %j reproduces forward',
      async (pattern) => {
        await withModel(name, config, async (model) => {
          const ids = randomIds(2, N, 50, 3);
          const expected = await forwardArray(model, ids);
          const state = model.initState(2);
          const parts: number[][][][] = [];
          for (let start = 0, i = 0; start < N; i++) {
            const m = Math.min(pattern[i % pattern.length], N - start);
            const { hidden } = model.step(
              state,
              ids.map((row) => row.slice(start, start + m)),
            );
            expect(hidden.shape).toEqual([2, m, 16]);
            parts.push(await readAndDispose(hidden));
            start += m;
          }
          model.disposeState(state);
          const stepped = expected.map((_, b) => parts.flatMap((part) => part[b]));
          expect(relativeError(stepped, expected)).toBeLessThan(1e-4);
        });
      },
    );

    itOn('gives a right-padded batch the outputs of the unpadded sequences', async () => {
      await withModel(name, config, async (model) => {
        const ids = randomIds(2, N, 50, 4);
        const lengths = [N, 7];
        const mask = maskWhere(2, N, (b, t) => t >= lengths[b]);
        const padded = await forwardArray(model, ids, mask);
        for (const [b, len] of lengths.entries()) {
          const alone = await forwardArray(model, [ids[b].slice(0, len)]);
          expect(
            relativeError(
              padded.slice(b, b + 1).map((seq) => seq.slice(0, len)),
              alone,
            ),
          ).toBeLessThan(1e-4);
        }
        expect(padded.flat(2).every(Number.isFinite)).toBe(true);
      });
    });

    itOn('ignores what stands at masked positions (holes anywhere, a fully masked first chunk)', async () => {
      await withModel(name, config, async (model) => {
        const ids = randomIds(2, N, 50, 5);
        const mask = maskWhere(2, N, (b, t) => (b === 0 ? t < 4 || t === 9 : t % 4 === 2));
        const other = ids.map((row, b) => row.map((id, t) => (mask[b][t] ? id : (id + 17) % 50)));
        const a = await forwardArray(model, ids, mask);
        const b = await forwardArray(model, other, mask);
        const real = (bi: number, t: number) => mask[bi][t] === 1;
        expect(relativeError(b, a, real)).toBeLessThan(1e-6);
        expect(b.flat(2).every(Number.isFinite)).toBe(true);
      });
    });

    itOn('has exactly the closed-form parameter count', async () => {
      await withModel(name, config, (model) => expect(model.countParams()).toBe(expectedParams(name, config)));
      const wide = { ...config, vocabSize: 1000, hiddenDim: 64, numHeads: 4, ffDim: 100, numLayers: 3 };
      await withModel(name, wide, (model) => expect(model.countParams()).toBe(expectedParams(name, wide)));
    });

    itOn('is seeded: the same seed gives the same weights, another seed others', async () => {
      const ids = randomIds(1, N, 50, 6);
      const a = await withModel(name, { ...config, seed: 1 }, (m) => forwardArray(m, ids));
      const b = await withModel(name, { ...config, seed: 1 }, (m) => forwardArray(m, ids));
      const c = await withModel(name, { ...config, seed: 2 }, (m) => forwardArray(m, ids));
      expect(b).toEqual(a);
      expect(relativeError(c, a)).toBeGreaterThan(1e-3);
    });

    itOn('leaves no tensors behind in forward, step and dispose', async () => {
      const before = liveTensors();
      await withModel(name, config, (model) => {
        const afterBuild = liveTensors();
        const ids = randomIds(2, N, 50, 7);
        model.forward(ids).dispose();
        model
          .forward(
            ids,
            maskWhere(2, N, (b, t) => b === 1 && t > 5),
          )
          .dispose();
        expect(liveTensors()).toBe(afterBuild);
        const state = model.initState(2);
        for (let t = 0; t < N; t += 3)
          model
            .step(
              state,
              ids.map((row) => row.slice(t, t + 3)),
            )
            .hidden.dispose();
        model.disposeState(state);
        expect(liveTensors()).toBe(afterBuild);
      });
      expect(liveTensors()).toBe(before);
    });
  });

  describe(`${backend}: configuration`, () => {
    itOn.each(MODEL_NAMES)('%s refuses bad configs with a message naming the field', async (name) => {
      const bad: Array<[Partial<ModelConfig>, RegExp]> = [
        [{ hiddenDim: 30, numHeads: 4 }, /numHeads must divide hiddenDim/],
        [{ chunkSize: 0 }, /chunkSize must be an integer in \[1, 65536\]/],
        [{ windowSize: -2 }, /windowSize must be an integer in \[1, 16777216\]/],
        [{ numLayers: 1.5 }, /numLayers must be an integer in \[1, 1024\]/],
        [{ dropout: 1 }, /dropout must be in \[0, 1\)/],
        [{ compressionFactor: 3, hiddenDim: 16, numHeads: 2 }, /compressionFactor must divide hiddenDim/],
        [{ temperature: 0 }, /temperature must be a number in \[0.000001, 1000000\]/],
        [{ beta: 1e30 }, /beta must be in \[0, 2\]/],
        [{ chunksize: 4 } as Partial<ModelConfig>, /chunksize is not a config field/],
      ];
      for (const [config, message] of bad) {
        expect(() => createModel(name, { ...TINY, ...config })).toThrow(ConfigError);
        expect(() => createModel(name, { ...TINY, ...config })).toThrow(message);
      }
    });

    itOn('createModel takes names in any case and lists the valid ones for an unknown name', async () => {
      await withModel('bsbr', TINY, (model) => expect(model.name).toBe('BSBR'));
      expect(() => createModel('Mamba')).toThrow(`unknown model 'Mamba' (valid: ${MODEL_NAMES.join(', ')})`);
    });

    it('every registered model has a closed-form parameter count and a reference here', () => {
      for (const name of MODEL_NAMES)
        expect([name, ATTENTION_PARAMS[name] !== undefined, NAIVE_ATTENTIONS[name] !== undefined]).toEqual([
          name,
          true,
          true,
        ]);
    });
  });
}
