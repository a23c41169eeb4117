import { mulberry32 } from '../../models/params';
import { checkMqarShape, gapProbabilities, generateMqar, IGNORED, MqarData, splitSeeds } from './mqar';

const V = 64;
const L = 48;
const KV = 6;

function example(data: MqarData, e: number) {
  const { seqLen, kvPairs } = data;
  return {
    inputs: Array.from(data.inputs.subarray(e * seqLen, (e + 1) * seqLen)),
    labels: Array.from(data.labels.subarray(e * seqLen, (e + 1) * seqLen)),
    queries: Array.from(data.queryPositions.subarray(e * kvPairs, (e + 1) * kvPairs)),
    answers: Array.from(data.answers.subarray(e * kvPairs, (e + 1) * kvPairs)),
  };
}

/** Pearson's chi-square of observed counts against expected probabilities. */
function chiSquare(counts: readonly number[], p: readonly number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((sum, c, i) => sum + (c - n * p[i]) ** 2 / (n * p[i]), 0);
}

describe('MQAR generator', () => {
  const data = generateMqar({ vocabSize: V, seqLen: L, kvPairs: KV, examples: 200, seed: 7 });

  it('opens with kv pairs: distinct keys in [1, V/2), distinct values in [V/2, V)', () => {
    for (let e = 0; e < data.examples; e++) {
      const { inputs } = example(data, e);
      const keys = inputs.filter((_, t) => t < 2 * KV && t % 2 === 0);
      const values = inputs.filter((_, t) => t < 2 * KV && t % 2 === 1);
      expect(new Set(keys).size).toBe(KV);
      expect(new Set(values).size).toBe(KV);
      for (const k of keys) expect(k >= 1 && k < V / 2).toBe(true);
      for (const v of values) expect(v >= V / 2 && v < V).toBe(true);
    }
  });

  it('queries each key exactly once after the pairs, and labels only the query positions with its value', () => {
    for (let e = 0; e < data.examples; e++) {
      const { inputs, labels, queries, answers } = example(data, e);
      const rest = inputs.slice(2 * KV);
      for (let i = 0; i < KV; i++) {
        const key = inputs[2 * i];
        expect(rest.filter((t) => t === key)).toHaveLength(1);
        expect(queries[i]).toBe(2 * KV + rest.indexOf(key));
        expect(inputs[queries[i]]).toBe(key);
        expect(labels[queries[i]]).toBe(inputs[2 * i + 1]);
        expect(answers[i]).toBe(inputs[2 * i + 1]);
      }
      // Every other position: ignored, and (zeros filler) a zero outside the pairs and queries.
      labels.forEach((label, t) => {
        if (!queries.includes(t)) expect(label).toBe(IGNORED);
        if (t >= 2 * KV && !queries.includes(t)) expect(inputs[t]).toBe(0);
      });
    }
  });

  it('fills the other positions with random tokens when asked, leaving pairs, queries and labels as they were', () => {
    const random = generateMqar({ vocabSize: V, seqLen: L, kvPairs: KV, examples: 200, seed: 7, filler: 'random' });
    expect(random.labels).toEqual(data.labels);
    expect(random.queryPositions).toEqual(data.queryPositions);
    let nonzero = 0;
    for (let e = 0; e < data.examples; e++) {
      const a = example(random, e);
      const b = example(data, e);
      a.inputs.forEach((t, i) => {
        if (i < 2 * KV || b.queries.includes(i)) expect(t).toBe(b.inputs[i]);
        else if (t !== 0) nonzero++;
      });
    }
    expect(nonzero).toBeGreaterThan(0.9 * data.examples * (L - 3 * KV));
  });

  it('draws the query gaps from the power law (chi-square at the 0.001 level, 30 degrees of freedom)', () => {
    // One pair: the single query's gap g (in slots of two positions) is drawn from p(g) ~ (g + 1)^-0.99.
    const n = 64;
    const one = generateMqar({ vocabSize: 100, seqLen: n, kvPairs: 1, examples: 20000, seed: 3 });
    const slots = (n - 2) / 2;
    const counts = new Array(slots).fill(0);
    for (let e = 0; e < one.examples; e++) counts[(one.queryPositions[e] - 2) / 2]++;
    const p = gapProbabilities(slots);
    const critical = 59.7; // chi-square 0.999 quantile, 30 degrees of freedom
    expect(chiSquare(counts, p)).toBeLessThan(critical);
    // The same test tells uniform gaps apart: it can fail.
    const next = mulberry32(3);
    const uniform = new Array(slots).fill(0);
    for (let e = 0; e < one.examples; e++) uniform[Math.floor(next() * slots)]++;
    expect(chiSquare(uniform, p)).toBeGreaterThan(critical);
    // Short gaps dominate: p(0) is about 31 times p(30).
    expect(p[0] / p[slots - 1]).toBeCloseTo(31 ** 0.99, 6);
  });

  it('gives the same data for the same seed, other data for another, and distinct train and test seeds', () => {
    const again = generateMqar({ vocabSize: V, seqLen: L, kvPairs: KV, examples: 200, seed: 7 });
    expect(again.inputs).toEqual(data.inputs);
    expect(again.labels).toEqual(data.labels);
    const other = generateMqar({ vocabSize: V, seqLen: L, kvPairs: KV, examples: 200, seed: 8 });
    expect(other.inputs).not.toEqual(data.inputs);
    for (const seed of [0, 1, 2, 12345, 2 ** 31 - 1]) {
      const { train, test } = splitSeeds(seed);
      expect(train).not.toBe(test);
      expect(splitSeeds(seed + 1).train).not.toBe(test);
    }
    // A fixed example, so that another machine or a change to the generator shows here.
    const tiny = generateMqar({ vocabSize: 16, seqLen: 8, kvPairs: 2, examples: 1, seed: 1 });
    expect(Array.from(tiny.inputs)).toEqual(FIXED_EXAMPLE);
  });

  it('refuses V <= L and 4 kv > L with messages that name them', () => {
    expect(() => checkMqarShape(64, 64, 4)).toThrow(
      'MQAR needs a vocabulary larger than the sequence (vocab 64, seq len 64)',
    );
    expect(() => checkMqarShape(100, 64, 17)).toThrow('MQAR needs 4 * kv pairs <= seq len (kv 17, seq len 64');
    expect(() => checkMqarShape(100, 64, 16)).not.toThrow();
    expect(() => generateMqar({ vocabSize: 32, seqLen: 32, kvPairs: 2, examples: 1, seed: 0 })).toThrow(
      'vocabulary larger',
    );
    expect(() => generateMqar({ vocabSize: 64, seqLen: 32, kvPairs: 0, examples: 1, seed: 0 })).toThrow(
      'kvPairs must be a positive integer',
    );
  });
});

/** Keys 5 and 1 with values 12 and 15; 1 is queried at position 4, 5 at 6. */
const FIXED_EXAMPLE = [5, 12, 1, 15, 1, 0, 5, 0];
