/**
 * Plain float64 reference forms, written straight from architectures.md with loops, for the tests
 * to check the efficient TensorFlow.js forms against. Nothing here is fast or clever on purpose.
 */
import { ModelConfig } from '../../config';

/** What the references read of a model: its config and its weights by state-dict name (a CausalLM has both). */
export interface ReferenceSource {
  readonly config: ModelConfig;
  parameterNames(): string[];
  parameter(name: string): { array(): Promise<unknown> };
}

export type Vec = number[];
export type Mat = number[][];

/** A model's weights as plain arrays: matrices as [in][out] (as held), vectors as arrays. */
export class Weights {
  private constructor(
    private readonly model: ReferenceSource,
    private readonly cache: Map<string, Mat | Vec>,
  ) {}

  /** Reads every weight of the model (asynchronously: the webgpu backend has no synchronous read). */
  static async of(model: ReferenceSource): Promise<Weights> {
    const cache = new Map<string, Mat | Vec>();
    for (const name of model.parameterNames()) cache.set(name, (await model.parameter(name).array()) as Mat | Vec);
    return new Weights(model, cache);
  }

  matrix(name: string): Mat {
    return this.read(name) as Mat;
  }

  vector(name: string): Vec {
    return this.read(name) as Vec;
  }

  private read(name: string): Mat | Vec {
    const values = this.cache.get(name);
    if (!values) throw new Error(`no weight ${name}`);
    return values;
  }

  has(name: string): boolean {
    return this.model.parameterNames().includes(name);
  }

  /** The same weights with entry `index` (row-major) of weight `name` moved by delta (a copy: this is unchanged). */
  perturbed(name: string, index: number, delta: number): Weights {
    const values = this.read(name);
    const copy = (Array.isArray(values[0]) ? (values as Mat).map((row) => [...row]) : [...values]) as Mat | Vec;
    const cols = Array.isArray(copy[0]) ? (copy[0] as Vec).length : 0;
    if (cols) (copy as Mat)[Math.floor(index / cols)][index % cols] += delta;
    else (copy as Vec)[index] += delta;
    return new Weights(this.model, new Map(this.cache).set(name, copy));
  }

  /** Linear(prefix) applied to every row of x. */
  linear(prefix: string, x: Mat): Mat {
    const w = this.matrix(`${prefix}.weight`);
    const bias = this.vector(`${prefix}.bias`);
    return x.map((row) => bias.map((b, j) => row.reduce((acc, xi, i) => acc + xi * w[i][j], b)));
  }
}

export const dot = (a: Vec, b: Vec): number => a.reduce((acc, ai, i) => acc + ai * b[i], 0);
export const zeros = (rows: number, cols: number): Mat => Array.from({ length: rows }, () => new Array(cols).fill(0));
export const addVec = (a: Vec, b: Vec): Vec => a.map((ai, i) => ai + b[i]);
export const scaleVec = (a: Vec, s: number): Vec => a.map((ai) => ai * s);
/** outer(a, b)[i][j] = a_i b_j. */
export const outer = (a: Vec, b: Vec): Mat => a.map((ai) => b.map((bj) => ai * bj));
export const addMat = (a: Mat, b: Mat): Mat => a.map((row, i) => addVec(row, b[i]));
/** a^T M: sum_i a_i M[i]. */
export const vecMat = (a: Vec, m: Mat): Vec => m[0].map((_, j) => a.reduce((acc, ai, i) => acc + ai * m[i][j], 0));
/** M a. */
export const matVec = (m: Mat, a: Vec): Vec => m.map((row) => dot(row, a));

/** softmax over the entries of `scores` whose `allowed` flag is set; others get 0; none allowed gives all 0. */
export function softmaxOver(scores: Vec, allowed: boolean[]): Vec {
  let max = -Infinity;
  scores.forEach((s, i) => {
    if (allowed[i]) max = Math.max(max, s);
  });
  if (max === -Infinity) return scores.map(() => 0);
  const e = scores.map((s, i) => (allowed[i] ? Math.exp(s - max) : 0));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
}

/** Columns head*d .. (head+1)*d - 1 of every row: one head's slice of a projection. */
export const headSlice = (x: Mat, head: number, d: number): Mat => x.map((row) => row.slice(head * d, (head + 1) * d));

/**
 * A naive attention for one sequence: x [n][D] (after LayerNorm1), mask [n] of 0/1, returns [n][D].
 * `prefix` is the layer's attention prefix, e.g. layers.0.attention.
 */
export type NaiveAttention = (w: Weights, prefix: string, x: Mat, mask: Vec, config: ModelConfig) => Mat;

/** The q, k and v projections, the inputs of most attentions. */
export const QKV = ['q_proj', 'k_proj', 'v_proj'];

/**
 * The shape of every multi-head NaiveAttention: the projections `names` of x, `attend` on each head
 * (its slices of those projections [n][d], and its index), the heads joined side by side, and the
 * output projection.
 */
export function multiHead(
  w: Weights,
  prefix: string,
  x: Mat,
  heads: number,
  names: string[],
  attend: (slices: Mat[], head: number) => Mat,
): Mat {
  const projected = names.map((name) => w.linear(`${prefix}.${name}`, x));
  const d = projected[0][0].length / heads;
  const outputs = Array.from({ length: heads }, (_, h) =>
    attend(
      projected.map((p) => headSlice(p, h, d)),
      h,
    ),
  );
  return w.linear(
    `${prefix}.out_proj`,
    x.map((_, t) => outputs.flatMap((o) => o[t])),
  );
}

function layerNorm(w: Weights, prefix: string, x: Mat): Mat {
  const g = w.vector(`${prefix}.weight`);
  const b = w.vector(`${prefix}.bias`);
  return x.map((row) => {
    const mean = row.reduce((a, c) => a + c, 0) / row.length;
    const variance = row.reduce((a, c) => a + (c - mean) ** 2, 0) / row.length;
    return row.map((c, i) => ((c - mean) / Math.sqrt(variance + 1e-5)) * g[i] + b[i]);
  });
}

/** erf by Abramowitz-Stegun 7.1.26 is too coarse (1e-7 abs); this series/continued form is exact to ~1e-15. */
function erf(x: number): number {
  const t = Math.abs(x);
  if (t < 3) {
    // Maclaurin series: erf(x) = 2/sqrt(pi) sum_k (-1)^k x^(2k+1) / (k! (2k+1)).
    let term = t;
    let sum = t;
    for (let k = 1; k < 100; k++) {
      term *= (-t * t) / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction for erfc at large |x|.
  let f = 0;
  for (let k = 60; k >= 1; k--) f = k / 2 / (t + f);
  const erfc = Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f);
  return Math.sign(x) * (1 - erfc);
}

/**
 * Dropout in the reference: the factor (0, or 1 / (1 - rate)) of feature i of token t of sequence b
 * at a site (the sites of models/model.ts: layers.L.attention, layers.L.ff.2, layers.L.ff).
 */
export type DropoutFactor = (site: string, b: number, t: number, i: number) => number;

/**
 * The whole model in float64, sequence by sequence, with the given naive attention: embedding +
 * sinusoidal PE, pre-LN layers with GELU feed-forward, final LayerNorm (architectures.md skeleton).
 */
export async function naiveModelForward(
  model: ReferenceSource,
  ids: number[][],
  mask: number[][] | null,
  attention: NaiveAttention,
): Promise<number[][][]> {
  return naiveHidden(await Weights.of(model), model.config, ids, mask, attention);
}

/** naiveModelForward with the weights given, and dropout where `dropout` says (architectures.md, "Training"). */
export function naiveHidden(
  w: Weights,
  config: ModelConfig,
  ids: number[][],
  mask: number[][] | null,
  attention: NaiveAttention,
  dropout?: DropoutFactor,
): number[][][] {
  const D = config.hiddenDim;
  const embedding = w.matrix('embedding.weight');
  return ids.map((seq, bi) => {
    const m = mask ? mask[bi] : seq.map(() => 1);
    const drop = (site: string, x: Mat): Mat =>
      dropout ? x.map((row, t) => row.map((v, i) => v * dropout(site, bi, t, i))) : x;
    let x: Mat = seq.map((id, pos) =>
      embedding[id].map((e, i) => {
        const angle = pos / Math.pow(10000, (2 * Math.floor(i / 2)) / D);
        return e + (i % 2 === 0 ? Math.sin(angle) : Math.cos(angle));
      }),
    );
    for (let l = 0; l < config.numLayers; l++) {
      const p = `layers.${l}`;
      x = addMat(
        x,
        drop(`${p}.attention`, attention(w, `${p}.attention`, layerNorm(w, `${p}.layer_norm1`, x), m, config)),
      );
      const up = w
        .linear(`${p}.ff.0`, layerNorm(w, `${p}.layer_norm2`, x))
        .map((row) => row.map((u) => 0.5 * u * (1 + erf(u / Math.SQRT2))));
      x = addMat(x, drop(`${p}.ff`, w.linear(`${p}.ff.3`, drop(`${p}.ff.2`, up))));
    }
    return layerNorm(w, 'layer_norm', x);
  });
}

/**
 * The next-token cross-entropy of the tied head in float64: the mean over positions t where t and
 * t + 1 are real of logsumexp(h_t E^T) - h_t . E[ids[t + 1]] (models/loss.ts).
 */
export function naiveLoss(w: Weights, hidden: number[][][], ids: number[][], mask: number[][] | null): number {
  const embedding = w.matrix('embedding.weight');
  let sum = 0;
  let count = 0;
  hidden.forEach((seq, b) =>
    seq.slice(0, -1).forEach((h, t) => {
      if (mask && (!mask[b][t] || !mask[b][t + 1])) return;
      const logits = embedding.map((row) => dot(row, h));
      const max = Math.max(...logits);
      sum += max + Math.log(logits.reduce((a, z) => a + Math.exp(z - max), 0)) - logits[ids[b][t + 1]];
      count++;
    }),
  );
  return count ? sum / count : 0;
}

/** max |a - b| / max |b| over all entries: the relative error the tests bound. */
export function relativeError(
  a: number[][][],
  expected: number[][][],
  positions?: (b: number, t: number) => boolean,
): number {
  let maxDiff = 0;
  let maxRef = 0;
  expected.forEach((seq, b) =>
    seq.forEach((row, t) => {
      if (positions && !positions(b, t)) return;
      row.forEach((e, i) => {
        maxDiff = Math.max(maxDiff, Math.abs(a[b][t][i] - e));
        maxRef = Math.max(maxRef, Math.abs(e));
      });
    }),
  );
  return maxDiff / maxRef;
}
