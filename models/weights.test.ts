/**
 * getWeights / setWeights over every registered model: the original package's state-dict names
 * and shapes, nn.Linear's [out, in] convention, save-then-load through a safetensors file giving
 * bit-identical outputs, and all-or-nothing loading with one error listing every problem.
 */
import * as tf from '@tensorflow/tfjs-core';
import { headDim, ModelConfig, resolveConfig } from './config';
import { Linear } from './layers';
import { CausalLM } from './model';
import { ParamStore } from './params';
import { createModel, MODEL_NAMES } from './registry';
import { liveTensors, maskWhere, randomIds, TINY, useDefaultBackend, withModel } from './testing/harness';
import { exportWeights, importWeights, WeightsError } from './weights';

useDefaultBackend();

type Entry = [string, number[]];

/** nn.Linear(in, out) in a state dict: weight [out, in], bias [out]. */
const linear = (name: string, inFeatures: number, outFeatures: number): Entry[] => [
  [`${name}.weight`, [outFeatures, inFeatures]],
  [`${name}.bias`, [outFeatures]],
];
const projections = (p: string, names: string[], inFeatures: number, outFeatures: number): Entry[] =>
  names.flatMap((n) => linear(`${p}.${n}`, inFeatures, outFeatures));

/** Each architecture's attention entries, as the issue lists them. */
const ATTENTION: Record<string, (p: string, c: ModelConfig) => Entry[]> = {
  Standard: (p, c) => projections(p, ['q_proj', 'k_proj', 'v_proj', 'out_proj'], c.hiddenDim, c.hiddenDim),
  Linear: (p, c) => projections(p, ['q_proj', 'k_proj', 'v_proj', 'out_proj'], c.hiddenDim, c.hiddenDim),
  SlidingWindow: (p, c) => projections(p, ['q_proj', 'k_proj', 'v_proj', 'out_proj'], c.hiddenDim, c.hiddenDim),
  Hopfield: (p, c) => projections(p, ['q_proj', 'k_proj', 'v_proj', 'out_proj'], c.hiddenDim, c.hiddenDim),
  DeltaNet: (p, c) => [
    ...projections(p, ['q_proj', 'k_proj', 'v_proj', 'out_proj'], c.hiddenDim, c.hiddenDim),
    ...(c.learnedBeta ? linear(`${p}.beta_proj`, c.hiddenDim, c.numHeads) : []),
  ],
  BSBR: (p, c) => {
    const d = headDim(c);
    const cf = c.compressionFactor;
    return [
      ...projections(
        p,
        ['q_proj', 'k_proj', 'v_proj', 'out_proj', 'meta_r_proj', 'meta_h_proj'],
        c.hiddenDim,
        c.hiddenDim,
      ),
      ...(cf
        ? [
            ...linear(`${p}.compress_proj`, d * d, c.hiddenDim / cf),
            ...linear(`${p}.decompress_proj`, c.hiddenDim / cf, d * d),
          ]
        : []),
    ];
  },
  GAU: (p, c) => {
    const E = c.expansionFactor * c.hiddenDim;
    return [
      ...projections(p, ['q_proj', 'k_proj', 'v_proj', 'gate_proj'], c.hiddenDim, E),
      ...linear(`${p}.out_proj`, E, c.hiddenDim),
    ];
  },
};

/** The whole state dict of the original package (without its pos_encoding.pe buffer). */
function expectedStateDict(name: string, partial: Partial<ModelConfig>): Entry[] {
  const c = resolveConfig(partial);
  const D = c.hiddenDim;
  const norm = (n: string): Entry[] => [
    [`${n}.weight`, [D]],
    [`${n}.bias`, [D]],
  ];
  const layers = Array.from({ length: c.numLayers }, (_, i) => [
    ...ATTENTION[name](`layers.${i}.attention`, c),
    ...norm(`layers.${i}.layer_norm1`),
    ...norm(`layers.${i}.layer_norm2`),
    ...linear(`layers.${i}.ff.0`, D, c.ffDim),
    ...linear(`layers.${i}.ff.3`, c.ffDim, D),
  ]);
  return [['embedding.weight', [c.vocabSize, D]], ...layers.flat(), ...norm('layer_norm')];
}

/** Every registered model with the tiny config, plus the options that add weights: [title, model, config]. */
const CASES: [string, string, Partial<ModelConfig>][] = [
  ...MODEL_NAMES.map((name): [string, string, Partial<ModelConfig>] => [name, name, TINY]),
  ...(MODEL_NAMES.includes('BSBR')
    ? [['BSBR (compressed)', 'BSBR', { ...TINY, compressionFactor: 2 }] as [string, string, Partial<ModelConfig>]]
    : []),
  ...(MODEL_NAMES.includes('DeltaNet')
    ? [['DeltaNet (learnedBeta)', 'DeltaNet', { ...TINY, learnedBeta: true }] as [string, string, Partial<ModelConfig>]]
    : []),
];

/** Hidden states as raw bits, so equality means bit-identical. */
function outputBits(model: CausalLM, ids: number[][], mask: number[][]): Uint32Array {
  const out = model.forward(ids, mask);
  const bits = new Uint32Array(Float32Array.from(out.dataSync()).buffer);
  out.dispose();
  return bits;
}

const disposeMap = (weights: Map<string, tf.Tensor>) => tf.dispose([...weights.values()]);

describe.each(CASES)('%s weights', (_title, name, config) => {
  it("has exactly the original state dict's names and shapes", async () => {
    await withModel(name, config, async (model) => {
      const weights = model.getWeights();
      const got = [...weights].map(([n, t]): Entry => [n, t.shape]);
      disposeMap(weights);
      const sortByName = (entries: Entry[]) => [...entries].sort((a, b) => (a[0] < b[0] ? -1 : 1));
      expect(sortByName(got)).toEqual(sortByName(expectedStateDict(name, config)));
      expect(got[0][0]).toBe('embedding.weight');
      expect(got[got.length - 1][0]).toBe('layer_norm.bias');
    });
  });

  it('getWeights of one model loaded into a differently seeded one: bit-identical outputs', async () => {
    const source = createModel(name, { ...config, seed: 1 });
    const target = createModel(name, { ...config, seed: 2 });
    try {
      const ids = randomIds(2, 11, TINY.vocabSize!, 3);
      const mask = maskWhere(2, 11, (b, t) => b === 1 && t % 4 === 2);
      const expected = outputBits(source, ids, mask);
      expect(outputBits(target, ids, mask)).not.toEqual(expected);
      const before = liveTensors();
      const saved = source.getWeights();
      target.setWeights(saved);
      disposeMap(saved);
      expect(liveTensors()).toBe(before);
      expect(outputBits(target, ids, mask)).toEqual(expected);
    } finally {
      source.dispose();
      target.dispose();
    }
  });
});

describe('loading checks everything first and loads all or nothing', () => {
  const ids = randomIds(1, 6, TINY.vocabSize!, 5);
  const ones = [[1, 1, 1, 1, 1, 1]];

  it('names the entry and both shapes of a wrong-shaped weight', async () => {
    await withModel('Standard', TINY, async (model) => {
      const weights = model.getWeights();
      const ff = weights.get('layers.0.ff.0.weight')!;
      weights.set('layers.0.ff.0.weight', tf.transpose(ff));
      ff.dispose();
      expect(() => model.setWeights(weights)).toThrow(
        new WeightsError(['wrong shape layers.0.ff.0.weight: expected [24, 16], got [16, 24]']),
      );
      disposeMap(weights);
    });
  });

  it('reports every missing, unexpected, mis-shaped and mis-typed entry in one error, changing nothing', async () => {
    await withModel('Standard', TINY, async (model) => {
      const before = outputBits(model, ids, ones);
      const other = createModel('Standard', { ...TINY, seed: 99 });
      const weights = other.getWeights();
      other.dispose();
      const drop = (n: string) => {
        weights.get(n)!.dispose();
        weights.delete(n);
      };
      drop('layers.1.layer_norm2.bias');
      drop('layers.0.attention.v_proj.weight');
      weights.set('layers.0.attention.v_proj.weight', tf.zeros([16, 15]));
      drop('layer_norm.weight');
      weights.set('layer_norm.weight', tf.ones([16], 'int32'));
      weights.set('lm_head.weight', tf.zeros([50, 16]));
      let error: WeightsError | undefined;
      try {
        model.setWeights(weights);
      } catch (err) {
        error = err as WeightsError;
      }
      expect(error).toBeInstanceOf(WeightsError);
      expect(error!.problems).toEqual([
        'missing layers.1.layer_norm2.bias [16]',
        'wrong shape layers.0.attention.v_proj.weight: expected [16, 16], got [16, 15]',
        'wrong dtype layer_norm.weight: expected float32, got int32',
        'unexpected lm_head.weight [50, 16]',
      ]);
      expect(error!.message).toMatch(
        /^weights do not fit the model \(4 problems\): missing layers\.1\.layer_norm2\.bias \[16\]; /,
      );
      expect(outputBits(model, ids, ones)).toEqual(before);
      disposeMap(weights);
    });
  });

  it('ignores the original positional buffer pos_encoding.pe and accepts a plain record', async () => {
    await withModel('Standard', TINY, async (model) => {
      const other = createModel('Standard', { ...TINY, seed: 99 });
      const expected = outputBits(other, ids, ones);
      const weights = other.getWeights();
      other.dispose();
      weights.set('pos_encoding.pe', tf.zeros([1, 5000, 16]));
      model.setWeights(Object.fromEntries(weights));
      expect(model.parameterNames()).not.toContain('pos_encoding.pe');
      disposeMap(weights); // the model holds its own copies
      expect(outputBits(model, ids, ones)).toEqual(expected);
    });
  });

  it('getWeights hands out copies: disposing them leaves the model working', async () => {
    await withModel('Standard', TINY, async (model) => {
      const before = outputBits(model, ids, ones);
      disposeMap(model.getWeights());
      expect(outputBits(model, ids, ones)).toEqual(before);
    });
  });
});

describe('the nn.Linear convention', () => {
  it('a state-dict weight W [out, in] and bias b give y = x W^T + b, and export back unchanged', async () => {
    const store = new ParamStore(0);
    const layer = new Linear(store, 'proj', 3, 2);
    const w = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tf.tensor1d([0.5, -1]);
    importWeights(store, { 'proj.weight': w, 'proj.bias': b });
    const x = tf.tensor2d([
      [1, 0, -1],
      [2, 1, 0],
    ]);
    const y = layer.apply(x);
    expect(y.arraySync()).toEqual([
      [1 - 3 + 0.5, 4 - 6 - 1],
      [2 + 2 + 0.5, 8 + 5 - 1],
    ]);
    const exported = exportWeights(store);
    expect(exported.get('proj.weight')!.arraySync()).toEqual(w.arraySync());
    expect(exported.get('proj.bias')!.arraySync()).toEqual(b.arraySync());
    tf.dispose([w, b, x, y, ...exported.values()]);
    store.dispose();
  });
});
