import { headDim, ModelConfig } from './config';
import { CACHE_BLOCK, QUERY_BLOCK } from './standard';
import { forwardArray, maskWhere, randomIds, TINY, useDefaultBackend, withModel } from './testing/harness';
import {
  dot, headSlice, Mat, naiveModelForward, naiveSoftmaxHeads, NaiveAttention, relativeError, softmaxOver, vecMat, zeros,
} from './testing/naive';

useDefaultBackend();

/**
 * Hopfield straight from architectures.md section 5, with loops: beta_h = 1 / (temperature sqrt(d));
 * xi_0 = q_t, xi_i = sum_{s<=t} softmax_s(beta_h xi_{i-1} . k_s) k_s, o_t = sum_{s<=t} softmax_s(beta_h xi_last . k_s) v_s,
 * over unmasked s.
 */
const naiveHopfield: NaiveAttention = (w, prefix, x, mask, config) => {
  const d = headDim(config);
  const beta = 1 / (config.temperature * Math.sqrt(d));
  const q = w.linear(`${prefix}.q_proj`, x);
  const k = w.linear(`${prefix}.k_proj`, x);
  const v = w.linear(`${prefix}.v_proj`, x);
  const out = zeros(x.length, config.hiddenDim);
  for (let h = 0; h < config.numHeads; h++) {
    const [qh, kh, vh] = [q, k, v].map((m) => headSlice(m, h, d));
    for (let t = 0; t < x.length; t++) {
      const allowed = kh.map((_, s) => s <= t && mask[s] !== 0);
      const weights = (xi: number[]) => softmaxOver(kh.map((ks) => beta * dot(xi, ks)), allowed);
      let xi = qh[t];
      for (let i = 1; i < config.updateSteps; i++) xi = vecMat(weights(xi), kh);
      const o = vecMat(weights(xi), vh);
      for (let j = 0; j < d; j++) out[t][h * d + j] = o[j];
    }
  }
  return w.linear(`${prefix}.out_proj`, out);
};

/** Standard attention with queries scaled by 1 / (temperature sqrt(d)). */
const naiveTemperedStandard: NaiveAttention = (w, prefix, x, mask, config) => {
  const scale = 1 / (config.temperature * Math.sqrt(headDim(config)));
  const heads: Mat = naiveSoftmaxHeads(
    w.linear(`${prefix}.q_proj`, x), w.linear(`${prefix}.k_proj`, x), w.linear(`${prefix}.v_proj`, x),
    mask, config.numHeads, scale, () => true,
  );
  return w.linear(`${prefix}.out_proj`, heads);
};

const VARIANTS: Array<Partial<ModelConfig>> = [1, 2, 3].flatMap((updateSteps) => [1, 0.5].map((temperature) => ({ updateSteps, temperature })));

describe.each(VARIANTS)('Hopfield %j efficient form equals the naive formula', (variant) => {
  const config = { ...TINY, ...variant };

  it.each([1, 4, 7, 13])('n=%i', (n) => {
    withModel('Hopfield', config, (model) => {
      const ids = randomIds(2, n, 50, n);
      expect(relativeError(forwardArray(model, ids), naiveModelForward(model, ids, null, naiveHopfield))).toBeLessThan(1e-4);
    });
  });

  it.each([
    ['holes', (b: number, t: number) => (b === 0 ? t % 3 === 1 : t === 5 || t === 6 || t === 12)],
    ['a masked prefix', (b: number, t: number) => (b === 0 ? t < 4 : t < 2 || t === 9)],
  ])('with a padding mask (%s)', (_, holes) => {
    withModel('Hopfield', config, (model) => {
      const n = 14;
      const ids = randomIds(2, n, 50, 3);
      const mask = maskWhere(2, n, holes);
      const real = (b: number, t: number) => mask[b][t] === 1;
      expect(relativeError(forwardArray(model, ids, mask), naiveModelForward(model, ids, mask, naiveHopfield), real)).toBeLessThan(1e-4);
    });
  });
});

describe('Hopfield', () => {
  it.each([1, 3])('across query blocks (n beyond one block of queries), updateSteps %i', (updateSteps) => {
    const config = { ...TINY, numLayers: 1, hiddenDim: 8, updateSteps, temperature: 0.5 };
    withModel('Hopfield', config, (model) => {
      const n = QUERY_BLOCK + 3;
      const ids = randomIds(1, n, 50, 11);
      expect(relativeError(forwardArray(model, ids), naiveModelForward(model, ids, null, naiveHopfield))).toBeLessThan(1e-4);
    });
  });

  it('with updateSteps 1 is Standard with a temperature (and exactly Standard at temperature 1)', () => {
    const ids = randomIds(2, 9, 50, 5);
    const tempered = { ...TINY, updateSteps: 1, temperature: 0.5 };
    withModel('Hopfield', tempered, (model) => {
      expect(relativeError(forwardArray(model, ids), naiveModelForward(model, ids, null, naiveTemperedStandard))).toBeLessThan(1e-4);
    });
    const hopfield = withModel('Hopfield', { ...TINY, updateSteps: 1 }, (model) => forwardArray(model, ids));
    const standard = withModel('Standard', TINY, (model) => forwardArray(model, ids));
    expect(relativeError(hopfield, standard)).toBeLessThan(1e-6);
  });

  it('more update steps change the output', () => {
    const ids = randomIds(1, 9, 50, 6);
    const one = withModel('Hopfield', { ...TINY, updateSteps: 1 }, (model) => forwardArray(model, ids));
    const three = withModel('Hopfield', { ...TINY, updateSteps: 3 }, (model) => forwardArray(model, ids));
    expect(relativeError(three, one)).toBeGreaterThan(1e-3);
  });
});

describe('Hopfield decode across cache blocks', () => {
  it('update steps over a cache of several blocks reproduce forward', () => {
    const config = { ...TINY, numLayers: 1, hiddenDim: 8, updateSteps: 3, temperature: 0.5 };
    withModel('Hopfield', config, (model) => {
      const n = CACHE_BLOCK + 30;
      const ids = randomIds(1, n, 50, 13);
      const expected = forwardArray(model, ids);
      const state = model.initState(1);
      const parts: number[][][][] = [];
      for (const [start, end] of [[0, CACHE_BLOCK - 5], [CACHE_BLOCK - 5, n]]) {
        const { hidden } = model.step(state, ids.map((row) => row.slice(start, end)));
        parts.push(hidden.arraySync() as number[][][]);
        hidden.dispose();
      }
      model.disposeState(state);
      expect(relativeError([parts.flatMap((part) => part[0])], expected)).toBeLessThan(1e-4);
    });
  });
});
